// Each paging operation's preconditions as an ordered list of named checks
// (the shape of ../kernel/preconditions/framework.ts): the first that fails
// decides the error, so the spec answers "what must this step return in this
// state". The state is the address space's observation together with the
// kernel's (a map looks its frame capability up in the kernel).
//
// Allocator errors are the allocators' contract (spec/mm), not paging's: the
// spec cannot predict them from these observations, so where it prescribes
// success, `acceptableInsteadOfSuccess` lists what may come instead.
import { archProfiles, type ArchProfile } from '../kernel/arch.js';
import { lookupCap } from '../kernel/lookup.js';
import { expectedResult } from '../kernel/preconditions/index.js';
import { coreOf } from '../kernel/query.js';
import { hasRights } from '../kernel/rights.js';
import { isMappingCap, type CoreState, type KernelState, type MemoryCap } from '../kernel/state.js';
import { mmErrors, type MmError } from '../mm/errors.js';
import { err, type Err } from '../result.js';
import type { PagingConfig, PagingParams } from './config.js';
import { resourceErrors, type PagingAnyArg, type PagingAnyError } from './errors.js';
import { isPageAligned, PAGE_SIZE, pageOf } from './layout.js';
import {
  clientCallSlots,
  type ClientOp,
  type FaultOp,
  type FrameAllocOp,
  type MapOp,
  type PagingOp,
  type PagingOpName,
  type RamFreeOp,
  type ReleaseOp,
  type ReserveOp,
  type UnmapOp,
} from './ops.js';
import {
  clientMappingAt,
  firstFit,
  fixedPlacement,
  holds,
  mappingContaining,
  mappingsOverlapping,
  regionContaining,
  regionStartingAt,
  type Range,
} from './query.js';
import type { PagingState } from './state.js';

export type PagingErr = Err<PagingAnyError, PagingAnyArg>;
export type PagingExpectation = { readonly ok: true } | PagingErr;

export interface PagingContext<Op> {
  readonly state: PagingState;
  /** The kernel's state of the address space's core (core 0). */
  readonly core: CoreState;
  readonly arch: ArchProfile;
  readonly window: PagingParams;
  readonly op: Op;
}

export interface PagingPrecondition<C> {
  /** Stable id, e.g. "map.placement"; tests and docs refer to it. */
  readonly id: string;
  /** The error returned when the check fails ("lookup" for the kernel's capref lookup errors, "kernel" for a client call's). */
  readonly error: PagingAnyError | 'lookup' | 'kernel';
  readonly rule: string;
  readonly source: string;
  readonly check: (ctx: C) => PagingErr | undefined;
}

/** What the spec prescribes, and the id of the precondition that decided it (none when the step succeeds). */
export interface PagingJudgement {
  readonly expected: PagingExpectation;
  readonly decidedBy?: string;
}

/** Runs the checks in order; the first failure is the result (the kernel's judge, spec/kernel/preconditions/framework.ts, over paging contexts). */
export function judgePagingChecks<C>(checks: readonly PagingPrecondition<C>[], ctx: C): PagingJudgement {
  for (const p of checks) {
    const f = p.check(ctx);
    if (f !== undefined) return { expected: f, decidedBy: p.id };
  }
  return { expected: { ok: true } };
}

const NULL_PAGE: Range = { base: 0, bytes: PAGE_SIZE };
const touchesNull = (r: Range): boolean => r.base < NULL_PAGE.bytes;
const inWindow = (w: PagingParams, r: Range): boolean => r.base >= w.vbase && r.base + r.bytes <= w.vlimit;
const sizeOk = (bytes: number): boolean => bytes > 0 && isPageAligned(bytes);

/** The fixed-address checks reserve and map share, in order. */
function fixedRangeChecks<C extends PagingContext<ReserveOp | MapOp>>(prefix: string, range: (c: C) => Range | undefined): PagingPrecondition<C>[] {
  return [
    {
      id: `${prefix}.vaddr-aligned`,
      error: 'LIB_ERR_VREGION_BAD_ALIGNMENT',
      rule: 'A fixed address is a multiple of 4 KiB.',
      source: 'lib/barrelfish/vspace/vregion.c vregion_map_fixed',
      check: (c) => (c.op.vaddr === undefined || isPageAligned(c.op.vaddr) ? undefined : err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'vaddr')),
    },
    {
      id: `${prefix}.not-null`,
      error: 'PAGING_ERR_NULL_PAGE',
      rule: 'A fixed range does not contain the NULL page.',
      source: 'seeds/001 §3.4 (the fault handler refuses NULL dereferences); PG-NULL-NEVER-MAPPED',
      check: (c) => {
        const r = range(c);
        return r !== undefined && touchesNull(r) ? err('PAGING_ERR_NULL_PAGE', 'vaddr') : undefined;
      },
    },
    {
      id: `${prefix}.in-window`,
      error: 'PAGING_ERR_OUTSIDE_WINDOW',
      rule: 'A fixed range lies inside the window the address space manages.',
      source: 'capref (config paging.vbase, paging.vlimit)',
      check: (c) => {
        const r = range(c);
        return r !== undefined && !inWindow(c.window, r) ? err('PAGING_ERR_OUTSIDE_WINDOW', 'vaddr') : undefined;
      },
    },
  ];
}

type ReserveContext = PagingContext<ReserveOp>;

export const reservePreconditions: readonly PagingPrecondition<ReserveContext>[] = [
  {
    id: 'reserve.size',
    error: 'LIB_ERR_VREGION_BAD_ALIGNMENT',
    rule: 'The size is a non-zero multiple of 4 KiB.',
    source: 'lib/barrelfish/vspace/vregion.c (sizes are page multiples)',
    check: (c) => (sizeOk(c.op.bytes) ? undefined : err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes')),
  },
  ...fixedRangeChecks<ReserveContext>('reserve', (c) => (c.op.vaddr === undefined ? undefined : { base: c.op.vaddr, bytes: c.op.bytes })),
  {
    id: 'reserve.free',
    error: 'LIB_ERR_VSPACE_REGION_OVERLAP',
    rule: 'A fixed range overlaps no region.',
    source: 'lib/barrelfish/vspace/vspace.c vspace_add_region',
    check: (c) => {
      if (c.op.vaddr === undefined) return undefined;
      return fixedPlacement(c.state, { base: c.op.vaddr, bytes: c.op.bytes }).kind === 'free' ? undefined : err('LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr');
    },
  },
  {
    id: 'reserve.fit',
    error: 'LIB_ERR_OUT_OF_VIRTUAL_ADDR',
    rule: 'Without an address, some free range of the window holds the size (first fit).',
    source: 'DEC-PAGING-FIRST-FIT',
    check: (c) => (c.op.vaddr !== undefined || firstFit(c.state, c.window, c.op.bytes) !== undefined ? undefined : err('LIB_ERR_OUT_OF_VIRTUAL_ADDR', 'bytes')),
  },
];

export interface MapContext extends PagingContext<MapOp> {
  frame?: MemoryCap;
}
const mapOffset = (c: MapContext): number => c.op.offset ?? 0;
/** The bytes a map covers: as given, or the rest of the frame. */
export const mapBytes = (op: MapOp, frame: MemoryCap): number => op.bytes ?? frame.bytes - (op.offset ?? 0);

export const mapPreconditions: readonly PagingPrecondition<MapContext>[] = [
  {
    id: 'map.client-slot',
    error: 'MM_ERR_FOREIGN_SLOT',
    rule: 'The client holds the frame capref it passes.',
    source: 'spec/mm (MM_ERR_FOREIGN_SLOT): a client names only its own slots',
    check: (c) => (holds(c.state, c.op.frame) ? undefined : err('MM_ERR_FOREIGN_SLOT', 'frame')),
  },
  {
    id: 'map.frame',
    error: 'lookup',
    rule: "The frame capref resolves to a capability (the kernel's lookup errors, about `frame`).",
    source: 'kernel/capabilities.c caps_lookup_slot; lib/barrelfish frame_identify',
    check: (c) => {
      const r = lookupCap(c.core, c.op.frame, 'src', 'read');
      if (!r.ok) return err(r.error, 'frame');
      if (!isMappingCap(r.value.cap)) c.frame = r.value.cap;
      return undefined;
    },
  },
  {
    id: 'map.mappable',
    error: 'LIB_ERR_CAP_NOT_MAPPABLE',
    rule: 'The capability is a Frame or a DevFrame.',
    source: 'include/barrelfish/capabilities.h cap_identify_mappable (LIB_ERR_CAP_NOT_MAPPABLE when the type is not mappable)',
    check: (c) => (c.frame !== undefined && (c.frame.type === 'Frame' || c.frame.type === 'DevFrame') ? undefined : err('LIB_ERR_CAP_NOT_MAPPABLE', 'frame')),
  },
  {
    id: 'map.offset-aligned',
    error: 'LIB_ERR_VREGION_BAD_ALIGNMENT',
    rule: 'The offset into the frame is a multiple of 4 KiB.',
    source: 'lib/barrelfish/vspace/memobj_one_frame.c (offsets are page multiples)',
    check: (c) => (isPageAligned(mapOffset(c)) ? undefined : err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'offset')),
  },
  {
    id: 'map.size',
    error: 'LIB_ERR_VREGION_BAD_ALIGNMENT',
    rule: 'The size, when given, is a non-zero multiple of 4 KiB.',
    source: 'lib/barrelfish/vspace/vregion.c',
    check: (c) => (c.op.bytes === undefined || sizeOk(c.op.bytes) ? undefined : err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes')),
  },
  {
    id: 'map.frame-size',
    error: 'LIB_ERR_PMAP_FRAME_SIZE',
    rule: 'The mapped part lies inside the frame and is not empty: offset < frame size and offset + size <= frame size.',
    source: 'lib/barrelfish/arch/*/pmap.c (LIB_ERR_PMAP_FRAME_SIZE)',
    check: (c) => {
      const off = mapOffset(c);
      return off < c.frame!.bytes && off + mapBytes(c.op, c.frame!) <= c.frame!.bytes ? undefined : err('LIB_ERR_PMAP_FRAME_SIZE', 'bytes');
    },
  },
  {
    id: 'map.rights',
    error: 'SYS_ERR_VM_MAP_RIGHTS',
    rule: "The requested rights do not exceed the frame capability's (the kernel would refuse the vnode_map).",
    source: 'DEC-LARGE-PAGE-RIGHTS; kernel precondition map.rights',
    check: (c) => (hasRights(c.frame!.rights, c.op.rights) ? undefined : err('SYS_ERR_VM_MAP_RIGHTS', 'rights')),
  },
  ...fixedRangeChecks<MapContext>('map', (c) => (c.op.vaddr === undefined ? undefined : { base: c.op.vaddr, bytes: mapBytes(c.op, c.frame!) })),
  {
    id: 'map.placement',
    error: 'LIB_ERR_VSPACE_REGION_OVERLAP',
    rule: 'A fixed range lies in free space or entirely inside one reserved region.',
    source: 'DEC-PAGING-FIXED-PLACEMENT',
    check: (c) => {
      if (c.op.vaddr === undefined) return undefined;
      return fixedPlacement(c.state, { base: c.op.vaddr, bytes: mapBytes(c.op, c.frame!) }).kind === 'overlap'
        ? err('LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr')
        : undefined;
    },
  },
  {
    id: 'map.pages-free',
    error: 'LIB_ERR_PMAP_EXISTING_MAPPING',
    rule: 'Inside a reserved region, no page of the fixed range is mapped.',
    source: 'lib/barrelfish/arch/*/pmap.c (LIB_ERR_PMAP_EXISTING_MAPPING); DEC-PTE-OCCUPIED',
    check: (c) => {
      if (c.op.vaddr === undefined) return undefined;
      const range = { base: c.op.vaddr, bytes: mapBytes(c.op, c.frame!) };
      return mappingsOverlapping(c.state, range).length > 0 ? err('LIB_ERR_PMAP_EXISTING_MAPPING', 'vaddr') : undefined;
    },
  },
  {
    id: 'map.fit',
    error: 'LIB_ERR_OUT_OF_VIRTUAL_ADDR',
    rule: 'Without an address, some free range of the window holds the mapping (first fit).',
    source: 'DEC-PAGING-FIRST-FIT',
    check: (c) =>
      c.op.vaddr !== undefined || firstFit(c.state, c.window, mapBytes(c.op, c.frame!)) !== undefined ? undefined : err('LIB_ERR_OUT_OF_VIRTUAL_ADDR', 'bytes'),
  },
];

export const unmapPreconditions: readonly PagingPrecondition<PagingContext<UnmapOp>>[] = [
  {
    id: 'unmap.mapping',
    error: 'LIB_ERR_PMAP_NOT_MAPPED',
    rule: 'A client mapping starts at the address (lazily backed pages go with their region: DEC-PAGING-LAZY-PER-PAGE).',
    source: "the course's paging_unmap (lib/aos/paging.c: course code handed out with seeds/002, not part of Barrelfish); DEC-PAGING-LAZY-PER-PAGE",
    check: (c) => (clientMappingAt(c.state, c.op.vaddr) !== undefined ? undefined : err('LIB_ERR_PMAP_NOT_MAPPED', 'vaddr')),
  },
];

export const releasePreconditions: readonly PagingPrecondition<PagingContext<ReleaseOp>>[] = [
  {
    id: 'release.region',
    error: 'LIB_ERR_VREGION_NOT_FOUND',
    rule: 'A region starts at the address.',
    source: 'lib/barrelfish/vspace/vspace.c vspace_remove_region',
    check: (c) => (regionStartingAt(c.state, c.op.vaddr) !== undefined ? undefined : err('LIB_ERR_VREGION_NOT_FOUND', 'vaddr')),
  },
];

export const faultPreconditions: readonly PagingPrecondition<PagingContext<FaultOp>>[] = [
  {
    id: 'fault.not-null',
    error: 'PAGING_ERR_NULL_PAGE',
    rule: 'The faulting address is not in the NULL page (a NULL-pointer dereference is never served).',
    source: 'seeds/001 §3.4 ("whether or not we are dereferencing a NULL pointer")',
    check: (c) => (c.op.vaddr < PAGE_SIZE ? err('PAGING_ERR_NULL_PAGE', 'vaddr') : undefined),
  },
  {
    id: 'fault.lazy-region',
    error: 'LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND',
    rule: 'The faulting address lies in a lazily backed region: a fault anywhere else is refused.',
    source: 'seeds/001 §3.4 ("the page fault handler can only map within this region"); lib/barrelfish/vspace/vspace.c vspace_pagefault_handler',
    check: (c) => (regionContaining(c.state, c.op.vaddr)?.kind === 'lazy' ? undefined : err('LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND', 'vaddr')),
  },
  {
    id: 'fault.unbacked',
    error: 'LIB_ERR_MEMOBJ_DUPLICATE_FILL',
    rule: 'The faulting page is not backed yet.',
    source: 'lib/barrelfish/vspace/memobj_anon.c fill (LIB_ERR_MEMOBJ_DUPLICATE_FILL)',
    check: (c) => (mappingContaining(c.state, pageOf(c.op.vaddr)) === undefined ? undefined : err('LIB_ERR_MEMOBJ_DUPLICATE_FILL', 'vaddr')),
  },
];

export const frameAllocPreconditions: readonly PagingPrecondition<PagingContext<FrameAllocOp>>[] = [
  {
    id: 'frame_alloc.size',
    error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE',
    rule: 'The size is a non-zero multiple of 4 KiB.',
    source: 'spec/mm RamAllocator.allocRam',
    check: (c) => (sizeOk(c.op.bytes) ? undefined : err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes')),
  },
];

export const ramFreePreconditions: readonly PagingPrecondition<PagingContext<RamFreeOp>>[] = [
  {
    id: 'ram_free.client-slot',
    error: 'MM_ERR_FOREIGN_SLOT',
    rule: "The client holds the capref it gives back (what else may fail is the RamAllocator's to say).",
    source: 'spec/mm RamAllocator.freeRam',
    check: (c) => (holds(c.state, c.op.cap) ? undefined : err('MM_ERR_FOREIGN_SLOT', 'cap')),
  },
];

export interface ClientContext extends PagingContext<ClientOp> {
  readonly kernel: KernelState;
}

export const clientPreconditions: readonly PagingPrecondition<ClientContext>[] = [
  {
    id: 'client.slots',
    error: 'MM_ERR_FOREIGN_SLOT',
    rule: "Every slot the call names is one the client holds (its frames, its RAM, the slots slot_alloc gave it): the address space's own slots are out of its reach.",
    source: 'spec/mm (MM_ERR_FOREIGN_SLOT)',
    check: (c) => {
      for (const [field, ref] of clientCallSlots(c.op.call)) if (!holds(c.state, ref)) return err('MM_ERR_FOREIGN_SLOT', field);
      return undefined;
    },
  },
  {
    id: 'client.kernel',
    error: 'kernel',
    rule: "The kernel's own preconditions for the call (spec/kernel/preconditions).",
    source: 'spec/kernel/preconditions',
    check: (c) => {
      const e = expectedResult(c.kernel, c.op.call);
      return e.ok ? undefined : e;
    },
  },
];

/** Every operation's preconditions, in checking order (for docs and tests). */
export const pagingPreconditionsByOp: Readonly<Record<PagingOpName, readonly PagingPrecondition<never>[]>> = {
  reserve: reservePreconditions,
  map: mapPreconditions,
  unmap: unmapPreconditions,
  release: releasePreconditions,
  fault: faultPreconditions,
  frame_alloc: frameAllocPreconditions,
  slot_alloc: [],
  ram_free: ramFreePreconditions,
  client: clientPreconditions,
};

/** Every precondition id of the paging spec, in checking order (for coverage summaries and tests). */
export const pagingPreconditionIds: readonly string[] = Object.values(pagingPreconditionsByOp).flatMap((list) => list.map((p) => p.id));

/**
 * What the spec says `op` must return, given the address space's and the
 * kernel's observations, and which precondition decided a refusal. The
 * kernel's observation may be passed as a thunk: only map and client steps
 * look at it, and an observation is not free.
 */
export function judgePaging(state: PagingState, kernel: KernelState | (() => KernelState), config: PagingConfig, op: PagingOp): PagingJudgement {
  let k: KernelState | undefined = typeof kernel === 'function' ? undefined : kernel;
  const kernelState = (): KernelState => (k ??= (kernel as () => KernelState)());
  let core: CoreState | undefined;
  const arch = archProfiles[config.kernel.arch];
  // A getter, not a field: the kernel is observed only if a check asks for it.
  const ctx = <Op>(op: Op): PagingContext<Op> => ({
    state,
    arch,
    window: config.paging,
    op,
    get core(): CoreState {
      return (core ??= coreOf(kernelState(), 0) ?? { core: 0, ctes: [], ptes: [] });
    },
  });
  switch (op.op) {
    case 'reserve':
      return judgePagingChecks(reservePreconditions, ctx(op));
    case 'map':
      return judgePagingChecks(mapPreconditions, ctx(op) as MapContext);
    case 'unmap':
      return judgePagingChecks(unmapPreconditions, ctx(op));
    case 'release':
      return judgePagingChecks(releasePreconditions, ctx(op));
    case 'fault':
      return judgePagingChecks(faultPreconditions, ctx(op));
    case 'frame_alloc':
      return judgePagingChecks(frameAllocPreconditions, ctx(op));
    case 'slot_alloc':
      return { expected: { ok: true } };
    case 'ram_free':
      return judgePagingChecks(ramFreePreconditions, ctx(op));
    case 'client':
      return judgePagingChecks(clientPreconditions, Object.defineProperty(ctx(op), 'kernel', { get: kernelState }) as ClientContext);
  }
}

/** What the spec says `op` must return (see judgePaging). */
export const expectedPagingResult = (state: PagingState, kernel: KernelState | (() => KernelState), config: PagingConfig, op: PagingOp): PagingExpectation =>
  judgePaging(state, kernel, config, op).expected;

const allMmErrors = Object.keys(mmErrors) as MmError[];

/**
 * Errors that may stand in for a success the spec prescribes: the allocators'
 * (DEC-PAGING-ACQUIRE-FIRST). ram_free's outcome beyond the client check is
 * entirely the RamAllocator's.
 */
export function acceptableInsteadOfSuccess(op: PagingOp): readonly PagingAnyError[] {
  switch (op.op) {
    case 'map':
    case 'fault':
    case 'frame_alloc':
    case 'slot_alloc':
      return resourceErrors;
    case 'ram_free':
      return allMmErrors;
    default:
      return [];
  }
}
