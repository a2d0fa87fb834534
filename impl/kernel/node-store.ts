// Struct-of-arrays storage for capability table entries (ctes). A node id is
// an index into every array; id 0 is nil. One node is one occupied slot: a
// memory capability's node is also its mapping-database tree node (Barrelfish
// embeds the tree node in the cte the same way, lib/mdb), a Mapping
// capability's node is not in the tree (DEC-MAPPING-NO-REGION).
//
// Why typed arrays: V8 boxes 64-bit numbers held in object fields, so an
// object per tree node costs ~140 B and a pointer chase per field; these
// arrays cost ~70 B per entry, all fields included. Measured on AA-tree
// inserts and lookups at 10^5-10^6 entries: about twice as fast as one JS
// object per node, and as fast as or faster than interleaving a node's fields
// in one record (bench/kernel-scaling.ts measures the kernel as a whole).
//
// Field reuse for Mapping capabilities, which have no region: `base` holds
// the page table's base address, `bytes` the offset into the mapped
// capability, `link` the mapped node.

// A node's `meta` word packs what a capability carries besides its identity,
// so that reading a capability touches one cache line for all of it:
// bits 0-7 the rights mask (spec/kernel/rights.ts), bits 8-11 the lock and the
// remote-relation bits, bits 16-30 the owner core. Everything but the rights
// is what all copies share (A.6.1): COPY_META.
export const RIGHTS_MASK = 0xff;
export const FLAG_LOCKED = 1 << 8;
export const FLAG_REMOTE_COPIES = 2 << 8;
export const FLAG_REMOTE_ANCS = 4 << 8;
export const FLAG_REMOTE_DESCS = 8 << 8;
export const OWNER_SHIFT = 16;
export const COPY_META = ~RIGHTS_MASK;

export const packMeta = (rights: number, flags: number, owner: number): number => rights | flags | (owner << OWNER_SHIFT);

const INITIAL_CAPACITY = 1024;

export class NodeStore {
  capacity = 0;
  // Tree fields (memory capabilities only).
  left = new Int32Array(0);
  right = new Int32Array(0);
  level = new Uint8Array(0);
  /** Largest end address (base + bytes) in the node's subtree; -1 for nil. */
  maxEnd = new Float64Array(0);
  // The capability.
  type = new Uint8Array(0);
  base = new Float64Array(0);
  bytes = new Float64Array(0);
  /** Rights, lock, remote relations and owner (see packMeta). */
  meta = new Int32Array(0);
  /** Its slot's index (the CNode object is `home`). */
  slot = new Int32Array(0);
  /** Memory node: the Mapping node that maps this copy (0: unmapped). Mapping node: the mapped node. */
  link = new Int32Array(0);
  // Mapping capabilities: first entry, entry count, and the rights of the entries.
  entry = new Int32Array(0);
  pteCount = new Int32Array(0);
  pteRights = new Uint8Array(0);
  /**
   * The CNode or VNode object a CNode/VNode capability names, and the CNode
   * object whose slot holds the node: direct references, so that resolution
   * and removal need no map lookup (a cold random access at 10^5 entries).
   */
  object: unknown[] = [undefined];
  home: unknown[] = [undefined];
  /** Scratch stamp for the removal closure (a node is marked when mark === the current epoch). */
  mark = new Uint32Array(0);

  private freeList = new Int32Array(0);
  private freeTop = 0;
  private nextFresh = 1;
  /** Number of allocated nodes. */
  live = 0;

  constructor() {
    this.grow(INITIAL_CAPACITY);
  }

  alloc(): number {
    let n: number;
    if (this.freeTop > 0) n = this.freeList[--this.freeTop]!;
    else {
      if (this.nextFresh >= this.capacity) this.grow(this.capacity * 2);
      n = this.nextFresh++;
    }
    this.left[n] = 0;
    this.right[n] = 0;
    this.level[n] = 0;
    this.link[n] = 0;
    this.meta[n] = 0;
    this.mark[n] = 0;
    this.live++;
    return n;
  }

  free(n: number): void {
    this.type[n] = 0;
    this.link[n] = 0;
    this.object[n] = undefined;
    this.home[n] = undefined;
    this.freeList[this.freeTop++] = n;
    this.live--;
  }

  /** Allocated ids are below this bound (for debug scans). */
  get bound(): number {
    return this.nextFresh;
  }

  rightsOf(n: number): number {
    return this.meta[n]! & RIGHTS_MASK;
  }

  ownerOf(n: number): number {
    return this.meta[n]! >>> OWNER_SHIFT;
  }

  private grow(capacity: number): void {
    const g = <T extends Int32Array | Uint8Array | Float64Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.left = g(this.left, (n) => new Int32Array(n));
    this.right = g(this.right, (n) => new Int32Array(n));
    this.level = g(this.level, (n) => new Uint8Array(n));
    this.maxEnd = g(this.maxEnd, (n) => new Float64Array(n));
    this.type = g(this.type, (n) => new Uint8Array(n));
    this.base = g(this.base, (n) => new Float64Array(n));
    this.bytes = g(this.bytes, (n) => new Float64Array(n));
    this.meta = g(this.meta, (n) => new Int32Array(n));
    this.slot = g(this.slot, (n) => new Int32Array(n));
    this.link = g(this.link, (n) => new Int32Array(n));
    this.entry = g(this.entry, (n) => new Int32Array(n));
    this.pteCount = g(this.pteCount, (n) => new Int32Array(n));
    this.pteRights = g(this.pteRights, (n) => new Uint8Array(n));
    this.mark = g(this.mark, (n) => new Uint32Array(n));
    this.freeList = g(this.freeList, (n) => new Int32Array(n));
    this.maxEnd[0] = -1; // nil
    this.capacity = capacity;
  }
}
