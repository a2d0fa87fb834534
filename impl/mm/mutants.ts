// Deliberate bugs the impl can be built with, by name, to prove that the
// conformance harness catches each kind of mistake a memory manager makes
// (issue 3: at least 6 mm mutants, each caught by the default budget).
export const mmMutants = {
  'no-coalesce': 'a freed range is never merged with its free neighbours',
  'merge-across-parents': 'coalescing ignores parent boundaries, merging memory of two capabilities into one free range',
  'stale-augmentation': 'the free tree does not recompute its subtree maxima when a range shrinks from the left',
  'free-without-revoke': 'free deletes the capability handed back but does not revoke its copies and descendants',
  'reclaim-unchecked': 'reclaim frees the range without asking the kernel whether anything still covers it',
  'whole-parent-grant': 'an allocation may cover a whole parent (the kernel makes it a copy of the parent)',
  'internal-slot-unmarked': "slots holding the manager's own objects are not marked taken",
  'late-slab-refill': 'the slab is refilled one node later than the low-water mark says',
  'range-limit-ignored': "a ranged allocation respects the range's base but not its limit",
  'partial-free-drops-upper': 'a partial free frees the part above the range too, instead of re-issuing it',
} as const;

export type MmMutant = keyof typeof mmMutants;
export const mmMutantNames = Object.keys(mmMutants) as MmMutant[];
export const isMmMutant = (name: string): name is MmMutant => name in mmMutants;
