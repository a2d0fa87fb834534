// The range treap against a brute-force sorted list: random inserts,
// removals and resizes, then every query compared, and the tree's own
// invariants (order, heap order, the max-size augmentation, the count).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeTree } from '../../../impl/paging/range-tree.js';

const cmd = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), base: fc.nat(200).map((x) => x * 4096), bytes: fc.integer({ min: 1, max: 40 }).map((x) => x * 4096) }),
  fc.record({ kind: fc.constant('remove' as const), base: fc.nat(200).map((x) => x * 4096) }),
  fc.record({ kind: fc.constant('resize' as const), base: fc.nat(200).map((x) => x * 4096), bytes: fc.integer({ min: 1, max: 40 }).map((x) => x * 4096) }),
);

describe('RangeTree', () => {
  it('answers floor, ceiling, get, first fit and range queries like a sorted list, and keeps its invariants', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 120 }), fc.array(fc.nat(220 * 4096), { minLength: 1, maxLength: 10 }), (cmds, probes) => {
        const t = new RangeTree<number>();
        const ref = new Map<number, number>();
        for (const c of cmds) {
          if (c.kind === 'insert') {
            if (ref.has(c.base)) continue;
            t.insert(c.base, c.bytes, c.base);
            ref.set(c.base, c.bytes);
          } else if (c.kind === 'remove') {
            expect(t.remove(c.base)?.base).toBe(ref.has(c.base) ? c.base : undefined);
            ref.delete(c.base);
          } else if (ref.has(c.base)) {
            t.resize(c.base, c.bytes);
            ref.set(c.base, c.bytes);
          } else expect(() => t.resize(c.base, c.bytes)).toThrow(/no range/);
          t.check();
        }
        const sorted = [...ref.entries()].sort((a, b) => a[0] - b[0]);
        expect([...t.entries()].map((n) => [n.base, n.bytes])).toEqual(sorted);
        expect(t.size).toBe(ref.size);
        for (const x of probes) {
          expect(t.floor(x)?.base).toBe(sorted.filter(([b]) => b <= x).at(-1)?.[0]);
          expect(t.ceiling(x)?.base).toBe(sorted.find(([b]) => b >= x)?.[0]);
          expect(t.get(x)?.value).toBe(ref.has(x) ? x : undefined);
          const want = (x % (41 * 4096)) + 1;
          expect(t.firstFit(want)?.base).toBe(sorted.find(([, n]) => n >= want)?.[0]);
          const hi = x + (x % (30 * 4096));
          expect([...t.between(x, hi)].map((n) => n.base)).toEqual(sorted.filter(([b]) => b >= x && b < hi).map(([b]) => b));
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('reports a broken augmentation, order or count', () => {
    const t = new RangeTree<null>();
    for (let i = 0; i < 20; i++) t.insert(i * 4096, 4096, null);
    const n = [...t.entries()][5]!;
    n.maxBytes = 1;
    expect(() => t.check()).toThrow(/maxBytes/);
    n.maxBytes = 4096;
    n.bytes = 4096;
    (t as unknown as { count: number }).count = 3;
    expect(() => t.check()).toThrow(/count/);
  });

  it('stays shallow: 100,000 ascending inserts (the worst case of a plain binary search tree) give a treap of logarithmic depth', () => {
    const t = new RangeTree<null>();
    for (let i = 0; i < 100_000; i++) t.insert(i * 4096, 4096, null);
    const depth = (n: { left?: unknown; right?: unknown } | undefined): number => (n === undefined ? 0 : 1 + Math.max(depth(n.left as never), depth(n.right as never)));
    expect(depth((t as unknown as { root: never }).root)).toBeLessThan(60);
  });
});
