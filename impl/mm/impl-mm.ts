// The optimized memory manager. Same policies as the model (spec/mm/policy.ts:
// address-ordered first fit, lowest free slot, the refill rule), other data
// structures:
//   - free ranges in an AVL tree by address, augmented per alignment class
//     (free-tree.ts): first fit, split and coalesce in O(log n);
//   - allocations in a hash table by base (alloc-table.ts): free and reclaim find theirs in O(1);
//   - slots in per-CNode bitmaps with a summary bitmap (slot-table.ts): O(1);
//   - the slab and slot counts as counters, so a refill decision is O(log n).
// It invokes the kernel only through the `Kernel` interface. With `debug` it
// verifies its own structures after every operation.
import { capref1, type Capref } from '../../spec/kernel/capref.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { isMappingCap, regionEnd, type MemoryCap, type Region } from '../../spec/kernel/state.js';
import type { MemoryType } from '../../spec/kernel/types.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';
import { err, ok } from '../../spec/result.js';
import { MAX_NODES_PER_OP, nodesPerFrame, REFILL_NODES, REFILL_SLOTS, type MmConfig, type MmParams } from '../../spec/mm/config.js';
import { mmBoot, type MmResult, type MmResultOf } from '../../spec/mm/mm.js';
import {
  alignmentOf,
  type AddOp,
  type AllocOp,
  type FreeOp,
  type MmOp,
  type PhysRange,
  type RamGrant,
  type ReclaimOp,
  type SlotFreeOp,
} from '../../spec/mm/ops.js';
import { isPageMultiple, refillNeedsSlot, refillSize, validAlignment, validSize, type RefillAction } from '../../spec/mm/policy.js';
import { remaindersOf } from '../../spec/mm/preconditions.js';
import { MemoryManagerBase } from '../../spec/mm/manager-base.js';
import { canonicalMmState, internalObjectType, type MmState, type Parent } from '../../spec/mm/state.js';
import { AllocTable } from './alloc-table.js';
import { FreeTree } from './free-tree.js';
import type { MmMutant } from './mutants.js';
import { CLIENT, INTERNAL, SlotTable } from './slot-table.js';

export interface ImplMmOptions {
  readonly mutant?: MmMutant;
  /** Verify the tree, the counters and the maps after every operation (throws on a broken structure). */
  readonly debug?: boolean;
}

interface ParentRec extends Parent {
  readonly end: number;
}

export class ImplMm extends MemoryManagerBase {
  private readonly p: MmParams;
  private readonly root: number;
  /** By id (the order they were added). */
  private readonly parents: ParentRec[] = [];
  /** Parent ids sorted by base, for address lookups. */
  private parentOrder: number[] = [];
  private readonly tree = new FreeTree();
  private readonly allocs = new AllocTable();
  private readonly slots = new SlotTable();
  private capacity: number;
  private rootL2CNodes = 0;
  private readonly extensions: { base: number; used: number }[] = [];
  private readonly mutant: MmMutant | undefined;
  private readonly debug: boolean;

  constructor(kernel: Kernel, config: MmConfig, options: ImplMmOptions = {}) {
    super(kernel);
    const boot = mmBoot(config);
    this.p = config.mm;
    this.root = boot.root;
    for (const cn of boot.slotCNodes) this.slots.addCNode(cn, this.p.slotsPerCNode);
    this.capacity = config.mm.staticNodes;
    this.mutant = options.mutant;
    this.debug = options.debug ?? false;
    this.tree.skipPullOnShrink = this.mutant === 'stale-augmentation';
    this.slots.forgetInternal = this.mutant === 'internal-slot-unmarked';
  }

  // --- counts -------------------------------------------------------------------------

  private usedNodes(): number {
    return this.parents.length + this.tree.size + this.allocs.size;
  }

  private freeNodes(): number {
    return this.capacity - this.usedNodes();
  }

  // --- the kernel ----------------------------------------------------------------------

  private must(op: KernelOp): void {
    const r = this.kernel.apply(op);
    if (!r.ok) throw new Error(`mm: the kernel refused ${op.op}: ${r.error}`);
  }

  private identify(ref: Capref): MemoryCap | undefined {
    const r = this.kernel.apply({ op: 'identify', target: ref });
    return r.ok && !isMappingCap(r.value.cap) ? r.value.cap : undefined;
  }

  private retypeFrom(parent: ParentRec, r: Region, type: MemoryType, dest: Capref): void {
    this.must({ op: 'retype', src: parent.cap, offset: r.base - parent.base, type, objsize: r.bytes, count: 1, dest });
  }

  // --- ranges -------------------------------------------------------------------------------

  private parentAt(addr: number): number | undefined {
    let lo = 0;
    let hi = this.parentOrder.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.parents[this.parentOrder[mid]!]!;
      if (addr < p.base) hi = mid - 1;
      else if (addr >= p.end) lo = mid + 1;
      else return this.parentOrder[mid]!;
    }
    return undefined;
  }

  private fit(bytes: number, alignment: number, range?: PhysRange): { id: number; at: number; parent: number } | undefined {
    const lo = range?.base ?? 0;
    const hi = range === undefined || this.mutant === 'range-limit-ignored' ? Infinity : range.limit;
    const id = this.tree.firstFit(bytes, alignment, lo, hi);
    return id < 0 ? undefined : { id, at: this.tree.lastFit, parent: this.tree.parent(id) };
  }

  /** Takes [at, at+bytes) out of free range `id`. */
  private carve(id: number, at: number, bytes: number): void {
    const base = this.tree.base(id);
    const fend = this.tree.end(id);
    const end = at + bytes;
    if (base === at && fend === end) this.tree.remove(id);
    else if (base === at) this.tree.resize(id, end, fend);
    else if (fend === end) this.tree.resize(id, base, at);
    else {
      this.tree.resize(id, base, at);
      this.tree.insert(end, fend, this.tree.parent(id));
    }
  }

  /** Makes [base, base+bytes) of parent `pid` free, merged with free neighbours of the same parent. */
  private release(base: number, bytes: number, pid: number): void {
    const end = base + bytes;
    if (this.mutant === 'no-coalesce') {
      this.tree.insert(base, end, pid);
      return;
    }
    const acrossParents = this.mutant === 'merge-across-parents';
    const t = this.tree;
    t.neighbours(base);
    const pred = t.below;
    const succ = t.above;
    const joinPred = pred !== 0 && t.end(pred) === base && (acrossParents || t.parent(pred) === pid);
    const joinSucc = succ !== 0 && t.base(succ) === end && (acrossParents || t.parent(succ) === pid);
    if (joinPred && joinSucc) {
      const succEnd = t.end(succ);
      t.remove(succ);
      t.resize(pred, t.base(pred), succEnd);
    } else if (joinPred) t.resize(pred, t.base(pred), end);
    else if (joinSucc) t.resize(succ, base, t.end(succ));
    else t.insert(base, end, pid);
  }

  // --- refills --------------------------------------------------------------------------------

  private nextL2CNodeSlot(): Capref | undefined {
    if (this.rootL2CNodes < this.p.rootSlotsEnd - this.p.rootSlotsFirst) return capref1(this.root, this.p.rootSlotsFirst + this.rootL2CNodes);
    const ext = this.extensions[this.extensions.length - 1];
    return ext !== undefined && ext.used < this.p.extensionSlots ? capref1(ext.base, ext.used) : undefined;
  }

  private feasible(a: RefillAction): boolean {
    if (this.freeNodes() < REFILL_NODES) return false;
    if (refillNeedsSlot(a) && this.slots.free < REFILL_SLOTS) return false;
    return this.fit(refillSize(a, this.p), BASE_PAGE_SIZE) !== undefined;
  }

  private dueRefill(): RefillAction | undefined {
    const slabMark = this.mutant === 'late-slab-refill' ? this.p.slabLowWater - 1 : this.p.slabLowWater;
    if (this.freeNodes() < slabMark && this.feasible('frame')) return 'frame';
    if (this.slots.free < this.p.slotLowWater) {
      const a: RefillAction = this.nextL2CNodeSlot() === undefined ? 'l1cnode' : 'l2cnode';
      if (this.feasible(a)) return a;
    }
    return undefined;
  }

  private refill(): void {
    for (let a = this.dueRefill(); a !== undefined; a = this.dueRefill()) {
      const bytes = refillSize(a, this.p);
      const fit = this.fit(bytes, BASE_PAGE_SIZE)!;
      const parent = this.parents[fit.parent]!;
      let dest: Capref;
      let slot: { cn: number; slot: number } | undefined;
      if (a === 'l2cnode') dest = this.nextL2CNodeSlot()!;
      else {
        slot = this.slots.lowestFree()!;
        dest = this.slots.ref(slot.cn, slot.slot);
      }
      this.retypeFrom(parent, { base: fit.at, bytes }, internalObjectType[a], dest);
      this.carve(fit.id, fit.at, bytes);
      this.allocs.set({ base: fit.at, bytes, use: a, cap: dest, parent: fit.parent });
      if (slot !== undefined) this.slots.take(slot.cn, slot.slot, INTERNAL);
      if (a === 'l2cnode') {
        this.slots.addCNode({ cap: dest, base: fit.at }, this.p.slotsPerCNode);
        if (dest.root === this.root) this.rootL2CNodes++;
        else this.extensions[this.extensions.length - 1]!.used++;
      } else if (a === 'l1cnode') this.extensions.push({ base: fit.at, used: 0 });
      else this.capacity += nodesPerFrame(this.p);
    }
  }

  // --- operations ------------------------------------------------------------------------------

  apply<O extends MmOp>(op: O): MmResultOf<O> {
    const r = this.dispatch(op);
    if (this.debug) this.checkStructure();
    return r as MmResultOf<O>;
  }

  private dispatch(op: MmOp): MmResult {
    switch (op.op) {
      case 'add':
        return this.add(op);
      case 'alloc':
        return this.alloc(op);
      case 'free':
        return this.free(op);
      case 'reclaim':
        return this.reclaim(op);
      case 'slot_alloc': {
        const s = this.slots.lowestFree();
        if (s === undefined) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
        this.slots.take(s.cn, s.slot, CLIENT);
        this.refill();
        return ok({ slot: this.slots.ref(s.cn, s.slot) });
      }
      case 'slot_free':
        return this.slotFree(op);
      case 'client':
        return this.clientCall(op);
    }
  }

  private add(op: AddOp): MmResult {
    const k = this.identify(op.cap);
    if (k === undefined) return err('MM_ERR_NOT_FOUND', 'cap');
    if (k.type !== 'RAM') return err('MM_ERR_WRONG_TYPE', 'cap');
    const end = k.base + k.bytes;
    if (this.parents.some((p) => p.base < end && k.base < p.end)) return err('MM_ERR_ALREADY_PRESENT', 'cap');
    if (!this.kernel.apply({ op: 'is_retypeable', src: op.cap, offset: 0, objsize: k.bytes, count: 1 }).ok) return err('MM_ERR_IN_USE', 'cap');
    if (this.freeNodes() < MAX_NODES_PER_OP) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    const pid = this.parents.length;
    this.parents.push({ base: k.base, bytes: k.bytes, end, cap: op.cap });
    this.parentOrder = [...this.parentOrder, pid].sort((a, b) => this.parents[a]!.base - this.parents[b]!.base);
    // DEC-MM-NO-PARENT-COPY: the tree never hands out a range equal to the whole parent (the mutant drops the rule).
    if (this.mutant === 'whole-parent-grant') this.tree.setParentBounds(pid, -1, -1);
    else this.tree.setParentBounds(pid, k.base, end);
    this.tree.insert(k.base, end, pid);
    this.refill();
    return ok({ base: k.base, bytes: k.bytes });
  }

  private alloc(op: AllocOp): MmResult {
    const alignment = alignmentOf(op);
    if (!validSize(op.bytes)) return err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes');
    if (!validAlignment(alignment)) return err('MM_ERR_BAD_ALIGNMENT', 'alignment');
    if (op.range !== undefined && op.range.base >= op.range.limit) return err('MM_ERR_OUT_OF_BOUNDS', 'range');
    if (this.freeNodes() < MAX_NODES_PER_OP) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    const s = this.slots.lowestFree();
    if (s === undefined) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    const fit = this.fit(op.bytes, alignment, op.range);
    if (fit === undefined) return err('MM_ERR_OUT_OF_MEMORY');
    const cap = this.slots.ref(s.cn, s.slot);
    this.retypeFrom(this.parents[fit.parent]!, { base: fit.at, bytes: op.bytes }, 'RAM', cap);
    this.carve(fit.id, fit.at, op.bytes);
    this.allocs.set({ base: fit.at, bytes: op.bytes, use: 'client', parent: fit.parent });
    this.slots.take(s.cn, s.slot, CLIENT);
    this.refill();
    return ok({ cap, base: fit.at, bytes: op.bytes });
  }

  private free(op: FreeOp): MmResult {
    const k = this.identify(op.cap);
    if (k === undefined) return err('MM_ERR_NOT_FOUND', 'cap');
    const at = this.slots.locate(op.cap);
    if (at === undefined || !this.slots.isClient(op.cap)) return err('MM_ERR_FOREIGN_SLOT', 'cap');
    if (k.type !== 'RAM' || this.allocs.clientBytes(k.base) !== k.bytes) return err('MM_ERR_NOT_FOUND', 'cap');
    const a = { base: k.base, bytes: k.bytes, parent: this.allocs.parentOf(k.base) };
    const r = op.range ?? { base: a.base, bytes: a.bytes };
    if (!(r.bytes > 0 && isPageMultiple(r.base) && isPageMultiple(r.bytes) && r.base >= a.base && regionEnd(r) <= regionEnd(a)))
      return err('MM_ERR_OUT_OF_BOUNDS', 'range');
    let kept = remaindersOf(a, r);
    if (this.slots.free + 1 < kept.length) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    if (this.freeNodes() < kept.length) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    if (this.mutant !== 'free-without-revoke') this.must({ op: 'revoke', target: op.cap });
    this.must({ op: 'delete', target: op.cap });
    this.slots.release(at.cn, at.slot);
    this.allocs.delete(a.base);
    let freed: Region = r;
    if (this.mutant === 'partial-free-drops-upper' && kept.length > 0 && kept[kept.length - 1]!.base > r.base) {
      const upper = kept[kept.length - 1]!;
      freed = { base: r.base, bytes: regionEnd(upper) - r.base };
      kept = kept.slice(0, -1);
    }
    const parent = this.parents[a.parent]!;
    const remainders: RamGrant[] = [];
    for (const part of kept) {
      const s = this.slots.lowestFree()!;
      const cap = this.slots.ref(s.cn, s.slot);
      this.retypeFrom(parent, part, 'RAM', cap);
      this.slots.take(s.cn, s.slot, CLIENT);
      this.allocs.set({ base: part.base, bytes: part.bytes, use: 'client', parent: a.parent });
      remainders.push({ cap, base: part.base, bytes: part.bytes });
    }
    this.release(freed.base, freed.bytes, a.parent);
    this.refill();
    return ok({ remainders });
  }

  private reclaim(op: ReclaimOp): MmResult {
    const a = this.allocs.get(op.base);
    if (a === undefined || a.use !== 'client') return err('MM_ERR_NOT_FOUND', 'base');
    const parent = this.parents[a.parent]!;
    if (this.mutant !== 'reclaim-unchecked') {
      const r = this.kernel.apply({ op: 'is_retypeable', src: parent.cap, offset: a.base - parent.base, objsize: a.bytes, count: 1 });
      if (!r.ok) return err('MM_ERR_IN_USE', 'base');
    }
    this.allocs.delete(a.base);
    this.release(a.base, a.bytes, a.parent);
    this.refill();
    return ok({ base: a.base, bytes: a.bytes });
  }

  private slotFree(op: SlotFreeOp): MmResult {
    const at = this.slots.locate(op.slot);
    if (at === undefined) return err('LIB_ERR_SLOT_ALLOC_WRONG_CNODE', 'slot');
    if (!this.slots.isClient(op.slot)) return err('LIB_ERR_SLOT_UNALLOCATED', 'slot');
    if (this.kernel.apply({ op: 'identify', target: this.slots.ref(at.cn, at.slot) }).ok) return err('MM_ERR_SLOT_NOT_EMPTY', 'slot');
    this.slots.release(at.cn, at.slot);
    this.refill();
    return ok({});
  }

  protected isClientSlot(slot: Capref): boolean {
    return this.slots.isClient(slot);
  }

  // --- observation and self-checks -----------------------------------------------------------------

  observe(): MmState {
    return canonicalMmState({
      parents: this.parents.map((p) => ({ base: p.base, bytes: p.bytes, cap: p.cap })),
      free: [...this.tree.ranges()].map((f) => ({ base: f.base, bytes: f.end - f.base })),
      allocations: [...this.allocs.values()].map((a) => ({ base: a.base, bytes: a.bytes, use: a.use, ...(a.cap !== undefined ? { cap: a.cap } : {}) })),
      slab: { nodeBytes: this.p.nodeBytes, capacity: this.capacity, used: this.usedNodes() },
      slots: { cnodes: this.slots.cnodes.map((c) => c.cnode), free: this.slots.free, client: this.slots.clientRefs() },
    });
  }

  /** Verifies the impl's own data structures: the tree, that every free range lies in its parent, and the slot counters. */
  checkStructure(): void {
    this.tree.check();
    for (const f of this.tree.ranges()) {
      const p = this.parents[f.parent];
      if (p === undefined || f.base < p.base || f.end > p.end) throw new Error(`free range [${f.base}, ${f.end}) lies outside its parent`);
    }
    for (const a of this.allocs.values()) if (this.parentAt(a.base) !== a.parent) throw new Error(`allocation at ${a.base} names the wrong parent`);
    let free = 0;
    for (const c of this.slots.cnodes) free += c.free;
    if (free !== this.slots.free) throw new Error(`slot counters disagree: ${free} vs ${this.slots.free}`);
  }
}
