// Preconditions as data: each operation has an ordered list of named checks,
// and the first that fails decides the error. The order is the spec's answer
// to "which error does this operation return when several things are wrong"
// (DESIGN.md: preconditions are checked in a fixed, documented order).
// docs/kernel-reference.md is generated from these lists.
import type { Err } from '../../result.js';
import type { ArchProfile } from '../arch.js';
import type { ArgName, KernelError } from '../errors.js';
import type { CoreState, MemoryRegionConfig } from '../state.js';

export type KernelErr = Err<KernelError, ArgName>;

/** What the spec says an operation must return: success, or this error. */
export type Expectation = { readonly ok: true } | KernelErr;

export interface PreconditionContext<Op> {
  readonly core: CoreState;
  readonly arch: ArchProfile;
  /** The platform's memory map (reclaim returns RAM only). */
  readonly memory: readonly MemoryRegionConfig[];
  readonly op: Op;
}

export interface Precondition<C> {
  /** Stable id, e.g. "retype.no-overlap"; tests and docs refer to it. */
  readonly id: string;
  /** The error returned when the check fails ("lookup" for the capref lookup errors). */
  readonly error: KernelError | 'lookup';
  /** The rule in plain language. */
  readonly rule: string;
  /** Where the rule comes from. */
  readonly source: string;
  /** Returns the failure, or undefined when the rule holds; may record what it looked up in `ctx`. */
  readonly check: (ctx: C) => KernelErr | undefined;
}

export const LOOKUP_SOURCE = 'kernel/capabilities.c caps_lookup_slot';

/** Runs the checks in order; the first failure is the result. */
export function firstFailure<C>(checks: readonly Precondition<C>[], ctx: C): Expectation {
  for (const p of checks) {
    const f = p.check(ctx);
    if (f !== undefined) return f;
  }
  return { ok: true };
}
