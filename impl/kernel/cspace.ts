// The CSpace: CNode objects keyed by their base address, each with its own
// slot storage, and capref resolution in O(1).
//
// A CNode object lives while some capability names it (`refs` counts them;
// with laminar regions all capabilities to one CNode base are copies, so the
// count is also "copies left", which the removal closure needs). Its slots
// hold node ids. L2CNodes and small L1CNodes keep a dense array; a large
// L1CNode (up to 2^24 slots) keeps a sparse map, because its slots hold only
// L2CNodes and are mostly empty.
import { err } from '../../spec/result.js';
import { l1IndexOf, l2SlotOf, type Capref } from '../../spec/kernel/capref.js';
import type { ArgName } from '../../spec/kernel/errors.js';
import type { KernelErr } from '../../spec/kernel/preconditions/framework.js';
import { CTE_SIZE, L2_CNODE_SLOTS } from '../../spec/kernel/types.js';
import type { NodeStore } from './node-store.js';
import { L1CNODE, L2CNODE } from './type-codes.js';

/** Rights masks a lookup needs on the CNodes it passes (spec/kernel/lookup.ts): READ, or READ and WRITE. */
export const NEED_READ = 1;
export const NEED_WRITE = 3;

const DENSE_LIMIT = 4096;

export class CNodeObject {
  occupied = 0;
  /** Capabilities (all copies of each other) that name this object. */
  refs = 0;
  /** Scratch for the removal closure: copies removed so far in the closure stamped removeEpoch. */
  removeEpoch = 0;
  removeCount = 0;
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(
    readonly base: number,
    readonly type: number,
    readonly slotCount: number,
  ) {
    if (slotCount <= DENSE_LIMIT) this.dense = new Int32Array(slotCount);
    else this.sparse = new Map();
  }

  /** The node in the slot, 0 when empty (or when the index is outside the CNode). */
  get(slot: number): number {
    return (this.dense !== undefined ? this.dense[slot] : this.sparse!.get(slot)) ?? 0;
  }

  set(slot: number, node: number): void {
    if (this.get(slot) === 0) this.occupied++;
    if (this.dense !== undefined) this.dense[slot] = node;
    else this.sparse!.set(slot, node);
  }

  /** Empties the slot if it still holds `node`. */
  clear(slot: number, node: number): void {
    if (this.get(slot) !== node) return;
    this.occupied--;
    if (this.dense !== undefined) this.dense[slot] = 0;
    else this.sparse!.delete(slot);
  }

  /** The occupied slots' nodes. */
  nodes(out: number[] = []): number[] {
    if (this.occupied === 0) return out;
    if (this.dense !== undefined) {
      const d = this.dense;
      for (let i = 0; i < d.length; i++) if (d[i] !== 0) out.push(d[i]!);
    } else for (const n of this.sparse!.values()) out.push(n);
    return out;
  }
}

/** Number of slots of a CNode object of this type and size (spec/kernel/query.ts cnodeSlotCount). */
export const slotCountOf = (type: number, bytes: number): number => (type === L2CNODE ? L2_CNODE_SLOTS : bytes / CTE_SIZE);

export class CSpace {
  readonly cnodes = new Map<number, CNodeObject>();
  // The last resolution's result (written instead of returned, so the hot path allocates nothing).
  cnode!: CNodeObject;
  slot = 0;
  /** The capability in the resolved slot, after lookupCap. */
  node = 0;

  /** When set, level-2 caprefs stop at the L1 slot (the capref-wrong-level mutant). */
  stopAtL1 = false;

  constructor(private readonly s: NodeStore) {}

  /** The live CNode object at `base`, if any. */
  live(base: number): CNodeObject | undefined {
    const o = this.cnodes.get(base);
    return o !== undefined && o.refs > 0 ? o : undefined;
  }

  /** Registers one more capability to the CNode object (creating it on the first). */
  acquire(base: number, type: number, bytes: number): CNodeObject {
    let o = this.cnodes.get(base);
    if (o === undefined || (o.refs === 0 && (o.type !== type || o.slotCount !== slotCountOf(type, bytes)))) {
      o = new CNodeObject(base, type, slotCountOf(type, bytes));
      this.cnodes.set(base, o);
    }
    o.refs++;
    return o;
  }

  /** Drops the object once nothing names it and its slots are empty. */
  releaseIfDead(o: CNodeObject): void {
    if (o.refs === 0 && o.occupied === 0 && this.cnodes.get(o.base) === o) this.cnodes.delete(o.base);
  }

  /**
   * Resolves a capref to a slot without looking at its content: the errors and
   * their order of spec/kernel/lookup.ts resolveSlot (caps_lookup_slot).
   */
  resolve(ref: Capref, arg: ArgName, need: number): KernelErr | undefined {
    if (ref.level !== 1 && ref.level !== 2) return err('SYS_ERR_CAP_LOOKUP_DEPTH', arg);
    const root = this.cnodes.get(ref.root);
    if (root === undefined || root.refs === 0 || root.type !== L1CNODE) return err('SYS_ERR_CNODE_NOT_ROOT', arg);
    const l1Index = ref.level === 1 ? ref.cptr : l1IndexOf(ref.cptr);
    if (l1Index >= root.slotCount) return err('SYS_ERR_L1_CNODE_INDEX', arg);
    if (ref.level === 1 || this.stopAtL1) {
      this.cnode = root;
      this.slot = l1Index;
      return undefined;
    }
    const s = this.s;
    const l1 = root.get(l1Index);
    if (l1 === 0) return err('SYS_ERR_CNODE_NOT_FOUND', arg);
    if (s.type[l1] !== L2CNODE) return err('SYS_ERR_CNODE_TYPE', arg);
    if ((need & ~s.rightsOf(l1)) !== 0) return err('SYS_ERR_CNODE_RIGHTS', arg);
    this.cnode = s.object[l1] as CNodeObject;
    this.slot = l2SlotOf(ref.cptr);
    return undefined;
  }

  /** Resolves a capref to the capability in its slot (spec/kernel/lookup.ts lookupCap). */
  lookupCap(ref: Capref, arg: ArgName, need: number): KernelErr | undefined {
    const e = this.resolve(ref, arg, need);
    if (e !== undefined) return e;
    this.node = this.cnode.get(this.slot);
    return this.node === 0 ? err('SYS_ERR_CAP_NOT_FOUND', arg) : undefined;
  }
}
