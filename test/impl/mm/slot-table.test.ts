// The slot table: lowest free slot first across CNodes, counts that add up,
// and a summary bitmap that finds free slots beyond the first 32 and 1024 CNodes.
import { describe, expect, it } from 'vitest';
import { CLIENT, INTERNAL, SlotTable } from '../../../impl/mm/slot-table.js';
import { capref1, capref2 } from '../../../spec/kernel/capref.js';

const ROOT = 0x8000_1000;
const table = (n: number) => {
  const t = new SlotTable();
  for (let i = 0; i < n; i++) t.addCNode({ cap: capref1(ROOT, 14 + i), base: 0x9000_0000 + i * 0x4000 });
  return t;
};

describe('SlotTable (impl/mm/slot-table.ts)', () => {
  it('hands out the lowest free slot, CNodes in the order they were added', () => {
    const t = table(2);
    expect(t.lowestFree()).toEqual({ cn: 0, slot: 0 });
    for (let s = 0; s < 256; s++) t.take(0, s, s % 2 === 0 ? CLIENT : INTERNAL);
    expect(t.lowestFree()).toEqual({ cn: 1, slot: 0 });
    t.release(0, 77);
    expect(t.lowestFree()).toEqual({ cn: 0, slot: 77 });
    expect(t.free).toBe(257);
    // Even slots went to the client (128 of them); 77 was the manager's.
    expect(t.clientCount).toBe(128);
    expect(t.clientRefs()).toHaveLength(128);
  });

  it('locates level-2 caprefs in its CNodes and nothing else', () => {
    const t = table(1);
    expect(t.locate(capref2(ROOT, 14, 9))).toEqual({ cn: 0, slot: 9 });
    expect(t.locate(capref2(ROOT, 15, 9))).toBeUndefined();
    expect(t.locate(capref1(ROOT, 14))).toBeUndefined();
    t.take(0, 9, CLIENT);
    expect(t.isClient(capref2(ROOT, 14, 9))).toBe(true);
    expect(t.ownerOf(capref2(ROOT, 15, 9))).toBeUndefined();
    expect(t.ref(0, 9)).toEqual(capref2(ROOT, 14, 9));
  });

  it('finds free slots past 32 and 1024 full CNodes (the summary bitmap levels)', () => {
    const t = new SlotTable();
    for (let i = 0; i < 1100; i++) t.addCNode({ cap: capref1(ROOT + i * 0x10000, 1), base: i });
    for (let cn = 0; cn < 1090; cn++) for (let s = 0; s < 256; s++) t.take(cn, s, CLIENT);
    expect(t.lowestFree()).toEqual({ cn: 1090, slot: 0 });
    t.release(40, 3);
    expect(t.lowestFree()).toEqual({ cn: 40, slot: 3 });
    t.take(40, 3, CLIENT);
    expect(t.lowestFree()).toEqual({ cn: 1090, slot: 0 });
    for (let cn = 1090; cn < 1100; cn++) for (let s = 0; s < 256; s++) t.take(cn, s, CLIENT);
    expect(t.lowestFree()).toBeUndefined();
    expect(t.free).toBe(0);
  });
});
