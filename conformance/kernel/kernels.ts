// The two kernels conformance compares: the reference model and the
// optimized implementation (optionally with a named mutant switched on).
import { ImplKernel, kernelMutants, type KernelMutant } from '../../impl/kernel/index.js';
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import type { KernelFactories } from './run.js';

export const kernelMutantNames: readonly string[] = kernelMutants.map((m) => m.name);

export const defaultKernelFactories: KernelFactories = {
  model: (config) => new ModelKernel(config),
  impl: (config, mutant) => {
    if (mutant !== undefined && !kernelMutantNames.includes(mutant)) throw new Error(`unknown kernel mutant: ${mutant}`);
    return new ImplKernel(config, mutant === undefined ? {} : { mutant: mutant as KernelMutant });
  },
};
