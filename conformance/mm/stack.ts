// The systems mm conformance compares: a memory manager on a kernel. The
// model stack is the model manager on the model kernel; the impl stack is the
// impl manager (optionally with a named mutant) on the impl kernel.
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import { ModelMm } from '../../model/mm/model-mm.js';
import { ImplKernel } from '../../impl/kernel/index.js';
import { implMm } from '../../impl/mm/index.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { MmConfig } from '../../spec/mm/config.js';
import { mmBoot, type MemoryManager } from '../../spec/mm/mm.js';
import type { MmWorld } from '../../spec/mm/invariants.js';

export interface MmStack {
  readonly kernel: Kernel;
  readonly mm: MemoryManager;
}

export interface MmStackFactories {
  readonly model: (config: MmConfig) => MmStack;
  readonly impl: (config: MmConfig, mutant?: string) => MmStack;
}

export function modelStack(config: MmConfig): MmStack {
  const kernel = new ModelKernel(config.kernel);
  return { kernel, mm: new ModelMm(kernel, config) };
}

/** The impl manager with its self-checks on, over the given kernel. */
export function implStackOver(kernelFor: (config: MmConfig) => Kernel): MmStackFactories['impl'] {
  return (config, mutant) => {
    const kernel = kernelFor(config);
    return { kernel, mm: implMm(kernel, config, mutant, true) };
  };
}

/** The impl kernel for a configuration. */
export function implKernelFor(config: MmConfig): Kernel {
  return new ImplKernel(config.kernel);
}

/** The default stacks: model mm on the model kernel, impl mm on the impl kernel. */
export const defaultMmStacks: MmStackFactories = {
  model: modelStack,
  impl: implStackOver(implKernelFor),
};

export function worldOf(stack: MmStack, config: MmConfig): MmWorld {
  return { mm: stack.mm.observe(), kernel: stack.kernel.observe(), config, boot: mmBoot(config) };
}
