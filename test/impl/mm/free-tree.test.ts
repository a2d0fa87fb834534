// The free tree against a brute-force list: after any sequence of inserts,
// removes and resizes it holds the same ranges, its first fit is the list's
// first fit for every alignment and range, and its structural check passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FreeTree, TreeInvariantError, ALIGN_CLASSES } from '../../../impl/mm/free-tree.js';
import { fitIn } from '../../../spec/mm/policy.js';
import { KIB } from '../../../spec/kernel/types.js';

const PAGE = 4 * KIB;
const PARENT = { base: 0, bytes: 4096 * PAGE };

interface R {
  base: number;
  end: number;
}

/** The brute-force answer: scan ranges by address with the spec's fitIn. */
function bruteFirstFit(ranges: readonly R[], bytes: number, alignment: number, lo: number, hi: number): number | undefined {
  const range = { base: lo, limit: hi };
  for (const r of [...ranges].sort((a, b) => a.base - b.base)) {
    if (r.end <= lo || r.base >= hi) continue;
    const at = fitIn({ base: r.base, bytes: r.end - r.base }, PARENT, bytes, alignment, range);
    if (at !== undefined) return at;
  }
  return undefined;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), page: fc.nat(4000), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('shrink' as const), pick: fc.nat(), left: fc.nat(8), right: fc.nat(8) }),
  fc.record({ kind: fc.constant('query' as const), pages: fc.integer({ min: 1, max: 32 }), alignBits: fc.integer({ min: 12, max: 20 }), lo: fc.nat(4096), span: fc.integer({ min: 1, max: 4096 }) }),
);

describe('FreeTree (impl/mm/free-tree.ts)', () => {
  it('agrees with a brute-force list on contents and on first fit, and stays balanced', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const t = new FreeTree(4);
        t.setParentBounds(0, PARENT.base, PARENT.base + PARENT.bytes);
        const ids = new Map<number, R>();
        for (const o of ops) {
          if (o.kind === 'insert') {
            const base = o.page * PAGE;
            const end = base + o.len * PAGE;
            if ([...ids.values()].some((r) => r.base < end && base < r.end)) continue;
            ids.set(t.insert(base, end, 0), { base, end });
          } else if (o.kind === 'remove' || o.kind === 'shrink') {
            const keys = [...ids.keys()];
            if (keys.length === 0) continue;
            const id = keys[o.pick % keys.length]!;
            const r = ids.get(id)!;
            if (o.kind === 'remove') {
              t.remove(id);
              ids.delete(id);
            } else {
              const base = r.base + o.left * PAGE;
              const end = r.end - o.right * PAGE;
              if (end <= base) continue;
              t.resize(id, base, end);
              ids.set(id, { base, end });
            }
          } else {
            const alignment = 2 ** o.alignBits;
            const lo = o.lo * PAGE;
            const hi = lo + o.span * PAGE;
            const bytes = o.pages * PAGE;
            const id = t.firstFit(bytes, alignment, lo, hi);
            expect(id < 0 ? undefined : t.lastFit).toBe(bruteFirstFit([...ids.values()], bytes, alignment, lo, hi));
          }
          t.check();
        }
        expect([...t.ranges()].map((r) => [r.base, r.end])).toEqual([...ids.values()].sort((a, b) => a.base - b.base).map((r) => [r.base, r.end]));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('answers requests of 8 TiB and more (beyond the clamped maxima) by a scan, exactly', () => {
    const t = new FreeTree();
    t.setParentBounds(0, -1, -1);
    t.insert(2 ** 44, 2 ** 44 + 2 ** 43 + 2 ** 42, 0);
    expect(t.firstFit(2 ** 43, 2 ** 32, 0, Infinity)).toBeGreaterThan(0);
    expect(t.lastFit).toBe(2 ** 44);
    expect(t.firstFit(2 ** 43, 2 ** 32, 2 ** 44 + 2 ** 42 + 2 ** 32, Infinity)).toBe(-1);
  });

  it('finds first fits for every alignment class up to 4 GiB', () => {
    const t = new FreeTree();
    t.setParentBounds(0, -1, -1);
    t.insert(0x1_0000_1000, 0x1_0000_1000 + 2 ** 33, 0);
    expect(ALIGN_CLASSES).toBe(21);
    for (let bits = 12; bits <= 32; bits++) {
      expect(t.firstFit(PAGE, 2 ** bits, 0, Infinity)).toBeGreaterThan(0);
      const at = t.lastFit;
      expect(at % 2 ** bits).toBe(0);
      expect(at - 0x1_0000_1000).toBeLessThan(2 ** bits);
    }
  });

  it('counts a whole parent 4 KiB short, so no request covers it whole', () => {
    const t = new FreeTree();
    t.setParentBounds(0, 0, 16 * PAGE);
    t.insert(0, 16 * PAGE, 0);
    expect(t.firstFit(16 * PAGE, PAGE, 0, Infinity)).toBe(-1);
    expect(t.firstFit(15 * PAGE, PAGE, 0, Infinity)).toBeGreaterThan(0);
    expect(t.lastFit).toBe(0);
  });

  it('check() reports stale maxima, and remove() of a missing range is an error', () => {
    const t = new FreeTree();
    // Every range is one page but the one at 12 pages, which is three: the maxima on its path say 3.
    t.setParentBounds(0, -1, -1);
    for (let i = 0; i < 8; i++) t.insert(i * 4 * PAGE, i * 4 * PAGE + (i === 3 ? 3 : 1) * PAGE, 0);
    t.skipPullOnShrink = true;
    const id = t.floor(12 * PAGE)!;
    t.resize(id, 12 * PAGE + 2 * PAGE, 15 * PAGE);
    expect(() => t.check()).toThrow(TreeInvariantError);
    const u = new FreeTree();
    u.setParentBounds(0, -1, -1);
    const a = u.insert(0, PAGE, 0);
    u.remove(a);
    expect(() => u.remove(a)).toThrow(TreeInvariantError);
  });

  it('floor and ceiling find neighbours by address', () => {
    const t = new FreeTree();
    t.setParentBounds(0, -1, -1);
    const a = t.insert(10 * PAGE, 12 * PAGE, 0);
    const b = t.insert(20 * PAGE, 22 * PAGE, 0);
    expect(t.floor(15 * PAGE)).toBe(a);
    expect(t.ceiling(15 * PAGE)).toBe(b);
    expect(t.floor(5 * PAGE)).toBeUndefined();
    expect(t.ceiling(20 * PAGE)).toBe(b);
    expect(t.ceiling(25 * PAGE)).toBeUndefined();
    expect(t.size).toBe(2);
  });
});
