// The manager's policies, as pure functions over its abstract state: where an
// allocation goes, which slot is handed out next, how many metadata nodes the
// state needs, and which refill is due. Model and impl implement these same
// decisions with their own data structures (a list; a tree); the spec states
// them once, slowly and plainly, and conformance checks both against them.
import { capref1, capref2, l1IndexOf, l2SlotOf, type Capref } from '../kernel/capref.js';
import { regionEnd, type Region } from '../kernel/state.js';
import { BASE_PAGE_SIZE } from '../kernel/types.js';
import { CSPACE_EXTENSION_BYTES, MAX_ALIGNMENT, nodesPerFrame, REFILL_NODES, REFILL_SLOTS, SLOT_REFILL_BYTES, type MmParams } from './config.js';
import type { PhysRange } from './ops.js';
import { caprefKey, type MmState, type Parent } from './state.js';

export const isPowerOfTwo = (x: number): boolean => Number.isSafeInteger(x) && x > 0 && 2 ** Math.round(Math.log2(x)) === x;
/** Exact for powers of two below 2^53: the division and the product are exact in binary floating point. */
export const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
export const isPageMultiple = (x: number): boolean => Number.isSafeInteger(x) && x % BASE_PAGE_SIZE === 0;

export const validSize = (bytes: number): boolean => bytes > 0 && isPageMultiple(bytes);
export const validAlignment = (a: number): boolean => isPowerOfTwo(a) && a >= BASE_PAGE_SIZE && a <= MAX_ALIGNMENT;

export function parentOf(parents: readonly Parent[], r: Region): Parent | undefined {
  return parents.find((p) => p.base <= r.base && regionEnd(r) <= regionEnd(p));
}

/**
 * Where a free range [f.base, f.end) of parent `p` can hold `bytes` aligned to
 * `alignment` within `range`: the lowest such address, or undefined.
 *
 * An allocation never covers a whole parent (DEC-MM-NO-PARENT-COPY): the
 * kernel would make it a copy of the parent, not a descendant, and revoking
 * that copy would take the parent — and everything handed out from it — away.
 */
export function fitIn(f: Region, p: Region, bytes: number, alignment: number, range?: PhysRange): number | undefined {
  const lo = range === undefined ? f.base : Math.max(f.base, range.base);
  const hi = range === undefined ? regionEnd(f) : Math.min(regionEnd(f), range.limit);
  const at = alignUp(lo, alignment);
  if (at + bytes > hi) return undefined;
  if (at === p.base && bytes === p.bytes) return undefined;
  return at;
}

/**
 * The placement policy — address-ordered first fit (DEC-MM-FIRST-FIT): the
 * lowest address, aligned to `alignment`, at which `bytes` fit inside one
 * free range (and within `range`, when given). Undefined when none does.
 */
export function firstFit(
  state: Pick<MmState, 'free' | 'parents'>,
  bytes: number,
  alignment: number,
  range?: PhysRange,
): { base: number; parent: Parent } | undefined {
  for (const f of state.free) {
    if (range !== undefined && (regionEnd(f) <= range.base || f.base >= range.limit)) continue;
    const p = parentOf(state.parents, f);
    if (p === undefined) continue;
    const at = fitIn(f, p, bytes, alignment, range);
    if (at !== undefined) return { base: at, parent: p };
  }
  return undefined;
}

// --- slots ----------------------------------------------------------------------

/** Slots the manager holds itself: the level-2 caprefs of its metadata objects (slab frames, CSpace extensions). */
export function internalSlots(state: Pick<MmState, 'allocations'>): Capref[] {
  return state.allocations.filter((a) => a.cap !== undefined && a.cap.level === 2).map((a) => a.cap!);
}

/**
 * The slot allocator's policy: the lowest free slot, CNodes in the order they
 * were added, and in each CNode only its first `slotsPerCNode` slots.
 */
export function lowestFreeSlot(state: Pick<MmState, 'allocations' | 'slots'>, p: Pick<MmParams, 'slotsPerCNode'>): Capref | undefined {
  const used = new Set([...state.slots.client, ...internalSlots(state)].map(caprefKey));
  for (const cn of state.slots.cnodes) {
    const l1 = l1IndexOf(cn.cap.cptr);
    for (let s = 0; s < p.slotsPerCNode; s++) {
      const ref = capref2(cn.cap.root, l1, s);
      if (!used.has(caprefKey(ref))) return ref;
    }
  }
  return undefined;
}

/** The allocator CNode a level-2 capref points into, if any. */
export function slotCNodeOf(state: Pick<MmState, 'slots'>, ref: Capref): MmState['slots']['cnodes'][number] | undefined {
  if (ref.level !== 2) return undefined;
  const l1 = l1IndexOf(ref.cptr);
  return state.slots.cnodes.find((c) => c.cap.root === ref.root && c.cap.level === 1 && l1IndexOf(c.cap.cptr) === l1);
}

export const slotIndexOf = (ref: Capref): number => l2SlotOf(ref.cptr);

/** Whether a capref is a slot the allocator manages: one of the first `slotsPerCNode` of one of its CNodes. */
export const isAllocatorSlot = (state: Pick<MmState, 'slots'>, ref: Capref, p: Pick<MmParams, 'slotsPerCNode'>): boolean =>
  slotCNodeOf(state, ref) !== undefined && l2SlotOf(ref.cptr) < p.slotsPerCNode;

export function isClientSlot(state: Pick<MmState, 'slots'>, ref: Capref): boolean {
  const k = caprefKey(ref);
  return state.slots.client.some((c) => caprefKey(c) === k);
}

// --- metadata accounting ---------------------------------------------------------

/** Nodes the state needs: one per parent, per free range and per allocation (what a C manager of either design stores). */
export const nodeDemand = (state: Pick<MmState, 'parents' | 'free' | 'allocations'>): number =>
  state.parents.length + state.free.length + state.allocations.length;

/** Slab capacity: the static buffer plus every slab frame. */
export const slabCapacity = (state: Pick<MmState, 'allocations'>, p: MmParams): number =>
  p.staticNodes + state.allocations.filter((a) => a.use === 'frame').length * nodesPerFrame(p);

export const freeNodes = (state: MmState): number => state.slab.capacity - state.slab.used;

// --- refills -------------------------------------------------------------------------

export type RefillAction = 'l2cnode' | 'l1cnode' | 'frame';

/** Bytes a refill allocates: an L2CNode, an L1CNode of 256 slots, or a slab frame. */
export const refillSize = (a: RefillAction, p: MmParams): number =>
  a === 'frame' ? p.slabFrameBytes : a === 'l2cnode' ? SLOT_REFILL_BYTES : CSPACE_EXTENSION_BYTES;
/** Whether the refill's object goes into a slot of the slot allocator (an L2CNode goes into an L1 slot instead). */
export const refillNeedsSlot = (a: RefillAction): boolean => a !== 'l2cnode';

/**
 * Where the next refill L2CNode goes: the root CNode's slots in
 * [rootSlotsFirst, rootSlotsEnd), in order; once they are taken, the slots of
 * the newest CSpace extension (an L1CNode the manager created), in order,
 * up to `extensionSlots` of them.
 * Undefined when every table is full (the next slot refill opens an extension).
 */
export function nextL2CNodeSlot(state: Pick<MmState, 'allocations' | 'slots'>, root: number, p: MmParams): Capref | undefined {
  const inRoot = state.slots.cnodes.filter(
    (c) => c.cap.root === root && l1IndexOf(c.cap.cptr) >= p.rootSlotsFirst && l1IndexOf(c.cap.cptr) < p.rootSlotsEnd,
  ).length;
  if (inRoot < p.rootSlotsEnd - p.rootSlotsFirst) return capref1(root, p.rootSlotsFirst + inRoot);
  for (const ext of state.allocations.filter((a) => a.use === 'l1cnode')) {
    const used = state.slots.cnodes.filter((c) => c.cap.root === ext.base).length;
    if (used < p.extensionSlots) return capref1(ext.base, used);
  }
  return undefined;
}

/** Whether a refill can be made in this state: nodes and a slot for it, and memory that fits. */
export function refillFeasible(state: MmState, a: RefillAction, p: MmParams): boolean {
  if (freeNodes(state) < REFILL_NODES) return false;
  if (refillNeedsSlot(a) && state.slots.free < REFILL_SLOTS) return false;
  return firstFit(state, refillSize(a, p), BASE_PAGE_SIZE) !== undefined;
}

/**
 * The refill rule (seeds/001 §2.5, made exact). After every successful
 * operation of its own, the manager makes refills while one is due:
 *   1. fewer than slabLowWater free nodes → a slab frame (first: every
 *      refill, slot refills included, needs nodes);
 *   2. otherwise, or when that is impossible, fewer than slotLowWater free
 *      slots → an L2CNode into the next L1 slot (or, when no table has room,
 *      a CSpace extension first).
 * A refill's own allocation never triggers a refill (the report's refill
 * flag): refills happen only between operations, one at a time.
 */
export function nextRefill(state: MmState, root: number, p: MmParams): RefillAction | undefined {
  if (freeNodes(state) < p.slabLowWater && refillFeasible(state, 'frame', p)) return 'frame';
  if (state.slots.free < p.slotLowWater) {
    const a: RefillAction = nextL2CNodeSlot(state, root, p) === undefined ? 'l1cnode' : 'l2cnode';
    if (refillFeasible(state, a, p)) return a;
  }
  return undefined;
}
