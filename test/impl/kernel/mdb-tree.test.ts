// The mapping-database tree against a brute-force sorted list: after every
// insert and remove the AA-tree shape, the order and the max-end augmentation
// hold (MdbTree.check), and every query answers what a full scan answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MdbInvariantError, MdbTree } from '../../../impl/kernel/mdb-tree.js';
import { NodeStore } from '../../../impl/kernel/node-store.js';
import { seededChooser } from '../../../conformance/chooser.js';

interface Entry {
  readonly id: number;
  readonly base: number;
  readonly bytes: number;
  readonly type: number;
}
type Key = Omit<Entry, 'id'>;

// A small key space, so that equal bases, equal classes and overlaps are common.
const keyArb: fc.Arbitrary<Key> = fc.record({
  base: fc.integer({ min: 0, max: 12 }).map((x) => x * 4),
  bytes: fc.constantFrom(1, 2, 4, 8, 16, 48),
  type: fc.integer({ min: 0, max: 3 }),
});
const cmdArb = fc.oneof(
  { weight: 3, arbitrary: keyArb.map((k) => ({ kind: 'insert' as const, k })) },
  { weight: 2, arbitrary: fc.nat().map((i) => ({ kind: 'remove' as const, i })) },
);
const probeArb = fc.record({ k: keyArb, lo: fc.integer({ min: 0, max: 60 }), len: fc.integer({ min: 1, max: 20 }), end: fc.integer({ min: 0, max: 70 }) });

const cmpClass = (e: Entry, k: Key) => e.base - k.base || k.bytes - e.bytes || e.type - k.type;
const cmpTotal = (a: Entry, b: Entry) => cmpClass(a, b) || a.id - b.id;
const overlaps = (e: Entry, lo: number, hi: number) => e.base < hi && e.base + e.bytes > lo;

class Harness {
  readonly s = new NodeStore();
  readonly tree = new MdbTree(this.s);
  entries: Entry[] = [];

  insert(k: Key): void {
    const n = this.s.alloc();
    this.s.base[n] = k.base;
    this.s.bytes[n] = k.bytes;
    this.s.type[n] = k.type;
    this.tree.insert(n);
    this.entries.push({ id: n, ...k });
  }

  remove(i: number): void {
    if (this.entries.length === 0) return;
    const e = this.entries.splice(i % this.entries.length, 1)[0]!;
    this.tree.remove(e.id);
    this.s.free(e.id);
  }

  sorted(): Entry[] {
    return [...this.entries].sort(cmpTotal);
  }

  verify(probes: readonly { k: Key; lo: number; len: number; end: number }[]): void {
    this.tree.check();
    const sorted = this.sorted();
    expect(this.tree.inOrder()).toEqual(sorted.map((e) => e.id));
    for (const { k, lo, len, end } of probes) {
      const hi = lo + len;
      const cls = sorted.filter((e) => cmpClass(e, k) === 0).map((e) => e.id);
      const found = this.tree.findInClass(k.base, k.bytes, k.type);
      if (cls.length === 0) expect(found).toBe(0);
      else expect(cls).toContain(found);
      const out: number[] = [];
      this.tree.collectClass(k.base, k.bytes, k.type, out);
      expect(out).toEqual(cls);
      const from: number[] = [];
      this.tree.visitFromClass(k.base, k.bytes, k.type, end, (n) => (from.push(n), true));
      expect(from).toEqual(sorted.filter((e) => cmpClass(e, k) >= 0 && e.base < end).map((e) => e.id));
      const firstTwo: number[] = [];
      this.tree.visitFromClass(k.base, k.bytes, k.type, end, (n) => (firstTwo.push(n), firstTwo.length < 2));
      expect(firstTwo).toEqual(from.slice(0, 2));
      const after = sorted.filter((e) => cmpClass(e, k) > 0);
      expect(this.tree.overlapAfterClass(k.base, k.bytes, k.type, lo, hi, false)).toBe(after.some((e) => overlaps(e, lo, hi)));
      expect(this.tree.overlapAfterClass(k.base, k.bytes, k.type, lo, hi, true)).toBe(after.some((e) => e.base >= lo && e.base < hi));
      expect(this.tree.anyOverlap(lo, hi)).toBe(sorted.some((e) => overlaps(e, lo, hi)));
    }
  }
}

describe('MDB tree (AA tree in Barrelfish order, max-end augmented)', () => {
  it('keeps its shape, order and augmentation, and answers every query like a full scan, through random inserts and removes', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 120 }), fc.array(probeArb, { minLength: 1, maxLength: 6 }), (cmds, probes) => {
        const h = new Harness();
        for (const c of cmds) {
          if (c.kind === 'insert') h.insert(c.k);
          else h.remove(c.i);
          h.verify(probes);
        }
        while (h.entries.length > 0) {
          h.remove(0);
          h.tree.check();
        }
        expect(h.tree.root).toBe(0);
        expect(h.tree.size).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('stays a valid AA tree through thousands of removals in random order (the fix-up that stops early once settled)', () => {
    // Deep trees exercise what 120-step runs cannot: removals whose fix-up
    // settles many levels below the root, and successor swaps deep inside.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const c = seededChooser(seed);
        const next = (n: number): number => c.int(0, n - 1);
        const h = new Harness();
        for (let i = 0; i < 3000; i++) h.insert({ base: next(2000) * 4, bytes: [4, 8, 16, 64][next(4)]!, type: next(3) });
        h.tree.check();
        for (let i = 0; i < 3000; i++) {
          h.remove(next(h.entries.length));
          if (i % 3 === 0) h.insert({ base: next(2000) * 4, bytes: 4, type: next(3) });
          h.tree.check();
        }
        expect(h.tree.inOrder()).toEqual(h.sorted().map((e) => e.id));
      }),
      { numRuns: 3 },
    );
  });

  it('stays logarithmically shallow: 4096 ascending inserts give height at most 2 log2(n)', () => {
    const h = new Harness();
    for (let i = 0; i < 4096; i++) h.insert({ base: i * 4, bytes: 4, type: 0 });
    h.tree.check();
    const depth = (x: number): number => (x === 0 ? 0 : 1 + Math.max(depth(h.s.left[x]!), depth(h.s.right[x]!)));
    expect(depth(h.tree.root)).toBeLessThanOrEqual(2 * 12);
    for (let i = 0; i < 4096; i += 2) h.tree.remove(h.entries[i]!.id);
    h.entries = h.entries.filter((_, i) => i % 2 === 1);
    h.verify([{ k: { base: 8, bytes: 4, type: 0 }, lo: 0, len: 16, end: 40 }]);
  });

  describe('check() names the broken invariant', () => {
    const build = () => {
      const h = new Harness();
      for (let i = 0; i < 15; i++) h.insert({ base: i * 4, bytes: 4, type: 0 });
      h.tree.check();
      return h;
    };
    const expectBroken = (h: Harness, id: string) => {
      expect(() => h.tree.check()).toThrow(MdbInvariantError);
      expect(() => h.tree.check()).toThrow(new RegExp(`^${id}:`));
    };
    it('MDB-END-IS-MAX: a stale max end', () => {
      const h = build();
      h.s.maxEnd[h.tree.root] = 1;
      expectBroken(h, 'MDB-END-IS-MAX');
    });
    it("MDB-LEFT-LEVEL-LESS: a left child on its parent's level", () => {
      const h = build();
      const l = h.s.left[h.tree.root]!;
      h.s.level[l] = h.s.level[h.tree.root]!;
      expectBroken(h, 'MDB-LEFT-LEVEL-LESS');
    });
    it('MDB-LEAF-LEVEL-ONE: a leaf above level 1', () => {
      const h = build();
      let x = h.tree.root;
      while (h.s.left[x] !== 0) x = h.s.left[x]!;
      h.s.level[x] = 2;
      expect(() => h.tree.check()).toThrow(/^MDB-(LEAF-LEVEL-ONE|LEFT-LEVEL-LESS):/);
    });
    it('MDB-LEFT-SMALLER / MDB-ORDER: a key changed in place', () => {
      const h = build();
      h.s.base[h.s.left[h.tree.root]!] = 1000;
      expect(() => h.tree.check()).toThrow(/^MDB-(LEFT-SMALLER|ORDER|END-IS-MAX):/);
    });
    it('MDB-RIGHT-GREATER: a right child that sorts first', () => {
      const h = build();
      h.s.base[h.s.right[h.tree.root]!] = -1000;
      expect(() => h.tree.check()).toThrow(/^MDB-(RIGHT-GREATER|ORDER|END-IS-MAX):/);
    });
    it('MDB-SIZE: a count that disagrees', () => {
      const h = build();
      h.tree.size++;
      expectBroken(h, 'MDB-SIZE');
    });
    it('MDB-BOTHCHILDREN: a node above level 1 with one child', () => {
      const h = build();
      h.s.right[h.tree.root] = 0;
      expect(() => h.tree.check()).toThrow(/^MDB-(BOTHCHILDREN|SIZE|END-IS-MAX):/);
    });
    it('MDB-REMOVE-PRESENT: removing a node that is not in the tree', () => {
      const h = build();
      const n = h.s.alloc();
      h.s.base[n] = 3;
      expect(() => h.tree.remove(n)).toThrow(/^MDB-REMOVE-PRESENT:/);
    });
  });
});
