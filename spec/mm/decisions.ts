// Where the sources leave the memory manager's behaviour open, capref decides
// here, once; the code that applies a decision names its id.
import type { Decision } from '../kernel/decisions.js';

export const mmDecisions: readonly Decision[] = [
  {
    id: 'DEC-MM-PARENTS',
    title: 'The manager keeps every RAM capability it takes over and never merges capabilities',
    barrelfish:
      'libmm keeps the capability of every node it chunks; the course report\'s list manager keeps "another list of nodes that tracks all parent capabilities".',
    capref:
      'add keeps the capability in its slot for good. Every allocation is retyped from a parent at an offset; free ranges are coalesced only inside one parent, and no allocation spans two parents, because no capability can be made from two.',
    source: 'seeds/000 ("the parent or root capability is never destroyed", "capabilities can not be merged"); include/mm/mm.h',
  },
  {
    id: 'DEC-MM-FIRST-FIT',
    title: 'Placement is address-ordered first fit',
    barrelfish: 'libmm is a buddy tree (power-of-two sizes); the course report chose next fit and compared first, best and worst fit.',
    capref:
      "An allocation goes to the lowest address, aligned as asked, where it fits inside one free range (and the physical range, when given). Address-ordered first fit has low fragmentation in the allocator literature (Johnstone and Wilson, 1998), needs no rounding (a buddy system rounds up to a power of two), has no hidden cursor (next fit would), and the model's sorted list states it in a few lines. The impl finds the same address in O(log n).",
    source: 'seeds/001 §2.4; DESIGN.md "impl/mm"',
  },
  {
    id: 'DEC-MM-NO-PARENT-COPY',
    title: 'An allocation never covers a whole parent',
    barrelfish: "A full-size retype to the same type yields a copy (DEC-FULL-SIZE-RETYPE); libmm hands out a whole root node's capability as is.",
    capref:
      'A request exactly the size of a free parent cannot be met from that parent: the grant would be a copy of the parent, its revoke would revoke the parent, and is_retypeable could no longer see it. Such a request fails with MM_ERR_OUT_OF_MEMORY unless another range fits.',
    source: 'kernel/capabilities.c caps_retype ("Treat full object retypes to same type as copies")',
  },
  {
    id: 'DEC-MM-FREE-REVOKES',
    title: 'Freeing revokes what is handed back',
    barrelfish: 'mm_free takes the capability back and marks the range free; it trusts the client to have dropped every copy and descendant.',
    capref:
      'free revokes the capability (every copy and everything derived from it, wherever it is) and deletes it before the range becomes free. Memory is never free while anything still covers it (MM-FREE-UNCOVERED), and the manager never attempts a retype the kernel would refuse.',
    source: 'kernel/capabilities.c caps_revoke; DEC-TRANSITIVE-REVOKE',
  },
  {
    id: 'DEC-MM-PARTIAL-FREE',
    title: 'A partial free re-issues the parts kept',
    barrelfish:
      "Not in libmm. The course report frees a sub-range by splitting the allocated node (seeds/001 §2.7), leaving the client's capability covering memory that is free again.",
    capref:
      "free with a range revokes and deletes the capability (as any free), frees the range, and retypes the parts kept (one or two) from the parent into fresh slots, returned as new grants in address order. The client's capability never outlives the memory it covers.",
    source: 'seeds/001 §2.7',
  },
  {
    id: 'DEC-MM-RECLAIM',
    title: 'Memory a client deleted comes back through reclaim',
    barrelfish:
      'When the last capability to a region goes and no ancestor remains, the kernel hands the memory to the monitor for the memory server (cleanup_last); a manager that keeps its parents never sees that happen.',
    capref:
      "reclaim(base) asks the kernel whether anything but the parent still covers the allocation at base (the monitor's is_retypeable on the parent). If nothing does, the range is free again; otherwise MM_ERR_IN_USE. The slot the grant was delivered in stays the client's (it frees it with slot_free).",
    source: 'kernel/cap_delete.c cleanup_last; include/barrelfish_kpi/capabilities.h KernelCmd_Is_retypeable',
  },
  {
    id: 'DEC-MM-CLIENT-CSPACE',
    title: 'The client names only the slots it holds',
    barrelfish:
      "A client lives in its own domain; its CSpace holds the capabilities it was sent and the slots it allocated, and nothing of the memory server's.",
    capref:
      "Manager and client share one CSpace, so the separation is a rule: a client step may name only slots the client holds (handed out by slot_alloc, alloc or a partial free), written exactly as they were handed out. Anything else is MM_ERR_FOREIGN_SLOT and never reaches the kernel. This keeps traces — shrunk ones too — from letting a client delete the manager's parents or metadata.",
    source: 'seeds/000 (partitioned capabilities); DESIGN.md "Ownership"',
  },
  {
    id: 'DEC-MM-SLOT-EMPTY',
    title: 'Only empty slots are freed',
    barrelfish: 'slot_free does not look at the slot.',
    capref:
      'slot_free of a slot that still holds a capability fails with MM_ERR_SLOT_NOT_EMPTY, so a free slot is always empty and a retype into it cannot fail.',
    source: 'lib/barrelfish/slot_alloc',
  },
  {
    id: 'DEC-MM-METADATA',
    title: 'Metadata is accounted abstractly, and refilled by rule',
    barrelfish:
      'libmm allocates nodes from a slab refilled with frames; slot allocators are refilled with new CNodes; the course leaves when to refill to the student.',
    capref:
      "The slab counts one node (nodeBytes) per parent, free range and allocation — what a C manager of either design stores — and holds the static buffer plus slabFrameBytes / nodeBytes per slab Frame. After every successful operation of its own the manager refills while a refill is due (policy.ts nextRefill): a slab Frame when free nodes drop below slabLowWater — first, because every refill needs nodes — and an L2CNode into the next root slot when free slots drop below slotLowWater (the allocator hands out the first slotsPerCNode slots of each of its CNodes: Barrelfish's slot_allocator.nslots, the slots it grows by). Refills allocate from the manager's own memory by the same first-fit policy and never trigger a refill themselves.",
    source: 'seeds/002 CHALLENGES; seeds/001 §2.5',
  },
  {
    id: 'DEC-MM-CSPACE-EXTENSION',
    title: 'When the root CNode is full, the slot allocator opens a CSpace extension',
    barrelfish: 'root_slot_allocator_refill doubles the root L1CNode: it retypes one of twice the slots and root_cnode_resize puts it in place of the old one.',
    capref:
      "capref's kernel has no resize, but it names a CSpace by its root object (DEC-ROOT-BY-OBJECT): when the root CNode slots reserved for refills are taken, the allocator retypes an L1CNode of 256 slots into a slot of its own and places further L2CNodes in its first extensionSlots slots; their slots are named through that L1CNode as the root. When those are taken too, the next slot refill opens another extension.",
    source: 'lib/barrelfish/slot_alloc/slot_alloc.c root_slot_allocator_refill; DEC-ROOT-BY-OBJECT',
  },
];
