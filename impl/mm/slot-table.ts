// The slot allocator's bookkeeping: which slot of which L2CNode is free, held
// by the client, or holding one of the manager's own objects. Lowest free
// slot first (CNodes in the order they were added), found in O(1): a bitmap
// of free slots per CNode, and a three-level summary bitmap of the CNodes
// that still have a free slot.
import { capref2, l1IndexOf, l2SlotOf, type Capref } from '../../spec/kernel/capref.js';
import { L2_CNODE_SLOTS } from '../../spec/kernel/types.js';
import type { SlotCNode } from '../../spec/mm/state.js';

/** Explicit limit: 32^3 CNodes of 256 slots (8 Mi slots) — the summary bitmap's reach. */
export const MAX_SLOT_CNODES = 32 ** 3;

export const FREE = 0;
export const CLIENT = 1;
export const INTERNAL = 2;
export type SlotOwner = typeof FREE | typeof CLIENT | typeof INTERNAL;

const ctz = (x: number): number => 31 - Math.clz32(x & -x);
const WORDS = L2_CNODE_SLOTS / 32;

/** A set of small integers with O(1) insert, delete and minimum (three levels of 32-bit words). */
class MinBitset {
  private readonly l0 = new Uint32Array(MAX_SLOT_CNODES / 32);
  private readonly l1 = new Uint32Array(MAX_SLOT_CNODES / 1024);
  private l2 = 0;

  add(i: number): void {
    this.l0[i >>> 5]! |= 1 << (i & 31);
    this.l1[i >>> 10]! |= 1 << ((i >>> 5) & 31);
    this.l2 |= 1 << (i >>> 10);
    this.l2 >>>= 0;
  }

  delete(i: number): void {
    const w = i >>> 5;
    this.l0[w]! &= ~(1 << (i & 31));
    if (this.l0[w] !== 0) return;
    const v = i >>> 10;
    this.l1[v]! &= ~(1 << (w & 31));
    if (this.l1[v] !== 0) return;
    this.l2 = (this.l2 & ~(1 << v)) >>> 0;
  }

  min(): number | undefined {
    if (this.l2 === 0) return undefined;
    const v = ctz(this.l2);
    const w = (v << 5) | ctz(this.l1[v]!);
    return (w << 5) | ctz(this.l0[w]!);
  }
}

interface CNodeSlots {
  readonly cnode: SlotCNode;
  readonly owner: Uint8Array;
  /** Bit set = slot free. */
  readonly freeBits: Uint32Array;
  free: number;
}

export class SlotTable {
  readonly cnodes: CNodeSlots[] = [];
  /** root → L1 index → CNode index. */
  private readonly index = new Map<number, Map<number, number>>();
  private readonly withFree = new MinBitset();
  private freeTotal = 0;
  private clientTotal = 0;
  /** Mutant hook: the allocator forgets to mark slots that hold the manager's objects. */
  forgetInternal = false;

  get free(): number {
    return this.freeTotal;
  }

  get clientCount(): number {
    return this.clientTotal;
  }

  /** Adds a CNode whose first `slots` slots the allocator manages (MmParams.slotsPerCNode; the rest are never free). */
  addCNode(cnode: SlotCNode, slots: number = L2_CNODE_SLOTS): void {
    if (this.cnodes.length >= MAX_SLOT_CNODES) throw new RangeError(`the slot allocator is limited to ${MAX_SLOT_CNODES} CNodes`);
    if (!Number.isInteger(slots) || slots < 1 || slots > L2_CNODE_SLOTS) throw new RangeError(`a CNode has 1 to ${L2_CNODE_SLOTS} slots, not ${slots}`);
    const freeBits = new Uint32Array(WORDS);
    for (let w = 0; w < WORDS; w++) {
      const n = Math.min(32, Math.max(0, slots - 32 * w));
      freeBits[w] = n === 32 ? 0xffffffff : (1 << n) - 1;
    }
    let byL1 = this.index.get(cnode.cap.root);
    if (byL1 === undefined) this.index.set(cnode.cap.root, (byL1 = new Map()));
    byL1.set(l1IndexOf(cnode.cap.cptr), this.cnodes.length);
    this.withFree.add(this.cnodes.length);
    this.cnodes.push({ cnode, owner: new Uint8Array(L2_CNODE_SLOTS), freeBits, free: slots });
    this.freeTotal += slots;
  }

  /** The (cnode index, slot) a level-2 capref names, if it points into one of the allocator's CNodes. */
  locate(ref: Capref): { cn: number; slot: number } | undefined {
    if (ref.level !== 2) return undefined;
    const cn = this.index.get(ref.root)?.get(l1IndexOf(ref.cptr));
    return cn === undefined ? undefined : { cn, slot: l2SlotOf(ref.cptr) };
  }

  ref(cn: number, slot: number): Capref {
    const c = this.cnodes[cn]!.cnode.cap;
    return capref2(c.root, l1IndexOf(c.cptr), slot);
  }

  ownerOf(ref: Capref): SlotOwner | undefined {
    const at = this.locate(ref);
    return at === undefined ? undefined : (this.cnodes[at.cn]!.owner[at.slot] as SlotOwner);
  }

  isClient(ref: Capref): boolean {
    return this.ownerOf(ref) === CLIENT;
  }

  /** The lowest free slot, without taking it. */
  lowestFree(): { cn: number; slot: number } | undefined {
    const cn = this.withFree.min();
    if (cn === undefined) return undefined;
    const bits = this.cnodes[cn]!.freeBits;
    for (let w = 0; w < WORDS; w++) if (bits[w] !== 0) return { cn, slot: (w << 5) | ctz(bits[w]!) };
    throw new RangeError(`CNode ${cn} is marked as having a free slot but has none`);
  }

  take(cn: number, slot: number, owner: typeof CLIENT | typeof INTERNAL): void {
    const c = this.cnodes[cn]!;
    if (owner === INTERNAL && this.forgetInternal) return;
    c.owner[slot] = owner;
    c.freeBits[slot >>> 5]! &= ~(1 << (slot & 31));
    c.free--;
    this.freeTotal--;
    if (owner === CLIENT) this.clientTotal++;
    if (c.free === 0) this.withFree.delete(cn);
  }

  release(cn: number, slot: number): void {
    const c = this.cnodes[cn]!;
    if (c.owner[slot] === CLIENT) this.clientTotal--;
    c.owner[slot] = FREE;
    c.freeBits[slot >>> 5]! |= 1 << (slot & 31);
    if (c.free === 0) this.withFree.add(cn);
    c.free++;
    this.freeTotal++;
  }

  /** Every client slot, in CNode order (for observation). */
  clientRefs(): Capref[] {
    const out: Capref[] = [];
    this.cnodes.forEach((c, cn) => {
      for (let s = 0; s < L2_CNODE_SLOTS; s++) if (c.owner[s] === CLIENT) out.push(this.ref(cn, s));
    });
    return out;
  }
}
