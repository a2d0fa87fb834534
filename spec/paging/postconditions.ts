// Transition checks of the address space: properties of one step (pre-state,
// operation, result, post-state) that no single state can express — which
// free address a step must choose, that a fault outside a lazy region is
// refused, that a failed step changes nothing.
import type { Violation } from '../kernel/invariants/framework.js';
import { lookupCap } from '../kernel/lookup.js';
import { coreOf } from '../kernel/query.js';
import { isMappingCap, type Capability, type KernelState } from '../kernel/state.js';
import { internalObjectType, type MmState } from '../mm/state.js';
import { jsonEqual } from '../kernel/postconditions.js';
import type { PagingResult } from './address-space.js';
import type { PagingWorld } from './invariants.js';
import { pageOf } from './layout.js';
import type { PagingOp } from './ops.js';
import { mapBytes } from './preconditions.js';
import { firstFit, rangesOverlap, regionContaining } from './query.js';

export interface PagingPostcondition {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (pre: PagingWorld, op: PagingOp, result: PagingResult, post: PagingWorld) => Violation[];
}

const v = (invariant: string, message: string): Violation => ({ invariant, message });

/** The kernel's capabilities without the memory manager's own metadata objects (slab Frames, slot CNodes, CSpace extensions). */
function withoutMetadata(k: KernelState, memory: MmState): KernelState {
  const meta = new Set(
    memory.allocations.filter((a) => a.use !== 'client').map((a) => `${internalObjectType[a.use as Exclude<typeof a.use, 'client'>]}@${a.base}+${a.bytes}`),
  );
  const isMeta = (c: Capability) => !isMappingCap(c) && meta.has(`${c.type}@${c.base}+${c.bytes}`);
  return { ...k, cores: k.cores.map((c) => ({ ...c, ctes: c.ctes.filter((e) => !isMeta(e.cap)) })) };
}

/** What the memory manager has handed out to the paging layer: its allocations and slots. */
const handedOut = (m: MmState) => ({ allocations: m.allocations.filter((a) => a.use === 'client'), slots: m.slots.client });
const hex = (n: number) => `0x${n.toString(16)}`;
const valueOf = (r: PagingResult): Record<string, unknown> => (r.ok ? (r.value as Record<string, unknown>) : {});

export const pagingPostconditions: readonly PagingPostcondition[] = [
  {
    id: 'PG-ATOMIC-FAILURE',
    title: 'A failed step leaves the address space, the kernel and the allocations as they were',
    explanation:
      "A step that returns an error leaves the regions, mappings, tables and client slots unchanged, and the kernel too: it checks before it acts, and what it acquired before an allocator refused is given back (DEC-PAGING-ACQUIRE-FIRST) — the RAM capabilities revoked and deleted, the slots freed — so the memory manager has handed out exactly the slots and allocations it had before. The one change allowed is the manager's own metadata: taking and giving back may trigger a slab or slot refill, which adds the manager's Frame or CNode to the kernel (spec/mm DEC-MM-METADATA).",
    source: 'DEC-PAGING-ACQUIRE-FIRST; DEC-ATOMIC-MINT; DEC-MM-METADATA',
    check: (pre, _op, result, post) => {
      if (result.ok) return [];
      const out: Violation[] = [];
      if (!jsonEqual(pre.paging, post.paging)) out.push(v('PG-ATOMIC-FAILURE', `the step failed with ${result.error} but changed the address space`));
      if (!jsonEqual(pre.kernel, post.kernel) && !jsonEqual(withoutMetadata(pre.kernel, post.memory), withoutMetadata(post.kernel, post.memory)))
        out.push(v('PG-ATOMIC-FAILURE', `the step failed with ${result.error} but changed the kernel (beyond the memory manager's refills)`));
      if (!jsonEqual(handedOut(pre.memory), handedOut(post.memory)))
        out.push(v('PG-ATOMIC-FAILURE', `the step failed with ${result.error} but the memory manager has handed out other slots or allocations`));
      return out;
    },
  },
  {
    id: 'PG-FAULT-OUTSIDE-REFUSED',
    title: 'A fault outside a lazy region is refused',
    explanation:
      'The fault handler backs pages of lazily backed regions only; a fault anywhere else (the NULL page, free space, a reserved or frame region) is an error and maps nothing.',
    source: 'seeds/001 §3.4 ("the page fault handler can only map within this region")',
    check: (pre, op, result) => {
      if (op.op !== 'fault' || !result.ok) return [];
      return regionContaining(pre.paging, op.vaddr)?.kind === 'lazy'
        ? []
        : [v('PG-FAULT-OUTSIDE-REFUSED', `a fault at ${hex(op.vaddr)}, outside every lazy region, was served`)];
    },
  },
  {
    id: 'PG-FAULT-FILLS-PAGE',
    title: 'A served fault backs exactly the faulting page',
    explanation: 'After a successful fault, a lazily backed page of exactly 4 KiB starts at the faulting page and nothing else was mapped or unmapped.',
    source: 'seeds/001 §3.4; DEC-PAGING-LAZY-PER-PAGE',
    check: (pre, op, result, post) => {
      if (op.op !== 'fault' || !result.ok) return [];
      const page = pageOf(op.vaddr);
      const out: Violation[] = [];
      if (valueOf(result).vaddr !== page)
        out.push(v('PG-FAULT-FILLS-PAGE', `the fault at ${hex(op.vaddr)} reported ${String(valueOf(result).vaddr)}, not its page ${hex(page)}`));
      const added = post.paging.mappings.filter((m) => !pre.paging.mappings.some((o) => o.vaddr === m.vaddr));
      if (
        added.length !== 1 ||
        added[0]!.vaddr !== page ||
        added[0]!.bytes !== 4096 ||
        added[0]!.kind !== 'lazy' ||
        post.paging.mappings.length !== pre.paging.mappings.length + 1
      )
        out.push(v('PG-FAULT-FILLS-PAGE', `the fault at ${hex(op.vaddr)} changed the mappings by more than one lazy page at ${hex(page)}`));
      return out;
    },
  },
  {
    id: 'PG-FIRST-FIT',
    title: 'A free address is the lowest free range that fits',
    explanation: 'A reserve or map without an address starts at the lowest free range of the window (before the step) that holds its size.',
    source: 'DEC-PAGING-FIRST-FIT',
    check: (pre, op, result) => {
      if (!result.ok || (op.op !== 'reserve' && op.op !== 'map') || op.vaddr !== undefined) return [];
      let bytes = op.op === 'reserve' ? op.bytes : undefined;
      if (op.op === 'map') {
        const core = coreOf(pre.kernel, 0);
        const r = core === undefined ? undefined : lookupCap(core, op.frame, 'src', 'read');
        if (r?.ok && !isMappingCap(r.value.cap)) bytes = mapBytes(op, r.value.cap);
      }
      if (bytes === undefined) return [];
      const want = firstFit(pre.paging, pre.config.paging, bytes);
      const got = valueOf(result).vaddr;
      return got === want
        ? []
        : [
            v(
              'PG-FIRST-FIT',
              `the ${op.op} of ${hex(bytes)} bytes chose ${typeof got === 'number' ? hex(got) : String(got)}, first fit is ${want === undefined ? 'nothing' : hex(want)}`,
            ),
          ];
    },
  },
  {
    id: 'PG-MAP-LANDS',
    title: 'A successful map maps the frame where it says',
    explanation:
      "After a successful map, a client mapping of the requested size starts at the returned address (the requested one, for a fixed map) and translates to the frame's base plus the offset.",
    source: "seeds/002 (paging_map_fixed_attr); the report's paging_map_frame_attr",
    check: (pre, op, result, post) => {
      if (op.op !== 'map' || !result.ok) return [];
      const va = valueOf(result).vaddr as number;
      const core = coreOf(pre.kernel, 0);
      const r = core === undefined ? undefined : lookupCap(core, op.frame, 'src', 'read');
      if (r === undefined || !r.ok || isMappingCap(r.value.cap)) return [v('PG-MAP-LANDS', 'a map succeeded on a capref that held no frame')];
      const frame = r.value.cap;
      const m = post.paging.mappings.find((x) => x.vaddr === va && x.kind === 'client');
      const out: Violation[] = [];
      if (op.vaddr !== undefined && va !== op.vaddr) out.push(v('PG-MAP-LANDS', `a fixed map at ${hex(op.vaddr)} returned ${hex(va)}`));
      if (m === undefined || m.bytes !== mapBytes(op, frame) || m.phys !== frame.base + (op.offset ?? 0))
        out.push(
          v(
            'PG-MAP-LANDS',
            `after the map, no client mapping of ${hex(mapBytes(op, frame))} bytes at ${hex(va)} translates to ${hex(frame.base + (op.offset ?? 0))}`,
          ),
        );
      return out;
    },
  },
  {
    id: 'PG-UNMAP-REMOVES',
    title: 'Unmap and release take away what they name, and nothing else',
    explanation:
      'After a successful unmap no mapping covers the pages of the unmapped one (and its own `frame` region is gone); after a successful release the region and every mapping in it are gone. Other mappings are untouched.',
    source:
      "the course's paging_unmap (lib/aos/paging.c: course code handed out with seeds/002, not part of Barrelfish); lib/barrelfish/vspace vregion_destroy",
    check: (pre, op, result, post) => {
      if (!result.ok || (op.op !== 'unmap' && op.op !== 'release')) return [];
      const out: Violation[] = [];
      const gone =
        op.op === 'unmap'
          ? (() => {
              const m = pre.paging.mappings.find((x) => x.vaddr === op.vaddr && x.kind === 'client');
              return m === undefined ? undefined : { base: m.vaddr, bytes: m.bytes };
            })()
          : pre.paging.regions.find((r) => r.base === op.vaddr);
      if (gone === undefined) return [v('PG-UNMAP-REMOVES', `${op.op} at ${hex(op.vaddr)} succeeded on nothing`)];
      if (post.paging.mappings.some((m) => rangesOverlap({ base: m.vaddr, bytes: m.bytes }, gone)))
        out.push(v('PG-UNMAP-REMOVES', `after the ${op.op}, a mapping still covers ${hex(gone.base)}+${hex(gone.bytes)}`));
      const kept = pre.paging.mappings.filter((m) => !rangesOverlap({ base: m.vaddr, bytes: m.bytes }, gone));
      if (kept.length !== post.paging.mappings.length || kept.some((m) => !post.paging.mappings.some((x) => jsonEqual(x, m))))
        out.push(v('PG-UNMAP-REMOVES', `the ${op.op} at ${hex(op.vaddr)} changed mappings outside ${hex(gone.base)}+${hex(gone.bytes)}`));
      if (op.op === 'release' && post.paging.regions.some((r) => r.base === op.vaddr))
        out.push(v('PG-UNMAP-REMOVES', `the released region at ${hex(op.vaddr)} is still there`));
      return out;
    },
  },
  {
    id: 'PG-CLIENT-DELETE-KEEPS',
    title: "Deleting the client's frame leaves its mappings",
    explanation: "A client's delete removes only the client's own slot: the address space's copies keep every mapping in place.",
    source: 'DEC-PAGING-CLIENT-DELETE',
    check: (pre, op, result, post) =>
      op.op === 'client' && op.call.op === 'delete' && result.ok && !jsonEqual(pre.paging.mappings, post.paging.mappings)
        ? [v('PG-CLIENT-DELETE-KEEPS', "the client's delete changed the address space's mappings")]
        : [],
  },
];

export function checkPagingPostconditions(pre: PagingWorld, op: PagingOp, result: PagingResult, post: PagingWorld): Violation[] {
  return pagingPostconditions.flatMap((p) => p.check(pre, op, result, post));
}
