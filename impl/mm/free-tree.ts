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
// alignment; keeping one maximum per class costs 21 numbers per node.
//
// Nodes live in typed arrays — each node's fields in one cache line, its
// per-class values in two more arrays — with no per-node objects and no
// garbage; node 0 is the nil sentinel. `check()` verifies every structural invariant
// (order, balance, heights, augmentation) and is run by tests and debug mode.
import { MAX_ALIGNMENT_BITS, MIN_ALIGNMENT_BITS } from '../../spec/mm/config.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';

export const ALIGN_CLASSES = MAX_ALIGNMENT_BITS - MIN_ALIGNMENT_BITS + 1;
const K = ALIGN_CLASSES;
const NIL = 0;
// Node fields (the layout of FreeTree.n).
const F_BASE = 0;
const F_END = 1;
const F_LEFT = 2;
const F_RIGHT = 3;
const F_HEIGHT = 4;
const F_PARENT = 5;
const F_WHOLE_BASE = 6;
const F_WHOLE_END = 7;
const STRIDE = 8;
const V = 2 * K;
/** Usable lengths are kept in pages, clamped here: exact for every request below 8 TiB (larger ones are answered by a scan). */
const CLAMP = 2 ** 31 - 1;
const NEVER = -(2 ** 31);
const clampPages = (bytes: number): number => {
  const p = bytes / BASE_PAGE_SIZE;
  return p >= CLAMP ? CLAMP : p <= NEVER ? NEVER : p;
};
const ALIGNMENTS = Array.from({ length: K }, (_, k) => 2 ** (MIN_ALIGNMENT_BITS + k));

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
  private recycled: number[] = [];
  /** Node fields, STRIDE numbers per node (one cache line): base, end, children, height, parent id, whole-parent bounds. */
  private n = new Float64Array(0);
  /**
   * Per node, V = 2K int32s: the subtree maxima (aug, first K) and the node's
   * own usable lengths (own, next K), in pages, clamped to CLAMP. One node's
   * values are adjacent, so a pull touches three short runs of memory.
   */
  private v = new Int32Array(0);
  private root = NIL;
  private count = 0;
  /** Mutants of the impl flip these (impl/mm/mutants.ts). */
  skipPullOnShrink = false;

  constructor(initialCapacity = 64) {
    this.grow(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2, 16);
    const floats = (a: Float64Array, n: number) => {
      const b = new Float64Array(cap * n);
      b.set(a);
      return b;
    };
    this.n = floats(this.n, STRIDE);
    const v = new Int32Array(cap * V);
    v.set(this.v);
    this.v = v;
    if (this.cap === 0) for (let k = 0; k < K; k++) this.v[k] = NEVER; // nil's maxima (nil's height is 0)
    this.cap = cap;
  }

  // --- per-node values ----------------------------------------------------------------

  /** Recomputes a node's own usable lengths after its range changed. */
  private setOwn(n: number): void {
    const b = this.n[(n) * STRIDE + F_BASE]!;
    const e = this.n[(n) * STRIDE + F_END]!;
    const whole = b === this.n[(n) * STRIDE + F_WHOLE_BASE] && e === this.n[(n) * STRIDE + F_WHOLE_END];
    const o = n * V + K;
    for (let k = 0; k < K; k++) {
      const a = ALIGNMENTS[k]!;
      const at = Math.ceil(b / a) * a;
      this.v[o + k] = clampPages(e - at - (whole && at === b ? BASE_PAGE_SIZE : 0));
    }
  }

  /** Height and subtree maxima from the children. */
  private pull(n: number): void {
    const l = this.n[(n) * STRIDE + F_LEFT]!;
    const r = this.n[(n) * STRIDE + F_RIGHT]!;
    const hl = this.n[(l) * STRIDE + F_HEIGHT]!;
    const hr = this.n[(r) * STRIDE + F_HEIGHT]!;
    this.n[(n) * STRIDE + F_HEIGHT] = (hl > hr ? hl : hr) + 1;
    const o = n * V;
    const ol = l * V;
    const or = r * V;
    const v = this.v;
    for (let k = 0; k < K; k++) {
      let m = v[o + K + k]!;
      const x = v[ol + k]!;
      const y = v[or + k]!;
      if (x > m) m = x;
      if (y > m) m = y;
      v[o + k] = m;
    }
  }

  private rotateRight(n: number): number {
    const l = this.n[(n) * STRIDE + F_LEFT]!;
    this.n[(n) * STRIDE + F_LEFT] = this.n[(l) * STRIDE + F_RIGHT]!;
    this.n[(l) * STRIDE + F_RIGHT] = n;
    this.pull(n);
    this.pull(l);
    return l;
  }

  private rotateLeft(n: number): number {
    const r = this.n[(n) * STRIDE + F_RIGHT]!;
    this.n[(n) * STRIDE + F_RIGHT] = this.n[(r) * STRIDE + F_LEFT]!;
    this.n[(r) * STRIDE + F_LEFT] = n;
    this.pull(n);
    this.pull(r);
    return r;
  }

  private balance(n: number): number {
    this.pull(n);
    const bf = this.n[(this.n[(n) * STRIDE + F_LEFT]!) * STRIDE + F_HEIGHT]! - this.n[(this.n[(n) * STRIDE + F_RIGHT]!) * STRIDE + F_HEIGHT]!;
    if (bf > 1) {
      const l = this.n[(n) * STRIDE + F_LEFT]!;
      if (this.n[(this.n[(l) * STRIDE + F_LEFT]!) * STRIDE + F_HEIGHT]! < this.n[(this.n[(l) * STRIDE + F_RIGHT]!) * STRIDE + F_HEIGHT]!) this.n[(n) * STRIDE + F_LEFT] = this.rotateLeft(l);
      return this.rotateRight(n);
    }
    if (bf < -1) {
      const r = this.n[(n) * STRIDE + F_RIGHT]!;
      if (this.n[(this.n[(r) * STRIDE + F_RIGHT]!) * STRIDE + F_HEIGHT]! < this.n[(this.n[(r) * STRIDE + F_LEFT]!) * STRIDE + F_HEIGHT]!) this.n[(n) * STRIDE + F_RIGHT] = this.rotateRight(r);
      return this.rotateLeft(n);
    }
    return n;
  }

  // --- insert and remove ------------------------------------------------------------------

  /** Adds the free range [base, end) of parent `parent`, which is the whole parent [pBase, pEnd). Returns its id. */
  insert(base: number, end: number, parent: number, pBase: number, pEnd: number): number {
    let id = this.recycled.pop();
    if (id === undefined) {
      if (this.next >= this.cap) this.grow(this.next + 1);
      id = this.next++;
    }
    this.n[(id) * STRIDE + F_LEFT] = NIL;
    this.n[(id) * STRIDE + F_RIGHT] = NIL;
    this.n[(id) * STRIDE + F_HEIGHT] = 1;
    this.n[(id) * STRIDE + F_BASE] = base;
    this.n[(id) * STRIDE + F_END] = end;
    this.n[(id) * STRIDE + F_PARENT] = parent;
    this.n[(id) * STRIDE + F_WHOLE_BASE] = pBase;
    this.n[(id) * STRIDE + F_WHOLE_END] = pEnd;
    this.setOwn(id);
    this.pull(id);
    this.root = this.insertAt(this.root, id);
    this.count++;
    return id;
  }

  private insertAt(n: number, id: number): number {
    if (n === NIL) return id;
    if (this.n[(id) * STRIDE + F_BASE]! < this.n[(n) * STRIDE + F_BASE]!) this.n[(n) * STRIDE + F_LEFT] = this.insertAt(this.n[(n) * STRIDE + F_LEFT]!, id);
    else this.n[(n) * STRIDE + F_RIGHT] = this.insertAt(this.n[(n) * STRIDE + F_RIGHT]!, id);
    return this.balance(n);
  }

  /** Removes the range with this id. */
  remove(id: number): void {
    this.root = this.removeAt(this.root, this.n[(id) * STRIDE + F_BASE]!);
    this.recycled.push(id);
    this.count--;
  }

  private removedMin = NIL;

  private removeMin(n: number): number {
    if (this.n[(n) * STRIDE + F_LEFT] === NIL) {
      this.removedMin = n;
      return this.n[(n) * STRIDE + F_RIGHT]!;
    }
    this.n[(n) * STRIDE + F_LEFT] = this.removeMin(this.n[(n) * STRIDE + F_LEFT]!);
    return this.balance(n);
  }

  private removeAt(n: number, base: number): number {
    if (n === NIL) throw new TreeInvariantError(`free range at ${base} is not in the tree`);
    const b = this.n[(n) * STRIDE + F_BASE]!;
    if (base < b) this.n[(n) * STRIDE + F_LEFT] = this.removeAt(this.n[(n) * STRIDE + F_LEFT]!, base);
    else if (base > b) this.n[(n) * STRIDE + F_RIGHT] = this.removeAt(this.n[(n) * STRIDE + F_RIGHT]!, base);
    else {
      const l = this.n[(n) * STRIDE + F_LEFT]!;
      const r = this.n[(n) * STRIDE + F_RIGHT]!;
      if (l === NIL) return r;
      if (r === NIL) return l;
      const rest = this.removeMin(r);
      const m = this.removedMin;
      this.n[(m) * STRIDE + F_LEFT] = l;
      this.n[(m) * STRIDE + F_RIGHT] = rest;
      return this.balance(m);
    }
    return this.balance(n);
  }

  /**
   * Changes a range's bounds in place. The new range must keep the node's
   * place in the order (it may shrink, or grow into space no other free range
   * occupies); the maxima on the path from the root are recomputed.
   */
  resize(id: number, base: number, end: number): void {
    const shrinksFromLeft = base > this.n[(id) * STRIDE + F_BASE]!;
    this.n[(id) * STRIDE + F_BASE] = base;
    this.n[(id) * STRIDE + F_END] = end;
    this.setOwn(id);
    if (this.skipPullOnShrink && shrinksFromLeft) return;
    // The node keeps its position, so a search by its new base walks the path to it.
    const path = this.path;
    let depth = 0;
    for (let n = this.root; n !== NIL; n = base < this.n[(n) * STRIDE + F_BASE]! ? this.n[(n) * STRIDE + F_LEFT]! : this.n[(n) * STRIDE + F_RIGHT]!) {
      path[depth++] = n;
      if (n === id) break;
    }
    if (path[depth - 1] !== id) throw new TreeInvariantError(`resized range ${id} is not where its base says`);
    // Heights do not change; once a node's maxima come out as they were, its ancestors' do too.
    for (let i = depth - 1; i >= 0; i--) if (!this.pullChanged(path[i]!)) break;
  }

  private readonly path: number[] = [];

  /** pull(), reporting whether any maximum changed. */
  private pullChanged(n: number): boolean {
    const l = this.n[(n) * STRIDE + F_LEFT]!;
    const r = this.n[(n) * STRIDE + F_RIGHT]!;
    const o = n * V;
    const ol = l * V;
    const or = r * V;
    const v = this.v;
    let changed = false;
    for (let k = 0; k < K; k++) {
      let m = v[o + K + k]!;
      const x = v[ol + k]!;
      const y = v[or + k]!;
      if (x > m) m = x;
      if (y > m) m = y;
      if (v[o + k] !== m) {
        v[o + k] = m;
        changed = true;
      }
    }
    return changed;
  }

  // --- queries --------------------------------------------------------------------------------

  info(id: number): FreeRangeInfo {
    return { id, base: this.n[(id) * STRIDE + F_BASE]!, end: this.n[(id) * STRIDE + F_END]!, parent: this.n[(id) * STRIDE + F_PARENT]! };
  }

  /**
   * The free ranges either side of a gap [addr, …) that holds no free range:
   * one walk finds both (they lie on the search path for addr). Sets
   * `below` and `above` to ids, or NIL.
   */
  neighbours(addr: number): void {
    let n = this.root;
    let below = NIL;
    let above = NIL;
    while (n !== NIL) {
      if (this.n[(n) * STRIDE + F_BASE]! <= addr) {
        below = n;
        n = this.n[(n) * STRIDE + F_RIGHT]!;
      } else {
        above = n;
        n = this.n[(n) * STRIDE + F_LEFT]!;
      }
    }
    this.below = below;
    this.above = above;
  }
  below = NIL;
  above = NIL;

  /** The range with the largest base ≤ addr, if any. */
  floor(addr: number): number | undefined {
    let n = this.root;
    let best = NIL;
    while (n !== NIL) {
      if (this.n[(n) * STRIDE + F_BASE]! <= addr) {
        best = n;
        n = this.n[(n) * STRIDE + F_RIGHT]!;
      } else n = this.n[(n) * STRIDE + F_LEFT]!;
    }
    return best === NIL ? undefined : best;
  }

  /** The range with the smallest base ≥ addr, if any. */
  ceiling(addr: number): number | undefined {
    let n = this.root;
    let best = NIL;
    while (n !== NIL) {
      if (this.n[(n) * STRIDE + F_BASE]! >= addr) {
        best = n;
        n = this.n[(n) * STRIDE + F_LEFT]!;
      } else n = this.n[(n) * STRIDE + F_RIGHT]!;
    }
    return best === NIL ? undefined : best;
  }

  /** Leftmost node of subtree `n` whose own usable length for class k admits `pages`; O(height). */
  private leftmostFit(n: number, k: number, pages: number): number {
    const v = this.v;
    while (n !== NIL && v[n * V + k]! >= pages) {
      const l = this.n[(n) * STRIDE + F_LEFT]!;
      if (v[l * V + k]! >= pages) n = l;
      else if (v[n * V + K + k]! >= pages) return n;
      else n = this.n[(n) * STRIDE + F_RIGHT]!;
    }
    return NIL;
  }

  /** Leftmost fitting node among ranges with base ≥ lo. One root-to-leaf walk plus at most one leftmostFit that succeeds. */
  private leftmostFitFrom(lo: number, k: number, pages: number): number {
    // Walk towards lo; every right subtree hanging off a left turn lies wholly at or above lo.
    const candidates = this.path;
    let depth = 0;
    let n = this.root;
    while (n !== NIL) {
      if (this.n[(n) * STRIDE + F_BASE]! >= lo) {
        candidates[depth++] = n;
        n = this.n[(n) * STRIDE + F_LEFT]!;
      } else n = this.n[(n) * STRIDE + F_RIGHT]!;
    }
    // candidates are in decreasing base order; the answer is the lowest-addressed fit.
    for (let i = depth - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (this.v[c * V + K + k]! >= pages) return c;
      const r = this.leftmostFit(this.n[(c) * STRIDE + F_RIGHT]!, k, pages);
      if (r !== NIL) return r;
    }
    return NIL;
  }

  /** Where `bytes` aligned to `alignment` fit in range `id` clipped to [lo, hi), or -1 (spec/mm/policy.ts fitIn). */
  private fitClipped(id: number, bytes: number, alignment: number, lo: number, hi: number): number {
    const b = this.n[(id) * STRIDE + F_BASE]!;
    const e = this.n[(id) * STRIDE + F_END]!;
    const at = Math.ceil((b > lo ? b : lo) / alignment) * alignment;
    if (at + bytes > (e < hi ? e : hi)) return -1;
    if (at === this.n[(id) * STRIDE + F_WHOLE_BASE] && at + bytes === this.n[(id) * STRIDE + F_WHOLE_END]) return -1;
    return at;
  }

  /**
   * Address-ordered first fit (DEC-MM-FIRST-FIT): the lowest aligned address
   * at which `bytes` fit in one free range, inside [lo, hi). Returns the
   * range's id and the address, or -1 when nothing fits; `lastFit` holds the
   * address.
   */
  firstFit(bytes: number, alignment: number, lo: number, hi: number): number {
    const k = alignClass(alignment);
    // The one range that may straddle lo is checked clipped; the rest lie wholly at or above lo.
    const straddling = this.floor(lo);
    if (straddling !== undefined && this.n[(straddling) * STRIDE + F_BASE]! < lo && this.n[(straddling) * STRIDE + F_END]! > lo) {
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

  /** First fit by a scan in address order: for requests of 8 TiB and more, beyond the clamped maxima. */
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

  /** The address the last successful firstFit found. */
  lastFit = 0;

  base(id: number): number {
    return this.n[(id) * STRIDE + F_BASE]!;
  }
  end(id: number): number {
    return this.n[(id) * STRIDE + F_END]!;
  }
  parent(id: number): number {
    return this.n[(id) * STRIDE + F_PARENT]!;
  }

  /** In-order traversal (for observation and checks). */
  *ranges(): Generator<FreeRangeInfo> {
    const stack: number[] = [];
    let n = this.root;
    while (stack.length > 0 || n !== NIL) {
      while (n !== NIL) {
        stack.push(n);
        n = this.n[(n) * STRIDE + F_LEFT]!;
      }
      n = stack.pop()!;
      yield this.info(n);
      n = this.n[(n) * STRIDE + F_RIGHT]!;
    }
  }

  /** Verifies order, balance, heights and every maximum; throws TreeInvariantError. */
  check(): void {
    let seen = 0;
    const walk = (n: number, lo: number, hi: number): number => {
      if (n === NIL) return 0;
      seen++;
      const b = this.n[(n) * STRIDE + F_BASE]!;
      if (!(b >= lo && b < hi)) throw new TreeInvariantError(`node ${n} at ${b} is out of order`);
      if (!(this.n[(n) * STRIDE + F_END]! > b)) throw new TreeInvariantError(`node ${n} is empty`);
      const hl = walk(this.n[(n) * STRIDE + F_LEFT]!, lo, b);
      const hr = walk(this.n[(n) * STRIDE + F_RIGHT]!, b, hi);
      if (Math.abs(hl - hr) > 1) throw new TreeInvariantError(`node ${n} is unbalanced (${hl} vs ${hr})`);
      if (this.n[(n) * STRIDE + F_HEIGHT] !== Math.max(hl, hr) + 1) throw new TreeInvariantError(`node ${n} has a stale height`);
      const v = this.v;
      const saved = v.slice(n * V + K, n * V + V);
      this.setOwn(n);
      for (let k = 0; k < K; k++) {
        if (saved[k] !== v[n * V + K + k]) throw new TreeInvariantError(`node ${n} has a stale usable length for class ${k}`);
        const want = Math.max(v[n * V + K + k]!, v[this.n[(n) * STRIDE + F_LEFT]! * V + k]!, v[this.n[(n) * STRIDE + F_RIGHT]! * V + k]!);
        if (v[n * V + k] !== want) throw new TreeInvariantError(`node ${n} has a stale maximum for class ${k}`);
      }
      return this.n[(n) * STRIDE + F_HEIGHT]!;
    };
    walk(this.root, -Infinity, Infinity);
    if (seen !== this.count) throw new TreeInvariantError(`tree holds ${seen} nodes but counts ${this.count}`);
  }
}
