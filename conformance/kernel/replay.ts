// `capref replay`: re-runs a trace against model and impl step by step, with
// every check of the conformance loop, and compares each result with the one
// the trace recorded.
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { Failure } from '../trace.js';
import { checkStep } from './check.js';
import type { KernelFactories } from './run.js';
import { opOf, type KernelTrace } from './trace.js';

export interface ReplayedStep {
  readonly index: number;
  readonly model?: KernelResult;
  readonly impl?: KernelResult;
  readonly recorded?: KernelResult;
}

export interface ReplayResult {
  readonly steps: readonly ReplayedStep[];
  readonly failure?: Failure;
}

/**
 * Replays against the impl variant the trace names (its mutant, if any);
 * pass a mutant name to override it, or null for the unmodified impl.
 */
export function replayKernelTrace(trace: KernelTrace, kernels: KernelFactories, mutant?: string | null): ReplayResult {
  const m = mutant === null ? undefined : (mutant ?? trace.impl?.mutant);
  const pair = { model: kernels.model(trace.config), impl: kernels.impl(trace.config, m) };
  let pre = pair.model.observe();
  const steps: ReplayedStep[] = [];
  for (let i = 0; i < trace.steps.length; i++) {
    const step = trace.steps[i]!;
    const r = checkStep(pair, pre, opOf(step), step.result);
    steps.push({
      index: i,
      ...(r.modelResult ? { model: r.modelResult } : {}),
      ...(r.implResult ? { impl: r.implResult } : {}),
      ...(step.result ? { recorded: step.result } : {}),
    });
    if (r.failure !== undefined) return { steps, failure: { step: i, ...r.failure } };
    pre = r.post!;
  }
  return { steps };
}
