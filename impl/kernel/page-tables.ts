// Page tables: one VNodeObject per live page-table object (keyed by base
// address), holding its entries as arrays indexed by entry number, and the
// Mapping capabilities whose entries lie in it. Like CNode objects, a VNode
// object lives while a capability names it; `refs` counts those capabilities
// (all copies), which tells the removal closure when the last copy goes
// (DEC-DELETED-PTABLE).
export class VNodeObject {
  refs = 0;
  removeEpoch = 0;
  removeCount = 0;
  /** Mapping nodes with entries in this table. */
  readonly mappings = new Set<number>();
  /** Present entries. */
  present = 0;
  // Allocated on the first mapping: the Mapping node claiming each entry (0: not present), its target and rights.
  claim: Int32Array | undefined;
  target: Float64Array | undefined;
  rights: Uint8Array | undefined;

  constructor(
    readonly base: number,
    readonly type: number,
    readonly entries: number,
  ) {}

  /** True when none of the entries [first, first + count) is present. */
  free(first: number, count: number): boolean {
    const c = this.claim;
    if (c === undefined) return true;
    for (let i = first; i < first + count; i++) if (c[i] !== 0) return false;
    return true;
  }

  install(entry: number, mapping: number, target: number, rights: number): void {
    if (this.claim === undefined) {
      this.claim = new Int32Array(this.entries);
      this.target = new Float64Array(this.entries);
      this.rights = new Uint8Array(this.entries);
    }
    if (this.claim[entry] === 0) this.present++;
    this.claim[entry] = mapping;
    this.target![entry] = target;
    this.rights![entry] = rights;
  }

  /** Clears the entries [first, first + count) that `mapping` claims. */
  clear(first: number, count: number, mapping: number): void {
    const c = this.claim;
    if (c === undefined) return;
    for (let i = first; i < first + count; i++)
      if (c[i] === mapping) {
        c[i] = 0;
        this.present--;
      }
  }
}

export class PageTables {
  readonly vnodes = new Map<number, VNodeObject>();

  acquire(base: number, type: number, entries: number): VNodeObject {
    let o = this.vnodes.get(base);
    if (o === undefined || (o.refs === 0 && (o.type !== type || o.entries !== entries))) {
      o = new VNodeObject(base, type, entries);
      this.vnodes.set(base, o);
    }
    o.refs++;
    return o;
  }

  releaseIfDead(o: VNodeObject): void {
    if (o.refs === 0 && o.present === 0 && o.mappings.size === 0 && this.vnodes.get(o.base) === o) this.vnodes.delete(o.base);
  }
}
