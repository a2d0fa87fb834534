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
// An entry's fields share one cache line: e[i * W + field]. At 10^5 entries
// every probe is a cache miss; one array per field would make it four.
const PAGE = 0;
const BYTES = 1;
const USE = 2;
const PARENT = 3;
const W = 4;

export interface AllocRecord {
  readonly base: number;
  readonly bytes: number;
  readonly use: AllocationUse;
  readonly parent: number;
  readonly cap?: Capref;
}

export class AllocTable {
  private bits = 4;
  private e = AllocTable.table(1 << 4);
  private readonly caps = new Map<number, Capref>();
  private count = 0;
  /** The entry the last lookup found: free asks for the same allocation several times in a row. */
  private hit = 0;

  private static table(entries: number): Float64Array {
    const e = new Float64Array(entries * W);
    for (let i = 0; i < entries; i++) e[i * W + PAGE] = EMPTY;
    return e;
  }

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
    const e = this.e;
    if (e[this.hit * W + PAGE] === page) return this.hit;
    const mask = (1 << this.bits) - 1;
    for (let i = this.slotOf(page); ; i = (i + 1) & mask) {
      const k = e[i * W + PAGE]!;
      if (k === page) return (this.hit = i);
      if (k === EMPTY) return -1;
    }
  }

  get(base: number): AllocRecord | undefined {
    const page = base / BASE_PAGE_SIZE;
    if (!Number.isInteger(page)) return undefined;
    const i = this.find(page);
    if (i < 0) return undefined;
    const cap = this.caps.get(page);
    const e = this.e;
    return {
      base,
      bytes: e[i * W + BYTES]!,
      use: allocationUses[e[i * W + USE]!]!,
      parent: e[i * W + PARENT]!,
      ...(cap !== undefined ? { cap } : {}),
    };
  }

  /** The size of the allocation at `base` and whether it is client memory, without building a record (the hot path). */
  clientBytes(base: number): number {
    const page = base / BASE_PAGE_SIZE;
    if (!Number.isInteger(page)) return -1;
    const i = this.find(page);
    return i < 0 || this.e[i * W + USE] !== 0 ? -1 : this.e[i * W + BYTES]!;
  }

  /** The parent of the allocation at `base`, which must exist. */
  parentOf(base: number): number {
    const i = this.find(base / BASE_PAGE_SIZE);
    if (i < 0) throw new Error(`alloc table: no allocation at 0x${base.toString(16)}`);
    return this.e[i * W + PARENT]!;
  }

  set(r: AllocRecord): void {
    if ((this.count + 1) * 2 > 1 << this.bits) this.grow();
    const e = this.e;
    const page = r.base / BASE_PAGE_SIZE;
    const mask = (1 << this.bits) - 1;
    let i = this.slotOf(page);
    while (e[i * W + PAGE] !== EMPTY && e[i * W + PAGE] !== page) i = (i + 1) & mask;
    if (e[i * W + PAGE] === EMPTY) this.count++;
    e[i * W + PAGE] = page;
    e[i * W + BYTES] = r.bytes;
    e[i * W + USE] = allocationUses.indexOf(r.use);
    e[i * W + PARENT] = r.parent;
    if (r.cap !== undefined) this.caps.set(page, r.cap);
  }

  delete(base: number): void {
    const e = this.e;
    const page = base / BASE_PAGE_SIZE;
    let i = this.find(page);
    if (i < 0) return;
    this.caps.delete(page);
    this.count--;
    // Backward-shift deletion: pull later entries of the run into the gap, so lookups never need tombstones.
    const mask = (1 << this.bits) - 1;
    for (let j = (i + 1) & mask; e[j * W + PAGE] !== EMPTY; j = (j + 1) & mask) {
      const home = this.slotOf(e[j * W + PAGE]!);
      // Entry j may move to i when its home is not in the cyclic range (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        e.copyWithin(i * W, j * W, j * W + W);
        i = j;
      }
    }
    e[i * W + PAGE] = EMPTY;
  }

  private grow(): void {
    const old = this.e;
    this.bits++;
    this.e = AllocTable.table(1 << this.bits);
    this.hit = 0;
    this.count = 0;
    for (let o = 0; o < old.length; o += W) {
      const page = old[o + PAGE]!;
      if (page === EMPTY) continue;
      const cap = this.caps.get(page);
      this.set({
        base: page * BASE_PAGE_SIZE,
        bytes: old[o + BYTES]!,
        use: allocationUses[old[o + USE]!]!,
        parent: old[o + PARENT]!,
        ...(cap !== undefined ? { cap } : {}),
      });
    }
  }

  *values(): Generator<AllocRecord> {
    for (let o = 0; o < this.e.length; o += W) if (this.e[o + PAGE] !== EMPTY) yield this.get(this.e[o + PAGE]! * BASE_PAGE_SIZE)!;
  }
}
