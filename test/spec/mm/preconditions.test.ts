// Every mm precondition by id: a step that fails exactly there, with the
// error the spec documents; and the order in which several failures resolve.
import { describe, expect, it } from 'vitest';
import { capref2 } from '../../../spec/kernel/capref.js';
import { KIB } from '../../../spec/kernel/types.js';
import type { MmOp, RamGrant } from '../../../spec/mm/ops.js';
import { expectedMmResult, mmPreconditionsByOp, remaindersOf, slotsNamedBy } from '../../../spec/mm/preconditions.js';
import { Driver, deviceRoot, ramRoot, smallConfig } from '../../mm/fixtures.js';

/** A manager with memory, a grant, an empty client slot, and a client slot holding a Frame. */
function setup(config = smallConfig) {
  const d = new Driver(config);
  d.ok({ op: 'add', cap: ramRoot(config, 0) });
  const g = d.grant(16 * KIB);
  const empty = d.ok<{ slot: RamGrant['cap'] }>({ op: 'slot_alloc' }).slot;
  const frameSlot = d.ok<{ slot: RamGrant['cap'] }>({ op: 'slot_alloc' }).slot;
  d.ok({ op: 'client', call: { op: 'retype', src: g.cap, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: frameSlot } });
  return { d, g, empty, frameSlot };
}

const expectOf = (d: Driver, op: MmOp) => {
  const w = d.world();
  return expectedMmResult(w.mm, w.kernel, w.config, w.boot, op);
};

describe('mm preconditions (spec/mm/preconditions.ts)', () => {
  const { d, g, empty, frameSlot } = setup();
  const w = d.world();
  const parent = ramRoot(smallConfig, 0);
  const nowhere = capref2(w.boot.root, 3, 250);

  // id → a step that fails at exactly that check, and the error it gives.
  const cases: Record<string, { op: MmOp; error: string; driver?: Driver }> = {
    'add.cap': { op: { op: 'add', cap: nowhere }, error: 'MM_ERR_NOT_FOUND' },
    'add.type': { op: { op: 'add', cap: deviceRoot(smallConfig, 0) }, error: 'MM_ERR_WRONG_TYPE' },
    'add.disjoint': { op: { op: 'add', cap: parent }, error: 'MM_ERR_ALREADY_PRESENT' },
    'alloc.size': { op: { op: 'alloc', bytes: 100 }, error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' },
    'alloc.alignment': { op: { op: 'alloc', bytes: 4 * KIB, alignment: 2 * KIB }, error: 'MM_ERR_BAD_ALIGNMENT' },
    'alloc.range': { op: { op: 'alloc', bytes: 4 * KIB, range: { base: 10, limit: 10 } }, error: 'MM_ERR_OUT_OF_BOUNDS' },
    'alloc.fit': { op: { op: 'alloc', bytes: 4 * KIB * 1024 }, error: 'MM_ERR_OUT_OF_MEMORY' },
    'free.cap': { op: { op: 'free', cap: empty }, error: 'MM_ERR_NOT_FOUND' },
    'free.client-slot': { op: { op: 'free', cap: parent }, error: 'MM_ERR_FOREIGN_SLOT' },
    'free.allocation': { op: { op: 'free', cap: frameSlot }, error: 'MM_ERR_NOT_FOUND' },
    'free.range': { op: { op: 'free', cap: g.cap, range: { base: g.base + 2 * KIB, bytes: 4 * KIB } }, error: 'MM_ERR_OUT_OF_BOUNDS' },
    'reclaim.allocation': { op: { op: 'reclaim', base: g.base + 4 * KIB }, error: 'MM_ERR_NOT_FOUND' },
    'reclaim.unused': { op: { op: 'reclaim', base: g.base }, error: 'MM_ERR_IN_USE' },
    'slot_free.cnode': { op: { op: 'slot_free', slot: parent }, error: 'LIB_ERR_SLOT_ALLOC_WRONG_CNODE' },
    'slot_free.held': { op: { op: 'slot_free', slot: capref2(w.boot.root, 7, 255) }, error: 'LIB_ERR_SLOT_UNALLOCATED' },
    'slot_free.empty': { op: { op: 'slot_free', slot: g.cap }, error: 'MM_ERR_SLOT_NOT_EMPTY' },
    'client.slots': { op: { op: 'client', call: { op: 'delete', target: parent } }, error: 'MM_ERR_FOREIGN_SLOT' },
  };

  for (const [id, c] of Object.entries(cases)) {
    it(`${id} fails with ${c.error}`, () => {
      const drv = c.driver ?? d;
      const e = expectOf(drv, c.op);
      expect(e.ok ? 'ok' : e.error).toBe(c.error);
      const [opName] = id.split('.');
      const pre = mmPreconditionsByOp[opName as MmOp['op']].find((p) => p.id === id)!;
      expect(pre.error).toBe(c.error);
      // The model returns what the spec prescribes.
      const r = drv.do(c.op);
      expect(r.ok ? 'ok' : r.error).toBe(c.error);
    });
  }

  it('add.unused: a RAM capability something was derived from is refused', () => {
    const config = smallConfig;
    const x = new Driver(config);
    // The client cannot touch boot's RAM root, but the kernel can be driven directly.
    x.stack.kernel.apply({
      op: 'retype',
      src: ramRoot(config, 1),
      offset: 0,
      type: 'Frame',
      objsize: 4 * KIB,
      count: 1,
      dest: capref2(x.world().boot.root, 7, 0),
    });
    expect(expectOf(x, { op: 'add', cap: ramRoot(config, 1) })).toEqual({ ok: false, error: 'MM_ERR_IN_USE', arg: 'cap' });
    expect(x.do({ op: 'add', cap: ramRoot(config, 1) })).toEqual({ ok: false, error: 'MM_ERR_IN_USE', arg: 'cap' });
  });

  it('slab and slot checks fail with LIB_ERR_SLAB_ALLOC_FAIL and LIB_ERR_SLOT_ALLOC_NO_SPACE (hand-built exhausted states)', () => {
    const base = d.world();
    const noNodes = { ...base.mm, slab: { ...base.mm.slab, capacity: base.mm.slab.used + 1 } };
    const noSlots = { ...base.mm, slots: { ...base.mm.slots, free: 0 } };
    const exp = (mm: typeof base.mm, op: MmOp) => {
      const e = expectedMmResult(mm, base.kernel, base.config, base.boot, op);
      return e.ok ? 'ok' : e.error;
    };
    const partial: MmOp = { op: 'free', cap: g.cap, range: { base: g.base + 4 * KIB, bytes: 4 * KIB } };
    expect(exp(noNodes, { op: 'add', cap: ramRoot(smallConfig, 1) })).toBe('LIB_ERR_SLAB_ALLOC_FAIL'); // add.slab
    expect(exp(noNodes, { op: 'alloc', bytes: 4 * KIB })).toBe('LIB_ERR_SLAB_ALLOC_FAIL'); // alloc.slab
    expect(exp(noSlots, { op: 'alloc', bytes: 4 * KIB })).toBe('LIB_ERR_SLOT_ALLOC_NO_SPACE'); // alloc.slot
    expect(exp(noSlots, partial)).toBe('LIB_ERR_SLOT_ALLOC_NO_SPACE'); // free.slots: two parts kept, one slot freed
    expect(exp(noNodes, partial)).toBe('LIB_ERR_SLAB_ALLOC_FAIL'); // free.slab
    expect(exp(noNodes, { op: 'free', cap: g.cap })).toBe('ok'); // a whole free needs no node
    expect(exp(noSlots, { op: 'slot_alloc' })).toBe('LIB_ERR_SLOT_ALLOC_NO_SPACE'); // slot_alloc.free
  });

  it('checks in the documented order: size before alignment before range', () => {
    expect(expectOf(d, { op: 'alloc', bytes: 0, alignment: 3, range: { base: 5, limit: 1 } })).toMatchObject({ error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' });
    expect(expectOf(d, { op: 'alloc', bytes: 4 * KIB, alignment: 3, range: { base: 5, limit: 1 } })).toMatchObject({ error: 'MM_ERR_BAD_ALIGNMENT' });
  });

  it('prescribes the success value: first-fit placement and the lowest free slot', () => {
    const e = expectOf(d, { op: 'alloc', bytes: 4 * KIB });
    const r = d.do({ op: 'alloc', bytes: 4 * KIB });
    expect(e).toEqual({ ok: true, value: (r as { value: unknown }).value });
  });

  it("names every slot a client call touches, a retype's whole destination run included", () => {
    const root = w.boot.root;
    expect(slotsNamedBy({ op: 'retype', src: g.cap, offset: 0, type: 'Frame', objsize: 4096, count: 3, dest: capref2(root, 7, 10) })).toEqual([
      g.cap,
      capref2(root, 7, 10),
      capref2(root, 7, 11),
      capref2(root, 7, 12),
    ]);
    expect(slotsNamedBy({ op: 'retype', src: g.cap, offset: 0, type: 'Frame', objsize: 4096, count: 1000, dest: capref2(root, 7, 10) })).toBe('too-many');
    expect(slotsNamedBy({ op: 'vnode_unmap', vnode: g.cap, mapping: empty })).toEqual([g.cap, empty]);
    expect(remaindersOf({ base: 0, bytes: 16 }, { base: 0, bytes: 16 })).toEqual([]);
  });
});
