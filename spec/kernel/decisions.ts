// Where Barrelfish's C falls short of its own intent, or the sources leave a
// point open, capref decides — explicitly, once, here. The code that applies a
// decision names its id. Section letters refer to
// ../shared/research/cap-invariants.md.

export interface Decision {
  readonly id: string;
  readonly title: string;
  /** What Barrelfish does (or leaves open). */
  readonly barrelfish: string;
  /** What capref does, and why. */
  readonly capref: string;
  readonly source: string;
}

export const decisions: readonly Decision[] = [
  {
    id: 'DEC-TRANSITIVE-REVOKE',
    title: 'Revoke removes descendants at every depth',
    barrelfish:
      'caps_mark_revoke walks successors while is_ancestor(next, base) holds, an immediate-ancestor test: a grandchild whose parent survived stops the walk.',
    capref:
      'Revoke removes every copy and every transitive descendant (type chain and region containment), including Mapping capabilities of the target and of everything removed.',
    source: 'E.1; kernel/capabilities.c caps_mark_revoke',
  },
  {
    id: 'DEC-ATOMIC-MINT',
    title: 'A failed operation changes nothing',
    barrelfish: 'Mint writes the destination slot before type-specific checks and does not roll back ("XXX: If failure, revert the insertion").',
    capref: 'Every precondition is checked before any effect; a failing operation leaves the state unchanged (postcondition ATOMIC-FAILURE).',
    source: 'E.2; kernel/capabilities.c caps_copy_to_cte',
  },
  {
    id: 'DEC-RETYPE-DIST-GATE',
    title: 'Retype of a foreign or remotely derived capability always goes through the monitor',
    barrelfish:
      'is_retypeable reports REVOKE_FIRST for local descendants before it checks foreign/remote_descs, and the later range check may then succeed locally.',
    capref:
      'If the source is foreign or has remote descendants, retype returns SYS_ERR_RETRY_THROUGH_MONITOR before the range check (precondition retype.local).',
    source: 'E.3',
  },
  {
    id: 'DEC-COPY-SLOT-BOUNDS',
    title: "Copy checks the destination slot against the CNode's size",
    barrelfish: 'caps_copy_to_cnode indexes the CNode without comparing the slot with its slot count.',
    capref: 'Slot resolution refuses an L1 index beyond the L1CNode (SYS_ERR_L1_CNODE_INDEX); L2 indices are 8 bits and always fit.',
    source: 'E.4',
  },
  {
    id: 'DEC-PTE-OCCUPIED',
    title: 'vnode_map never overwrites a present entry',
    barrelfish: 'x86-64 map overwrites present entries (the SYS_ERR_VNODE_SLOT_INUSE return is commented out); armv8 L3 panics; other paths fail.',
    capref: 'Mapping onto a present entry fails with SYS_ERR_VNODE_SLOT_INUSE (precondition map.entries-free), as type_system.tex documents.',
    source: 'E.5',
  },
  {
    id: 'DEC-UNMAP-FOREIGN',
    title: 'Unmap checks that the Mapping belongs to the invoked table',
    barrelfish: "page_mappings_unmap neither checks that the Mapping capability's table is the invoked VNode nor that it is a Mapping type (asserted only).",
    capref: 'A non-Mapping capability is SYS_ERR_WRONG_MAPPING; a Mapping of another table is SYS_ERR_VNODE_NOT_INSTALLED.',
    source: 'E.6',
  },
  {
    id: 'DEC-LARGE-PAGE-RIGHTS',
    title: "Entry rights never exceed the capability's, for every page size",
    barrelfish: "The x86-64 large/huge-page path recomputes the flags from the request alone, ignoring the capability's rights.",
    capref: "Requested rights must be a subset of the source's rights for pages, blocks and tables alike (precondition map.rights).",
    source: 'E.7',
  },
  {
    id: 'DEC-DELETED-PTABLE',
    title: 'Deleting the last copy of a page table deletes the mappings in it',
    barrelfish: 'Mapping capabilities whose table was deleted stay behind, dangling; later code tolerates a non-VNode table.',
    capref: 'When the last copy of a VNode goes, every Mapping capability of entries in it is removed too (removal rule 3).',
    source: 'E.8',
  },
  {
    id: 'DEC-BUSY',
    title: 'A locked capability is never retyped or removed',
    barrelfish: "The kernel's retype ignores `locked` (only the monitor checks it); delete and revoke refuse a locked target.",
    capref: 'Retype of a locked source, and delete, revoke or unmap that would remove any locked capability, fail with SYS_ERR_CAP_LOCKED and change nothing.',
    source: 'E.9; A.6.6',
  },
  {
    id: 'DEC-FULL-SIZE-RETYPE',
    title: 'A full-size retype to the same type yields a copy',
    barrelfish: 'caps_retype treats count 1, objsize = source size, same type as a copy ("XXX: Treat full object retypes to same type as copies").',
    capref: 'Permitted, and the result is a copy: structurally equal, so not a descendant; it does not block later retypes of the source.',
    source: 'E.10; DESIGN.md "Retype"',
  },
  {
    id: 'DEC-ROOT-BY-OBJECT',
    title: 'A capref names its CSpace by the root L1CNode object',
    barrelfish: "A capref's root is itself a capability address in the invoking domain's CSpace, resolved with the invoker's rights.",
    capref:
      "The root is the base address of a live L1CNode object. There is no invoking domain, so the root CNode's rights are not checked; rights of L2CNodes passed on the way are. cptrs are encoded as in Barrelfish (the L1 index is cptr >> 8 at both levels); level 0, which in Barrelfish names the root capability's own slot, has no slot to name here and is SYS_ERR_CAP_LOOKUP_DEPTH like levels above 2.",
    source: 'kernel/capabilities.c caps_lookup_slot',
  },
  {
    id: 'DEC-L1-SLOTS',
    title: 'L1CNode slots hold only L2CNodes, for retype too',
    barrelfish:
      'Copy and mint refuse to put anything but an L2CNode into an L1CNode; retype does not check (the object becomes unreachable by level-2 lookups).',
    capref: 'Retype into an L1 slot of anything but an L2CNode fails with SYS_ERR_DEST_TYPE_INVALID.',
    source: 'A.4.11',
  },
  {
    id: 'DEC-NO-COPY-MAPPING',
    title: 'Mapping capabilities cannot be copied',
    barrelfish: 'Nothing stops a copy of a Mapping capability; two capabilities would then claim the same entries.',
    capref:
      'copy and mint of a Mapping capability fail with SYS_ERR_INVALID_SOURCE_TYPE: every present entry is claimed by exactly one Mapping (MAP-PTE-BACKED).',
    source: 'A.4.8; seL4 (a frame capability records at most one mapping)',
  },
  {
    id: 'DEC-UNMAP-DELETES-MAPPING',
    title: 'vnode_unmap removes the Mapping capability',
    barrelfish: 'The unmap invocation clears the entries and leaves the Mapping capability; the caller deletes it next, which unmaps again (idempotently).',
    capref: 'vnode_unmap clears the entries and removes the Mapping capability in one step, so no state has a Mapping capability whose entries are absent.',
    source: "B.7; the course's lib/aos paging code (course code, not part of Barrelfish) deletes the mapping right after unmapping",
  },
  {
    id: 'DEC-MAPPING-NO-REGION',
    title: 'Mapping capabilities own no memory',
    barrelfish:
      'A Mapping capability has the mapped object\'s address and size 1 ("zero-sized mappings mess up range queries"), so a range query finds it as an inner capability of the frame and a retype of the frame\'s first page is refused.',
    capref:
      'Mapping capabilities have no region: they never block a retype and never count in overlap checks. They descend from the one copy they map (and its ancestors).',
    source: 'A.4.8; DESIGN.md "Relations are structural"',
  },
  {
    id: 'DEC-OBJSIZE',
    title: 'Sizes of new objects',
    barrelfish: "RAM sizes are not forced to 4 KiB multiples; objsize 0 divides by zero in caps_max_numobjs; a Dispatcher's objsize is not checked.",
    capref:
      'objsize is never 0; RAM, PhysAddr, Frame and DevFrame are multiples of 4 KiB; L1CNodes multiples of 16 KiB up to 2^24 slots; fixed-size types (L2CNode, Dispatcher, page tables, LMP endpoints) take exactly their size.',
    source: 'A.4.12; kernel/capabilities.c caps_retype, caps_max_numobjs',
  },
  {
    id: 'DEC-NATURAL-ALIGN',
    title: "Objects are aligned to their type's alignment",
    barrelfish:
      'caps_retype checks offset % min(4 KiB, VNode size) (1 KiB for a Dispatcher); an ARMv7 L1 table (16 KiB) may land 4 KiB-aligned, which the hardware cannot use.',
    capref:
      "The new objects' base (source base + offset) is aligned to the type's alignment: 4 KiB, 1 KiB for Dispatchers and ARMv7 L2 tables, 16 KiB for ARMv7 L1 tables.",
    source: 'kernel/capabilities.c caps_retype; ARMv7 ARM (TTBR alignment)',
  },
  {
    id: 'DEC-RETYPE-RIGHTS',
    title: "Retyped objects inherit the source's rights",
    barrelfish: "caps_create gives every new object all rights, whatever the source's rights: a read-only RAM capability retypes into writable Frames.",
    capref: "New objects get the source's rights, so rights never grow along retype (DESIGN.md family 5 wins over Barrelfish's code).",
    source: 'A.4.14; DESIGN.md family 5',
  },
  {
    id: 'DEC-RECLAIM-MAXIMAL',
    title: 'Memory is handed back once, as the largest free regions',
    barrelfish:
      "cleanup_last reclaims an object when its last copy goes and it has neither ancestor nor descendant; a delete list processed in some order can reclaim a child and strand its parent's remaining memory.",
    capref:
      'Reclaim is decided on the whole set an operation removes: a removed RAM-backed object in a RAM region of the memory map, whose every copy is gone, which no surviving capability overlaps and which has no remote relations (another core may still use it) is returned; nested ones are reported once, as the largest. Memory of a parent deleted before its children stays unreclaimed, as in Barrelfish.',
    source: 'A.4.16, D.6; kernel/cap_delete.c',
  },
  {
    id: 'DEC-REVOKE-OWN-CNODE',
    title: 'A revoke may take the target with it',
    barrelfish: 'Not addressed.',
    capref:
      'When the target sits in a CNode that the revoke destroys (the CNode is a descendant of the target), the target goes with its CNode: it has no slot left.',
    source: 'removal rule 2',
  },
  {
    id: 'DEC-ENDPOINT-REGION',
    title: "An LMP endpoint carries its dispatcher's region",
    barrelfish: "EndPointLMP records its listener dispatcher; caps.hl notes that address and size would preferably be the dispatcher's.",
    capref:
      "An EndPointLMP capability has the dispatcher's base and size: it descends from the dispatcher structurally, all endpoints of one dispatcher are copies, and a surviving endpoint keeps the dispatcher's memory from being reused. Count is 1 per retype; any number of retypes may be made.",
    source: 'capabilities/caps.hl EndPointLMP; kernel/capabilities.c caps_max_numobjs',
  },
  {
    id: 'DEC-AARCH64-BLOCKS',
    title: 'AArch64 L1 and L2 tables map 1 GiB and 2 MiB blocks',
    barrelfish: 'kernel/arch/armv8/paging.c maps only next-level tables at L0-L2; frames go into L3 tables only.',
    capref:
      "The AArch64 profile lets an L1 entry map a 1 GiB block and an L2 entry a 2 MiB block of a Frame or DevFrame, as the architecture allows (and as Barrelfish's x86-64 and ARMv7 sections do), with the same rights and alignment rules as pages.",
    source: 'ARM Architecture Reference Manual (VMSAv8-64 block descriptors); spec/kernel/arch.ts',
  },
  {
    id: 'DEC-IS-RETYPEABLE',
    title: 'is_retypeable checks the range it is asked about',
    barrelfish:
      'sys_monitor_is_retypeable (kernel/monitor.c) runs only the descendant check, and answers OK when the source has no descendants at all, whatever the range.',
    capref:
      'The query checks its arguments like retype would (objsize 0, count 0, a range past the source are errors) and then the same overlap rule as retype.no-overlap, so its answer is exactly "would this retype meet a descendant".',
    source: 'kernel/monitor.c; include/barrelfish_kpi/capabilities.h KernelCmd_Is_retypeable',
  },
  {
    id: 'DEC-PAGE-OFFSET',
    title: 'A 4 KiB page offset must be page-aligned',
    barrelfish:
      'The ARM leaf paths (armv7 caps_map_l2, armv8 caps_map_l3) refuse an offset that is not a multiple of 4 KiB with SYS_ERR_FRAME_OFFSET_INVALID; the x86-64 leaf path does not check it, and the entry silently drops the low bits.',
    capref:
      "A misaligned offset is SYS_ERR_FRAME_OFFSET_INVALID on every profile, as on ARM (precondition map.page-offset); a misaligned block is SYS_ERR_VM_FRAME_UNALIGNED, as Barrelfish's superpage path (map.frame-align).",
    source: 'kernel/arch/armv7/paging.c, kernel/arch/armv8/paging.c, kernel/arch/x86_64/page_mappings_arch.c',
  },
];
