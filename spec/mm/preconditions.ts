// The spec's answer to "what must this mm operation return in this state":
// each operation has an ordered list of named checks, the first failing one
// decides the error (as for the kernel: spec/kernel/preconditions), and when
// all hold the spec also says what the success value is — where the
// allocation goes and which slot it arrives in — because the placement and
// slot policies are part of the spec (policy.ts).
//
// The state is the pair of observations: the manager's and the kernel's.
import { capref2, l1IndexOf, l2SlotOf, level2Cptr, type Capref } from '../kernel/capref.js';
import type { KernelOp } from '../kernel/ops.js';
import { expectedResult } from '../kernel/preconditions/index.js';
import { overlapsDescendant } from '../kernel/preconditions/retype.js';
import { lookupCap } from '../kernel/lookup.js';
import { cteAt } from '../kernel/query.js';
import { isMappingCap, overlaps, regionEnd, type CoreState, type KernelState, type MemoryCap, type Region } from '../kernel/state.js';
import { L2_CNODE_SLOTS } from '../kernel/types.js';
import { err, type Err } from '../result.js';
import { MAX_NODES_PER_OP, type MmConfig } from './config.js';
import type { MmAnyArg, MmAnyError, MmBoot } from './mm.js';
import {
  alignmentOf,
  type AddOp,
  type AllocOp,
  type ClientCall,
  type FreeOp,
  type MmOp,
  type MmOpName,
  type RamGrant,
  type ReclaimOp,
  type SlotFreeOp,
} from './ops.js';
import { firstFit, freeNodes, isClientSlot, isPageMultiple, lowestFreeSlot, parentOf, slotCNodeOf, validAlignment, validSize } from './policy.js';
import { caprefKey, type Allocation, type MmState, type Parent } from './state.js';

export type MmErr = Err<MmAnyError, MmAnyArg>;
/** Success (with the value the spec prescribes, when it prescribes one), or this error. */
export type MmExpectation = { readonly ok: true; readonly value?: unknown } | MmErr;

export interface MmContext<Op> {
  readonly mm: MmState;
  readonly kernel: KernelState;
  /** The kernel's core 0, where the manager and its client live. */
  readonly core: CoreState;
  readonly config: MmConfig;
  readonly boot: MmBoot;
  readonly op: Op;
}

export interface MmPrecondition<Op> {
  /** Stable id, e.g. "alloc.fit"; tests and docs refer to it. */
  readonly id: string;
  /** The error returned when the check fails ("kernel" for a client call the kernel refuses: the kernel's own preconditions decide). */
  readonly error: MmAnyError | 'kernel';
  readonly rule: string;
  readonly source: string;
  readonly check: (ctx: MmContext<Op>) => MmErr | undefined;
}

const MILESTONE = 'seeds/002 (milestone 1: mm_alloc_aligned, slot and slab allocators)';
const REPORT = 'seeds/001 §2';

// --- lookups against the kernel's state ------------------------------------------

/** The memory capability a capref names in the kernel's state, if any. */
export function memoryCapAt(core: CoreState, ref: Capref): MemoryCap | undefined {
  const r = lookupCap(core, ref, 'src', 'read');
  return r.ok && !isMappingCap(r.value.cap) ? r.value.cap : undefined;
}

/** The live client allocation a capability stands for: a RAM capability of exactly its region. */
export function clientAllocationOf(mm: MmState, cap: MemoryCap | undefined): Allocation | undefined {
  if (cap === undefined || cap.type !== 'RAM') return undefined;
  return mm.allocations.find((a) => a.use === 'client' && a.base === cap.base && a.bytes === cap.bytes);
}

/** The kernel's is_retypeable on a parent: does any capability other than the parent's copies and ancestors cover `r`? */
export function coveredBeyondParent(core: CoreState, parent: Parent, r: Region): boolean {
  const cap = memoryCapAt(core, parent.cap);
  if (cap === undefined) return true;
  return overlapsDescendant(core, cap, r);
}

/** The parts of `a` a partial free of `r` keeps, in address order. */
export function remaindersOf(a: Region, r: Region): Region[] {
  const out: Region[] = [];
  if (r.base > a.base) out.push({ base: a.base, bytes: r.base - a.base });
  if (regionEnd(r) < regionEnd(a)) out.push({ base: regionEnd(r), bytes: regionEnd(a) - regionEnd(r) });
  return out;
}

/** The slots a list of grants arrives in: lowest free first, after `released` went back to the allocator. */
function nextSlots(mm: MmState, p: MmConfig['mm'], count: number, released?: Capref): Capref[] {
  const client = released === undefined ? mm.slots.client : mm.slots.client.filter((c) => caprefKey(c) !== caprefKey(released));
  const out: Capref[] = [];
  for (let i = 0; i < count; i++) {
    const s = lowestFreeSlot({ allocations: mm.allocations, slots: { ...mm.slots, client: [...client, ...out] } }, p);
    if (s === undefined) break;
    out.push(s);
  }
  return out;
}

// --- add ------------------------------------------------------------------------------

export const addPreconditions: readonly MmPrecondition<AddOp>[] = [
  {
    id: 'add.cap',
    error: 'MM_ERR_NOT_FOUND',
    rule: 'The capref names a capability.',
    source: 'include/mm/mm.h mm_add',
    check: (c) => (memoryCapAt(c.core, c.op.cap) === undefined ? err('MM_ERR_NOT_FOUND', 'cap') : undefined),
  },
  {
    id: 'add.type',
    error: 'MM_ERR_WRONG_TYPE',
    rule: 'The capability is a RAM capability (the manager hands out RAM retyped from it).',
    source: `${MILESTONE}: "walks through all the initial RAM capabilities ... mm_add"`,
    check: (c) => (memoryCapAt(c.core, c.op.cap)!.type !== 'RAM' ? err('MM_ERR_WRONG_TYPE', 'cap') : undefined),
  },
  {
    id: 'add.disjoint',
    error: 'MM_ERR_ALREADY_PRESENT',
    rule: 'Its memory overlaps none the manager already manages.',
    source: 'lib/mm/mm.c add_node (MM_ERR_ALREADY_PRESENT)',
    check: (c) => {
      const k = memoryCapAt(c.core, c.op.cap)!;
      return c.mm.parents.some((p) => overlaps(p, k)) ? err('MM_ERR_ALREADY_PRESENT', 'cap') : undefined;
    },
  },
  {
    id: 'add.unused',
    error: 'MM_ERR_IN_USE',
    rule: 'Nothing has been derived from it: no capability but its copies and ancestors covers its memory (is_retypeable over the whole capability).',
    source: 'include/barrelfish_kpi/capabilities.h KernelCmd_Is_retypeable; DEC-MM-PARENTS',
    check: (c) => {
      const k = memoryCapAt(c.core, c.op.cap)!;
      return overlapsDescendant(c.core, k, k) ? err('MM_ERR_IN_USE', 'cap') : undefined;
    },
  },
  {
    id: 'add.slab',
    error: 'LIB_ERR_SLAB_ALLOC_FAIL',
    rule: `The slab has ${MAX_NODES_PER_OP} free nodes (the parent's and its free range's).`,
    source: `${MILESTONE}: the slab allocator "needs to be refilled manually"`,
    check: (c) => (freeNodes(c.mm) < MAX_NODES_PER_OP ? err('LIB_ERR_SLAB_ALLOC_FAIL') : undefined),
  },
];

// --- alloc ------------------------------------------------------------------------------

export const allocPreconditions: readonly MmPrecondition<AllocOp>[] = [
  {
    id: 'alloc.size',
    error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE',
    rule: 'The size is a non-zero multiple of 4 KiB (RAM capabilities are page-granular; the manager never rounds, so a grant is exactly what was asked).',
    source: 'errors/errno.fugu LIB_ERR_RAM_ALLOC_WRONG_SIZE; DEC-OBJSIZE',
    check: (c) => (validSize(c.op.bytes) ? undefined : err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes')),
  },
  {
    id: 'alloc.alignment',
    error: 'MM_ERR_BAD_ALIGNMENT',
    rule: 'The alignment is a power of two between 4 KiB and 4 GiB.',
    source: `${MILESTONE} (mm_alloc_aligned); capref bound MAX_ALIGNMENT`,
    check: (c) => (validAlignment(alignmentOf(c.op)) ? undefined : err('MM_ERR_BAD_ALIGNMENT', 'alignment')),
  },
  {
    id: 'alloc.range',
    error: 'MM_ERR_OUT_OF_BOUNDS',
    rule: 'A physical range, when given, is not empty: base < limit.',
    source: `include/mm/mm.h mm_alloc_range (minbase, maxlimit); ${REPORT}.8`,
    check: (c) => (c.op.range !== undefined && c.op.range.base >= c.op.range.limit ? err('MM_ERR_OUT_OF_BOUNDS', 'range') : undefined),
  },
  {
    id: 'alloc.slab',
    error: 'LIB_ERR_SLAB_ALLOC_FAIL',
    rule: `The slab has ${MAX_NODES_PER_OP} free nodes (an allocation may split a free range in two).`,
    source: `${MILESTONE}; ${REPORT}.5`,
    check: (c) => (freeNodes(c.mm) < MAX_NODES_PER_OP ? err('LIB_ERR_SLAB_ALLOC_FAIL') : undefined),
  },
  {
    id: 'alloc.slot',
    error: 'LIB_ERR_SLOT_ALLOC_NO_SPACE',
    rule: 'The slot allocator has a free slot for the new capability.',
    source: `${MILESTONE}; lib/barrelfish/slot_alloc`,
    check: (c) => (c.mm.slots.free < 1 ? err('LIB_ERR_SLOT_ALLOC_NO_SPACE') : undefined),
  },
  {
    id: 'alloc.fit',
    error: 'MM_ERR_OUT_OF_MEMORY',
    rule: 'Some free range holds the request at an aligned address (inside the range, when given), without covering a whole parent.',
    source: `${REPORT}.4 (first fit), §2.8 (ranged allocation); DEC-MM-FIRST-FIT, DEC-MM-NO-PARENT-COPY`,
    check: (c) => (firstFit(c.mm, c.op.bytes, alignmentOf(c.op), c.op.range) === undefined ? err('MM_ERR_OUT_OF_MEMORY') : undefined),
  },
];

// --- free -------------------------------------------------------------------------------

export const freePreconditions: readonly MmPrecondition<FreeOp>[] = [
  {
    id: 'free.cap',
    error: 'MM_ERR_NOT_FOUND',
    rule: 'The capref names a capability.',
    source: 'include/mm/mm.h mm_free',
    check: (c) => (memoryCapAt(c.core, c.op.cap) === undefined ? err('MM_ERR_NOT_FOUND', 'cap') : undefined),
  },
  {
    id: 'free.client-slot',
    error: 'MM_ERR_FOREIGN_SLOT',
    rule: 'The capability sits in a slot the client holds (a client cannot hand in what is not in its CSpace).',
    source: 'DEC-MM-CLIENT-CSPACE',
    check: (c) => (isClientSlot(c.mm, c.op.cap) ? undefined : err('MM_ERR_FOREIGN_SLOT', 'cap')),
  },
  {
    id: 'free.allocation',
    error: 'MM_ERR_NOT_FOUND',
    rule: 'It is a RAM capability of exactly a live client allocation.',
    source: 'lib/mm/mm.c mm_free (find_node: MM_ERR_NOT_FOUND)',
    check: (c) => (clientAllocationOf(c.mm, memoryCapAt(c.core, c.op.cap)) === undefined ? err('MM_ERR_NOT_FOUND', 'cap') : undefined),
  },
  {
    id: 'free.range',
    error: 'MM_ERR_OUT_OF_BOUNDS',
    rule: 'The part to free, when given, is a non-empty page-granular range inside the allocation.',
    source: `${REPORT}.7 (partial frees); errors/errno.fugu MM_ERR_OUT_OF_BOUNDS`,
    check: (c) => {
      const r = c.op.range;
      if (r === undefined) return undefined;
      const a = clientAllocationOf(c.mm, memoryCapAt(c.core, c.op.cap))!;
      const ok = r.bytes > 0 && isPageMultiple(r.base) && isPageMultiple(r.bytes) && r.base >= a.base && regionEnd(r) <= regionEnd(a);
      return ok ? undefined : err('MM_ERR_OUT_OF_BOUNDS', 'range');
    },
  },
  {
    id: 'free.slots',
    error: 'LIB_ERR_SLOT_ALLOC_NO_SPACE',
    rule: 'There is a slot for each part a partial free keeps (counting the slot the capability frees).',
    source: 'DEC-MM-PARTIAL-FREE',
    check: (c) => (c.mm.slots.free + 1 < remaindersFor(c).length ? err('LIB_ERR_SLOT_ALLOC_NO_SPACE') : undefined),
  },
  {
    id: 'free.slab',
    error: 'LIB_ERR_SLAB_ALLOC_FAIL',
    rule: 'The slab has a free node for each part a partial free keeps.',
    source: 'DEC-MM-PARTIAL-FREE',
    check: (c) => (freeNodes(c.mm) < remaindersFor(c).length ? err('LIB_ERR_SLAB_ALLOC_FAIL') : undefined),
  },
];

function remaindersFor(c: MmContext<FreeOp>): Region[] {
  const a = clientAllocationOf(c.mm, memoryCapAt(c.core, c.op.cap))!;
  return c.op.range === undefined ? [] : remaindersOf(a, c.op.range);
}

// --- reclaim ------------------------------------------------------------------------------

export const reclaimPreconditions: readonly MmPrecondition<ReclaimOp>[] = [
  {
    id: 'reclaim.allocation',
    error: 'MM_ERR_NOT_FOUND',
    rule: 'A live client allocation starts at this base.',
    source: 'DEC-MM-RECLAIM',
    check: (c) => (c.mm.allocations.some((a) => a.use === 'client' && a.base === c.op.base) ? undefined : err('MM_ERR_NOT_FOUND', 'base')),
  },
  {
    id: 'reclaim.unused',
    error: 'MM_ERR_IN_USE',
    rule: "No capability but the parent (and its copies) covers the allocation any more: the kernel's is_retypeable on the parent over that range succeeds.",
    source: 'include/barrelfish_kpi/capabilities.h KernelCmd_Is_retypeable; DEC-MM-RECLAIM',
    check: (c) => {
      const a = c.mm.allocations.find((x) => x.use === 'client' && x.base === c.op.base)!;
      const p = parentOf(c.mm.parents, a)!;
      return coveredBeyondParent(c.core, p, a) ? err('MM_ERR_IN_USE', 'base') : undefined;
    },
  },
];

// --- slots ---------------------------------------------------------------------------------

export const slotAllocPreconditions: readonly MmPrecondition<{ op: 'slot_alloc' }>[] = [
  {
    id: 'slot_alloc.free',
    error: 'LIB_ERR_SLOT_ALLOC_NO_SPACE',
    rule: 'A slot is free.',
    source: 'lib/barrelfish/slot_alloc (LIB_ERR_SLOT_ALLOC_NO_SPACE)',
    check: (c) => (c.mm.slots.free < 1 ? err('LIB_ERR_SLOT_ALLOC_NO_SPACE') : undefined),
  },
];

export const slotFreePreconditions: readonly MmPrecondition<SlotFreeOp>[] = [
  {
    id: 'slot_free.cnode',
    error: 'LIB_ERR_SLOT_ALLOC_WRONG_CNODE',
    rule: "The capref is a slot of one of the allocator's L2CNodes.",
    source: 'lib/barrelfish/slot_alloc/single_slot_alloc.c sfree (LIB_ERR_SLOT_ALLOC_WRONG_CNODE)',
    check: (c) => (slotCNodeOf(c.mm, c.op.slot) === undefined ? err('LIB_ERR_SLOT_ALLOC_WRONG_CNODE', 'slot') : undefined),
  },
  {
    id: 'slot_free.held',
    error: 'LIB_ERR_SLOT_UNALLOCATED',
    rule: 'The client holds the slot (slot_alloc or an allocation handed it out).',
    source: 'lib/barrelfish/slot_alloc (LIB_ERR_SLOT_UNALLOCATED); DEC-MM-CLIENT-CSPACE',
    check: (c) => (isClientSlot(c.mm, c.op.slot) ? undefined : err('LIB_ERR_SLOT_UNALLOCATED', 'slot')),
  },
  {
    id: 'slot_free.empty',
    error: 'MM_ERR_SLOT_NOT_EMPTY',
    rule: 'The slot is empty: a free slot must never hold a capability, or the next retype into it would fail.',
    source: 'DEC-MM-SLOT-EMPTY',
    check: (c) => {
      const cn = slotCNodeOf(c.mm, c.op.slot)!;
      return cteAt(c.core, { cnode: cn.base, slot: l2SlotOf(c.op.slot.cptr) }) !== undefined ? err('MM_ERR_SLOT_NOT_EMPTY', 'slot') : undefined;
    },
  },
];

// --- client calls --------------------------------------------------------------------------

/** Every slot a client call names: its caprefs, and for a retype all `count` destination slots. */
export function slotsNamedBy(call: ClientCall): Capref[] | 'too-many' {
  switch (call.op) {
    case 'retype': {
      if (call.count > L2_CNODE_SLOTS) return 'too-many';
      const dests: Capref[] = [];
      for (let i = 0; i < Math.max(1, call.count); i++) {
        if (call.dest.level !== 2) dests.push(i === 0 ? call.dest : { ...call.dest, cptr: level2Cptr(l1IndexOf(call.dest.cptr) + i, 0) });
        else dests.push(capref2(call.dest.root, l1IndexOf(call.dest.cptr), l2SlotOf(call.dest.cptr) + i));
      }
      return [call.src, ...dests];
    }
    case 'copy':
    case 'mint':
      return [call.src, call.dest];
    case 'delete':
    case 'revoke':
    case 'identify':
      return [call.target];
    case 'vnode_map':
      return [call.vnode, call.src, call.mapping];
    case 'vnode_unmap':
      return [call.vnode, call.mapping];
    case 'is_retypeable':
      return [call.src];
  }
}

export const clientPreconditions: readonly MmPrecondition<{ op: 'client'; call: ClientCall }>[] = [
  {
    id: 'client.slots',
    error: 'MM_ERR_FOREIGN_SLOT',
    rule: "Every slot the call names is one the client holds, as written (its CSpace is the slots it was handed; the manager's parents, metadata and free slots are not in it). Then the kernel decides.",
    source: 'DEC-MM-CLIENT-CSPACE',
    check: (c) => {
      const named = slotsNamedBy(c.op.call);
      if (named === 'too-many') return err('MM_ERR_FOREIGN_SLOT', 'slot');
      const held = new Set(c.mm.slots.client.map(caprefKey));
      return named.every((r) => held.has(caprefKey(r))) ? undefined : err('MM_ERR_FOREIGN_SLOT', 'slot');
    },
  },
  {
    id: 'client.kernel',
    error: 'kernel',
    rule: "The kernel's own preconditions for the call (spec/kernel/preconditions): the manager passes a client call on unchanged.",
    source: 'spec/kernel/preconditions',
    check: (c) => {
      const e = expectedResult(c.kernel, c.op.call as KernelOp);
      return e.ok ? undefined : e;
    },
  },
];

export const mmPreconditionsByOp: Readonly<Record<MmOpName, readonly MmPrecondition<never>[]>> = {
  add: addPreconditions,
  alloc: allocPreconditions,
  free: freePreconditions,
  reclaim: reclaimPreconditions,
  slot_alloc: slotAllocPreconditions,
  slot_free: slotFreePreconditions,
  client: clientPreconditions,
};

/** What the spec prescribes, and the id of the precondition that decided it (none when the step succeeds). */
export interface MmJudgement {
  readonly expected: MmExpectation;
  readonly decidedBy?: string;
}

/** Runs the checks in order; the first failure is the result (the kernel's judge, spec/kernel/preconditions/framework.ts, over mm contexts). */
function judge<Op>(checks: readonly MmPrecondition<Op>[], ctx: MmContext<Op>): MmJudgement | undefined {
  for (const p of checks) {
    const f = p.check(ctx);
    if (f !== undefined) return { expected: f, decidedBy: p.id };
  }
  return undefined;
}

/** Every precondition id of the mm spec, in checking order (for coverage summaries and tests). */
export const mmPreconditionIds: readonly string[] = Object.values(mmPreconditionsByOp).flatMap((list) => list.map((p) => p.id));

/**
 * What the spec says `op` must return, given both observations, and which
 * precondition decided a refusal. Pure; never throws for a schema-valid op.
 */
export function judgeMm(mm: MmState, kernel: KernelState, config: MmConfig, boot: MmBoot, op: MmOp): MmJudgement {
  const core = kernel.cores[0]!;
  const ctx = <O>(o: O): MmContext<O> => ({ mm, kernel, core, config, boot, op: o });
  const success = (value: unknown): MmJudgement => ({ expected: { ok: true, value } });
  switch (op.op) {
    case 'add': {
      const f = judge(addPreconditions, ctx(op));
      if (f) return f;
      const k = memoryCapAt(core, op.cap)!;
      return success({ base: k.base, bytes: k.bytes });
    }
    case 'alloc': {
      const f = judge(allocPreconditions, ctx(op));
      if (f) return f;
      const at = firstFit(mm, op.bytes, alignmentOf(op), op.range)!;
      const grant: RamGrant = { cap: lowestFreeSlot(mm, config.mm)!, base: at.base, bytes: op.bytes };
      return success(grant);
    }
    case 'free': {
      const f = judge(freePreconditions, ctx(op));
      if (f) return f;
      const a = clientAllocationOf(mm, memoryCapAt(core, op.cap))!;
      const kept = op.range === undefined ? [] : remaindersOf(a, op.range);
      const slots = nextSlots(mm, config.mm, kept.length, op.cap);
      return success({ remainders: kept.map((r, i) => ({ cap: slots[i]!, base: r.base, bytes: r.bytes })) });
    }
    case 'reclaim': {
      const f = judge(reclaimPreconditions, ctx(op));
      if (f) return f;
      const a = mm.allocations.find((x) => x.use === 'client' && x.base === op.base)!;
      return success({ base: a.base, bytes: a.bytes });
    }
    case 'slot_alloc':
      return judge(slotAllocPreconditions, ctx(op)) ?? success({ slot: lowestFreeSlot(mm, config.mm)! });
    case 'slot_free':
      return judge(slotFreePreconditions, ctx(op)) ?? success({});
    case 'client':
      // The kernel's success value depends on its own decisions (a retype's objects, an identify's capability): the spec prescribes success only.
      return judge(clientPreconditions, ctx(op)) ?? { expected: { ok: true } };
  }
}

/** What the spec says `op` must return, given both observations. */
export const expectedMmResult = (mm: MmState, kernel: KernelState, config: MmConfig, boot: MmBoot, op: MmOp): MmExpectation =>
  judgeMm(mm, kernel, config, boot, op).expected;
