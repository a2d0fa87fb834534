// The memory manager's contract: what model/mm and impl/mm both implement,
// and what the layers above it (paging, spawning) program against.
//
// A memory manager runs in the init domain, next to the kernel it invokes
// (DESIGN.md: mm is a client of the capability kernel). It hands out RAM
// capabilities retyped from RAM it took over (`RamAllocator`), and it owns the
// domain's slot allocator (`SlotAllocator`), because refilling either one takes
// memory from the manager itself (seeds/002, the milestone's challenge).
// Barrelfish's equivalents: ram_alloc / ram_free over libmm's mm_alloc_aligned,
// mm_alloc_range, mm_free (include/mm/mm.h), and slot_alloc / slot_free
// (include/barrelfish/slot_alloc.h).
//
// Every call returns a result value; misuse is an error code, never an
// exception (an exception means a bug in capref).
import type { Capref } from '../kernel/capref.js';
import type { ArgName, KernelError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Region } from '../kernel/state.js';
import type { Result } from '../result.js';
import { bootLayout, ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SLOT_ALLOC2 } from '../kernel/boot.js';
import { capref1 } from '../kernel/capref.js';
import type { MmConfig } from './config.js';
import type { MmArgName, MmError } from './errors.js';
import type { AllocOp, MmOp, MmOpName, MmOpValue, PhysRange } from './ops.js';
import type { MmState, SlotCNode } from './state.js';

/** Errors an mm operation returns: its own, or — for a client step — the kernel's. */
export type MmAnyError = MmError | KernelError;
export type MmAnyArg = MmArgName | ArgName;
export type MmResult<N extends MmOpName = MmOpName> = Result<MmOpValue[N], MmAnyError, MmAnyArg>;
export type MmResultOf<O extends MmOp> = MmResult<O['op']>;

/** A request for RAM: `bytes` (a non-zero multiple of 4 KiB), aligned to `alignment` (a power of two ≥ 4 KiB; default 4 KiB), optionally within [range.base, range.limit). */
export interface RamRequest {
  readonly bytes: number;
  readonly alignment?: number;
  readonly range?: PhysRange;
}

export const allocOpOf = (r: RamRequest): AllocOp => ({
  op: 'alloc',
  bytes: r.bytes,
  ...(r.alignment !== undefined ? { alignment: r.alignment } : {}),
  ...(r.range !== undefined ? { range: r.range } : {}),
});

/**
 * Physical memory for the layers above: RAM capabilities of exactly the size
 * asked for, retyped from the manager's own RAM. The capability arrives in a
 * fresh slot of the slot allocator that the caller holds from then on.
 *
 *   allocRam  — MM_ERR_OUT_OF_MEMORY when nothing fits; LIB_ERR_RAM_ALLOC_WRONG_SIZE,
 *               MM_ERR_BAD_ALIGNMENT, MM_ERR_OUT_OF_BOUNDS (empty range) for bad requests.
 *   freeRam   — give back a capability allocRam returned (the whole allocation, or
 *               `range` of it: a partial free re-issues the parts kept with new
 *               capabilities). The manager revokes the capability first: whatever
 *               the caller derived from it (Frames, page tables, copies) goes too.
 *               The slot the capability was passed in returns to the slot allocator.
 */
export interface RamAllocator {
  allocRam(request: RamRequest): MmResult<'alloc'>;
  freeRam(cap: Capref, range?: Region): MmResult<'free'>;
}

/**
 * Capability slots for the layers above (every retype, copy and Mapping needs
 * one). Slots are handed out lowest first; the allocator refills itself with
 * L2CNodes retyped from the manager's RAM before it runs out.
 *
 *   allocSlot — LIB_ERR_SLOT_ALLOC_NO_SPACE when no slot is left and no memory to refill.
 *   freeSlot  — the slot must be one allocSlot (or allocRam) handed out and must be
 *               empty: LIB_ERR_SLOT_ALLOC_WRONG_CNODE, LIB_ERR_SLOT_UNALLOCATED,
 *               MM_ERR_SLOT_NOT_EMPTY.
 */
export interface SlotAllocator {
  allocSlot(): MmResult<'slot_alloc'>;
  freeSlot(slot: Capref): MmResult<'slot_free'>;
}

export interface MemoryManager extends RamAllocator, SlotAllocator {
  /** Runs one trace step (an mm operation or a client's kernel operation). Misuse returns an error value and changes nothing. */
  apply<O extends MmOp>(op: O): MmResultOf<O>;
  /** The canonical abstract state of the manager (the kernel's is observed on the kernel). */
  observe(): MmState;
}

/**
 * Builds a manager over a kernel that has just booted with `config.kernel`.
 * The manager starts with no memory: a trace (or init) adds the RAM
 * capabilities boot placed in the super CNode.
 */
export type MemoryManagerFactory = (kernel: Kernel, config: MmConfig) => MemoryManager;

/** Where the manager finds its CSpace after boot: the root CNode and the slot allocator's first L2CNodes. */
export interface MmBoot {
  readonly root: number;
  readonly slotCNodes: readonly SlotCNode[];
}

const slotAllocRootSlots = [ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SLOT_ALLOC2];

export function mmBoot(config: MmConfig): MmBoot {
  const layout = bootLayout(config.kernel);
  return {
    root: layout.rootCNode,
    slotCNodes: slotAllocRootSlots.slice(0, config.mm.slotCNodes).map((i) => ({ cap: capref1(layout.rootCNode, i), base: layout.l2cnodes[i]! })),
  };
}
