// One step of the mm conformance loop: apply the step to the model stack and
// the impl stack, compare their results and both observations (manager and
// kernel), check the result against what the spec prescribes (error, and for
// allocations the exact placement and slot), and run every mm invariant,
// every kernel invariant and the transition checks of both.
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import type { Violation } from '../../spec/kernel/invariants/framework.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { checkPostconditions, jsonEqual } from '../../spec/kernel/postconditions.js';
import { mmInvariants, type MmWorld } from '../../spec/mm/invariants.js';
import type { MmResult } from '../../spec/mm/mm.js';
import type { MmOp } from '../../spec/mm/ops.js';
import { checkMmPostconditions, mmPostconditions } from '../../spec/mm/postconditions.js';
import { judgeMm, type MmExpectation } from '../../spec/mm/preconditions.js';
import { jsonDiff } from '../diff.js';
import { describeThrown, observationsDiffer, recordedMismatch, resultsDiffer, specMismatch, violationsFailure, type StepFailure } from '../step-check.js';
import { worldOf, type MmStack } from './stack.js';

export interface MmPair {
  readonly model: MmStack;
  readonly impl: MmStack;
}

export interface MmStepReport {
  readonly modelResult?: MmResult;
  readonly implResult?: MmResult;
  readonly expected?: MmExpectation;
  /** The id of the precondition that decided a refusal the spec prescribes (none for a success). */
  readonly decidedBy?: string;
  /** The model's world after the step (the next step's pre-state). */
  readonly post?: MmWorld;
  readonly failure?: StepFailure;
}

/** Checks per step: every mm and kernel invariant, and the mm transition checks. */
export const mmChecksPerStep = mmInvariants.length + kernelInvariants.length + mmPostconditions.length;

function worldInvariants(w: MmWorld): Violation[] {
  return [...mmInvariants.flatMap((i) => i.check(w)), ...kernelInvariants.flatMap((i) => i.check(w.kernel))];
}

export function checkMmStep(pair: MmPair, pre: MmWorld, op: MmOp, recorded?: MmResult): MmStepReport {
  let expected: MmExpectation;
  let decidedBy: string | undefined;
  try {
    const j = judgeMm(pre.mm, pre.kernel, pre.config, pre.boot, op);
    expected = j.expected;
    decidedBy = j.decidedBy;
  } catch (e) {
    return { failure: { kind: 'exception', message: `the spec threw on this step: ${describeThrown(e)}` } };
  }
  let modelResult: MmResult;
  let post: MmWorld;
  try {
    modelResult = pair.model.mm.apply(op);
    post = worldOf(pair.model, pre.config);
  } catch (e) {
    return { expected, failure: { kind: 'exception', message: `the model threw: ${describeThrown(e)}` } };
  }
  let implResult: MmResult;
  let implPost: MmWorld;
  try {
    implResult = pair.impl.mm.apply(op);
    implPost = worldOf(pair.impl, pre.config);
  } catch (e) {
    return { expected, modelResult, post, failure: { kind: 'exception', message: `the impl threw: ${describeThrown(e)}` } };
  }
  const base = { expected, modelResult, implResult, post, ...(decidedBy !== undefined ? { decidedBy } : {}) };
  const differ = resultsDiffer(modelResult, implResult);
  if (differ !== undefined) return { ...base, failure: differ };
  if (!jsonEqual(post.mm, implPost.mm) || !jsonEqual(post.kernel, implPost.kernel)) {
    const diff = [...jsonDiff(post.mm, implPost.mm, 'mm'), ...jsonDiff(post.kernel, implPost.kernel, 'kernel')];
    return { ...base, failure: observationsDiffer('observations', diff, worldInvariants(implPost)) };
  }
  const agrees = expected.ok
    ? modelResult.ok && (expected.value === undefined || jsonEqual(expected.value, modelResult.value))
    : !modelResult.ok && modelResult.error === expected.error && modelResult.arg === expected.arg;
  if (!agrees) {
    // Both succeeded: the spec prescribed another value (a placement, a slot).
    const failure: StepFailure =
      expected.ok && modelResult.ok
        ? {
            kind: 'spec-mismatch',
            message: `the spec prescribes ${JSON.stringify(expected.value)}, model and impl returned ${JSON.stringify(modelResult.value)}`,
          }
        : specMismatch(expected, modelResult);
    return { ...base, failure };
  }
  const unlike = recordedMismatch(recorded, modelResult);
  if (unlike !== undefined) return { ...base, failure: unlike };
  const inv = violationsFailure(worldInvariants(post), 'invariant');
  if (inv !== undefined) return { ...base, failure: inv };
  const transitions = checkMmPostconditions(pre, op, modelResult, post);
  // A client call that reached the kernel is a kernel step: the kernel's transition checks apply too.
  if (op.op === 'client' && !(!modelResult.ok && modelResult.error === 'MM_ERR_FOREIGN_SLOT'))
    transitions.push(...checkPostconditions(pre.kernel, op.call as KernelOp, modelResult as KernelResult, post.kernel));
  const postc = violationsFailure(transitions, 'postcondition');
  if (postc !== undefined) return { ...base, failure: postc };
  return base;
}

/**
 * A step on the model stack alone: what the spec prescribes (and which
 * precondition decided a refusal) and what the model does — no impl, no
 * comparison, no invariant. A run of these generates exactly the steps a
 * full run generates (the generator looks at the model's observations only)
 * as long as the full run passes: coverage surveys use it.
 */
export function surveyMmStep(model: MmStack, pre: MmWorld, op: MmOp): MmStepReport {
  const j = judgeMm(pre.mm, pre.kernel, pre.config, pre.boot, op);
  const modelResult = model.mm.apply(op);
  return { expected: j.expected, modelResult, post: worldOf(model, pre.config), ...(j.decidedBy !== undefined ? { decidedBy: j.decidedBy } : {}) };
}
