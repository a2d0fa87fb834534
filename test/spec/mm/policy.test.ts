// The manager's policies as the spec states them (spec/mm/policy.ts), its
// schemas (every bad field reported by path), and its decision registry.
import { describe, expect, it } from 'vitest';
import { capref1, capref2, l1IndexOf } from '../../../spec/kernel/capref.js';
import { KIB } from '../../../spec/kernel/types.js';
import { defaultMmParams, mmConfigSchema, mmParamsSchema } from '../../../spec/mm/config.js';
import { mmDecisions } from '../../../spec/mm/decisions.js';
import { mmBoot } from '../../../spec/mm/mm.js';
import { mmOpSchema } from '../../../spec/mm/ops.js';
import { alignUp, firstFit, fitIn, isPowerOfTwo, lowestFreeSlot, nextL2CNodeSlot, nextRefill, validAlignment, validSize } from '../../../spec/mm/policy.js';
import type { MmState } from '../../../spec/mm/state.js';
import { zodProblems } from '../../../conformance/trace.js';
import { smallConfig } from '../../mm/fixtures.js';

const P = 4 * KIB;
const ROOT = 0x8000_1000;

function state(over: Partial<MmState> = {}): MmState {
  return {
    parents: [{ base: 0, bytes: 64 * P, cap: capref2(ROOT, 3, 0) }],
    free: [{ base: 0, bytes: 64 * P }],
    allocations: [],
    slab: { nodeBytes: 64, capacity: 64, used: 2 },
    slots: { cnodes: [{ cap: capref1(ROOT, 7), base: 0x9000_0000 }], free: 256, client: [] },
    ...over,
  };
}

describe('placement: address-ordered first fit (DEC-MM-FIRST-FIT)', () => {
  it('takes the lowest aligned address that fits inside one free range', () => {
    const s = state({
      free: [
        { base: P, bytes: 3 * P },
        { base: 8 * P, bytes: 8 * P },
      ],
      allocations: [],
    });
    expect(firstFit(s, 2 * P, P)?.base).toBe(P);
    expect(firstFit(s, 2 * P, 4 * P)?.base).toBe(8 * P); // [P, 4P) has no 4P-aligned room for 2 pages
    expect(firstFit(s, 9 * P, P)).toBeUndefined();
  });

  it('clips to the physical range', () => {
    const s = state({ free: [{ base: 0, bytes: 64 * P }] });
    expect(firstFit(s, P, P, { base: 10 * P + 1, limit: 20 * P })?.base).toBe(11 * P);
    expect(firstFit(s, 4 * P, P, { base: 10 * P, limit: 13 * P })).toBeUndefined();
  });

  it('never covers a whole parent (DEC-MM-NO-PARENT-COPY)', () => {
    const p = { base: 0, bytes: 64 * P };
    expect(fitIn(p, p, 64 * P, P)).toBeUndefined();
    expect(fitIn(p, p, 63 * P, P)).toBe(0);
    expect(firstFit(state(), 64 * P, P)).toBeUndefined();
  });

  it('validates sizes and alignments', () => {
    expect([0, 1, P, 3 * P, P + 1].map(validSize)).toEqual([false, false, true, true, false]);
    expect([P / 2, P, 3 * P, 2 ** 32, 2 ** 33].map(validAlignment)).toEqual([false, true, false, true, false]);
    expect([1, 2, 3, 2 ** 40, 0, -2].map(isPowerOfTwo)).toEqual([true, true, false, true, false, false]);
    expect(alignUp(2 ** 47 + 1, 2 ** 32)).toBe(2 ** 47 + 2 ** 32);
  });
});

describe('slots and refills', () => {
  it('hands out the lowest slot neither the client nor the manager holds', () => {
    const s = state({
      allocations: [{ base: 0, bytes: P, use: 'frame', cap: capref2(ROOT, 7, 1) }],
      slots: { cnodes: [{ cap: capref1(ROOT, 7), base: 1 }], free: 254, client: [capref2(ROOT, 7, 0)] },
    });
    expect(lowestFreeSlot(s, defaultMmParams)).toEqual(capref2(ROOT, 7, 2));
  });

  it('hands out only the first slotsPerCNode slots of each CNode, then moves to the next CNode', () => {
    const s = state({
      slots: {
        cnodes: [
          { cap: capref1(ROOT, 7), base: 1 },
          { cap: capref1(ROOT, 8), base: 2 },
        ],
        free: 9,
        client: Array.from({ length: 8 }, (_, i) => capref2(ROOT, 7, i)),
      },
    });
    expect(lowestFreeSlot(s, { slotsPerCNode: 8 })).toEqual(capref2(ROOT, 8, 0));
    expect(lowestFreeSlot(s, { slotsPerCNode: 9 })).toEqual(capref2(ROOT, 7, 8));
  });

  it('places refill L2CNodes in the first extensionSlots slots of a CSpace extension, then asks for another', () => {
    const p = mmParamsSchema.parse({ rootSlotsFirst: 14, rootSlotsEnd: 15, extensionSlots: 2 });
    const ext = { base: 0x9000_0000, bytes: 16 * 1024, use: 'l1cnode' as const, cap: capref2(ROOT, 7, 3) };
    const root = { cap: capref1(ROOT, 14), base: 5 };
    const one = state({ allocations: [ext], slots: { cnodes: [root, { cap: capref1(ext.base, 0), base: 6 }], free: 0, client: [] } });
    expect(nextL2CNodeSlot(one, ROOT, p)).toEqual(capref1(ext.base, 1));
    const full = state({ allocations: [ext], slots: { cnodes: [root, { cap: capref1(ext.base, 0), base: 6 }, { cap: capref1(ext.base, 1), base: 7 }], free: 0, client: [] } });
    expect(nextL2CNodeSlot(full, ROOT, p)).toBeUndefined();
  });

  it('refills the slab first, then the slot allocator; never when nothing fits', () => {
    const p = mmParamsSchema.parse({ slabLowWater: 8, slotLowWater: 300 });
    expect(nextRefill(state({ slab: { nodeBytes: 64, capacity: 8, used: 2 } }), ROOT, p)).toBe('frame');
    expect(nextRefill(state(), ROOT, p)).toBe('l2cnode');
    expect(nextRefill(state({ free: [] }), ROOT, p)).toBeUndefined();
    expect(nextRefill(state({ slab: { nodeBytes: 64, capacity: 3, used: 2 } }), ROOT, p)).toBeUndefined(); // no nodes for the refill itself
  });

  it('places refill L2CNodes in the reserved root slots, then in a CSpace extension (DEC-MM-CSPACE-EXTENSION)', () => {
    const p = mmParamsSchema.parse({ rootSlotsFirst: 14, rootSlotsEnd: 15 });
    expect(nextL2CNodeSlot(state(), ROOT, p)).toEqual(capref1(ROOT, 14));
    const full = state({
      slots: {
        cnodes: [
          { cap: capref1(ROOT, 7), base: 1 },
          { cap: capref1(ROOT, 14), base: 2 },
        ],
        free: 512,
        client: [],
      },
    });
    expect(nextL2CNodeSlot(full, ROOT, p)).toBeUndefined();
    expect(nextRefill({ ...full, slots: { ...full.slots, free: 3 } }, ROOT, p)).toBe('l1cnode');
    const ext = { ...full, allocations: [{ base: 0x40000, bytes: 16 * KIB, use: 'l1cnode' as const, cap: capref2(ROOT, 7, 0) }] };
    expect(nextL2CNodeSlot(ext, ROOT, p)).toEqual(capref1(0x40000, 0));
  });

  it('finds its CSpace after boot: the root CNode and the slot-allocator L2CNodes', () => {
    const b = mmBoot(smallConfig);
    expect(b.slotCNodes.map((c) => l1IndexOf(c.cap.cptr))).toEqual([7, 8, 9]);
  });
});

describe('schemas report bad fields by path', () => {
  it('config', () => {
    const r = mmConfigSchema.safeParse({ kernel: smallConfig.kernel, mm: { slabFrameBytes: 5000, rootSlotsFirst: 20, rootSlotsEnd: 18, nodeBytes: 4096 } });
    expect(r.success).toBe(false);
    const problems = zodProblems(r.error!).join('\n');
    expect(problems).toContain('mm.slabFrameBytes');
    expect(problems).toContain('mm.rootSlotsEnd');
  });

  it('operations', () => {
    const r = mmOpSchema.safeParse({ op: 'alloc', bytes: -4, range: { base: 0 } });
    expect(zodProblems(r.error!).join('\n')).toMatch(/bytes[\s\S]*range\.limit/);
    expect(mmOpSchema.safeParse({ op: 'client', call: { op: 'lock', target: capref2(ROOT, 7, 0) } }).success).toBe(false);
    expect(mmOpSchema.parse({ op: 'alloc', bytes: 4096 })).toEqual({ op: 'alloc', bytes: 4096, alignment: 4096 });
  });
});

describe('decisions (spec/mm/decisions.ts)', () => {
  it('have unique ids, and each says what Barrelfish does and what capref does', () => {
    expect(new Set(mmDecisions.map((d) => d.id)).size).toBe(mmDecisions.length);
    for (const d of mmDecisions) {
      expect(d.id).toMatch(/^DEC-MM-/);
      expect(d.barrelfish.length).toBeGreaterThan(10);
      expect(d.capref.length).toBeGreaterThan(40);
    }
  });
});
