// Deliberate bugs that can be switched on by name (issue 3, "at least 6
// mutants"): each is a small, realistic mistake in an address space — most of
// them ones students make in this milestone. The paging conformance suite
// must catch every one within its default budget.

export const pagingMutants = [
  {
    name: 'first-fit-strict',
    description: 'First fit skips a free range of exactly the requested size (compares with > instead of ≥), so an exact hole is never reused.',
  },
  {
    name: 'table-never-freed',
    description: 'Unmap leaves page tables that became empty in place (most course solutions never free tables).',
  },
  {
    name: 'no-copy-per-piece',
    description: 'A mapping that crosses a leaf-table boundary maps the same capability copy into every leaf table, ignoring mapping-once.',
  },
  {
    name: 'piece-split-off-by-one',
    description: 'Splitting a mapping at leaf-table boundaries puts one page too many into the first piece.',
  },
  {
    name: 'fault-region-end-inclusive',
    description: "The fault handler treats a lazy region's end as inclusive and backs the page right after it.",
  },
  {
    name: 'fixed-overlap-unchecked',
    description: 'A fixed map checks only the region its start lies in, not one that begins inside the range it covers.',
  },
  {
    name: 'stale-after-revoke',
    description: "The address space ignores a client's revoke: it keeps believing in mappings whose copies the kernel deleted.",
  },
  {
    name: 'table-index-stale',
    description: "Freeing a page table forgets to drop it from the O(1) table index, so a later mapping in its range uses a deleted table.",
  },
  {
    name: 'unmap-leaks-slot',
    description: "Unmap deletes a piece's copy but does not give its slot back to the slot allocator.",
  },
  {
    name: 'null-page-window',
    description: 'The window check only tests the end of a fixed range, so a fixed reserve or map may start in the NULL page.',
  },
] as const;

export type PagingMutant = (typeof pagingMutants)[number]['name'];
export const pagingMutantNames: readonly PagingMutant[] = pagingMutants.map((m) => m.name);
export const isPagingMutant = (name: string): name is PagingMutant => (pagingMutantNames as readonly string[]).includes(name);
