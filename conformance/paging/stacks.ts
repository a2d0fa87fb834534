// The two stacks a paging trace runs on: the model stack (the reference
// kernel, the reference address space) and the impl stack (the optimized
// kernel, the optimized address space). By default both draw RAM and slots
// from the same simple provider (./provider.ts), so their allocators decide
// alike and any difference is the address space's or the kernel's. Any other
// RamAllocator + SlotAllocator (spec/mm's contract: model/mm, impl/mm) plugs
// in through `withMemory`, as long as the model and impl sides decide alike.
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import { ModelAddressSpace } from '../../model/paging/model-address-space.js';
import { ImplKernel } from '../../impl/kernel/index.js';
import { ImplAddressSpace, isPagingMutant } from '../../impl/paging/index.js';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { RamAllocator, SlotAllocator } from '../../spec/mm/mm.js';
import type { AddressSpace } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { SimpleMemory } from './provider.js';

export type PagingMemory = RamAllocator & SlotAllocator;

export interface PagingStack<M extends PagingMemory = PagingMemory> {
  readonly kernel: Kernel;
  readonly memory: M;
  readonly space: AddressSpace;
}

export interface PagingFactories {
  readonly model: (config: PagingConfig) => PagingStack;
  readonly impl: (config: PagingConfig, mutant?: string) => PagingStack;
}

/** Builds the allocators over a kernel that has just booted with `config`. */
export type MemoryFactory<M extends PagingMemory> = (kernel: Kernel, config: KernelConfig) => M;

const simple: MemoryFactory<SimpleMemory> = (kernel, config) => new SimpleMemory(kernel, config);

export function modelStack(config: PagingConfig): PagingStack<SimpleMemory>;
export function modelStack<M extends PagingMemory>(config: PagingConfig, memory: MemoryFactory<M>): PagingStack<M>;
export function modelStack(config: PagingConfig, memory: MemoryFactory<PagingMemory> = simple): PagingStack {
  const kernel = new ModelKernel(config.kernel);
  const mem = memory(kernel, config.kernel);
  return { kernel, memory: mem, space: new ModelAddressSpace({ kernel, memory: mem, config }) };
}

export function implStack(config: PagingConfig, mutant?: string, debug?: boolean): PagingStack<SimpleMemory>;
export function implStack<M extends PagingMemory>(config: PagingConfig, mutant: string | undefined, debug: boolean, memory: MemoryFactory<M>): PagingStack<M>;
export function implStack(config: PagingConfig, mutant?: string, debug = false, memory: MemoryFactory<PagingMemory> = simple): PagingStack {
  if (mutant !== undefined && !isPagingMutant(mutant)) throw new Error(`unknown paging mutant "${mutant}"`);
  const kernel = new ImplKernel(config.kernel);
  const mem = memory(kernel, config.kernel);
  return { kernel, memory: mem, space: new ImplAddressSpace({ kernel, memory: mem, config }, { debug, ...(mutant !== undefined ? { mutant } : {}) }) };
}

/** Stacks over other allocators: `model` for the model stack's, `impl` for the impl stack's. */
export function withMemory(model: MemoryFactory<PagingMemory>, impl: MemoryFactory<PagingMemory>): PagingFactories {
  return { model: (c) => modelStack(c, model), impl: (c, m) => implStack(c, m, false, impl) };
}

/** The suite's stacks; the impl checks its own data structures after every step (debug), as the kernel and mm suites' impls do. */
export const defaultPagingFactories: PagingFactories = { model: (c) => modelStack(c), impl: (c, m) => implStack(c, m, true) };
