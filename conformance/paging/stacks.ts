// The two stacks a paging trace runs on: the model stack (the reference
// kernel, the reference address space) and the impl stack (the optimized
// kernel, the optimized address space). Both draw RAM and slots from the
// same simple provider (./provider.ts), so their allocators decide alike and
// any difference is the address space's or the kernel's.
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import { ModelAddressSpace } from '../../model/paging/model-address-space.js';
import { ImplKernel } from '../../impl/kernel/index.js';
import { ImplAddressSpace, isPagingMutant } from '../../impl/paging/index.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { AddressSpace } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { SimpleMemory } from './provider.js';

export interface PagingStack {
  readonly kernel: Kernel;
  readonly memory: SimpleMemory;
  readonly space: AddressSpace;
}

export interface PagingFactories {
  readonly model: (config: PagingConfig) => PagingStack;
  readonly impl: (config: PagingConfig, mutant?: string) => PagingStack;
}

export function modelStack(config: PagingConfig): PagingStack {
  const kernel = new ModelKernel(config.kernel);
  const memory = new SimpleMemory(kernel, config.kernel);
  return { kernel, memory, space: new ModelAddressSpace({ kernel, memory, config }) };
}

export function implStack(config: PagingConfig, mutant?: string, debug = false): PagingStack {
  if (mutant !== undefined && !isPagingMutant(mutant)) throw new Error(`unknown paging mutant "${mutant}"`);
  const kernel = new ImplKernel(config.kernel);
  const memory = new SimpleMemory(kernel, config.kernel);
  return { kernel, memory, space: new ImplAddressSpace({ kernel, memory, config }, { debug, ...(mutant !== undefined ? { mutant } : {}) }) };
}

export const defaultPagingFactories: PagingFactories = { model: modelStack, impl: (c, m) => implStack(c, m) };
