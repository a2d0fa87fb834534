// `capref replay` for mm traces: re-runs a trace against both stacks step by
// step, with every check of the conformance loop, and compares each result
// with the one the trace recorded.
import type { MmResult } from '../../spec/mm/mm.js';
import { replayChecked, type ReplayedStepOf, type ReplayOf } from '../replay.js';
import { checkMmStep } from './check.js';
import { defaultMmStacks, worldOf, type MmStackFactories } from './stack.js';
import { mmOpOf, type MmTrace } from './trace.js';

export type MmReplayedStep = ReplayedStepOf<MmResult>;
export type MmReplayResult = ReplayOf<MmResult>;

/** Replays against the impl variant the trace names (its mutant, if any); pass a mutant to override, or null for the unmodified impl. */
export function replayMmTrace(trace: MmTrace, stacks: MmStackFactories = defaultMmStacks, mutant?: string | null): MmReplayResult {
  const m = mutant === null ? undefined : (mutant ?? trace.impl?.mutant);
  const pair = { model: stacks.model(trace.config), impl: stacks.impl(trace.config, m) };
  return replayChecked(trace.steps, worldOf(pair.model, trace.config), (pre, step) => checkMmStep(pair, pre, mmOpOf(step), step.result));
}
