// One step of the conformance loop: apply the operation to model and impl,
// compare their results and observations, check the result against what the
// spec's preconditions prescribe, and run every invariant and postcondition.
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import type { Kernel, KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { checkPostconditions, jsonEqual, kernelPostconditions } from '../../spec/kernel/postconditions.js';
import { expectedResult, type Expectation } from '../../spec/kernel/preconditions/index.js';
import type { KernelState } from '../../spec/kernel/state.js';
import type { Violation } from '../../spec/kernel/invariants/framework.js';
import { jsonDiff } from '../diff.js';
import type { Failure } from '../trace.js';

export interface KernelPair {
  readonly model: Kernel;
  readonly impl: Kernel;
}

export type StepFailure = Omit<Failure, 'step'>;

export interface StepReport {
  readonly modelResult?: KernelResult;
  readonly implResult?: KernelResult;
  readonly expected?: Expectation;
  /** The model's observation after the step (the next step's pre-state). */
  readonly post?: KernelState;
  readonly failure?: StepFailure;
}

/** Checks performed per step: every invariant and every postcondition. */
export const checksPerStep = kernelInvariants.length + kernelPostconditions.length;

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
const fmtResult = (r: KernelResult | Expectation | undefined) =>
  r === undefined ? '(none)' : r.ok ? 'ok' : `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;

function checkViolations(violations: readonly Violation[], kind: 'invariant' | 'postcondition'): StepFailure | undefined {
  if (violations.length === 0) return undefined;
  const ids = [...new Set(violations.map((v) => v.invariant))];
  return { kind, message: violations.map((v) => `${v.invariant}: ${v.message}`).join('\n'), violated: ids };
}

export function checkStep(pair: KernelPair, pre: KernelState, op: KernelOp, recorded?: KernelResult): StepReport {
  let expected: Expectation;
  try {
    expected = expectedResult(pre, op);
  } catch (e) {
    return { failure: { kind: 'exception', message: `the spec threw on this operation: ${describe(e)}` } };
  }
  let modelResult: KernelResult;
  let implResult: KernelResult;
  let post: KernelState;
  let implPost: KernelState;
  try {
    modelResult = pair.model.apply(op);
    post = pair.model.observe();
  } catch (e) {
    return { expected, failure: { kind: 'exception', message: `the model threw: ${describe(e)}` } };
  }
  try {
    implResult = pair.impl.apply(op);
    implPost = pair.impl.observe();
  } catch (e) {
    return { expected, modelResult, post, failure: { kind: 'exception', message: `the impl threw: ${describe(e)}` } };
  }
  const base = { expected, modelResult, implResult, post };
  if (!jsonEqual(modelResult, implResult)) {
    return {
      ...base,
      failure: {
        kind: 'divergence',
        message: `results differ: model ${fmtResult(modelResult)}, impl ${fmtResult(implResult)}`,
        diff: jsonDiff(modelResult, implResult, 'result'),
      },
    };
  }
  if (!jsonEqual(post, implPost)) {
    const implViolations = [...kernelInvariants.flatMap((i) => i.check(implPost))];
    const broken = [...new Set(implViolations.map((v) => v.invariant))];
    return {
      ...base,
      failure: {
        kind: 'divergence',
        message: `observations differ after the step${broken.length > 0 ? `; the impl's state violates ${broken.join(', ')}` : ''}`,
        diff: jsonDiff(post, implPost, 'state'),
        ...(broken.length > 0 ? { violated: broken } : {}),
      },
    };
  }
  const agrees = expected.ok ? modelResult.ok : !modelResult.ok && modelResult.error === expected.error && modelResult.arg === expected.arg;
  if (!agrees)
    return {
      ...base,
      failure: { kind: 'spec-mismatch', message: `the spec prescribes ${fmtResult(expected)}, model and impl returned ${fmtResult(modelResult)}` },
    };
  if (recorded !== undefined && !jsonEqual(recorded, modelResult))
    return {
      ...base,
      failure: { kind: 'recorded-mismatch', message: `the trace recorded ${fmtResult(recorded)}, the model now returns ${fmtResult(modelResult)}` },
    };
  const inv = checkViolations(
    kernelInvariants.flatMap((i) => i.check(post)),
    'invariant',
  );
  if (inv !== undefined) return { ...base, failure: inv };
  const postc = checkViolations(checkPostconditions(pre, op, modelResult, post), 'postcondition');
  if (postc !== undefined) return { ...base, failure: postc };
  return base;
}
