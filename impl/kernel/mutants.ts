// Deliberate bugs that can be switched on by name (issue 2, "Mutation
// proof"): each is a small, realistic mistake in the implementation that some
// reachable state turns into a different result or observation than the
// model's. The conformance suite must catch every one; if it cannot, either the
// generator misses a region of the state space or the mutant is equivalent.
//
// ImplKernel reads the mutant into booleans once, at construction, so the
// correct kernel pays one predictable branch per site and nothing more.

export const kernelMutants = [
  {
    name: 'revoke-skips-other-cspace',
    description: 'Revoke skips copies and descendants held in another CSpace (slots not reachable from the root L1CNode of the target capref).',
  },
  {
    name: 'retype-overlap-misses-partial',
    description: 'The retype overlap check only sees descendants that start inside the requested range, missing one that starts before it and reaches into it.',
  },
  {
    name: 'copy-into-occupied',
    description: 'Copy and mint skip the destination-empty check and overwrite an occupied slot.',
  },
  {
    name: 'map-twice',
    description: 'vnode_map skips the mapping-once check, so one copy can be mapped twice.',
  },
  {
    name: 'region-end-off-by-one',
    description: "The retype overlap check treats the requested range's end as inclusive: a descendant starting right after the range blocks it.",
  },
  {
    name: 'delete-leaves-ptes',
    description: 'Deleting a mapped copy removes its Mapping capability but leaves the page-table entries present.',
  },
  {
    name: 'mint-adds-right',
    description: "Mint takes the union of the source's rights and the requested rights instead of their intersection.",
  },
  {
    name: 'capref-wrong-level',
    description: 'Capref decoding stops one level early: a level-2 capref resolves to the L1CNode slot that holds the L2CNode.',
  },
  {
    name: 'cnode-delete-leaks-slots',
    description: 'Deleting the last copy of a CNode leaves the capabilities in its slots behind.',
  },
  {
    name: 'full-size-retype-descendant',
    description: "A full-size retype to the source's own type builds a fresh descendant's metadata instead of taking the metadata its copies share.",
  },
  {
    name: 'revoke-immediate-only',
    description: 'Revoke walks the descendants only while they are immediate children by type (Barrelfish caps_mark_revoke; DEC-TRANSITIVE-REVOKE).',
  },
  {
    name: 'unmap-foreign-table',
    description: 'vnode_unmap does not check that the Mapping capability belongs to the invoked page table (DEC-UNMAP-FOREIGN).',
  },
  {
    name: 'retype-ignores-lock',
    description: 'Retype does not refuse a locked source (DEC-BUSY).',
  },
  {
    name: 'vnode-delete-keeps-mappings',
    description: 'Deleting the last copy of a page table leaves the Mapping capabilities of its entries behind (DEC-DELETED-PTABLE).',
  },
  {
    name: 'reclaim-ignores-survivors',
    description: 'Delete and revoke hand memory back without checking that no surviving capability (an ancestor or descendant) still overlaps it.',
  },
] as const satisfies readonly { readonly name: string; readonly description: string }[];

export type KernelMutant = (typeof kernelMutants)[number]['name'];

export const isKernelMutant = (name: string): name is KernelMutant => kernelMutants.some((m) => m.name === name);
