// The manager's behaviour on hand-written scenarios — the milestone's and the
// report's features (seeds/002, seeds/001 §2) — run on the model stack and
// the impl stack alike, with every invariant checked after every step.
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import { capref2, l1IndexOf } from '../../../spec/kernel/capref.js';
import { KIB, MIB } from '../../../spec/kernel/types.js';
import { checkMmInvariants } from '../../../spec/mm/invariants.js';
import type { MmOp, RamGrant } from '../../../spec/mm/ops.js';
import { Driver, configWith, deviceRoot, ramRoot, smallConfig } from '../../mm/fixtures.js';

const PARENT0 = 0x8002_1000; // the first RAM root: boot took [0x80000000, 0x80021000)

function sound(d: Driver): void {
  const w = d.world();
  expect(checkMmInvariants(w)).toEqual([]);
  expect(checkInvariants(w.kernel)).toEqual([]);
}

for (const kind of ['model', 'impl'] as const) {
  describe(`${kind} manager`, () => {
    const fresh = (config = smallConfig) => {
      const d = new Driver(config, kind);
      d.ok({ op: 'add', cap: ramRoot(config, 0) });
      return d;
    };

    it('add takes over a RAM capability and keeps it as a parent (DEC-MM-PARENTS)', () => {
      const d = fresh();
      const w = d.world();
      expect(w.mm.parents).toEqual([{ base: PARENT0, bytes: 1024 * KIB - 0x21000, cap: ramRoot(smallConfig, 0) }]);
      sound(d);
      expect(d.do({ op: 'add', cap: ramRoot(smallConfig, 0) })).toEqual({ ok: false, error: 'MM_ERR_ALREADY_PRESENT', arg: 'cap' });
      expect(d.do({ op: 'add', cap: deviceRoot(smallConfig, 0) })).toEqual({ ok: false, error: 'MM_ERR_WRONG_TYPE', arg: 'cap' });
      expect(d.do({ op: 'add', cap: capref2(w.boot.root, 3, 200) })).toEqual({ ok: false, error: 'MM_ERR_NOT_FOUND', arg: 'cap' });
    });

    it('allocates first fit: the lowest address, aligned as asked (DEC-MM-FIRST-FIT)', () => {
      const d = fresh();
      const a = d.grant(8 * KIB);
      expect(a.base).toBe(d.world().mm.allocations.find((x) => x.use === 'client')!.base);
      const b = d.grant(4 * KIB, 64 * KIB);
      expect(b.base % (64 * KIB)).toBe(0);
      const c = d.grant(4 * KIB);
      // The gap alignment left below b is reused first.
      expect(c.base).toBeLessThan(b.base);
      sound(d);
    });

    it('hands out a RAM capability of exactly the region, strictly below the parent', () => {
      const d = fresh();
      const g = d.grant(12 * KIB);
      const r = d.stack.kernel.apply({ op: 'identify', target: g.cap });
      expect(r.ok && r.value.cap).toMatchObject({ type: 'RAM', base: g.base, bytes: 12 * KIB });
    });

    it('never hands out a whole parent (DEC-MM-NO-PARENT-COPY)', () => {
      const d = new Driver(smallConfig, kind);
      d.ok({ op: 'add', cap: ramRoot(smallConfig, 1) }); // 256 KiB at 0x80100000
      expect(d.do({ op: 'alloc', bytes: 256 * KIB })).toEqual({ ok: false, error: 'MM_ERR_OUT_OF_MEMORY' });
      expect(d.grant(252 * KIB).bytes).toBe(252 * KIB);
    });

    it('rejects bad sizes, alignments and ranges, in that order', () => {
      const d = fresh();
      expect(d.do({ op: 'alloc', bytes: 0, alignment: 3 })).toMatchObject({ error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' });
      expect(d.do({ op: 'alloc', bytes: 4097 })).toMatchObject({ error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' });
      expect(d.do({ op: 'alloc', bytes: 4 * KIB, alignment: 6 * KIB })).toMatchObject({ error: 'MM_ERR_BAD_ALIGNMENT' });
      expect(d.do({ op: 'alloc', bytes: 4 * KIB, alignment: 2 ** 33 })).toMatchObject({ error: 'MM_ERR_BAD_ALIGNMENT' });
      expect(d.do({ op: 'alloc', bytes: 4 * KIB, range: { base: PARENT0 + 8 * KIB, limit: PARENT0 } })).toMatchObject({ error: 'MM_ERR_OUT_OF_BOUNDS' });
      expect(d.do({ op: 'alloc', bytes: 64 * MIB })).toMatchObject({ error: 'MM_ERR_OUT_OF_MEMORY' });
    });

    it('allocates within a physical range (seeds/001 §2.8)', () => {
      const d = fresh();
      const lo = PARENT0 + 100 * KIB;
      const g = d.grant(8 * KIB, 8 * KIB, { base: lo, limit: lo + 32 * KIB });
      expect(g.base).toBeGreaterThanOrEqual(lo);
      expect(g.base + g.bytes).toBeLessThanOrEqual(lo + 32 * KIB);
      expect(d.do({ op: 'alloc', bytes: 64 * KIB, range: { base: lo, limit: lo + 32 * KIB } })).toMatchObject({ error: 'MM_ERR_OUT_OF_MEMORY' });
      sound(d);
    });

    it('frees whole allocations and coalesces them with free neighbours', () => {
      const d = fresh();
      const before = d.world().mm.free;
      const gs = [d.grant(4 * KIB), d.grant(8 * KIB), d.grant(4 * KIB)];
      for (const g of [gs[1]!, gs[0]!, gs[2]!]) expect(d.do({ op: 'free', cap: g.cap })).toEqual({ ok: true, value: { remainders: [] } });
      expect(d.world().mm.free).toEqual(before);
      sound(d);
    });

    it('a partial free re-issues the parts kept, with new capabilities (DEC-MM-PARTIAL-FREE)', () => {
      const d = fresh();
      const g = d.grant(16 * KIB);
      const r = d.ok<{ remainders: RamGrant[] }>({ op: 'free', cap: g.cap, range: { base: g.base + 4 * KIB, bytes: 4 * KIB } });
      expect(r.remainders.map((x) => [x.base - g.base, x.bytes])).toEqual([
        [0, 4 * KIB],
        [8 * KIB, 8 * KIB],
      ]);
      for (const x of r.remainders) {
        const k = d.stack.kernel.apply({ op: 'identify', target: x.cap });
        expect(k.ok && k.value.cap).toMatchObject({ type: 'RAM', base: x.base, bytes: x.bytes });
      }
      // The freed page is allocatable again.
      expect(d.grant(4 * KIB, undefined, { base: g.base, limit: g.base + 16 * KIB }).base).toBe(g.base + 4 * KIB);
      expect(d.do({ op: 'free', cap: r.remainders[1]!.cap, range: { base: g.base, bytes: 4 * KIB } })).toMatchObject({ error: 'MM_ERR_OUT_OF_BOUNDS' });
      sound(d);
    });

    it('free revokes what the client derived from the capability (DEC-MM-FREE-REVOKES)', () => {
      const d = fresh();
      const g = d.grant(16 * KIB);
      const s = d.ok<{ slot: ReturnType<typeof capref2> }>({ op: 'slot_alloc' }).slot;
      expect(d.do({ op: 'client', call: { op: 'retype', src: g.cap, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: s } }).ok).toBe(true);
      d.ok({ op: 'free', cap: g.cap });
      expect(d.stack.kernel.apply({ op: 'identify', target: s })).toMatchObject({ ok: false, error: 'SYS_ERR_CAP_NOT_FOUND' });
      sound(d);
    });

    it('reclaims memory whose capabilities the client deleted, and only then (DEC-MM-RECLAIM)', () => {
      const d = fresh();
      const g = d.grant(8 * KIB);
      expect(d.do({ op: 'reclaim', base: g.base })).toEqual({ ok: false, error: 'MM_ERR_IN_USE', arg: 'base' });
      // The kernel hands nothing back: the manager's parent still covers the memory.
      const del = d.do({ op: 'client', call: { op: 'delete', target: g.cap } });
      expect(del).toEqual({ ok: true, value: { deleted: 1, reclaimed: [] } });
      expect(d.do({ op: 'reclaim', base: g.base })).toEqual({ ok: true, value: { base: g.base, bytes: 8 * KIB } });
      expect(d.do({ op: 'reclaim', base: g.base })).toEqual({ ok: false, error: 'MM_ERR_NOT_FOUND', arg: 'base' });
      // The slot stays the client's until it frees it.
      expect(d.do({ op: 'slot_free', slot: g.cap })).toEqual({ ok: true, value: {} });
      sound(d);
    });

    it('the client may name only the slots it holds (DEC-MM-CLIENT-CSPACE)', () => {
      const d = fresh();
      const g = d.grant(8 * KIB);
      const parent = ramRoot(smallConfig, 0);
      const calls: MmOp[] = [
        { op: 'client', call: { op: 'revoke', target: parent } },
        { op: 'client', call: { op: 'copy', src: parent, dest: g.cap } },
        { op: 'free', cap: parent },
        { op: 'slot_free', slot: parent },
      ];
      expect(calls.map((c) => d.do(c))).toEqual([
        { ok: false, error: 'MM_ERR_FOREIGN_SLOT', arg: 'slot' },
        { ok: false, error: 'MM_ERR_FOREIGN_SLOT', arg: 'slot' },
        { ok: false, error: 'MM_ERR_FOREIGN_SLOT', arg: 'cap' },
        { ok: false, error: 'LIB_ERR_SLOT_ALLOC_WRONG_CNODE', arg: 'slot' },
      ]);
      expect(d.do({ op: 'slot_free', slot: g.cap })).toEqual({ ok: false, error: 'MM_ERR_SLOT_NOT_EMPTY', arg: 'slot' });
      sound(d);
    });

    it('never merges memory of two parents, even when they are adjacent (DEC-MM-PARENTS)', () => {
      const d = fresh();
      d.ok({ op: 'add', cap: ramRoot(smallConfig, 1) });
      const w = d.world();
      const end0 = w.mm.parents[0]!.base + w.mm.parents[0]!.bytes;
      expect(end0).toBe(w.mm.parents[1]!.base);
      expect(w.mm.free.some((f) => f.base < end0 && f.base + f.bytes > end0)).toBe(false);
      expect(d.do({ op: 'alloc', bytes: 8 * KIB, range: { base: end0 - 4 * KIB, limit: end0 + 4 * KIB } })).toMatchObject({ error: 'MM_ERR_OUT_OF_MEMORY' });
      sound(d);
    });

    it('refills the slot allocator with L2CNodes, then opens a CSpace extension (DEC-MM-CSPACE-EXTENSION)', () => {
      const config = configWith({ slotCNodes: 1, slotLowWater: 300, rootSlotsFirst: 14, rootSlotsEnd: 15 });
      const d = fresh(config);
      const w = d.world();
      // 256 free slots < 300: one L2CNode into root slot 14 makes 512, enough.
      expect(w.mm.slots.cnodes.map((c) => l1IndexOf(c.cap.cptr))).toEqual([7, 14]);
      for (let i = 0; i < 220; i++) d.ok({ op: 'slot_alloc' });
      const after = d.world();
      const ext = after.mm.allocations.find((a) => a.use === 'l1cnode')!;
      expect(ext).toBeDefined();
      expect(after.mm.slots.cnodes.at(-1)!.cap).toEqual({ root: ext.base, cptr: 0, level: 1 });
      // A slot inside the extension is usable like any other.
      const s = after.mm.slots.cnodes.at(-1)!;
      expect(d.stack.kernel.apply({ op: 'identify', target: capref2(s.cap.root, l1IndexOf(s.cap.cptr), 0) })).toMatchObject({ error: 'SYS_ERR_CAP_NOT_FOUND' });
      sound(d);
    });

    it('refills the slab before it runs out, and accounts every node (DEC-MM-METADATA)', () => {
      const config = configWith({ nodeBytes: 512, staticNodes: 8, slabFrameBytes: 4 * KIB, slabLowWater: 5 });
      const d = fresh(config);
      for (let i = 0; i < 12; i++) d.grant(4 * KIB, 16 * KIB);
      const w = d.world();
      expect(w.mm.allocations.filter((a) => a.use === 'frame').length).toBeGreaterThan(1);
      expect(w.mm.slab.capacity - w.mm.slab.used).toBeGreaterThanOrEqual(5);
      sound(d);
    });

    it('fails cleanly when neither memory nor metadata is left', () => {
      const config = configWith({ staticNodes: 4, slabLowWater: 4, nodeBytes: 512, slabFrameBytes: 4 * KIB });
      const d = new Driver(config, kind);
      d.ok({ op: 'add', cap: ramRoot(config, 1) });
      const results = Array.from({ length: 80 }, () => d.do({ op: 'alloc', bytes: 4 * KIB }));
      const errors = new Set(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error)));
      expect([...errors].every((e) => e === 'MM_ERR_OUT_OF_MEMORY' || e === 'LIB_ERR_SLAB_ALLOC_FAIL')).toBe(true);
      expect(errors.size).toBeGreaterThan(0);
      sound(d);
    });

    it('offers the paging contract as plain calls', () => {
      const d = fresh();
      const mm = d.stack.mm;
      const g = mm.allocRam({ bytes: 8 * KIB, alignment: 8 * KIB });
      expect(g.ok).toBe(true);
      const s = mm.allocSlot();
      expect(s.ok).toBe(true);
      if (!g.ok || !s.ok) return;
      expect(mm.freeRam(g.value.cap, { base: g.value.base, bytes: 4 * KIB })).toMatchObject({ ok: true });
      expect(mm.freeSlot(s.value.slot)).toEqual({ ok: true, value: {} });
      sound(d);
    });
  });
}
