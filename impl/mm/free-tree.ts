// The free ranges of the memory manager, as an AVL tree ordered by base
// address, augmented so that address-ordered first fit with alignment is
// O(log n) exactly — not just on average.
//
// The augmentation: for each alignment class k (alignment 2^(12+k), from
// 4 KiB to MAX_ALIGNMENT), a node stores the largest "usable length" of any
// free range in its subtree, where a range [b, e)'s usable length for
// alignment A is e - alignUp(b, A): a request of `bytes` aligned to A fits in
// the range exactly when bytes <= usable. (A range that is a whole parent
// counts 4 KiB less when it is already aligned, so that no request covers
// the parent whole: DEC-MM-NO-PARENT-COPY. Requests are page multiples, so
// `bytes <= usable` stays exact.) First fit then descends to the leftmost
// node whose subtree maximum admits the request, in O(log n), for any
// alignment. Only the classes up to the largest alignment requested so far
// are kept; the first request of a larger one builds its class for every
// node, once (O(n), at most 21 times in a manager's life: amortized O(1)).
//
// Layout, for speed at 10^5 ranges where every node visit is a cache miss:
// a node's fields (bounds, children, parent pointer, height) share one cache
// line of a Float64Array (ids and heights are read back with `| 0`, so V8
// indexes with small integers rather than doubles: measured 20-30% faster walks); its per-class subtree maxima and own usable lengths
// sit interleaved in an Int32Array, in pages, so the classes in use share a
// line. Parent pointers let a range
// that shrinks or grows in place update its ancestors bottom-up, stopping as
// soon as a maximum comes out unchanged; inserts and removes stop rebalancing
// as soon as a subtree's height and maxima are as they were. Node 0 is the
// nil sentinel. `check()` verifies every structural invariant (order,
// balance, heights, parent pointers, maxima); tests and debug mode run it.
import { MAX_ALIGNMENT_BITS, MIN_ALIGNMENT_BITS } from '../../spec/mm/config.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';

export const ALIGN_CLASSES = MAX_ALIGNMENT_BITS - MIN_ALIGNMENT_BITS + 1;
const K = ALIGN_CLASSES;
const NIL = 0;
const ALIGNMENTS = Array.from({ length: K }, (_, k) => 2 ** (MIN_ALIGNMENT_BITS + k));

// Node fields: FreeTree.f[id * S + field].
const BASE = 0;
const END = 1;
const LEFT = 2;
const RIGHT = 3;
const UP = 4;
const HEIGHT = 5;
const PARENT = 6;
const S = 8;
// Per-class values, interleaved so the classes in use share a cache line:
// FreeTree.v[id * vw + 2k] is the subtree maximum for class k, [id * vw + 2k + 1]
// the node's own, where vw = 2 * (classes in use): a node takes 8 bytes per
// class it needs, not 168 for all 21, so at 10^5 ranges the values span a
// quarter of the pages (fewer TLB misses on this runtime's 4 KiB pages).
/** Usable lengths are kept in pages, clamped here: exact for every request below 8 TiB (larger ones are answered by a scan). */
const CLAMP = 2 ** 31 - 1;
const NEVER = -(2 ** 31);
const clampPages = (bytes: number): number => {
  const p = bytes / BASE_PAGE_SIZE;
  return p >= CLAMP ? CLAMP : p <= NEVER ? NEVER : p;
};

/** The alignment class of a power-of-two alignment ≥ 4 KiB. */
export const alignClass = (alignment: number): number => Math.round(Math.log2(alignment)) - MIN_ALIGNMENT_BITS;

export interface FreeRangeInfo {
  readonly id: number;
  readonly base: number;
  readonly end: number;
  readonly parent: number;
}

export class TreeInvariantError extends Error {
  override readonly name = 'TreeInvariantError';
}

export class FreeTree {
  private cap = 0;
  private next = 1;
  private readonly recycled: number[] = [];
  private f = new Float64Array(0);
  private v = new Int32Array(0);
  /** Per parent id, the whole parent's bounds (no range equal to them is handed out whole). */
  private readonly parentBase: number[] = [];
  private readonly parentEnd: number[] = [];
  private root = NIL;
  private count = 0;
  /** Set by insertAt/removeAt: whether the subtree just returned changed height or maxima. */
  private changed = false;
  private removedMin = NIL;
  private readonly path: number[] = [];
  /** Mutant hook (impl/mm/mutants.ts): skip updating ancestors when a range shrinks from the left. */
  skipPullOnShrink = false;
  /** The address the last successful firstFit found. */
  lastFit = 0;
  /** What neighbours() found: the ranges below and above an address, or 0. */
  below = NIL;
  above = NIL;

  constructor(initialCapacity = 64) {
    this.grow(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2, 16);
    const f = new Float64Array(cap * S);
    f.set(this.f);
    const v = new Int32Array(cap * this.vw);
    v.set(this.v);
    if (this.cap === 0) v[0] = NEVER; // nil: height 0, maxima -∞
    this.f = f;
    this.v = v;
    this.cap = cap;
  }

  /** Declares parent `pid`'s bounds: a range equal to them is never handed out whole. Pass -1, -1 for no such rule. */
  setParentBounds(pid: number, base: number, end: number): void {
    this.parentBase[pid] = base;
    this.parentEnd[pid] = end;
  }

  // --- field access ---------------------------------------------------------------------

  base(id: number): number {
    return this.f[id * S + BASE]!;
  }
  end(id: number): number {
    return this.f[id * S + END]!;
  }
  parent(id: number): number {
    return this.f[id * S + PARENT]! | 0;
  }
  private left(n: number): number {
    return this.f[n * S + LEFT]! | 0;
  }
  private right(n: number): number {
    return this.f[n * S + RIGHT]! | 0;
  }
  private height(n: number): number {
    return this.f[n * S + HEIGHT]! | 0;
  }
  private setLeft(n: number, c: number): void {
    this.f[n * S + LEFT] = c;
    if (c !== NIL) this.f[c * S + UP] = n;
  }
  private setRight(n: number, c: number): void {
    this.f[n * S + RIGHT] = c;
    if (c !== NIL) this.f[c * S + UP] = n;
  }
  private setRoot(n: number): void {
    this.root = n;
    if (n !== NIL) this.f[n * S + UP] = NIL;
  }

  info(id: number): FreeRangeInfo {
    return { id, base: this.base(id), end: this.end(id), parent: this.parent(id) };
  }

  // --- per-node values ----------------------------------------------------------------

  /** Recomputes a node's own usable lengths after its range changed. */
  private setOwn(n: number): void {
    this.setOwnClasses(n, 0, this.classes);
  }

  private setOwnClasses(n: number, from: number, to: number): void {
    const V = this.vw;
    const b = this.base(n);
    const e = this.end(n);
    const pid = this.parent(n);
    const whole = b === this.parentBase[pid] && e === this.parentEnd[pid];
    const o = n * V + 1;
    for (let k = from; k < to; k++) {
      const a = ALIGNMENTS[k]!;
      const at = Math.ceil(b / a) * a;
      this.v[o + 2 * k] = clampPages(e - at - (whole && at === b ? BASE_PAGE_SIZE : 0));
    }
  }

  /** Recomputes height and maxima from the children; reports whether either changed. */
  private update(n: number): boolean {
    const l = this.left(n);
    const r = this.right(n);
    const hl = this.height(l);
    const hr = this.height(r);
    const h = (hl > hr ? hl : hr) + 1;
    let changed = this.f[n * S + HEIGHT] !== h;
    this.f[n * S + HEIGHT] = h;
    const V = this.vw;
    const o = n * V;
    const ol = l * V;
    const or = r * V;
    const v = this.v;
    const top = 2 * this.classes;
    for (let i = 0; i < top; i += 2) {
      let m = v[o + i + 1]!;
      const x = v[ol + i]!;
      const y = v[or + i]!;
      if (x > m) m = x;
      if (y > m) m = y;
      if (v[o + i] !== m) {
        v[o + i] = m;
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Alignment classes whose maxima are kept: 4 KiB up to the largest
   * alignment requested so far. The first request of a larger alignment
   * builds the missing classes for every node, once (O(n)); the classes
   * actually in use then fit a node's values in one cache line.
   */
  private classes = 1;
  /** Values per node in `v`: two per class in use. */
  private vw = 2;

  private ensureClass(k: number): void {
    if (k < this.classes) return;
    const from = this.classes;
    this.classes = k + 1;
    // Widen every node's values to the new class count (O(n), as the build below is).
    const oldW = this.vw;
    const V = 2 * this.classes;
    const old = this.v;
    const v = new Int32Array(this.cap * V);
    for (let n = 0; n < this.cap; n++) v.set(old.subarray(n * oldW, n * oldW + oldW), n * V);
    for (let c = from; c < this.classes; c++) v[2 * c] = NEVER; // nil's maxima
    this.v = v;
    this.vw = V;
    // Post-order: own values first, then each node's maxima from its children's.
    const build = (n: number): void => {
      if (n === NIL) return;
      build(this.left(n));
      build(this.right(n));
      this.setOwnClasses(n, from, this.classes);
      const l = this.left(n) * V;
      const r = this.right(n) * V;
      for (let c = from; c < this.classes; c++) this.v[n * V + 2 * c] = Math.max(this.v[n * V + 2 * c + 1]!, this.v[l + 2 * c]!, this.v[r + 2 * c]!);
    };
    build(this.root);
  }

  private rotateRight(n: number): number {
    const l = this.left(n);
    this.setLeft(n, this.right(l));
    this.setRight(l, n);
    this.update(n);
    this.update(l);
    return l;
  }

  private rotateLeft(n: number): number {
    const r = this.right(n);
    this.setRight(n, this.left(r));
    this.setLeft(r, n);
    this.update(n);
    this.update(r);
    return r;
  }

  /** Updates `n` after a child subtree changed and restores the AVL balance; sets `changed` for the caller. */
  private rebalance(n: number): number {
    this.changed = this.update(n);
    const bf = this.height(this.left(n)) - this.height(this.right(n));
    if (bf > 1) {
      const l = this.left(n);
      if (this.height(this.left(l)) < this.height(this.right(l))) this.setLeft(n, this.rotateLeft(l));
      this.changed = true;
      return this.rotateRight(n);
    }
    if (bf < -1) {
      const r = this.right(n);
      if (this.height(this.right(r)) < this.height(this.left(r))) this.setRight(n, this.rotateRight(r));
      this.changed = true;
      return this.rotateLeft(n);
    }
    return n;
  }

  // --- insert, remove, resize ---------------------------------------------------------------

  /** Adds the free range [base, end) of parent `parent`. Returns its id. */
  insert(base: number, end: number, parent: number): number {
    let id = this.recycled.pop();
    if (id === undefined) {
      if (this.next >= this.cap) this.grow(this.next + 1);
      id = this.next++;
    }
    const o = id * S;
    this.f[o + BASE] = base;
    this.f[o + END] = end;
    this.f[o + LEFT] = NIL;
    this.f[o + RIGHT] = NIL;
    this.f[o + HEIGHT] = 0;
    this.f[o + PARENT] = parent;
    this.setOwn(id);
    this.update(id);
    this.setRoot(this.insertAt(this.root, id));
    this.count++;
    return id;
  }

  private insertAt(n: number, id: number): number {
    if (n === NIL) {
      this.changed = true;
      return id;
    }
    if (this.base(id) < this.base(n)) this.setLeft(n, this.insertAt(this.left(n), id));
    else this.setRight(n, this.insertAt(this.right(n), id));
    // Nothing below changed height or maxima: nothing here does either.
    return this.changed ? this.rebalance(n) : n;
  }

  /** Removes the range with this id. */
  remove(id: number): void {
    this.setRoot(this.removeAt(this.root, this.base(id)));
    this.recycled.push(id);
    this.count--;
  }

  private removeMin(n: number): number {
    if (this.left(n) === NIL) {
      this.removedMin = n;
      this.changed = true;
      return this.right(n);
    }
    this.setLeft(n, this.removeMin(this.left(n)));
    return this.changed ? this.rebalance(n) : n;
  }

  private removeAt(n: number, base: number): number {
    if (n === NIL) throw new TreeInvariantError(`free range at ${base} is not in the tree`);
    const b = this.base(n);
    if (base < b) this.setLeft(n, this.removeAt(this.left(n), base));
    else if (base > b) this.setRight(n, this.removeAt(this.right(n), base));
    else {
      const l = this.left(n);
      const r = this.right(n);
      this.changed = true;
      if (l === NIL) return r;
      if (r === NIL) return l;
      // The successor takes the removed node's place (ids stay with their ranges).
      const rest = this.removeMin(r);
      const m = this.removedMin;
      this.setLeft(m, l);
      this.setRight(m, rest);
      const top = this.rebalance(m);
      this.changed = true; // another node now stands here
      return top;
    }
    return this.changed ? this.rebalance(n) : n;
  }

  /**
   * Changes a range's bounds in place. The new range must keep the node's
   * place in the order (it may shrink, or grow into space no other free range
   * occupies). Heights do not change; the maxima are updated from the node
   * up, and once a node's come out as they were, its ancestors' do too.
   */
  resize(id: number, base: number, end: number): void {
    const shrinksFromLeft = base > this.base(id);
    this.f[id * S + BASE] = base;
    this.f[id * S + END] = end;
    this.setOwn(id);
    if (this.skipPullOnShrink && shrinksFromLeft) return;
    for (let n = id; n !== NIL; n = this.f[n * S + UP]! | 0) if (!this.update(n)) break;
  }

  // --- queries --------------------------------------------------------------------------------

  /** The ranges either side of `addr` (one walk: both lie on its search path): sets `below` (largest base ≤ addr) and `above`. */
  neighbours(addr: number): void {
    let n = this.root;
    let below = NIL;
    let above = NIL;
    while (n !== NIL) {
      if (this.base(n) <= addr) {
        below = n;
        n = this.right(n);
      } else {
        above = n;
        n = this.left(n);
      }
    }
    this.below = below;
    this.above = above;
  }

  /** The range with the largest base ≤ addr, if any. */
  floor(addr: number): number | undefined {
    this.neighbours(addr);
    return this.below === NIL ? undefined : this.below;
  }

  /** The range with the smallest base ≥ addr, if any. */
  ceiling(addr: number): number | undefined {
    this.neighbours(addr);
    if (this.below !== NIL && this.base(this.below) === addr) return this.below;
    return this.above === NIL ? undefined : this.above;
  }

  /** Leftmost node of subtree `n` whose own usable length for class k admits `pages`; O(height). */
  private leftmostFit(n: number, k: number, pages: number): number {
    const v = this.v;
    const V = this.vw;
    const i = 2 * k;
    while (n !== NIL && v[n * V + i]! >= pages) {
      const l = this.left(n);
      if (v[l * V + i]! >= pages) n = l;
      else if (v[n * V + i + 1]! >= pages) return n;
      else n = this.right(n);
    }
    return NIL;
  }

  /** Leftmost fitting node among ranges with base ≥ lo: one root-to-leaf walk plus at most one leftmostFit that succeeds. */
  private leftmostFitFrom(lo: number, k: number, pages: number): number {
    // Walk towards lo; every right subtree hanging off a left turn lies wholly at or above lo.
    const candidates = this.path;
    let depth = 0;
    let n = this.root;
    while (n !== NIL) {
      if (this.base(n) >= lo) {
        candidates[depth++] = n;
        n = this.left(n);
      } else n = this.right(n);
    }
    // Candidates come in decreasing base order; the answer is the lowest-addressed fit.
    for (let i = depth - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (this.v[c * this.vw + 2 * k + 1]! >= pages) return c;
      const r = this.leftmostFit(this.right(c), k, pages);
      if (r !== NIL) return r;
    }
    return NIL;
  }

  /** Where `bytes` aligned to `alignment` fit in range `id` clipped to [lo, hi), or -1 (spec/mm/policy.ts fitIn). */
  private fitClipped(id: number, bytes: number, alignment: number, lo: number, hi: number): number {
    const b = this.base(id);
    const e = this.end(id);
    const at = Math.ceil((b > lo ? b : lo) / alignment) * alignment;
    if (at + bytes > (e < hi ? e : hi)) return -1;
    const pid = this.parent(id);
    if (at === this.parentBase[pid] && at + bytes === this.parentEnd[pid]) return -1;
    return at;
  }

  /**
   * Address-ordered first fit (DEC-MM-FIRST-FIT): the lowest aligned address
   * at which `bytes` fit in one free range, inside [lo, hi). Returns the
   * range's id (and sets `lastFit` to the address), or -1.
   */
  firstFit(bytes: number, alignment: number, lo: number, hi: number): number {
    const k = alignClass(alignment);
    this.ensureClass(k);
    // The one range that may straddle lo is checked clipped; the rest lie wholly at or above lo.
    this.neighbours(lo);
    const straddling = this.below;
    if (straddling !== NIL && this.base(straddling) < lo && this.end(straddling) > lo) {
      const at = this.fitClipped(straddling, bytes, alignment, lo, hi);
      if (at >= 0) {
        this.lastFit = at;
        return straddling;
      }
    }
    const pages = bytes / BASE_PAGE_SIZE;
    if (pages >= CLAMP) return this.scanFirstFit(bytes, alignment, lo, hi);
    const id = this.leftmostFitFrom(lo, k, pages);
    if (id === NIL) return -1;
    // Fits above lo start higher the later they come: past the limit here means past it everywhere.
    const at = this.fitClipped(id, bytes, alignment, lo, hi);
    if (at < 0) return -1;
    this.lastFit = at;
    return id;
  }

  /** First fit by a scan in address order, for requests of 8 TiB and more (beyond the clamped maxima). */
  private scanFirstFit(bytes: number, alignment: number, lo: number, hi: number): number {
    for (const r of this.ranges()) {
      if (r.end <= lo) continue;
      if (r.base >= hi) break;
      const at = this.fitClipped(r.id, bytes, alignment, lo, hi);
      if (at >= 0) {
        this.lastFit = at;
        return r.id;
      }
    }
    return -1;
  }

  /** In-order traversal (for observation and checks). */
  *ranges(): Generator<FreeRangeInfo> {
    const stack: number[] = [];
    let n = this.root;
    while (stack.length > 0 || n !== NIL) {
      while (n !== NIL) {
        stack.push(n);
        n = this.left(n);
      }
      n = stack.pop()!;
      yield this.info(n);
      n = this.right(n);
    }
  }

  /** Verifies order, balance, heights, parent pointers and every maximum; throws TreeInvariantError. */
  check(): void {
    let seen = 0;
    const walk = (n: number, up: number, lo: number, hi: number): number => {
      if (n === NIL) return 0;
      seen++;
      const b = this.base(n);
      if (!(b >= lo && b < hi)) throw new TreeInvariantError(`node ${n} at ${b} is out of order`);
      if (!(this.end(n) > b)) throw new TreeInvariantError(`node ${n} is empty`);
      if (this.f[n * S + UP] !== up) throw new TreeInvariantError(`node ${n} has a wrong parent pointer`);
      const hl = walk(this.left(n), n, lo, b);
      const hr = walk(this.right(n), n, b, hi);
      if (Math.abs(hl - hr) > 1) throw new TreeInvariantError(`node ${n} is unbalanced (${hl} vs ${hr})`);
      if (this.height(n) !== Math.max(hl, hr) + 1) throw new TreeInvariantError(`node ${n} has a stale height`);
      const v = this.v;
      const V = this.vw;
      const saved = v.slice(n * V, n * V + V);
      this.setOwn(n);
      for (let k = 0; k < this.classes; k++) {
        if (saved[2 * k + 1] !== v[n * V + 2 * k + 1]) throw new TreeInvariantError(`node ${n} has a stale usable length for class ${k}`);
        const want = Math.max(v[n * V + 2 * k + 1]!, v[this.left(n) * V + 2 * k]!, v[this.right(n) * V + 2 * k]!);
        if (v[n * V + 2 * k] !== want) throw new TreeInvariantError(`node ${n} has a stale maximum for class ${k}`);
      }
      return this.height(n);
    };
    walk(this.root, NIL, -Infinity, Infinity);
    if (seen !== this.count) throw new TreeInvariantError(`tree holds ${seen} nodes but counts ${this.count}`);
  }
}
