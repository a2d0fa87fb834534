// An ordered set of disjoint ranges keyed by base address: a treap whose
// nodes also know the largest range in their subtree. That one augmentation
// answers first fit ("the lowest range of at least n bytes") in O(log n),
// next to the usual floor/ceiling searches — the report's linked list of
// regions (seeds/001 §3.2) needed a walk for both.
//
// Priorities are a hash of the base address, not random numbers: the tree's
// shape is a function of the set of keys, so runs are reproducible.

export interface RangeNode<V> {
  readonly base: number;
  bytes: number;
  value: V;
  /** Largest `bytes` in this subtree. */
  maxBytes: number;
  readonly priority: number;
  left: RangeNode<V> | undefined;
  right: RangeNode<V> | undefined;
}

/** A 32-bit mix of the key (a variant of splitmix), so that neighbouring addresses get unrelated priorities. */
function priorityOf(base: number): number {
  let h = (Math.floor(base / 4096) ^ Math.floor(base / 2 ** 32)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class RangeTree<V> {
  private root: RangeNode<V> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Inserts a range; its base must not be in the tree. */
  insert(base: number, bytes: number, value: V): RangeNode<V> {
    const node: RangeNode<V> = { base, bytes, value, maxBytes: bytes, priority: priorityOf(base), left: undefined, right: undefined };
    const [l, r] = this.split(this.root, base);
    this.root = this.merge(this.merge(l, node), r);
    this.count++;
    return node;
  }

  /** Removes the range starting at `base`; returns it, if it was there. */
  remove(base: number): RangeNode<V> | undefined {
    let found: RangeNode<V> | undefined;
    const go = (t: RangeNode<V> | undefined): RangeNode<V> | undefined => {
      if (t === undefined) return undefined;
      if (base === t.base) {
        found = t;
        return this.merge(t.left, t.right);
      }
      if (base < t.base) t.left = go(t.left);
      else t.right = go(t.right);
      update(t);
      return t;
    };
    this.root = go(this.root);
    if (found !== undefined) this.count--;
    return found;
  }

  /** Changes the size of the range at `node.base` (its base stays). */
  resize(base: number, bytes: number): void {
    const path: RangeNode<V>[] = [];
    for (let t = this.root; t !== undefined; t = base < t.base ? t.left : t.right) {
      path.push(t);
      if (t.base === base) {
        t.bytes = bytes;
        for (let i = path.length - 1; i >= 0; i--) update(path[i]!);
        return;
      }
    }
    throw new Error(`RangeTree.resize: no range at 0x${base.toString(16)}`);
  }

  get(base: number): RangeNode<V> | undefined {
    for (let t = this.root; t !== undefined; t = base < t.base ? t.left : t.right) if (t.base === base) return t;
    return undefined;
  }

  /** The range with the largest base ≤ `x`. */
  floor(x: number): RangeNode<V> | undefined {
    let best: RangeNode<V> | undefined;
    for (let t = this.root; t !== undefined; ) {
      if (t.base <= x) {
        best = t;
        t = t.right;
      } else t = t.left;
    }
    return best;
  }

  /** The range with the smallest base ≥ `x`. */
  ceiling(x: number): RangeNode<V> | undefined {
    let best: RangeNode<V> | undefined;
    for (let t = this.root; t !== undefined; ) {
      if (t.base >= x) {
        best = t;
        t = t.left;
      } else t = t.right;
    }
    return best;
  }

  /** First fit: the range with the lowest base among those of at least `bytes`. */
  firstFit(bytes: number): RangeNode<V> | undefined {
    let t = this.root;
    if (t === undefined || t.maxBytes < bytes) return undefined;
    for (;;) {
      if (t.left !== undefined && t.left.maxBytes >= bytes) t = t.left;
      else if (t.bytes >= bytes) return t;
      else t = t.right!; // the subtree's max is ≥ bytes and not left or here: it is right
    }
  }

  /** The ranges whose base lies in [lo, hi), in ascending order: O(log n + k) for k of them (subtrees left of `lo` are skipped). */
  *between(lo: number, hi: number): Generator<RangeNode<V>> {
    const stack: RangeNode<V>[] = [];
    for (let t = this.root; t !== undefined || stack.length > 0; ) {
      if (t !== undefined) {
        if (t.base >= lo) {
          stack.push(t);
          t = t.left;
        } else t = t.right;
      } else {
        const n = stack.pop()!;
        if (n.base >= hi) return;
        yield n;
        t = n.right;
      }
    }
  }

  /** Every range in ascending order. */
  *entries(): Generator<RangeNode<V>> {
    const stack: RangeNode<V>[] = [];
    for (let t = this.root; t !== undefined || stack.length > 0; ) {
      if (t !== undefined) {
        stack.push(t);
        t = t.left;
      } else {
        const n = stack.pop()!;
        yield n;
        t = n.right;
      }
    }
  }

  /** Checks the tree's own invariants (order, heap order of priorities, augmentation, count); throws on the first broken one. */
  check(): void {
    let n = 0;
    const go = (t: RangeNode<V> | undefined, lo: number, hi: number): number => {
      if (t === undefined) return -Infinity;
      n++;
      if (t.base < lo || t.base > hi) throw new Error(`RangeTree: key 0x${t.base.toString(16)} out of order`);
      for (const c of [t.left, t.right]) if (c !== undefined && c.priority > t.priority) throw new Error('RangeTree: heap order broken');
      const m = Math.max(t.bytes, go(t.left, lo, t.base - 1), go(t.right, t.base + 1, hi));
      if (m !== t.maxBytes) throw new Error(`RangeTree: maxBytes of 0x${t.base.toString(16)} is ${t.maxBytes}, not ${m}`);
      return m;
    };
    go(this.root, -Infinity, Infinity);
    if (n !== this.count) throw new Error(`RangeTree: count ${this.count}, found ${n}`);
  }

  /** Splits into keys < base and keys ≥ base. */
  private split(t: RangeNode<V> | undefined, base: number): [RangeNode<V> | undefined, RangeNode<V> | undefined] {
    if (t === undefined) return [undefined, undefined];
    if (t.base < base) {
      const [l, r] = this.split(t.right, base);
      t.right = l;
      update(t);
      return [t, r];
    }
    const [l, r] = this.split(t.left, base);
    t.left = r;
    update(t);
    return [l, t];
  }

  private merge(a: RangeNode<V> | undefined, b: RangeNode<V> | undefined): RangeNode<V> | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (a.priority >= b.priority) {
      a.right = this.merge(a.right, b);
      update(a);
      return a;
    }
    b.left = this.merge(a, b.left);
    update(b);
    return b;
  }
}

function update<V>(t: RangeNode<V>): void {
  let m = t.bytes;
  if (t.left !== undefined && t.left.maxBytes > m) m = t.left.maxBytes;
  if (t.right !== undefined && t.right.maxBytes > m) m = t.right.maxBytes;
  t.maxBytes = m;
}
