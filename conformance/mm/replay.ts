// `capref replay` for mm traces: re-runs a trace against both stacks step by
// step, with every check of the conformance loop, and compares each result
// with the one the trace recorded.
import type { MmResult } from '../../spec/mm/mm.js';
import type { Failure } from '../trace.js';
import { checkMmStep } from './check.js';
import { defaultMmStacks, worldOf, type MmStackFactories } from './stack.js';
import { mmOpOf, type MmTrace } from './trace.js';

export interface MmReplayedStep {
  readonly index: number;
  readonly model?: MmResult;
  readonly impl?: MmResult;
  readonly recorded?: MmResult;
}

export interface MmReplayResult {
  readonly steps: readonly MmReplayedStep[];
  readonly failure?: Failure;
}

/** Replays against the impl variant the trace names (its mutant, if any); pass a mutant to override, or null for the unmodified impl. */
export function replayMmTrace(trace: MmTrace, stacks: MmStackFactories = defaultMmStacks, mutant?: string | null): MmReplayResult {
  const m = mutant === null ? undefined : (mutant ?? trace.impl?.mutant);
  const pair = { model: stacks.model(trace.config), impl: stacks.impl(trace.config, m) };
  let pre = worldOf(pair.model, trace.config);
  const steps: MmReplayedStep[] = [];
  for (let i = 0; i < trace.steps.length; i++) {
    const step = trace.steps[i]!;
    const r = checkMmStep(pair, pre, mmOpOf(step), step.result);
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
