// The loops that run checked steps from boot, for subsystems whose steps are
// checked one by one against the model and the impl: `capref replay`'s (each
// step of a trace checked with the result it recorded) and the shrinker's
// (operations run again, recording the model's results). Each step is checked
// from the model's state after the one before, until one fails.
import type { StepFailure } from './step-check.js';
import type { Failure } from './trace.js';

/** One replayed step: both results, and the one the trace recorded. */
export interface ReplayedStepOf<R> {
  readonly index: number;
  readonly model?: R;
  readonly impl?: R;
  readonly recorded?: R;
}

export interface ReplayOf<R> {
  readonly steps: readonly ReplayedStepOf<R>[];
  readonly failure?: Failure;
}

/** What checking one step reports, as far as a replay needs it. */
export interface CheckedStep<R, S> {
  readonly modelResult?: R;
  readonly implResult?: R;
  /** The model's state after the step (the next step's pre-state). */
  readonly post?: S;
  readonly failure?: StepFailure;
}

/** Checks `steps` in turn from `boot`; stops at the first failure. */
export function replayChecked<Step extends { readonly result?: R }, R, S>(
  steps: readonly Step[],
  boot: S,
  check: (pre: S, step: Step) => CheckedStep<R, S>,
): ReplayOf<R> {
  let pre = boot;
  const replayed: ReplayedStepOf<R>[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const r = check(pre, step);
    replayed.push({
      index: i,
      ...(r.modelResult ? { model: r.modelResult } : {}),
      ...(r.implResult ? { impl: r.implResult } : {}),
      ...(step.result ? { recorded: step.result } : {}),
    });
    if (r.failure !== undefined) return { steps: replayed, failure: { step: i, ...r.failure } };
    pre = r.post!;
  }
  return { steps: replayed };
}

/** Runs `ops` from `boot`, each checked; returns them with the model's results, up to the first failure. */
export function runChecked<Op extends object, R, S>(
  ops: readonly Op[],
  boot: S,
  check: (pre: S, op: Op, index: number) => CheckedStep<R, S>,
): { readonly steps: (Op & { readonly result?: R })[]; readonly failure?: Failure } {
  let pre = boot;
  const steps: (Op & { readonly result?: R })[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const r = check(pre, op, i);
    steps.push(r.modelResult === undefined ? op : { ...op, result: r.modelResult });
    if (r.failure !== undefined) return { steps, failure: { step: i, ...r.failure } };
    pre = r.post!;
  }
  return { steps };
}
