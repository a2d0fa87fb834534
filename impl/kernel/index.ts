// The optimized kernel (issue 2, item 4) and its switchable bugs (item 6).
export { ImplKernel, type ImplKernelOptions } from './impl-kernel.js';
export { kernelMutants, isKernelMutant, type KernelMutant } from './mutants.js';
export { MdbInvariantError } from './mdb-tree.js';
