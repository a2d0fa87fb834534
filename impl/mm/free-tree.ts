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
// Nodes live in parallel typed arrays (no per-node objects, no garbage);
// node 0 is the nil sentinel. `check()` verifies every structural invariant
// (order, balance, heights, augmentation) and is run by tests and debug mode.
import { MAX_ALIGNMENT_BITS, MIN_ALIGNMENT_BITS } from '../../spec/mm/config.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';

export const ALIGN_CLASSES = MAX_ALIGNMENT_BITS - MIN_ALIGNMENT_BITS + 1;
const K = ALIGN_CLASSES;
const NIL = 0;

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
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private height = new Int32Array(0);
  private baseOf = new Float64Array(0);
  private endOf = new Float64Array(0);
  private parentOf = new Int32Array(0);
  /** Per parent id: whether a range must not be handed out whole (it is a whole parent). Set by the owner. */
  private wholeBase = new Float64Array(0);
  private wholeEnd = new Float64Array(0);
  private own = new Float64Array(0);
  private aug = new Float64Array(0);
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
    const ints = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const floats = (a: Float64Array, n = 1) => {
      const b = new Float64Array(cap * n);
      b.set(a);
      return b;
    };
    this.left = ints(this.left);
    this.right = ints(this.right);
    this.height = ints(this.height);
    this.parentOf = ints(this.parentOf);
    this.baseOf = floats(this.baseOf);
    this.endOf = floats(this.endOf);
    this.wholeBase = floats(this.wholeBase);
    this.wholeEnd = floats(this.wholeEnd);
    this.own = floats(this.own, K);
    this.aug = floats(this.aug, K);
    if (this.cap === 0) for (let k = 0; k < K; k++) this.aug[k] = -Infinity; // nil's maxima
    this.cap = cap;
  }

  // --- per-node values ----------------------------------------------------------------

  /** Recomputes a node's own usable lengths after its range changed. */
  private setOwn(n: number): void {
    const b = this.baseOf[n]!;
    const e = this.endOf[n]!;
    const whole = b === this.wholeBase[n] && e === this.wholeEnd[n];
    const o = n * K;
    for (let k = 0; k < K; k++) {
      const a = 2 ** (MIN_ALIGNMENT_BITS + k);
      const at = Math.ceil(b / a) * a;
      this.own[o + k] = e - at - (whole && at === b ? BASE_PAGE_SIZE : 0);
    }
  }

  /** Height and subtree maxima from the children. */
  private pull(n: number): void {
    const l = this.left[n]!;
    const r = this.right[n]!;
    const hl = this.height[l]!;
    const hr = this.height[r]!;
    this.height[n] = (hl > hr ? hl : hr) + 1;
    const o = n * K;
    const ol = l * K;
    const or = r * K;
    const own = this.own;
    const aug = this.aug;
    for (let k = 0; k < K; k++) {
      let m = own[o + k]!;
      const x = aug[ol + k]!;
      const y = aug[or + k]!;
      if (x > m) m = x;
      if (y > m) m = y;
      aug[o + k] = m;
    }
  }

  private rotateRight(n: number): number {
    const l = this.left[n]!;
    this.left[n] = this.right[l]!;
    this.right[l] = n;
    this.pull(n);
    this.pull(l);
    return l;
  }

  private rotateLeft(n: number): number {
    const r = this.right[n]!;
    this.right[n] = this.left[r]!;
    this.left[r] = n;
    this.pull(n);
    this.pull(r);
    return r;
  }

  private balance(n: number): number {
    this.pull(n);
    const bf = this.height[this.left[n]!]! - this.height[this.right[n]!]!;
    if (bf > 1) {
      const l = this.left[n]!;
      if (this.height[this.left[l]!]! < this.height[this.right[l]!]!) this.left[n] = this.rotateLeft(l);
      return this.rotateRight(n);
    }
    if (bf < -1) {
      const r = this.right[n]!;
      if (this.height[this.right[r]!]! < this.height[this.left[r]!]!) this.right[n] = this.rotateRight(r);
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
    this.left[id] = NIL;
    this.right[id] = NIL;
    this.height[id] = 1;
    this.baseOf[id] = base;
    this.endOf[id] = end;
    this.parentOf[id] = parent;
    this.wholeBase[id] = pBase;
    this.wholeEnd[id] = pEnd;
    this.setOwn(id);
    this.pull(id);
    this.root = this.insertAt(this.root, id);
    this.count++;
    return id;
  }

  private insertAt(n: number, id: number): number {
    if (n === NIL) return id;
    if (this.baseOf[id]! < this.baseOf[n]!) this.left[n] = this.insertAt(this.left[n]!, id);
    else this.right[n] = this.insertAt(this.right[n]!, id);
    return this.balance(n);
  }

  /** Removes the range with this id. */
  remove(id: number): void {
    this.root = this.removeAt(this.root, this.baseOf[id]!);
    this.recycled.push(id);
    this.count--;
  }

  private removedMin = NIL;

  private removeMin(n: number): number {
    if (this.left[n] === NIL) {
      this.removedMin = n;
      return this.right[n]!;
    }
    this.left[n] = this.removeMin(this.left[n]!);
    return this.balance(n);
  }

  private removeAt(n: number, base: number): number {
    if (n === NIL) throw new TreeInvariantError(`free range at ${base} is not in the tree`);
    const b = this.baseOf[n]!;
    if (base < b) this.left[n] = this.removeAt(this.left[n]!, base);
    else if (base > b) this.right[n] = this.removeAt(this.right[n]!, base);
    else {
      const l = this.left[n]!;
      const r = this.right[n]!;
      if (l === NIL) return r;
      if (r === NIL) return l;
      const rest = this.removeMin(r);
      const m = this.removedMin;
      this.left[m] = l;
      this.right[m] = rest;
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
    const shrinksFromLeft = base > this.baseOf[id]!;
    this.baseOf[id] = base;
    this.endOf[id] = end;
    this.setOwn(id);
    if (this.skipPullOnShrink && shrinksFromLeft) return;
    // The node keeps its position, so a search by its new base walks the path to it.
    const path: number[] = [];
    for (let n = this.root; n !== NIL; n = base < this.baseOf[n]! ? this.left[n]! : this.right[n]!) {
      path.push(n);
      if (n === id) break;
    }
    if (path[path.length - 1] !== id) throw new TreeInvariantError(`resized range ${id} is not where its base says`);
    for (let i = path.length - 1; i >= 0; i--) this.pull(path[i]!);
  }

  // --- queries --------------------------------------------------------------------------------

  info(id: number): FreeRangeInfo {
    return { id, base: this.baseOf[id]!, end: this.endOf[id]!, parent: this.parentOf[id]! };
  }

  /** The range with the largest base ≤ addr, if any. */
  floor(addr: number): number | undefined {
    let n = this.root;
    let best = NIL;
    while (n !== NIL) {
      if (this.baseOf[n]! <= addr) {
        best = n;
        n = this.right[n]!;
      } else n = this.left[n]!;
    }
    return best === NIL ? undefined : best;
  }

  /** The range with the smallest base ≥ addr, if any. */
  ceiling(addr: number): number | undefined {
    let n = this.root;
    let best = NIL;
    while (n !== NIL) {
      if (this.baseOf[n]! >= addr) {
        best = n;
        n = this.left[n]!;
      } else n = this.right[n]!;
    }
    return best === NIL ? undefined : best;
  }

  /** Leftmost node of subtree `n` whose own usable length for class k admits `bytes`; O(height). */
  private leftmostFit(n: number, k: number, bytes: number): number {
    while (n !== NIL && this.aug[n * K + k]! >= bytes) {
      const l = this.left[n]!;
      if (this.aug[l * K + k]! >= bytes) n = l;
      else if (this.own[n * K + k]! >= bytes) return n;
      else n = this.right[n]!;
    }
    return NIL;
  }

  /** Leftmost fitting node among ranges with base ≥ lo. One root-to-leaf walk plus at most one leftmostFit that succeeds. */
  private leftmostFitFrom(lo: number, k: number, bytes: number): number {
    // Walk towards lo; every right subtree hanging off a left turn lies wholly at or above lo.
    const candidates: number[] = [];
    let n = this.root;
    while (n !== NIL) {
      if (this.baseOf[n]! >= lo) {
        candidates.push(n);
        n = this.left[n]!;
      } else n = this.right[n]!;
    }
    // candidates are in decreasing base order; the answer is the lowest-addressed fit.
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (this.own[c * K + k]! >= bytes) return c;
      const r = this.leftmostFit(this.right[c]!, k, bytes);
      if (r !== NIL) return r;
    }
    return NIL;
  }

  /**
   * Address-ordered first fit (DEC-MM-FIRST-FIT): the lowest aligned address
   * at which `bytes` fit in one free range, inside [lo, hi) when a range is
   * given. `fitsClipped` decides for the one range that straddles `lo`.
   */
  firstFit(bytes: number, alignment: number, lo: number, hi: number, fitsClipped: (id: number) => number | undefined): { id: number; at: number } | undefined {
    const k = alignClass(alignment);
    const straddling = this.floor(lo);
    if (straddling !== undefined && this.baseOf[straddling]! < lo && this.endOf[straddling]! > lo) {
      const at = fitsClipped(straddling);
      if (at !== undefined) return at + bytes <= hi ? { id: straddling, at } : undefined;
    }
    const id = this.leftmostFitFrom(lo, k, bytes);
    if (id === NIL) return undefined;
    const at = Math.ceil(this.baseOf[id]! / alignment) * alignment;
    // Fits at or above lo start higher the later they come: past the limit here means past it everywhere.
    return at + bytes <= hi ? { id, at } : undefined;
  }

  /** In-order traversal (for observation and checks). */
  *ranges(): Generator<FreeRangeInfo> {
    const stack: number[] = [];
    let n = this.root;
    while (stack.length > 0 || n !== NIL) {
      while (n !== NIL) {
        stack.push(n);
        n = this.left[n]!;
      }
      n = stack.pop()!;
      yield this.info(n);
      n = this.right[n]!;
    }
  }

  /** Verifies order, balance, heights and every maximum; throws TreeInvariantError. */
  check(): void {
    let seen = 0;
    const walk = (n: number, lo: number, hi: number): number => {
      if (n === NIL) return 0;
      seen++;
      const b = this.baseOf[n]!;
      if (!(b >= lo && b < hi)) throw new TreeInvariantError(`node ${n} at ${b} is out of order`);
      if (!(this.endOf[n]! > b)) throw new TreeInvariantError(`node ${n} is empty`);
      const hl = walk(this.left[n]!, lo, b);
      const hr = walk(this.right[n]!, b, hi);
      if (Math.abs(hl - hr) > 1) throw new TreeInvariantError(`node ${n} is unbalanced (${hl} vs ${hr})`);
      if (this.height[n] !== Math.max(hl, hr) + 1) throw new TreeInvariantError(`node ${n} has a stale height`);
      const saved = this.own.slice(n * K, n * K + K);
      this.setOwn(n);
      for (let k = 0; k < K; k++) {
        if (saved[k] !== this.own[n * K + k]) throw new TreeInvariantError(`node ${n} has a stale usable length for class ${k}`);
        const want = Math.max(this.own[n * K + k]!, this.aug[this.left[n]! * K + k]!, this.aug[this.right[n]! * K + k]!);
        if (this.aug[n * K + k] !== want) throw new TreeInvariantError(`node ${n} has a stale maximum for class ${k}`);
      }
      return this.height[n]!;
    };
    walk(this.root, -Infinity, Infinity);
    if (seen !== this.count) throw new TreeInvariantError(`tree holds ${seen} nodes but counts ${this.count}`);
  }
}
