// The reference memory manager: the seeds' own design (seeds/001 §2.3-2.8) —
// one doubly linked list of regions sorted by address, each free or
// allocated, split on allocation and coalesced on free, searched first-fit
// from the head. Every question is a walk of the list; slots are a list
// too. Slow on purpose, short, obviously right. It talks to the kernel only
// through the `Kernel` interface, as a user-level memory manager must.
import { capref1, capref2, l1IndexOf, l2SlotOf, type Capref } from '../../spec/kernel/capref.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { isMappingCap, overlaps, regionEnd, type MemoryCap, type Region } from '../../spec/kernel/state.js';
import { BASE_PAGE_SIZE } from '../../spec/kernel/types.js';
import { err, ok } from '../../spec/result.js';
import { MAX_NODES_PER_OP, nodesPerFrame, REFILL_NODES, REFILL_SLOTS, type MmConfig, type MmParams } from '../../spec/mm/config.js';
import { mmBoot, type MmResult, type MmResultOf } from '../../spec/mm/mm.js';
import { alignmentOf, type AddOp, type AllocOp, type FreeOp, type MmOp, type RamGrant, type ReclaimOp, type SlotFreeOp } from '../../spec/mm/ops.js';
import { fitIn, isPageMultiple, refillNeedsSlot, refillSize, validAlignment, validSize, type RefillAction } from '../../spec/mm/policy.js';
import { remaindersOf } from '../../spec/mm/preconditions.js';
import { MemoryManagerBase } from '../../spec/mm/manager-base.js';
import { canonicalMmState, internalObjectType, type AllocationUse, type MmState, type Parent, type SlotCNode } from '../../spec/mm/state.js';

type SlotOwner = 'free' | 'client' | 'manager';

interface ModelCNode extends SlotCNode {
  readonly owner: SlotOwner[];
}

/** A CNode of the slot allocator: only its first `slots` slots are the allocator's (MmParams.slotsPerCNode). */
const slotCNode = (c: SlotCNode, slots: number): ModelCNode => ({ cap: c.cap, base: c.base, owner: Array.from({ length: slots }, () => 'free' as const) });

interface Node {
  base: number;
  bytes: number;
  free: boolean;
  use?: AllocationUse;
  /** Where the manager keeps its own object (metadata allocations only). */
  cap?: Capref;
  parent: Parent;
  prev?: Node;
  next?: Node;
}

export class ModelMm extends MemoryManagerBase {
  private head: Node | undefined;
  private readonly parents: Parent[] = [];
  /** The slot allocator: its L2CNodes in the order they were added, each with who holds each slot. */
  private readonly cnodes: ModelCNode[];
  private capacity: number;
  private readonly root: number;
  private readonly p: MmParams;

  constructor(kernel: Kernel, config: MmConfig) {
    super(kernel);
    const boot = mmBoot(config);
    this.root = boot.root;
    this.p = config.mm;
    this.cnodes = boot.slotCNodes.map((c) => slotCNode(c, this.p.slotsPerCNode));
    this.capacity = config.mm.staticNodes;
  }

  /**
   * A model manager holding a given state over a kernel that holds the
   * matching kernel state (for benchmarks that start from a snapshot).
   */
  static fromState(kernel: Kernel, config: MmConfig, state: MmState): ModelMm {
    const m = new ModelMm(kernel, config);
    m.cnodes.length = 0;
    m.cnodes.push(...state.slots.cnodes.map((c) => slotCNode(c, config.mm.slotsPerCNode)));
    for (const c of state.slots.client) m.take(c, 'client');
    for (const a of state.allocations) if (a.cap !== undefined && a.cap.level === 2) m.take(a.cap, 'manager');
    m.capacity = state.slab.capacity;
    m.parents.push(...state.parents);
    const regions: Omit<Node, 'parent'>[] = [
      ...state.free.map((r) => ({ base: r.base, bytes: r.bytes, free: true })),
      ...state.allocations.map((a) => ({ base: a.base, bytes: a.bytes, free: false, use: a.use, ...(a.cap !== undefined ? { cap: a.cap } : {}) })),
    ].sort((a, b) => a.base - b.base);
    let prev: Node | undefined;
    for (const r of regions) {
      const n: Node = { ...r, parent: m.parents.find((p) => p.base <= r.base && regionEnd(r) <= regionEnd(p))! };
      m.link(n, prev);
      prev = n;
    }
    return m;
  }

  // --- the list ------------------------------------------------------------------

  private *nodes(): Generator<Node> {
    for (let n = this.head; n !== undefined; n = n.next) yield n;
  }

  /** Nodes in the list (link and unlink count them). */
  private length = 0;

  /** Metadata nodes in use: one per parent and one per list node. */
  private usedNodes(): number {
    return this.parents.length + this.length;
  }

  private freeNodes(): number {
    return this.capacity - this.usedNodes();
  }

  /** Inserts `n` after `prev` (or at the head). */
  private link(n: Node, prev: Node | undefined): void {
    this.length++;
    n.prev = prev;
    n.next = prev === undefined ? this.head : prev.next;
    if (n.next !== undefined) n.next.prev = n;
    if (prev === undefined) this.head = n;
    else prev.next = n;
  }

  private unlink(n: Node): void {
    this.length--;
    if (n.prev === undefined) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next !== undefined) n.next.prev = n.prev;
  }

  /** Replaces `n` by `parts` (in address order), dropping empty ones. */
  private replace(n: Node, parts: Omit<Node, 'prev' | 'next' | 'parent'>[]): Node[] {
    let prev = n.prev;
    this.unlink(n);
    const made: Node[] = [];
    for (const part of parts) {
      if (part.bytes === 0) continue;
      const m: Node = { ...part, parent: n.parent };
      this.link(m, prev);
      prev = m;
      made.push(m);
    }
    return made;
  }

  /** Marks `n` free and merges it with free neighbours of the same parent. */
  private release(n: Node): void {
    n.free = true;
    delete n.use;
    delete n.cap;
    const next = n.next;
    if (next !== undefined && next.free && next.parent === n.parent && regionEnd(n) === next.base) {
      n.bytes += next.bytes;
      this.unlink(next);
    }
    const prev = n.prev;
    if (prev !== undefined && prev.free && prev.parent === n.parent && regionEnd(prev) === n.base) {
      prev.bytes += n.bytes;
      this.unlink(n);
    }
  }

  /** First fit: the first free node, from the head, that holds the request. */
  private firstFit(bytes: number, alignment: number, range?: AllocOp['range']): { node: Node; base: number } | undefined {
    for (let n = this.head; n !== undefined; n = n.next) {
      if (!n.free) continue;
      if (range !== undefined && (regionEnd(n) <= range.base || n.base >= range.limit)) continue;
      const at = fitIn(n, n.parent, bytes, alignment, range);
      if (at !== undefined) return { node: n, base: at };
    }
    return undefined;
  }

  /** Takes [base, base+bytes) out of free node `n` as an allocation. */
  private carve(n: Node, base: number, bytes: number, use: AllocationUse, cap?: Capref): void {
    this.replace(n, [
      { base: n.base, bytes: base - n.base, free: true },
      { base, bytes, free: false, use, ...(cap !== undefined ? { cap } : {}) },
      { base: base + bytes, bytes: regionEnd(n) - base - bytes, free: true },
    ]);
  }

  private clientAllocationAt(base: number, bytes?: number): Node | undefined {
    for (let n = this.head; n !== undefined; n = n.next)
      if (!n.free && n.use === 'client' && n.base === base && (bytes === undefined || n.bytes === bytes)) return n;
    return undefined;
  }

  // --- slots -----------------------------------------------------------------------

  /** The allocator CNode a level-2 capref points into, if any. */
  private cnodeOf(ref: Capref): ModelCNode | undefined {
    if (ref.level !== 2) return undefined;
    return this.cnodes.find((c) => c.cap.root === ref.root && l1IndexOf(c.cap.cptr) === l1IndexOf(ref.cptr));
  }

  /** The allocator CNode and slot a capref names, if it names a slot the allocator manages. */
  private slotAt(ref: Capref): { cn: ModelCNode; slot: number } | undefined {
    const cn = this.cnodeOf(ref);
    return cn === undefined || l2SlotOf(ref.cptr) >= cn.owner.length ? undefined : { cn, slot: l2SlotOf(ref.cptr) };
  }

  private take(ref: Capref, owner: SlotOwner): void {
    const at = this.slotAt(ref)!;
    at.cn.owner[at.slot] = owner;
  }

  private freeSlots(): number {
    let n = 0;
    for (const cn of this.cnodes) for (const o of cn.owner) if (o === 'free') n++;
    return n;
  }

  private lowestFreeSlot(): Capref | undefined {
    for (const cn of this.cnodes) {
      const s = cn.owner.indexOf('free');
      if (s >= 0) return capref2(cn.cap.root, l1IndexOf(cn.cap.cptr), s);
    }
    return undefined;
  }

  protected isClientSlot(ref: Capref): boolean {
    const at = this.slotAt(ref);
    return at !== undefined && at.cn.owner[at.slot] === 'client';
  }

  private clientSlots(): Capref[] {
    const out: Capref[] = [];
    for (const cn of this.cnodes) cn.owner.forEach((o, s) => o === 'client' && out.push(capref2(cn.cap.root, l1IndexOf(cn.cap.cptr), s)));
    return out;
  }

  // --- the kernel --------------------------------------------------------------------

  /** The manager's own kernel calls cannot fail: a refusal means the manager's bookkeeping is wrong (a bug). */
  private must(op: KernelOp): void {
    const r = this.kernel.apply(op);
    if (!r.ok) throw new Error(`mm: the kernel refused ${op.op}: ${r.error}`);
  }

  private identify(ref: Capref): MemoryCap | undefined {
    const r = this.kernel.apply({ op: 'identify', target: ref });
    return r.ok && !isMappingCap(r.value.cap) ? r.value.cap : undefined;
  }

  private retypeFrom(parent: Parent, r: Region, type: MemoryCap['type'], dest: Capref): void {
    this.must({ op: 'retype', src: parent.cap, offset: r.base - parent.base, type, objsize: r.bytes, count: 1, dest });
  }

  // --- refills ------------------------------------------------------------------------

  /** Where the next refill L2CNode goes: the reserved root slots, then the newest CSpace extension. */
  private nextL2CNodeSlot(): Capref | undefined {
    const inRoot = this.cnodes.filter(
      (c) => c.cap.root === this.root && l1IndexOf(c.cap.cptr) >= this.p.rootSlotsFirst && l1IndexOf(c.cap.cptr) < this.p.rootSlotsEnd,
    ).length;
    if (inRoot < this.p.rootSlotsEnd - this.p.rootSlotsFirst) return capref1(this.root, this.p.rootSlotsFirst + inRoot);
    for (const n of this.nodes())
      if (n.use === 'l1cnode') {
        const used = this.cnodes.filter((c) => c.cap.root === n.base).length;
        if (used < this.p.extensionSlots) return capref1(n.base, used);
      }
    return undefined;
  }

  private feasible(a: RefillAction): boolean {
    if (this.freeNodes() < REFILL_NODES) return false;
    if (refillNeedsSlot(a) && this.freeSlots() < REFILL_SLOTS) return false;
    return this.firstFit(refillSize(a, this.p), BASE_PAGE_SIZE) !== undefined;
  }

  /** Slab first: every refill, a slot refill too, needs nodes. */
  private dueRefill(): RefillAction | undefined {
    if (this.freeNodes() < this.p.slabLowWater && this.feasible('frame')) return 'frame';
    if (this.freeSlots() < this.p.slotLowWater) {
      const a: RefillAction = this.nextL2CNodeSlot() === undefined ? 'l1cnode' : 'l2cnode';
      if (this.feasible(a)) return a;
    }
    return undefined;
  }

  /** The refill loop (DEC-MM-METADATA): refills never trigger refills; they run between operations. */
  private refill(): void {
    for (let a = this.dueRefill(); a !== undefined; a = this.dueRefill()) {
      const bytes = refillSize(a, this.p);
      const fit = this.firstFit(bytes, BASE_PAGE_SIZE)!;
      const dest = a === 'l2cnode' ? this.nextL2CNodeSlot()! : this.lowestFreeSlot()!;
      const region = { base: fit.base, bytes };
      this.retypeFrom(fit.node.parent, region, internalObjectType[a], dest);
      this.carve(fit.node, fit.base, bytes, a, dest);
      if (a === 'l2cnode') this.cnodes.push(slotCNode({ cap: dest, base: fit.base }, this.p.slotsPerCNode));
      else this.take(dest, 'manager');
      if (a === 'frame') this.capacity += nodesPerFrame(this.p);
    }
  }

  // --- operations ------------------------------------------------------------------------

  apply<O extends MmOp>(op: O): MmResultOf<O> {
    return this.dispatch(op) as MmResultOf<O>;
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
        if (this.freeSlots() < 1) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
        const slot = this.lowestFreeSlot()!;
        this.take(slot, 'client');
        this.refill();
        return ok({ slot });
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
    if (this.parents.some((p) => overlaps(p, k))) return err('MM_ERR_ALREADY_PRESENT', 'cap');
    if (!this.kernel.apply({ op: 'is_retypeable', src: op.cap, offset: 0, objsize: k.bytes, count: 1 }).ok) return err('MM_ERR_IN_USE', 'cap');
    if (this.freeNodes() < MAX_NODES_PER_OP) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    const parent: Parent = { base: k.base, bytes: k.bytes, cap: op.cap };
    this.parents.push(parent);
    this.parents.sort((a, b) => a.base - b.base);
    let prev: Node | undefined;
    for (const n of this.nodes()) if (n.base < k.base) prev = n;
    this.link({ base: k.base, bytes: k.bytes, free: true, parent }, prev);
    this.refill();
    return ok({ base: k.base, bytes: k.bytes });
  }

  private alloc(op: AllocOp): MmResult {
    const alignment = alignmentOf(op);
    if (!validSize(op.bytes)) return err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes');
    if (!validAlignment(alignment)) return err('MM_ERR_BAD_ALIGNMENT', 'alignment');
    if (op.range !== undefined && op.range.base >= op.range.limit) return err('MM_ERR_OUT_OF_BOUNDS', 'range');
    if (this.freeNodes() < MAX_NODES_PER_OP) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    if (this.freeSlots() < 1) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    const fit = this.firstFit(op.bytes, alignment, op.range);
    if (fit === undefined) return err('MM_ERR_OUT_OF_MEMORY');
    const slot = this.lowestFreeSlot()!;
    this.retypeFrom(fit.node.parent, { base: fit.base, bytes: op.bytes }, 'RAM', slot);
    this.carve(fit.node, fit.base, op.bytes, 'client');
    this.take(slot, 'client');
    this.refill();
    return ok({ cap: slot, base: fit.base, bytes: op.bytes });
  }

  private free(op: FreeOp): MmResult {
    const k = this.identify(op.cap);
    if (k === undefined) return err('MM_ERR_NOT_FOUND', 'cap');
    if (!this.isClientSlot(op.cap)) return err('MM_ERR_FOREIGN_SLOT', 'cap');
    const a = k.type === 'RAM' ? this.clientAllocationAt(k.base, k.bytes) : undefined;
    if (a === undefined) return err('MM_ERR_NOT_FOUND', 'cap');
    const r = op.range ?? { base: a.base, bytes: a.bytes };
    if (!(r.bytes > 0 && isPageMultiple(r.base) && isPageMultiple(r.bytes) && r.base >= a.base && regionEnd(r) <= regionEnd(a)))
      return err('MM_ERR_OUT_OF_BOUNDS', 'range');
    const kept = remaindersOf(a, r);
    if (this.freeSlots() + 1 < kept.length) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    if (this.freeNodes() < kept.length) return err('LIB_ERR_SLAB_ALLOC_FAIL');
    // Revoke first: nothing derived from the capability may outlive the memory (DEC-MM-FREE-REVOKES).
    this.must({ op: 'revoke', target: op.cap });
    this.must({ op: 'delete', target: op.cap });
    this.take(op.cap, 'free');
    const parent = a.parent;
    const parts = this.replace(a, [
      { base: a.base, bytes: r.base - a.base, free: false, use: 'client' },
      { base: r.base, bytes: r.bytes, free: true },
      { base: regionEnd(r), bytes: regionEnd(a) - regionEnd(r), free: false, use: 'client' },
    ]);
    const remainders: RamGrant[] = [];
    for (const part of parts) {
      if (part.free) continue;
      const slot = this.lowestFreeSlot()!;
      this.retypeFrom(parent, part, 'RAM', slot);
      this.take(slot, 'client');
      remainders.push({ cap: slot, base: part.base, bytes: part.bytes });
    }
    this.release(parts.find((p) => p.free)!);
    this.refill();
    return ok({ remainders });
  }

  private reclaim(op: ReclaimOp): MmResult {
    const a = this.clientAllocationAt(op.base);
    if (a === undefined) return err('MM_ERR_NOT_FOUND', 'base');
    const inUse = !this.kernel.apply({ op: 'is_retypeable', src: a.parent.cap, offset: a.base - a.parent.base, objsize: a.bytes, count: 1 }).ok;
    if (inUse) return err('MM_ERR_IN_USE', 'base');
    const region = { base: a.base, bytes: a.bytes };
    this.release(a);
    this.refill();
    return ok(region);
  }

  private slotFree(op: SlotFreeOp): MmResult {
    const cn = this.cnodeOf(op.slot);
    if (cn === undefined) return err('LIB_ERR_SLOT_ALLOC_WRONG_CNODE', 'slot');
    if (!this.isClientSlot(op.slot)) return err('LIB_ERR_SLOT_UNALLOCATED', 'slot');
    if (this.kernel.apply({ op: 'identify', target: capref2(cn.cap.root, l1IndexOf(cn.cap.cptr), l2SlotOf(op.slot.cptr)) }).ok)
      return err('MM_ERR_SLOT_NOT_EMPTY', 'slot');
    this.take(op.slot, 'free');
    this.refill();
    return ok({});
  }

  observe(): MmState {
    const nodes = [...this.nodes()];
    return canonicalMmState({
      parents: this.parents,
      free: nodes.filter((n) => n.free).map((n) => ({ base: n.base, bytes: n.bytes })),
      allocations: nodes.filter((n) => !n.free).map((n) => ({ base: n.base, bytes: n.bytes, use: n.use!, ...(n.cap !== undefined ? { cap: n.cap } : {}) })),
      slab: { nodeBytes: this.p.nodeBytes, capacity: this.capacity, used: this.usedNodes() },
      slots: { cnodes: this.cnodes.map((c) => ({ cap: c.cap, base: c.base })), free: this.freeSlots(), client: this.clientSlots() },
    });
  }
}
