// Family 6 — memory accounting (DESIGN.md "Invariant families"): what must
// hold of the memory manager in every reachable state, over the pair of
// observations (the manager's and the kernel's). Each invariant has a stable
// id, a plain-language explanation and its source; conformance runs every
// one after every step, on model and impl alike.
import { capref2, l1IndexOf } from '../kernel/capref.js';
import { hex, type Violation } from '../kernel/invariants/framework.js';
import { overlapsDescendant } from '../kernel/preconditions/retype.js';
import { memDescends } from '../kernel/relations.js';
import { formatCapref } from '../kernel/capref.js';
import { regionEnd, type CoreState, type KernelState, type Region } from '../kernel/state.js';
import { BASE_PAGE_SIZE } from '../kernel/types.js';
import type { MmConfig } from './config.js';
import type { MmBoot } from './mm.js';
import { internalSlots, isAllocatorSlot, nextRefill, nodeDemand, parentOf, slabCapacity } from './policy.js';
import { memoryCapAt } from './preconditions.js';
import { caprefKey, internalObjectType, type MmState } from './state.js';

export interface MmWorld {
  readonly mm: MmState;
  readonly kernel: KernelState;
  readonly config: MmConfig;
  readonly boot: MmBoot;
}

export interface MmInvariant {
  readonly id: string;
  readonly family: 6;
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (w: MmWorld) => Violation[];
}

const range = (r: Region) => `[${hex(r.base)}, ${hex(regionEnd(r))})`;
const core0 = (w: MmWorld): CoreState => w.kernel.cores[0]!;

/** Free ranges and allocations together, in address order, each labelled. */
function pieces(mm: MmState): { r: Region; what: string }[] {
  return [...mm.free.map((r) => ({ r, what: 'free range' })), ...mm.allocations.map((a) => ({ r: a as Region, what: `${a.use} allocation` }))].sort(
    (a, b) => a.r.base - b.r.base || a.r.bytes - b.r.bytes,
  );
}

export const mmInvariants: readonly MmInvariant[] = [
  {
    id: 'MM-PARENTS-KEPT',
    family: 6,
    title: 'The manager keeps its parent capabilities',
    explanation:
      'Every RAM capability the manager took over is still in its slot, with exactly the region it had, and parents never overlap. The manager hands out descendants of its parents and keeps the parents themselves: deleting a parent would take every capability handed out from it along (revoke), and the kernel would not let a deleted range be retyped piecewise again.',
    source: 'seeds/000 ("the parent or root capability is never destroyed"); DEC-MM-PARENTS',
    check: (w) => {
      const out: Violation[] = [];
      w.mm.parents.forEach((p, i) => {
        const k = memoryCapAt(core0(w), p.cap);
        if (k === undefined || k.type !== 'RAM' || k.base !== p.base || k.bytes !== p.bytes)
          out.push({ invariant: 'MM-PARENTS-KEPT', message: `parent ${range(p)} is not a RAM capability of that region at ${formatCapref(p.cap)}` });
        const next = w.mm.parents[i + 1];
        if (next !== undefined && regionEnd(p) > next.base)
          out.push({ invariant: 'MM-PARENTS-KEPT', message: `parents ${range(p)} and ${range(next)} overlap` });
      });
      return out;
    },
  },
  {
    id: 'MM-NO-DOUBLE-HANDOUT',
    family: 6,
    title: 'No range is handed out twice',
    explanation:
      'Free ranges and allocations never overlap one another: a byte is either free or in exactly one allocation. (Together with MM-PARTITION: allocated and free ranges partition managed memory.)',
    source: 'DESIGN.md family 6; seeds/001 §2.2 ("keep track of all allocated and free physical memory")',
    check: (w) => {
      const out: Violation[] = [];
      const ps = pieces(w.mm);
      for (let i = 1; i < ps.length; i++) {
        const a = ps[i - 1]!;
        const b = ps[i]!;
        if (regionEnd(a.r) > b.r.base) out.push({ invariant: 'MM-NO-DOUBLE-HANDOUT', message: `${a.what} ${range(a.r)} overlaps ${b.what} ${range(b.r)}` });
      }
      return out;
    },
  },
  {
    id: 'MM-PARTITION',
    family: 6,
    title: 'Allocated and free ranges cover managed memory exactly',
    explanation:
      'Every byte of every parent is either free or allocated, and nothing outside the parents is either: the manager loses no memory and invents none. Every range is page-granular (base and size multiples of 4 KiB, size non-zero).',
    source: 'DESIGN.md family 6',
    check: (w) => {
      const out: Violation[] = [];
      const ps = pieces(w.mm);
      let covered = 0;
      for (const { r, what } of ps) {
        if (r.bytes === 0 || r.base % BASE_PAGE_SIZE !== 0 || r.bytes % BASE_PAGE_SIZE !== 0)
          out.push({ invariant: 'MM-PARTITION', message: `${what} ${range(r)} is not page-granular` });
        if (parentOf(w.mm.parents, r) === undefined) out.push({ invariant: 'MM-PARTITION', message: `${what} ${range(r)} lies outside managed memory` });
        covered += r.bytes;
      }
      const managed = w.mm.parents.reduce((n, p) => n + p.bytes, 0);
      if (covered !== managed)
        out.push({ invariant: 'MM-PARTITION', message: `free and allocated ranges cover ${covered} bytes; the parents hold ${managed}` });
      return out;
    },
  },
  {
    id: 'MM-NEVER-MERGES',
    family: 6,
    title: 'Capabilities are never merged',
    explanation:
      'Every allocation and every free range lies inside one parent. A capability cannot be made from two others, so memory of two parents is never handed out — or coalesced — as one range, even when the parents are adjacent.',
    source: 'seeds/000 ("capabilities can not be merged"); DEC-MM-PARENTS',
    check: (w) =>
      pieces(w.mm)
        .filter(({ r }) => w.mm.parents.some((p) => p.base < regionEnd(r) && r.base < regionEnd(p)) && parentOf(w.mm.parents, r) === undefined)
        .map(({ r, what }) => ({ invariant: 'MM-NEVER-MERGES', message: `${what} ${range(r)} spans more than one parent` })),
  },
  {
    id: 'MM-STRICT-DESCENT',
    family: 6,
    title: 'No allocation is a whole parent',
    explanation:
      'An allocation covering a parent exactly would be handed out as a copy of the parent (the kernel treats a full-size retype to the same type as a copy), not as a descendant: a client revoking it would revoke the parent and everything handed out from it. So every allocation is strictly smaller than its parent.',
    source: 'DEC-FULL-SIZE-RETYPE; DEC-MM-NO-PARENT-COPY',
    check: (w) =>
      w.mm.allocations
        .filter((a) => w.mm.parents.some((p) => p.base === a.base && p.bytes === a.bytes))
        .map((a) => ({ invariant: 'MM-STRICT-DESCENT', message: `${a.use} allocation ${range(a)} is a whole parent` })),
  },
  {
    id: 'MM-COALESCED',
    family: 6,
    title: 'Freed memory is merged with its free neighbours',
    explanation:
      'No two free ranges of the same parent touch: a free range is merged with adjacent free memory, so freed memory becomes allocatable again as one piece and the only fragmentation is what allocations and alignment force.',
    source: 'seeds/001 §2.3.1 ("split and/or coalesce nodes"); DESIGN.md family 6',
    check: (w) => {
      const out: Violation[] = [];
      for (let i = 1; i < w.mm.free.length; i++) {
        const a = w.mm.free[i - 1]!;
        const b = w.mm.free[i]!;
        if (regionEnd(a) === b.base && parentOf(w.mm.parents, a) === parentOf(w.mm.parents, b))
          out.push({ invariant: 'MM-COALESCED', message: `free ranges ${range(a)} and ${range(b)} touch inside one parent` });
      }
      return out;
    },
  },
  {
    id: 'MM-FREE-UNCOVERED',
    family: 6,
    title: 'Free memory is covered by no capability but the parent',
    explanation:
      'No capability other than a parent (or a copy of it) overlaps a free range. The next allocation retypes from the parent there, and the kernel refuses a retype over an existing descendant (SYS_ERR_REVOKE_FIRST): the manager must never even try, so memory is free only once nothing covers it any more — hence free revokes what it takes back, and reclaim asks the kernel first.',
    source: 'kernel/capabilities.c caps_retype (mdb_find_range); DEC-MM-RECLAIM, DEC-MM-FREE-REVOKES',
    check: (w) => {
      const out: Violation[] = [];
      for (const f of w.mm.free) {
        const p = parentOf(w.mm.parents, f);
        const cap = p === undefined ? undefined : memoryCapAt(core0(w), p.cap);
        if (cap !== undefined && overlapsDescendant(core0(w), cap, f))
          out.push({ invariant: 'MM-FREE-UNCOVERED', message: `free range ${range(f)} is covered by a capability other than its parent` });
      }
      return out;
    },
  },
  {
    id: 'MM-METADATA-PRESENT',
    family: 6,
    title: "The manager's own objects exist",
    explanation:
      "Every metadata allocation (a slab Frame, a slot-allocator L2CNode, a CSpace-extension L1CNode) is an object of its type with exactly the allocation's region, in the slot the manager keeps it in, and descends from the parent; every L2CNode of the slot allocator is in its L1 slot.",
    source: "seeds/002 (slab and slot allocators refilled from the manager's memory); DEC-MM-METADATA",
    check: (w) => {
      const out: Violation[] = [];
      for (const a of w.mm.allocations) {
        if (a.use === 'client') continue;
        const k = a.cap === undefined ? undefined : memoryCapAt(core0(w), a.cap);
        const parent = parentOf(w.mm.parents, a);
        const parentCap = parent === undefined ? undefined : memoryCapAt(core0(w), parent.cap);
        if (
          k === undefined ||
          k.type !== internalObjectType[a.use] ||
          k.base !== a.base ||
          k.bytes !== a.bytes ||
          parentCap === undefined ||
          !memDescends(k, parentCap)
        )
          out.push({
            invariant: 'MM-METADATA-PRESENT',
            message: `${a.use} allocation ${range(a)} has no ${internalObjectType[a.use]} descending from its parent at ${a.cap ? formatCapref(a.cap) : '(no slot)'}`,
          });
      }
      for (const cn of w.mm.slots.cnodes) {
        const k = memoryCapAt(core0(w), cn.cap);
        if (k === undefined || k.type !== 'L2CNode' || k.base !== cn.base)
          out.push({ invariant: 'MM-METADATA-PRESENT', message: `slot-allocator CNode ${hex(cn.base)} is not an L2CNode at ${formatCapref(cn.cap)}` });
      }
      return out;
    },
  },
  {
    id: 'MM-SLAB-ACCOUNTING',
    family: 6,
    title: 'Every metadata node is accounted for',
    explanation:
      'The slab uses one node per parent, per free range and per allocation, and never more nodes than it has: its static buffer plus the nodes of every slab frame.',
    source: 'seeds/002 (the slab allocator); seeds/001 §2.5',
    check: (w) => {
      const out: Violation[] = [];
      const s = w.mm.slab;
      if (s.nodeBytes !== w.config.mm.nodeBytes)
        out.push({ invariant: 'MM-SLAB-ACCOUNTING', message: `node size ${s.nodeBytes}, configured ${w.config.mm.nodeBytes}` });
      if (s.used !== nodeDemand(w.mm))
        out.push({ invariant: 'MM-SLAB-ACCOUNTING', message: `slab reports ${s.used} nodes used; the state needs ${nodeDemand(w.mm)}` });
      if (s.capacity !== slabCapacity(w.mm, w.config.mm))
        out.push({
          invariant: 'MM-SLAB-ACCOUNTING',
          message: `slab reports capacity ${s.capacity}; its buffer and frames hold ${slabCapacity(w.mm, w.config.mm)}`,
        });
      if (s.used > s.capacity) out.push({ invariant: 'MM-SLAB-ACCOUNTING', message: `slab uses ${s.used} nodes of ${s.capacity}` });
      return out;
    },
  },
  {
    id: 'MM-SLOT-ACCOUNTING',
    family: 6,
    title: "Every slot is free, the client's or the manager's — exactly one",
    explanation:
      "The slots the client holds and the slots the manager keeps its objects in are slots of the allocator's CNodes (the first slotsPerCNode of each), never the same slot twice, and the free count is what is left. A free slot is empty in the kernel, so the next retype into it succeeds.",
    source: 'seeds/002 (the slot allocator); DEC-MM-SLOT-EMPTY',
    check: (w) => {
      const out: Violation[] = [];
      const held = [...w.mm.slots.client, ...internalSlots(w.mm)];
      const keys = new Set<string>();
      for (const r of held) {
        if (!isAllocatorSlot(w.mm, r, w.config.mm)) out.push({ invariant: 'MM-SLOT-ACCOUNTING', message: `${formatCapref(r)} is not a slot of the allocator` });
        if (keys.has(caprefKey(r))) out.push({ invariant: 'MM-SLOT-ACCOUNTING', message: `${formatCapref(r)} is held twice` });
        keys.add(caprefKey(r));
      }
      const free = w.config.mm.slotsPerCNode * w.mm.slots.cnodes.length - keys.size;
      if (w.mm.slots.free !== free)
        out.push({ invariant: 'MM-SLOT-ACCOUNTING', message: `${w.mm.slots.free} slots reported free; ${free} are neither held nor kept` });
      const allocatorCNodes = new Map(w.mm.slots.cnodes.map((cn) => [cn.base, cn] as const));
      for (const e of core0(w).ctes) {
        const cn = allocatorCNodes.get(e.cnode);
        if (cn === undefined) continue;
        const ref = capref2(cn.cap.root, l1IndexOf(cn.cap.cptr), e.slot);
        if (!keys.has(caprefKey(ref))) out.push({ invariant: 'MM-SLOT-ACCOUNTING', message: `free slot ${formatCapref(ref)} holds a ${e.cap.type}` });
      }
      return out;
    },
  },
  {
    id: 'MM-REFILLED',
    family: 6,
    title: 'Refills happen before the slab or the slot allocator runs out',
    explanation:
      'Between operations, no refill is due: free slots are at least the low-water mark and so are free slab nodes — unless a refill is impossible (no memory fits it, or the nodes or slot it needs are gone). The marks leave room for the refill itself, so refilling never recurses (seeds/001 §2.5: thresholds and a refill flag).',
    source: 'seeds/002 CHALLENGES; seeds/001 §2.5; policy.ts nextRefill',
    check: (w) => {
      const due = nextRefill(w.mm, w.boot.root, w.config.mm);
      return due === undefined
        ? []
        : [
            {
              invariant: 'MM-REFILLED',
              message: `a ${due} refill is due and possible (${w.mm.slots.free} free slots, ${w.mm.slab.capacity - w.mm.slab.used} free nodes)`,
            },
          ];
    },
  },
];

export function checkMmInvariants(w: MmWorld): Violation[] {
  return mmInvariants.flatMap((i) => i.check(w));
}
