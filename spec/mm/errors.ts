// The memory manager's error codes. Where Barrelfish has the code, the name and
// text are Barrelfish's own (errors/errno.fugu, domains `libmm` MM_ERR_ and
// `libbarrelfish` LIB_ERR_); MM_ERR_OUT_OF_MEMORY is the course's libmm code
// (the AOS hand-out's errno.fugu adds it); the few marked "capref" name a
// check that Barrelfish's libmm leaves out.
import { z } from 'zod';

export const mmErrors = {
  // Barrelfish libmm (errors/errno.fugu, `errors libmm MM_ERR_`).
  MM_ERR_NOT_FOUND: 'No matching node found (no such capability, or it is not an allocation this memory manager handed out)',
  MM_ERR_OUT_OF_BOUNDS: 'Given memory base address / size exceeds bounds of allocator (a free range outside its allocation, an empty or inverted range)',
  MM_ERR_ALREADY_PRESENT: 'Node already present in add_node() (the added capability overlaps memory the manager already manages)',
  // The course's libmm.
  MM_ERR_OUT_OF_MEMORY: 'No free range satisfies the request (size, alignment and physical range)',
  // Barrelfish libbarrelfish (`errors libbarrelfish LIB_ERR_`).
  LIB_ERR_RAM_ALLOC_WRONG_SIZE: 'Wrong size of memory requested in ram alloc (zero, or not a multiple of the 4 KiB page)',
  LIB_ERR_SLOT_ALLOC_NO_SPACE: 'Slot allocator is out of space',
  LIB_ERR_SLOT_ALLOC_WRONG_CNODE: 'The slot to free does not belong in this cnode (not a slot of the slot allocator)',
  LIB_ERR_SLOT_UNALLOCATED: 'slot_free() was called on an unallocated slot (or on a slot the client does not hold)',
  LIB_ERR_SLAB_ALLOC_FAIL: 'slab_alloc() returned NULL (no metadata node left and no memory to refill the slab)',
  // capref: checks Barrelfish's libmm does not make.
  MM_ERR_BAD_ALIGNMENT: 'capref: the alignment is not a power of two between 4 KiB and the largest supported alignment',
  MM_ERR_WRONG_TYPE: 'capref: the capability is not a RAM capability',
  MM_ERR_IN_USE: "capref: a capability other than the manager's parents still covers the range (the kernel's is_retypeable answers SYS_ERR_REVOKE_FIRST)",
  MM_ERR_SLOT_NOT_EMPTY: 'capref: the slot to free still holds a capability',
  MM_ERR_FOREIGN_SLOT: "capref: the client named a slot it does not hold (in Barrelfish its own CSpace would not even contain the manager's slots)",
} as const;

export type MmError = keyof typeof mmErrors;
export const mmErrorSchema = z.enum(Object.keys(mmErrors) as [MmError, ...MmError[]]);

/** The operation arguments an mm error can be about. */
export const mmArgNames = ['cap', 'bytes', 'alignment', 'range', 'slot', 'base'] as const;
export type MmArgName = (typeof mmArgNames)[number];
