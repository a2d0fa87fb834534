// The kernel's error codes, named after Barrelfish's (errors/errno.fugu, the
// `sys` domain). The text is Barrelfish's own where it has one; where capref
// gives a code a narrower meaning, the text says so.
import { z } from 'zod';

export const kernelErrors = {
  SYS_ERR_CORE_NOT_FOUND: 'The operation names a core that does not exist',
  // Capref decoding and slot lookup (caps_lookup_slot, kernel/capabilities.c).
  SYS_ERR_CAP_LOOKUP_DEPTH: 'Invalid capability lookup depth (level must be 1 or 2)',
  SYS_ERR_CNODE_NOT_ROOT: 'The capref root is not a live L1CNode',
  SYS_ERR_L1_CNODE_INDEX: 'Index into L1 CNode too high',
  SYS_ERR_CNODE_NOT_FOUND: 'Encountered null capability when resolving slot (the L1 slot of a level-2 capref is empty)',
  SYS_ERR_CNODE_TYPE: 'Encountered non-CNode capability when resolving slot (the L1 slot of a level-2 capref does not hold an L2CNode)',
  SYS_ERR_CNODE_RIGHTS: 'Insufficient rights on CNode',
  SYS_ERR_CAP_NOT_FOUND: 'Capability not found (empty slot encountered)',
  // Destination slots.
  SYS_ERR_SLOT_IN_USE: 'Destination capability slot occupied',
  SYS_ERR_SLOTS_IN_USE: 'One or more destination capability slots occupied',
  SYS_ERR_SLOTS_INVALID: 'Destination capability slots exceed capacity of CNode',
  SYS_ERR_DEST_TYPE_INVALID: 'Destination CNode cannot hold this type (L1 slots hold only L2CNodes; Mapping capabilities go in L2CNodes)',
  SYS_ERR_INVALID_SOURCE_TYPE: 'Invalid source capability type (a Mapping capability cannot be copied or minted)',
  // Retype (caps_retype, is_retypeable).
  SYS_ERR_RETYPE_INVALID_OFFSET: 'Offset into source capability invalid for retype (misaligned, or the objects do not fit)',
  SYS_ERR_INVALID_SIZE: 'Invalid size for new objects',
  SYS_ERR_RETYPE_MAPPING_EXPLICIT: 'Invalid explicit retype to mapping type',
  SYS_ERR_INVALID_RETYPE: 'Invalid source/destination type pair for retyping',
  SYS_ERR_RETYPE_INVALID_COUNT: 'Invalid number of new objects requested',
  SYS_ERR_REVOKE_FIRST: 'An existing descendant of the source overlaps the requested range',
  // Distributed state (kernel/include/distcaps.h).
  SYS_ERR_CAP_LOCKED: 'The capability is locked by a protocol in progress',
  SYS_ERR_RETRY_THROUGH_MONITOR: 'There is a remote relation of the capability; the monitor must run a cross-core agreement protocol',
  // Page tables (sys_map, page_mappings_unmap).
  SYS_ERR_VNODE_TYPE: 'Encountered non-VNode capability when manipulating page tables',
  SYS_ERR_DEST_CAP_RIGHTS: 'The page-table capability lacks the WRITE right',
  SYS_ERR_VNODE_SLOT_INVALID: 'Destination entry exceeds size of page table',
  SYS_ERR_VM_MAP_SIZE: 'Mapping size invalid (zero entries, past the end of the table, or more than one entry for a table)',
  SYS_ERR_WRONG_MAPPING: 'Wrong source/destination mapping type',
  SYS_ERR_VM_FRAME_TOO_SMALL: 'Frame too small for superpage mapping',
  SYS_ERR_VM_FRAME_UNALIGNED: 'Frame(+offset) for superpage mapping not aligned',
  SYS_ERR_FRAME_OFFSET_INVALID: 'Specified offset is misaligned or the mapping exceeds the size of the frame',
  SYS_ERR_VM_MAP_RIGHTS: "Requested mapping rights exceed the capability's rights",
  SYS_ERR_VM_ALREADY_MAPPED: 'This capability copy is already mapped',
  SYS_ERR_VNODE_SLOT_INUSE: 'Destination entry in use: unmap first',
  SYS_ERR_VNODE_NOT_INSTALLED: 'The Mapping capability does not describe entries of this VNode',
} as const;

export type KernelError = keyof typeof kernelErrors;
export const kernelErrorSchema = z.enum(Object.keys(kernelErrors) as [KernelError, ...KernelError[]]);

/** The operation arguments an error can be about. */
export const argNames = ['core', 'src', 'dest', 'target', 'vnode', 'mapping'] as const;
export type ArgName = (typeof argNames)[number];
