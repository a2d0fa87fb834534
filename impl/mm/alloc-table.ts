// The live allocations by base address: an open-addressing hash table over
// typed arrays (linear probing, backward-shift deletion, no tombstones).
// free and reclaim find their allocation in O(1) expected with one or two
// cache lines touched — a JS Map of objects costs several misses a lookup at
// 10^5 entries. Records of the manager's own objects (slab frames, CNodes)
// also carry a capref, kept aside in a small map: there are few of them.
import type { Capref } from '../../spec/kernel/capref.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';
import { allocationUses, type AllocationUse } from '../../spec/mm/state.js';

const EMPTY = -1;

export interface AllocRecord {
  readonly base: number;
  readonly bytes: number;
  readonly use: AllocationUse;
  readonly parent: number;
  readonly cap?: Capref;
}

export class AllocTable {
  private bits = 4;
  private keys = new Float64Array(1 << 4).fill(EMPTY);
  private bytes = new Float64Array(1 << 4);
  private use = new Uint8Array(1 << 4);
  private parent = new Int32Array(1 << 4);
  private readonly caps = new Map<number, Capref>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  private slotOf(page: number): number {
    const lo = page | 0;
    const hi = (page / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
  }

  /** Index of `page`'s entry, or -1. */
  private find(page: number): number {
    const mask = (1 << this.bits) - 1;
    for (let i = this.slotOf(page); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === page) return i;
      if (k === EMPTY) return -1;
    }
  }

  get(base: number): AllocRecord | undefined {
    const page = base / BASE_PAGE_SIZE;
    if (!Number.isInteger(page)) return undefined;
    const i = this.find(page);
    if (i < 0) return undefined;
    const cap = this.caps.get(page);
    return { base, bytes: this.bytes[i]!, use: allocationUses[this.use[i]!]!, parent: this.parent[i]!, ...(cap !== undefined ? { cap } : {}) };
  }

  /** The size of the allocation at `base` and whether it is client memory, without building a record (the hot path). */
  clientBytes(base: number): number {
    const page = base / BASE_PAGE_SIZE;
    if (!Number.isInteger(page)) return -1;
    const i = this.find(page);
    return i < 0 || this.use[i] !== 0 ? -1 : this.bytes[i]!;
  }

  parentOf(base: number): number {
    return this.parent[this.find(base / BASE_PAGE_SIZE)]!;
  }

  set(r: AllocRecord): void {
    if ((this.count + 1) * 2 > 1 << this.bits) this.grow();
    const page = r.base / BASE_PAGE_SIZE;
    const mask = (1 << this.bits) - 1;
    let i = this.slotOf(page);
    while (this.keys[i] !== EMPTY && this.keys[i] !== page) i = (i + 1) & mask;
    if (this.keys[i] === EMPTY) this.count++;
    this.keys[i] = page;
    this.bytes[i] = r.bytes;
    this.use[i] = allocationUses.indexOf(r.use);
    this.parent[i] = r.parent;
    if (r.cap !== undefined) this.caps.set(page, r.cap);
  }

  delete(base: number): void {
    const page = base / BASE_PAGE_SIZE;
    let i = this.find(page);
    if (i < 0) return;
    this.caps.delete(page);
    this.count--;
    // Backward-shift deletion: pull later entries of the run into the gap, so lookups never need tombstones.
    const mask = (1 << this.bits) - 1;
    for (let j = (i + 1) & mask; this.keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.slotOf(this.keys[j]!);
      // Entry j may move to i when its home is not in the cyclic range (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.keys[i] = this.keys[j]!;
        this.bytes[i] = this.bytes[j]!;
        this.use[i] = this.use[j]!;
        this.parent[i] = this.parent[j]!;
        i = j;
      }
    }
    this.keys[i] = EMPTY;
  }

  private grow(): void {
    const old = { keys: this.keys, bytes: this.bytes, use: this.use, parent: this.parent };
    this.bits++;
    const n = 1 << this.bits;
    this.keys = new Float64Array(n).fill(EMPTY);
    this.bytes = new Float64Array(n);
    this.use = new Uint8Array(n);
    this.parent = new Int32Array(n);
    this.count = 0;
    for (let i = 0; i < old.keys.length; i++) {
      const page = old.keys[i]!;
      if (page === EMPTY) continue;
      const cap = this.caps.get(page);
      this.set({
        base: page * BASE_PAGE_SIZE,
        bytes: old.bytes[i]!,
        use: allocationUses[old.use[i]!]!,
        parent: old.parent[i]!,
        ...(cap !== undefined ? { cap } : {}),
      });
    }
  }

  *values(): Generator<AllocRecord> {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) yield this.get(this.keys[i]! * BASE_PAGE_SIZE)!;
  }
}
