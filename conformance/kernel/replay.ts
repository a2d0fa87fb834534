// `capref replay`: re-runs a trace against model and impl step by step, with
// every check of the conformance loop, and compares each result with the one
// the trace recorded.
import type { KernelResult } from '../../spec/kernel/kernel.js';
import { replayChecked, type ReplayedStepOf, type ReplayOf } from '../replay.js';
import { checkStep } from './check.js';
import type { KernelFactories } from './run.js';
import { opOf, type KernelTrace } from './trace.js';

export type ReplayedStep = ReplayedStepOf<KernelResult>;
export type ReplayResult = ReplayOf<KernelResult>;

/**
 * Replays against the impl variant the trace names (its mutant, if any);
 * pass a mutant name to override it, or null for the unmodified impl.
 */
export function replayKernelTrace(trace: KernelTrace, kernels: KernelFactories, mutant?: string | null): ReplayResult {
  const m = mutant === null ? undefined : (mutant ?? trace.impl?.mutant);
  const pair = { model: kernels.model(trace.config), impl: kernels.impl(trace.config, m) };
  return replayChecked(trace.steps, pair.model.observe(), (pre, step) => checkStep(pair, pre, opOf(step), step.result));
}
