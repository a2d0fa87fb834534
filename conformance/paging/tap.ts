// A kernel the paging conformance loop can look into in the middle of a
// step. A client's kernel call (delete, revoke, copy, ...) goes to the kernel
// through the address space, which may then act on what it did (a revoke
// takes its copies: it unmaps, frees tables, gives slots and RAM back). The
// kernel's own transition checks are about the call alone, so the loop needs
// the kernel's state right after that one call: it names the call (by
// identity — the address space passes the client's call object through) and
// the tap observes the kernel as soon as it has run.
import type { Kernel, ResultOf } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import type { KernelState } from '../../spec/kernel/state.js';

export class TappedKernel implements Kernel {
  private watched: KernelOp | undefined;
  private seen: KernelState | undefined;

  constructor(readonly inner: Kernel) {}

  apply<O extends KernelOp>(op: O): ResultOf<O> {
    const r = this.inner.apply(op);
    if (op === this.watched) {
      this.seen = this.inner.observe();
      this.watched = undefined;
    }
    return r;
  }

  observe(): KernelState {
    return this.inner.observe();
  }

  selfCheck(): void {
    this.inner.selfCheck?.();
  }

  /** Observe the kernel right after `op` (this very object) is applied next. */
  watch(op: KernelOp): void {
    this.watched = op;
    this.seen = undefined;
  }

  /** The kernel's state right after the watched call, if it reached the kernel; clears the watch. */
  takeSeen(): KernelState | undefined {
    const s = this.seen;
    this.watched = undefined;
    this.seen = undefined;
    return s;
  }
}
