// One step of the conformance loop: apply the operation to model and impl,
// compare their results and observations, check the result against what the
// spec's preconditions prescribe, and run every invariant and postcondition.
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import type { Kernel, KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { checkPostconditions, jsonEqual, kernelPostconditions } from '../../spec/kernel/postconditions.js';
import { judgeOp, type Expectation } from '../../spec/kernel/preconditions/index.js';
import type { KernelState } from '../../spec/kernel/state.js';
import { jsonDiff } from '../diff.js';
import { describeThrown, observationsDiffer, recordedMismatch, resultsDiffer, specMismatch, violationsFailure, type StepFailure } from '../step-check.js';

export interface KernelPair {
  readonly model: Kernel;
  readonly impl: Kernel;
}

export type { StepFailure };

export interface StepReport {
  readonly modelResult?: KernelResult;
  readonly implResult?: KernelResult;
  readonly expected?: Expectation;
  /** The precondition that decided the expected result (absent when the operation must succeed). */
  readonly decidedBy?: string;
  /** The model's observation after the step (the next step's pre-state). */
  readonly post?: KernelState;
  readonly failure?: StepFailure;
}

/** Checks performed per step: every invariant and every postcondition. */
export const checksPerStep = kernelInvariants.length + kernelPostconditions.length;

export function checkStep(pair: KernelPair, pre: KernelState, op: KernelOp, recorded?: KernelResult): StepReport {
  let expected: Expectation;
  let decidedBy: string | undefined;
  try {
    const j = judgeOp(pre, op);
    expected = j.expected;
    decidedBy = j.decidedBy;
  } catch (e) {
    return { failure: { kind: 'exception', message: `the spec threw on this operation: ${describeThrown(e)}` } };
  }
  let modelResult: KernelResult;
  let implResult: KernelResult;
  let post: KernelState;
  let implPost: KernelState;
  try {
    modelResult = pair.model.apply(op);
    post = pair.model.observe();
  } catch (e) {
    return { expected, failure: { kind: 'exception', message: `the model threw: ${describeThrown(e)}` } };
  }
  try {
    implResult = pair.impl.apply(op);
    implPost = pair.impl.observe();
  } catch (e) {
    return { expected, modelResult, post, failure: { kind: 'exception', message: `the impl threw: ${describeThrown(e)}` } };
  }
  const base = { expected, modelResult, implResult, post, ...(decidedBy !== undefined ? { decidedBy } : {}) };
  const differ = resultsDiffer(modelResult, implResult);
  if (differ !== undefined) return { ...base, failure: differ };
  if (!jsonEqual(post, implPost))
    return {
      ...base,
      failure: observationsDiffer(
        'observations',
        jsonDiff(post, implPost, 'state'),
        kernelInvariants.flatMap((i) => i.check(implPost)),
      ),
    };
  try {
    pair.impl.selfCheck?.();
  } catch (e) {
    return { ...base, failure: { kind: 'exception', message: `the impl's self-check failed after the step: ${describeThrown(e)}` } };
  }
  const agrees = expected.ok ? modelResult.ok : !modelResult.ok && modelResult.error === expected.error && modelResult.arg === expected.arg;
  if (!agrees) return { ...base, failure: specMismatch(expected, modelResult) };
  const unlike = recordedMismatch(recorded, modelResult);
  if (unlike !== undefined) return { ...base, failure: unlike };
  const inv = violationsFailure(
    kernelInvariants.flatMap((i) => i.check(post)),
    'invariant',
  );
  if (inv !== undefined) return { ...base, failure: inv };
  const postc = violationsFailure(checkPostconditions(pre, op, modelResult, post), 'postcondition');
  if (postc !== undefined) return { ...base, failure: postc };
  return base;
}
