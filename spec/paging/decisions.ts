// Where the sources leave the address space's behaviour open, capref decides
// here — once, with the reason. Model and impl both follow these, which is
// what lets conformance compare their observations exactly.
import type { Decision } from '../kernel/decisions.js';

export const pagingDecisions: readonly Decision[] = [
  {
    id: 'DEC-PAGING-OWN-COPIES',
    title: 'The address space maps its own copies of a frame, one per leaf table',
    barrelfish:
      "The course's paging_map_fixed_attr maps the caller's capability into the first leaf table and cap_copy's it for every further one (mapping-once: each copy is mapped at most once).",
    capref:
      "The address space never maps the capability the client passed: for every leaf table a mapping touches it makes a copy in a slot of its own and maps that. The client's slot stays unmapped, so the client may map the same frame again elsewhere, and deleting its slot does not touch the mapping.",
    source: 'seeds/002 ("use cap_copy to create copies if you are partially mapping large frames"); DESIGN.md "Mapping-once"',
  },
  {
    id: 'DEC-PAGING-CLIENT-DELETE',
    title: "Deleting the client's frame capability leaves the mapping",
    barrelfish: 'Deleting one copy of a capability removes only that copy and its own mapping.',
    capref: "A client that deletes the frame capability it mapped deletes only its own slot: the address space's copies keep the frame mapped until the client unmaps it or releases the region.",
    source: 'DESIGN.md "Delete"; DEC-PAGING-OWN-COPIES',
  },
  {
    id: 'DEC-PAGING-CLIENT-REVOKE',
    title: 'A revoke that takes the address space\'s copies takes the mapping with it',
    barrelfish:
      "Revoke deletes every copy and descendant, Mapping capabilities and page-table entries included; libbarrelfish's pmap is not told and keeps stale bookkeeping.",
    capref:
      "When a client step (a revoke of the frame or of the RAM it came from, or ram_free, which revokes) removes the address space's copies, the kernel has already removed their Mapping capabilities and entries. Right after that step the address space forgets every mapping that lost a copy, in ascending address order, exactly as an unmap would (a partly revoked mapping is unmapped whole), frees the emptied slots, frees the page tables that became empty, and drops the region of a `frame` mapping. The page tables and the address space's bookkeeping never disagree after a step.",
    source: 'DESIGN.md "Revoke"; cap-invariants.md A.7 [MAP]; DEC-UNMAP-DELETES-MAPPING',
  },
  {
    id: 'DEC-PAGING-FIRST-FIT',
    title: 'A free address is chosen first fit, page-aligned',
    barrelfish: "The report's paging keeps regions in a linked list sorted by address and chooses next fit; Barrelfish's vspace_mmu_aware and vregion_map choose per memobj.",
    capref:
      'A reserve or map without an address takes the lowest free range of the window that is large enough, at its start. Only page alignment is asked for (the address space maps 4 KiB pages only), so first fit is one comparison per free range.',
    source: 'seeds/001 §3.2 (region list, first fit and next fit); issue 3 ("a sorted linked list of regions with first-fit")',
  },
  {
    id: 'DEC-PAGING-4K-PAGES',
    title: 'Every mapping is made of 4 KiB pages',
    barrelfish: 'Barrelfish maps large and huge pages when frame, offset and address are aligned (VREGION_FLAGS_LARGE).',
    capref:
      'The address space maps 4 KiB pages only: every mapping ends in leaf tables, and a mapping longer than one leaf table covers is split at leaf-table boundaries into pieces, each with its own copy of the frame (mapping-once).',
    source: 'seeds/002 (pte_count pages of a frame into an L2 table); DEC-PAGING-OWN-COPIES',
  },
  {
    id: 'DEC-PAGING-TABLE-LIFETIME',
    title: 'Page tables are created on demand and freed when empty',
    barrelfish: "The course's paging code creates tables on demand and, in most students' versions, never frees them.",
    capref:
      'A table is created when the first mapping needs it (RAM from the RamAllocator, retyped to the VNode type, mapped into its parent) and freed when its last entry goes: its entry in the parent is unmapped, its capability deleted and its RAM given back; a parent left empty is freed in turn. The root table is never freed.',
    source: 'issue 3 ("intermediate tables created on demand", "unmap frees tables that become empty")',
  },
  {
    id: 'DEC-PAGING-ACQUIRE-FIRST',
    title: 'A step takes all the memory and slots it needs before it changes anything',
    barrelfish: 'libbarrelfish allocates slots and page tables as it goes and, on failure, leaves what it built.',
    capref:
      "A map or fault first acquires every RAM capability and slot it will need, in the documented order; if an allocator refuses, it gives back what it took (in reverse) and fails with the allocator's error. Only then does it call the kernel, whose calls cannot fail any more. A failed step leaves the address space as it was.",
    source: 'DEC-ATOMIC-MINT (a failed operation changes nothing), applied one layer up',
  },
  {
    id: 'DEC-PAGING-LAZY-PER-PAGE',
    title: 'A fault backs one page',
    barrelfish: "The report's heap allocates a page of RAM per fault and maps it at the faulting page.",
    capref:
      'A fault in a lazy region allocates one 4 KiB RAM capability, retypes it to a Frame and maps that Frame (the address space holds both; no copy is needed). Unmap refuses lazy pages; release of the region frees them.',
    source: 'seeds/001 §3.4',
  },
  {
    id: 'DEC-PAGING-FIXED-PLACEMENT',
    title: 'A fixed mapping goes into free space or inside one reserved region',
    barrelfish: 'vregion_map_fixed refuses an address range that overlaps an existing vregion; the course\'s paging_map_fixed maps wherever it is told.',
    capref:
      'A map at a fixed address either lies entirely in free space (it gets a `frame` region of its own) or entirely inside one reserved region whose pages there are unmapped. Anything else overlaps a region and is refused.',
    source: 'lib/barrelfish/vspace/vspace.c vspace_add_region (LIB_ERR_VSPACE_REGION_OVERLAP)',
  },
];

/**
 * The order in which the address space calls its allocators and the kernel.
 * Model and impl follow it step for step (their observations name the slots
 * and the physical addresses of page tables, so any other order shows).
 */
export const pagingProcedures: readonly { readonly step: string; readonly calls: readonly string[] }[] = [
  {
    step: 'map a range (a client frame, or a faulted page)',
    calls: [
      'acquire, piece by piece in ascending address: for every table the piece needs that does not exist yet, from the root down: allocRam(table RAM), allocSlot (VNode), allocSlot (its Mapping); then allocSlot (the copy; not for a lazy page, whose Frame is retyped instead: allocRam(4 KiB), allocSlot (Frame)), allocSlot (the piece\'s Mapping)',
      'if any acquisition fails: freeSlot / freeRam what was acquired, in reverse order, and fail',
      'build, in the same order: retype RAM → VNode, vnode_map it into its parent (READ|WRITE, one entry); copy the frame (lazy: retype RAM → Frame); vnode_map the piece',
    ],
  },
  {
    step: 'unmap a mapping (unmap, release, or a mapping a revoke took)',
    calls: [
      'piece by piece in ascending address: vnode_unmap the piece\'s Mapping (skipped when a revoke already removed it), freeSlot (Mapping), delete the copy (skipped when gone), freeSlot (copy); a lazy page: delete its Frame, freeSlot, freeRam(its RAM)',
      'then for every leaf table a piece was in, in ascending address: if it is empty, free it, and its parent if that becomes empty, up to (not including) the root',
    ],
  },
  {
    step: 'free a table',
    calls: ['vnode_unmap its Mapping from the parent, freeSlot (Mapping), delete the VNode, freeSlot (VNode), freeRam(its RAM)'],
  },
  {
    step: 'release a region',
    calls: ['unmap every mapping in it in ascending address (each with its own table freeing), then forget the region'],
  },
  {
    step: 'frame_alloc',
    calls: ['allocRam(bytes) (the client holds the RAM capability), allocSlot (Frame; on failure freeRam and fail), retype RAM → Frame'],
  },
];
