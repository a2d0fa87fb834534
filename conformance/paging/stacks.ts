// The two stacks a paging trace runs on, each an address space on the
// project's own memory manager on a kernel: the model stack is the reference
// address space on the reference manager (model/mm: the report's sorted
// list) on the reference kernel; the impl stack is the optimized address
// space on the optimized manager (impl/mm, its self-checks on) on the
// optimized kernel. Both managers start by taking over every boot RAM
// capability, as init's does. Model and impl managers make the same
// decisions (the mm suite checks that), so the two stacks' observations
// compare exactly; any other RamAllocator + SlotAllocator that can be
// observed plugs in through `withMemory`.
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import { ModelMm } from '../../model/mm/model-mm.js';
import { ModelAddressSpace } from '../../model/paging/model-address-space.js';
import { ImplKernel } from '../../impl/kernel/index.js';
import { implMm } from '../../impl/mm/index.js';
import { ImplAddressSpace, isPagingMutant } from '../../impl/paging/index.js';
import { bootLayout, ROOTCN_SLOT_SUPERCN } from '../../spec/kernel/boot.js';
import { capref2 } from '../../spec/kernel/capref.js';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import { mmConfigOf } from '../../spec/mm/config.js';
import type { MemoryManager, RamAllocator, SlotAllocator } from '../../spec/mm/mm.js';
import type { AddressSpace } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { TappedKernel } from './tap.js';

/** The allocators an address space draws on, observable so that conformance can tie their slots to the address space's. */
export type PagingMemory = RamAllocator & SlotAllocator & Pick<MemoryManager, 'observe'>;

export interface PagingStack {
  /** The kernel everything on the stack calls, tapped so that a step's client call can be observed on its own. */
  readonly kernel: TappedKernel;
  readonly memory: PagingMemory;
  readonly space: AddressSpace;
}

export interface PagingFactories {
  readonly model: (config: PagingConfig) => PagingStack;
  readonly impl: (config: PagingConfig, mutant?: string) => PagingStack;
}

/** Builds the allocators over a kernel that has just booted with `config`. */
export type MemoryFactory = (kernel: Kernel, config: KernelConfig) => PagingMemory;

/** Hands every boot RAM capability to the manager (init's first act); a refusal is a bug in capref. */
export function addRoots<M extends MemoryManager>(mm: M, config: KernelConfig): M {
  const layout = bootLayout(config);
  layout.ramRoots.forEach((_, i) => {
    const r = mm.apply({ op: 'add', cap: capref2(layout.rootCNode, ROOTCN_SLOT_SUPERCN, i) });
    if (!r.ok) throw new Error(`the memory manager refused boot RAM root ${i}: ${r.error}`);
  });
  return mm;
}

/** The reference manager with the default metadata parameters, holding all boot RAM. */
export const modelMemory: MemoryFactory = (kernel, config) => addRoots(new ModelMm(kernel, mmConfigOf(config)), config);
/** The optimized manager with the default metadata parameters and its self-checks on, holding all boot RAM. */
export const implMemory: MemoryFactory = (kernel, config) => addRoots(implMm(kernel, mmConfigOf(config), undefined, true), config);

export function modelStack(config: PagingConfig, memory: MemoryFactory = modelMemory): PagingStack {
  const kernel = new TappedKernel(new ModelKernel(config.kernel));
  const mem = memory(kernel, config.kernel);
  return { kernel, memory: mem, space: new ModelAddressSpace({ kernel, memory: mem, config }) };
}

/** The impl stack; `debug` switches the address space's self-checks on (the manager's are on in implMemory). */
export function implStack(config: PagingConfig, mutant?: string, debug = false, memory: MemoryFactory = implMemory): PagingStack {
  if (mutant !== undefined && !isPagingMutant(mutant)) throw new Error(`unknown paging mutant "${mutant}"`);
  const kernel = new TappedKernel(new ImplKernel(config.kernel));
  const mem = memory(kernel, config.kernel);
  return { kernel, memory: mem, space: new ImplAddressSpace({ kernel, memory: mem, config }, { debug, ...(mutant !== undefined ? { mutant } : {}) }) };
}

/** Stacks over other allocators: `model` for the model stack's, `impl` for the impl stack's. */
export function withMemory(model: MemoryFactory, impl: MemoryFactory): PagingFactories {
  return { model: (c) => modelStack(c, model), impl: (c, m) => implStack(c, m, true, impl) };
}

/** The suite's stacks; the impl address space checks its own data structures after every step (debug), as the kernel and mm suites' impls do. */
export const defaultPagingFactories: PagingFactories = { model: (c) => modelStack(c), impl: (c, m) => implStack(c, m, true) };
