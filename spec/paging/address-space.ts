// The address space's contract: what model/paging and impl/paging both
// implement. An address space belongs to one domain (here: init, on core 0):
// it owns the domain's page tables below the root table boot made, draws RAM
// and slots from spec/mm's allocators, and changes page tables only through
// the kernel's vnode_map and vnode_unmap (DESIGN.md: paging is a client of the
// capability kernel).
//
// Every call returns a result value; misuse is an error code, never an
// exception (an exception means a bug in capref).
import { bootLayout, PAGECN_SLOT_VROOT, ROOTCN_SLOT_PAGECN } from '../kernel/boot.js';
import { capref2, type Capref } from '../kernel/capref.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RamAllocator, SlotAllocator } from '../mm/mm.js';
import type { Result } from '../result.js';
import type { PagingConfig } from './config.js';
import type { PagingAnyArg, PagingAnyError } from './errors.js';
import type { PagingOp, PagingOpName, PagingOpValue } from './ops.js';
import type { PagingState } from './state.js';

export type PagingResult<N extends PagingOpName = PagingOpName> = Result<PagingOpValue[N], PagingAnyError, PagingAnyArg>;
export type PagingResultOf<O extends PagingOp> = PagingResult<O['op']>;

export interface AddressSpace {
  /** Runs one trace step. Misuse returns an error value and leaves the address space unchanged. */
  apply<O extends PagingOp>(op: O): PagingResultOf<O>;
  /** The canonical abstract state (the kernel's is observed on the kernel). */
  observe(): PagingState;
}

/** What an address space is built from: the kernel it invokes and the allocators it draws on. */
export interface PagingEnv {
  readonly kernel: Kernel;
  readonly memory: RamAllocator & SlotAllocator;
  readonly config: PagingConfig;
}

/** Builds an address space over a kernel that has just booted with `config.kernel`. */
export type AddressSpaceFactory = (env: PagingEnv) => AddressSpace;

/** The root page table boot made for init: where its capability sits and its physical address. */
export interface PagingBoot {
  readonly rootVNode: Capref;
  readonly rootPhys: number;
}

export function pagingBoot(config: PagingConfig): PagingBoot {
  const layout = bootLayout(config.kernel);
  return { rootVNode: capref2(layout.rootCNode, ROOTCN_SLOT_PAGECN, PAGECN_SLOT_VROOT), rootPhys: layout.rootVNode };
}
