// The allocation table against a Map: any sequence of sets and deletes
// (backward-shift deletion included, across growth) leaves the same contents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocTable } from '../../../impl/mm/alloc-table.js';
import { capref2 } from '../../../spec/kernel/capref.js';

describe('AllocTable (impl/mm/alloc-table.ts)', () => {
  it('holds what a Map would, after any sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(300), fc.nat(64)), { maxLength: 400 }), (ops) => {
        const t = new AllocTable();
        const m = new Map<number, number>();
        for (const [del, page, bytes] of ops) {
          const base = 2 ** 33 + page * 4096;
          if (del) {
            t.delete(base);
            m.delete(base);
          } else {
            t.set({ base, bytes: (bytes + 1) * 4096, use: 'client', parent: page % 3 });
            m.set(base, (bytes + 1) * 4096);
          }
        }
        expect(t.size).toBe(m.size);
        for (const [base, bytes] of m) expect(t.clientBytes(base)).toBe(bytes);
        expect([...t.values()].map((r) => r.base).sort((a, b) => a - b)).toEqual([...m.keys()].sort((a, b) => a - b));
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('keeps a metadata allocation\'s capref and answers misses', () => {
    const t = new AllocTable();
    t.set({ base: 8192, bytes: 16384, use: 'l2cnode', parent: 2, cap: capref2(1, 2, 3) });
    expect(t.get(8192)).toEqual({ base: 8192, bytes: 16384, use: 'l2cnode', parent: 2, cap: capref2(1, 2, 3) });
    expect(t.clientBytes(8192)).toBe(-1);
    expect(t.get(8193)).toBeUndefined();
    expect(t.clientBytes(4096)).toBe(-1);
    expect(t.parentOf(8192)).toBe(2);
    t.delete(4096);
    expect(t.size).toBe(1);
  });
});
