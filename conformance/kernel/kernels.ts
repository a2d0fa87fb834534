// The two kernels conformance compares: the reference model and the
// optimized implementation (optionally with a named mutant switched on).
// The implementation's debug checks (tree shape, indexes, allocator) run after
// every step through Kernel.selfCheck (conformance/kernel/check.ts), once its
// results and observation are known to agree: a behavioural bug is reported
// as the divergence it causes, a corrupted structure that still answers
// right fails the gate too.
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
