// The address space's error codes. Names and texts are Barrelfish's own
// (errors/errno.fugu, domain `libbarrelfish` LIB_ERR_: the vspace, vregion,
// memobj and pmap layers) where Barrelfish has the code; the two marked
// "capref" name checks Barrelfish's libbarrelfish leaves to the caller.
//
// A paging step can also fail with an error of the layers below it: the
// allocators' (spec/mm: MM_ERR_OUT_OF_MEMORY, LIB_ERR_SLOT_ALLOC_NO_SPACE,
// MM_ERR_FOREIGN_SLOT, ...) and the kernel's (SYS_ERR_VM_MAP_RIGHTS, a lookup
// error for a frame capref that holds nothing, a client call's own error).
import { z } from 'zod';
import type { ArgName, KernelError } from '../kernel/errors.js';
import type { MmArgName, MmError } from '../mm/errors.js';

export const pagingErrors = {
  // vspace: regions of the address space.
  LIB_ERR_VSPACE_REGION_OVERLAP: 'Overlap with existing region in vspace_add_region() (the fixed range overlaps a region it cannot go into)',
  LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND: 'The faulting address not found in the page fault handler (it lies in no lazily backed region)',
  LIB_ERR_OUT_OF_VIRTUAL_ADDR: 'Out of virtual address (no free range of the window is large enough)',
  // vregion and memobj.
  LIB_ERR_VREGION_NOT_FOUND: 'vregion not found in the vspace list (no region starts at this address)',
  LIB_ERR_VREGION_BAD_ALIGNMENT: 'Unaligned address passed to vregion_map_fixed (capref: also a size or frame offset that is not a non-zero multiple of the 4 KiB page)',
  LIB_ERR_MEMOBJ_DUPLICATE_FILL: 'The offset given to fill is already backed (a fault on a page the lazy region already backs)',
  // pmap: the page tables.
  LIB_ERR_PMAP_EXISTING_MAPPING: 'Cannot replace existing mapping, unmap first (a page of the fixed range inside a reserved region is mapped)',
  LIB_ERR_PMAP_FRAME_SIZE: 'Given Frame to small to fulfil mapping request (offset + size exceed the frame)',
  LIB_ERR_PMAP_NOT_MAPPED: 'No mapping in given address range (no client mapping starts at this address)',
  LIB_ERR_CAP_NOT_MAPPABLE: 'Failure in cap_identify: cap not mappable (the capability is not a Frame or DevFrame)',
  // capref: checks Barrelfish leaves to its callers.
  PAGING_ERR_NULL_PAGE: 'capref: the NULL page is never reserved, mapped or faulted in (a fault there is a NULL-pointer dereference)',
  PAGING_ERR_OUTSIDE_WINDOW: 'capref: the range lies (partly) outside the window of virtual addresses the address space manages',
} as const;

export type PagingError = keyof typeof pagingErrors;
export const pagingErrorSchema = z.enum(Object.keys(pagingErrors) as [PagingError, ...PagingError[]]);

/** Every error a paging step can return: its own, the allocators', the kernel's. */
export type PagingAnyError = PagingError | MmError | KernelError;

/** The operation arguments a paging error can be about. */
export const pagingArgNames = ['frame', 'bytes', 'offset', 'vaddr', 'rights', 'cap'] as const;
export type PagingArgName = (typeof pagingArgNames)[number];
export type PagingAnyArg = PagingArgName | MmArgName | ArgName;

/**
 * Errors of the allocators the address space draws on (spec/mm's RamAllocator
 * and SlotAllocator). They depend on the allocators' state, which the paging
 * observation does not contain, so the spec cannot predict them: where the
 * spec prescribes success for a step that needs memory or slots, one of these
 * is an acceptable answer too — provided the step then changed nothing.
 */
export const resourceErrors: readonly (MmError | PagingAnyError)[] = ['MM_ERR_OUT_OF_MEMORY', 'LIB_ERR_SLOT_ALLOC_NO_SPACE', 'LIB_ERR_SLAB_ALLOC_FAIL'];
