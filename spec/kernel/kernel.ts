// The interface model/ and impl/ both implement (DESIGN.md "The contract
// between model and impl"): apply an operation, get a result value; observe
// the canonical abstract state.
import type { Result } from '../result.js';
import type { ArgName, KernelError } from './errors.js';
import type { KernelOp, KernelOpName, KernelOpValue } from './ops.js';
import type { KernelState } from './state.js';

export type KernelResult<N extends KernelOpName = KernelOpName> = Result<KernelOpValue[N], KernelError, ArgName>;
export type ResultOf<O extends KernelOp> = KernelResult<O['op']>;

export interface Kernel {
  /** Runs one operation. Misuse returns an error value and leaves the state unchanged; it never throws. */
  apply<O extends KernelOp>(op: O): ResultOf<O>;
  /** The canonical abstract state: plain JSON, sorted, identical for any two correct kernels. */
  observe(): KernelState;
  /**
   * Optional: asserts the implementation's own data-structure invariants
   * (whatever they are), throwing an Error that names the broken one.
   * Conformance calls it after every step whose results and observations agree.
   */
  selfCheck?(): void;
}
