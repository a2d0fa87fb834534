// Every paging postcondition, by id: it holds on the reference stack's
// transitions, and it reports a hand-built bad transition naming its id.
import { describe, expect, it } from 'vitest';
import { seededChooser } from '../../../conformance/chooser.js';
import { generatePagingOp, PagingIndex } from '../../../conformance/paging/generate.js';
import type { PagingResult } from '../../../spec/paging/address-space.js';
import type { PagingWorld } from '../../../spec/paging/invariants.js';
import type { PagingOp } from '../../../spec/paging/ops.js';
import { checkPagingPostconditions, pagingPostconditions } from '../../../spec/paging/postconditions.js';
import { configFor, PAGE, Space } from './fixtures.js';

const covered = new Set<string>();

interface Transition {
  readonly pre: PagingWorld;
  readonly op: PagingOp;
  readonly result: PagingResult;
  readonly post: PagingWorld;
}

function setup() {
  const s = new Space('model', configFor('aarch64', PAGE));
  const f = s.frame(2 * PAGE);
  const g = s.frame(PAGE);
  const va = s.map(f.frame);
  const heap = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 4 * PAGE, lazy: true }).vaddr;
  return { s, f, g, va, heap, pre: s.world() };
}

function broken(id: string, title: string, build: () => Transition): void {
  covered.add(id);
  it(`${id}: reports ${title}`, () => {
    const t = build();
    const p = pagingPostconditions.find((x) => x.id === id)!;
    const vs = p.check(t.pre, t.op, t.result, t.post);
    expect(vs.length).toBeGreaterThan(0);
    for (const v of vs) expect(v.invariant).toBe(id);
    expect(checkPagingPostconditions(t.pre, t.op, t.result, t.post).some((v) => v.invariant === id)).toBe(true);
  });
}

describe('paging postconditions hold on the reference stack', () => {
  it('for every step of random traces', () => {
    for (const seed of [4, 5]) {
      const s = new Space('model', configFor('aarch64'));
      const c = seededChooser(seed);
      for (let i = 0; i < 80; i++) {
        const pre = s.world();
        const g = generatePagingOp(new PagingIndex(pre), c);
        if (g === undefined) break;
        const r = s.apply(g.op);
        expect(checkPagingPostconditions(pre, g.op, r, s.world()), `seed ${seed} step ${i}`).toEqual([]);
      }
    }
  });
});

describe('each paging postcondition reports a bad transition', () => {
  broken('PG-ATOMIC-FAILURE', 'a failed step that changed the regions', () => {
    const { pre, heap } = setup();
    return { pre, op: { op: 'release', vaddr: heap + 1 }, result: { ok: false, error: 'LIB_ERR_VREGION_NOT_FOUND' }, post: { ...pre, paging: { ...pre.paging, regions: [] } } };
  });
  broken('PG-ATOMIC-FAILURE', 'a failed step that left a capability in the kernel and a slot handed out', () => {
    const { s, pre } = setup();
    // What a map that forgot to give back what it acquired leaves: a RAM capability in a slot the allocator still counts as handed out.
    const slot = s.stack.memory.allocSlot();
    const ram = s.stack.memory.allocRam({ bytes: PAGE });
    if (!slot.ok || !ram.ok) throw new Error('allocator');
    return { pre, op: { op: 'fault', vaddr: 0x4000_0000 }, result: { ok: false, error: 'MM_ERR_OUT_OF_MEMORY' }, post: s.world() };
  });
  it("PG-ATOMIC-FAILURE: the memory manager's own refills are not a change", () => {
    const { s, pre } = setup();
    // A slot taken and given back may leave a slab or slot refill behind: that is the manager's metadata.
    for (let i = 0; i < 1000 && s.stack.memory.observe().slots.cnodes.length === pre.memory.slots.cnodes.length; i++)
      if (!s.stack.memory.allocSlot().ok) throw new Error('allocSlot');
    const mid = s.world();
    expect(mid.memory.slots.cnodes.length).toBeGreaterThan(pre.memory.slots.cnodes.length);
    const failed = pagingPostconditions.find((p) => p.id === 'PG-ATOMIC-FAILURE')!;
    const refilled = { ...mid, paging: pre.paging, memory: { ...mid.memory, slots: { ...mid.memory.slots, client: pre.memory.slots.client } } };
    expect(failed.check(pre, { op: 'slot_alloc' }, { ok: false, error: 'LIB_ERR_SLOT_ALLOC_NO_SPACE' }, refilled)).toEqual([]);
  });
  broken('PG-FAULT-OUTSIDE-REFUSED', 'a fault served in free space', () => {
    const { pre } = setup();
    return { pre, op: { op: 'fault', vaddr: 0x4000_0000 }, result: { ok: true, value: { vaddr: 0x4000_0000 } }, post: pre };
  });
  broken('PG-FAULT-FILLS-PAGE', 'a served fault that reports another page and maps nothing', () => {
    const { pre, heap } = setup();
    return { pre, op: { op: 'fault', vaddr: heap + 5 }, result: { ok: true, value: { vaddr: heap + PAGE } }, post: pre };
  });
  broken('PG-FIRST-FIT', 'a reserve that skipped the lowest fitting hole', () => {
    const { pre } = setup();
    return { pre, op: { op: 'reserve', bytes: PAGE, lazy: false }, result: { ok: true, value: { vaddr: 0x100_0000 } }, post: pre };
  });
  broken('PG-FIRST-FIT', 'a map at a free address that is not first fit', () => {
    const { pre, g } = setup();
    return { pre, op: { op: 'map', frame: g.frame, offset: 0, rights: ['READ'] }, result: { ok: true, value: { vaddr: 0x100_0000 } }, post: pre };
  });
  broken('PG-MAP-LANDS', 'a map that reports success and maps nothing', () => {
    const { s, pre, g } = setup();
    const op: PagingOp = { op: 'map', frame: g.frame, vaddr: 0x10_0000, rights: ['READ'] };
    s.apply(op);
    return { pre, op, result: { ok: true, value: { vaddr: 0x20_0000 } }, post: s.world() };
  });
  broken('PG-MAP-LANDS', 'a map of a capref that holds no frame', () => {
    const { pre, f } = setup();
    return { pre, op: { op: 'map', frame: f.ram, vaddr: 0x10_0000, rights: ['READ'] }, result: { ok: true, value: { vaddr: 0x10_0000 } }, post: pre };
  });
  broken('PG-UNMAP-REMOVES', 'an unmap that left the mapping', () => {
    const { pre, va } = setup();
    return { pre, op: { op: 'unmap', vaddr: va }, result: { ok: true, value: {} }, post: pre };
  });
  broken('PG-UNMAP-REMOVES', 'a release that left its region and took another mapping', () => {
    const { pre, heap } = setup();
    return { pre, op: { op: 'release', vaddr: heap }, result: { ok: true, value: {} }, post: { ...pre, paging: { ...pre.paging, mappings: [] } } };
  });
  broken('PG-UNMAP-REMOVES', 'an unmap that succeeded where nothing was mapped', () => {
    const { pre } = setup();
    return { pre, op: { op: 'unmap', vaddr: 0x5000_0000 }, result: { ok: true, value: {} }, post: pre };
  });
  broken('PG-CLIENT-DELETE-KEEPS', "a client's delete that took a mapping", () => {
    const { pre, f } = setup();
    return { pre, op: { op: 'client', call: { op: 'delete', target: f.frame } }, result: { ok: true, value: { deleted: 1, reclaimed: [] } }, post: { ...pre, paging: { ...pre.paging, mappings: [] } } };
  });

  it('covers every postcondition', () => {
    expect([...covered].sort()).toEqual(pagingPostconditions.map((p) => p.id).sort());
  });
});
