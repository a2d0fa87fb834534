// The optimized address space (issue 3, item 4) and its switchable bugs.
export { ImplAddressSpace, implAddressSpace, type ImplAddressSpaceOptions } from './address-space.js';
export { pagingMutants, pagingMutantNames, isPagingMutant, type PagingMutant } from './mutants.js';
export { RangeTree } from './range-tree.js';
