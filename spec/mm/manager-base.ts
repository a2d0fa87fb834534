// What every memory manager does the same way, whatever its data structures:
// the contract's convenience calls are trace steps, and a client's kernel
// call goes through only when every slot it names is the client's
// (MM_ERR_FOREIGN_SLOT: the manager's own slots are not the client's to touch).
// model/mm and impl/mm extend this; they differ only in `apply`, `observe`
// and how they know who holds a slot.
import type { Capref } from '../kernel/capref.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Region } from '../kernel/state.js';
import { err } from '../result.js';
import { allocOpOf, type MemoryManager, type MmResult, type MmResultOf, type RamRequest } from './mm.js';
import type { ClientOp, MmOp } from './ops.js';
import { slotsNamedBy } from './preconditions.js';
import type { MmState } from './state.js';

export abstract class MemoryManagerBase implements MemoryManager {
  protected constructor(protected readonly kernel: Kernel) {}

  abstract apply<O extends MmOp>(op: O): MmResultOf<O>;
  abstract observe(): MmState;
  /** Whether the client holds `slot`: the manager handed it out and has not had it back. */
  protected abstract isClientSlot(slot: Capref): boolean;

  allocRam(request: RamRequest): MmResult<'alloc'> {
    return this.apply(allocOpOf(request));
  }
  freeRam(cap: Capref, range?: Region): MmResult<'free'> {
    return this.apply({ op: 'free', cap, ...(range !== undefined ? { range } : {}) });
  }
  allocSlot(): MmResult<'slot_alloc'> {
    return this.apply({ op: 'slot_alloc' });
  }
  freeSlot(slot: Capref): MmResult<'slot_free'> {
    return this.apply({ op: 'slot_free', slot });
  }

  /** A client step: the kernel's own call, on the client's slots only. */
  protected clientCall(op: ClientOp): MmResult {
    const named = slotsNamedBy(op.call);
    if (named === 'too-many' || !named.every((r) => this.isClientSlot(r))) return err('MM_ERR_FOREIGN_SLOT', 'slot');
    return this.kernel.apply(op.call) as MmResult;
  }
}
