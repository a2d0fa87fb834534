// Every paging invariant, by id: it holds on reachable states (random traces
// on the reference stack, after every step), and it reports a violation
// naming its id on a broken state — hand-built, or reached by a deliberately
// broken address space.
import { describe, expect, it } from 'vitest';
import { seededChooser } from '../../../conformance/chooser.js';
import { generatePagingOp, PagingIndex } from '../../../conformance/paging/generate.js';
import { implStack } from '../../../conformance/paging/stacks.js';
import { kernelView } from '../../../spec/paging/kernel-view.js';
import { archProfiles } from '../../../spec/kernel/arch.js';
import { checkPagingInvariants, pagingInvariants, type PagingWorld } from '../../../spec/paging/invariants.js';
import { pagingBoot } from '../../../spec/paging/address-space.js';
import type { PagingState } from '../../../spec/paging/state.js';
import type { KernelState } from '../../../spec/kernel/state.js';
import { configFor, PAGE, Space } from './fixtures.js';

const covered = new Set<string>();

/** A world with a two-piece client mapping, a lazy page and a reserved region. */
function rich(): Space {
  const s = new Space('model', configFor('aarch64'));
  const f = s.frame(40 * PAGE); // the suite's window starts 16 pages below a leaf boundary: two pieces
  s.map(f.frame);
  const heap = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 4 * PAGE, lazy: true }).vaddr;
  s.must({ op: 'fault', vaddr: heap });
  s.must({ op: 'reserve', bytes: 4 * PAGE, lazy: false });
  return s;
}

const withPaging = (w: PagingWorld, f: (p: PagingState) => PagingState): PagingWorld => ({ ...w, paging: f(w.paging) });
const withKernel = (w: PagingWorld, f: (k: KernelState) => KernelState): PagingWorld => ({ ...w, kernel: f(w.kernel) });

function broken(id: string, title: string, build: () => PagingWorld): void {
  covered.add(id);
  it(`${id}: reports ${title}`, () => {
    const w = build();
    const inv = pagingInvariants.find((i) => i.id === id)!;
    const vs = inv.check(w);
    expect(vs.length, 'violations').toBeGreaterThan(0);
    for (const v of vs) {
      expect(v.invariant).toBe(id);
      expect(v.message.length).toBeGreaterThan(10);
    }
    expect(checkPagingInvariants(w).some((v) => v.invariant === id)).toBe(true);
  });
}

describe('paging invariants hold on reachable states', () => {
  it.each(['aarch64', 'armv7'] as const)('%s: after every step of random traces on the reference stack', (arch) => {
    for (const seed of [1, 2, 3]) {
      const s = new Space('model', configFor(arch));
      const c = seededChooser(seed);
      for (let i = 0; i < 60; i++) {
        const g = generatePagingOp(new PagingIndex(s.world()), c);
        if (g === undefined) break;
        s.apply(g.op);
        expect(checkPagingInvariants(s.world()), `seed ${seed} step ${i}: ${JSON.stringify(g.op)}`).toEqual([]);
      }
    }
  });

  it('on the rich state', () => {
    expect(checkPagingInvariants(rich().world())).toEqual([]);
  });
});

describe('each paging invariant reports a broken state', () => {
  broken('PG-REGIONS-DISJOINT', 'overlapping regions', () => withPaging(rich().world(), (p) => ({ ...p, regions: [...p.regions, { ...p.regions[0]!, base: p.regions[0]!.base + PAGE }] })));
  broken('PG-REGIONS-DISJOINT', 'a region outside the window, of a partial page', () => withPaging(rich().world(), (p) => ({ ...p, regions: [{ base: 0x8000_0000, bytes: 100, kind: 'reserved' }] })));
  broken('PG-NULL-NEVER-MAPPED', 'an address space that handed out the NULL page (the null-page-window mutant)', () => {
    const config = configFor('aarch64', PAGE);
    const stack = implStack(config, 'null-page-window');
    const f = stack.space.apply({ op: 'frame_alloc', bytes: PAGE });
    if (!f.ok) throw new Error('frame_alloc');
    const m = stack.space.apply({ op: 'map', frame: (f.value as unknown as { frame: never }).frame, rights: ['READ'] });
    expect(m).toEqual({ ok: true, value: { vaddr: 0 } });
    return { paging: stack.space.observe(), kernel: stack.kernel.observe(), memory: stack.memory.observe(), config };
  });
  broken('PG-MAPPINGS-IN-REGIONS', 'a mapping whose region is gone', () => withPaging(rich().world(), (p) => ({ ...p, regions: p.regions.filter((r) => r.kind !== 'frame') })));
  broken('PG-MAPPINGS-IN-REGIONS', 'overlapping mappings split at the wrong place', () =>
    withPaging(rich().world(), (p) => ({ ...p, mappings: [...p.mappings, { ...p.mappings[0]!, vaddr: p.mappings[0]!.vaddr + PAGE }] })),
  );
  broken('PG-MAPPINGS-IN-REGIONS', 'a lazy page outside a lazy region', () =>
    withPaging(rich().world(), (p) => ({ ...p, regions: p.regions.map((r) => (r.kind === 'lazy' ? { ...r, kind: 'reserved' as const } : r)) })),
  );
  broken('PG-PAGE-TABLES-AGREE', 'a mapping the page tables translate elsewhere', () => withPaging(rich().world(), (p) => ({ ...p, mappings: p.mappings.map((m) => ({ ...m, phys: m.phys + PAGE })) })));
  broken('PG-PAGE-TABLES-AGREE', 'a table the address space forgot, and an entry no Mapping claims', () =>
    withKernel(
      withPaging(rich().world(), (p) => ({ ...p, tables: p.tables.slice(0, -1) })),
      (k) => ({ ...k, cores: k.cores.map((c) => ({ ...c, ptes: [...c.ptes, { vnode: c.ptes.at(-1)!.vnode, entry: 511, target: 0x9000_0000, rights: ['READ'] }] })) }),
    ),
  );
  broken('PG-MAPPING-CAPS', "pieces and tables that name the wrong slots", () =>
    withPaging(rich().world(), (p) => ({
      ...p,
      mappings: p.mappings.map((m) => ({ ...m, pieces: m.pieces.map((x) => ({ ...x, mapping: m.frame, mapped: p.client[0]! })) })),
      tables: p.tables.map((t) => (t.depth === 0 ? t : { ...t, ram: t.vnode, mapping: t.vnode })),
    })),
  );
  broken('PG-MAPPING-CAPS', 'a table whose VNode slot holds something else', () => withPaging(rich().world(), (p) => ({ ...p, tables: p.tables.map((t) => (t.depth === 0 ? t : { ...t, vnode: p.client[0]! })) })));
  broken('PG-MAPPING-CAPS', 'a piece whose Mapping describes other entries', () =>
    withPaging(rich().world(), (p) => ({ ...p, mappings: p.mappings.map((m) => (m.kind === 'client' ? { ...m, phys: m.phys + PAGE, pieces: [...m.pieces].reverse() } : m)) })),
  );
  broken('PG-TABLES-NEEDED', 'empty tables an unmap left behind (the table-never-freed mutant)', () => {
    const config = configFor('aarch64', PAGE);
    const stack = implStack(config, 'table-never-freed');
    const f = stack.space.apply({ op: 'frame_alloc', bytes: PAGE });
    const frame = (f as unknown as { value: { frame: never } }).value.frame;
    stack.space.apply({ op: 'map', frame, rights: ['READ'] });
    stack.space.apply({ op: 'unmap', vaddr: PAGE });
    return { paging: stack.space.observe(), kernel: stack.kernel.observe(), memory: stack.memory.observe(), config };
  });
  broken('PG-TABLES-NEEDED', 'a page table the address space does not know', () => withPaging(rich().world(), (p) => ({ ...p, tables: p.tables.slice(0, 1) })));
  broken('PG-SLOTS-APART', "a slot both the client and the address space hold", () => withPaging(rich().world(), (p) => ({ ...p, client: [...p.client, p.tables[1]!.vnode] })));
  broken('PG-SLOTS-ACCOUNTED', 'a slot unmap forgot to give back (the unmap-leaks-slot mutant)', () => {
    const config = configFor('aarch64', PAGE);
    const stack = implStack(config, 'unmap-leaks-slot');
    const f = stack.space.apply({ op: 'frame_alloc', bytes: PAGE });
    const frame = (f as unknown as { value: { frame: never } }).value.frame;
    stack.space.apply({ op: 'map', frame, rights: ['READ'] });
    stack.space.apply({ op: 'unmap', vaddr: PAGE });
    return { paging: stack.space.observe(), kernel: stack.kernel.observe(), memory: stack.memory.observe(), config };
  });
  broken('PG-SLOTS-ACCOUNTED', 'a slot the client holds that the allocator never handed out', () =>
    withPaging(rich().world(), (p) => ({ ...p, client: [...p.client, { ...p.client[0]!, cptr: p.client[0]!.cptr + 200 }] })),
  );
  broken('PG-SLOTS-ACCOUNTED', 'a table and a lazy page whose RAM the memory manager has taken back', () => {
    const w = rich().world();
    const table = w.paging.tables.find((t) => t.depth === 1)!;
    const page = w.paging.mappings.find((m) => m.kind === 'lazy')!;
    const gone = (a: { base: number }) => a.base === table.phys || a.base === page.phys;
    return { ...w, memory: { ...w.memory, allocations: w.memory.allocations.filter((a) => !gone(a)) } };
  });

  it('covers every invariant', () => {
    expect([...covered].sort()).toEqual(pagingInvariants.map((i) => i.id).sort());
  });

  it('have unique ids, explanations and sources', () => {
    expect(new Set(pagingInvariants.map((i) => i.id)).size).toBe(pagingInvariants.length);
    for (const i of pagingInvariants) {
      expect(i.explanation.length).toBeGreaterThan(40);
      expect(i.source.length).toBeGreaterThan(5);
    }
  });
});

describe('the kernel view of the page tables', () => {
  it('walks from the root, finding every table and page of the address space', () => {
    const w = rich().world();
    const view = kernelView(w.kernel.cores[0]!, archProfiles.aarch64, pagingBoot(w.config).rootPhys);
    expect(view.problems).toEqual([]);
    expect(view.tables.length).toBe(w.paging.tables.length);
    expect(view.pages.length).toBe(w.paging.mappings.reduce((n, m) => n + m.bytes / PAGE, 0));
  });

  it('reports a table reachable twice', () => {
    const w = rich().world();
    const core = w.kernel.cores[0]!;
    // Point a second root entry at the L1 table: it is claimed by the same Mapping range only once, so the walk meets it twice.
    const l1 = w.paging.tables.find((t) => t.depth === 1)!;
    const m = core.ctes.find((e) => 'ptable' in e.cap && e.cap.ptable === pagingBoot(w.config).rootPhys)!;
    const twice = { ...core, ptes: [...core.ptes, { vnode: pagingBoot(w.config).rootPhys, entry: 1, target: l1.phys, rights: ['READ' as const] }], ctes: core.ctes.map((e) => (e === m ? { ...e, cap: { ...e.cap, pteCount: 2 } } : e)) };
    const view = kernelView(twice, archProfiles.aarch64, pagingBoot(w.config).rootPhys);
    expect(view.problems.some((p) => p.includes('reachable twice'))).toBe(true);
  });
});
