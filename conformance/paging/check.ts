// One step of the paging conformance loop: apply the step to the model stack
// and the impl stack, compare their results and their observations (the
// address space's and the kernel's), check the result against what the
// spec prescribes, and run every paging invariant, every kernel invariant
// and every paging postcondition.
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { checkPostconditions, jsonEqual, kernelPostconditions } from '../../spec/kernel/postconditions.js';
import type { KernelState } from '../../spec/kernel/state.js';
import type { PagingResult } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { pagingInvariants, type PagingWorld } from '../../spec/paging/invariants.js';
import type { PagingOp } from '../../spec/paging/ops.js';
import { pagingPostconditions } from '../../spec/paging/postconditions.js';
import { acceptableInsteadOfSuccess, judgePaging, type PagingExpectation } from '../../spec/paging/preconditions.js';
import { jsonDiff } from '../diff.js';
import { describeThrown, observationsDiffer, recordedMismatch, resultsDiffer, specMismatch, violationsFailure, type StepFailure } from '../step-check.js';
import type { PagingStack } from './stacks.js';

export interface PagingPair {
  readonly model: PagingStack;
  readonly impl: PagingStack;
}

export type { StepFailure };

export interface PagingStepReport {
  readonly expected?: PagingExpectation;
  /** The id of the precondition that decided a refusal the spec prescribes (none for a success, or an allocator's refusal). */
  readonly decidedBy?: string;
  readonly modelResult?: PagingResult;
  readonly implResult?: PagingResult;
  /** The model stack's observations after the step (the next step's pre-state). */
  readonly post?: PagingWorld;
  /** Invariants and postconditions that ran. */
  readonly checks?: number;
  readonly failure?: StepFailure;
}

/** Checks per step at most: every paging invariant, every kernel invariant, every paging postcondition, and the kernel's for a client call. */
export const pagingChecksPerStep = pagingInvariants.length + kernelInvariants.length + pagingPostconditions.length + kernelPostconditions.length;

export function worldOf(stack: PagingStack, config: PagingConfig): PagingWorld {
  return { paging: stack.space.observe(), kernel: stack.kernel.observe(), memory: stack.memory.observe(), config };
}

/** Does a result agree with what the spec prescribes? Allocator errors may stand in for a success. */
export function agreesWithSpec(op: PagingOp, expected: PagingExpectation, result: PagingResult): boolean {
  if (expected.ok) return result.ok || acceptableInsteadOfSuccess(op).includes(result.error);
  return !result.ok && result.error === expected.error && result.arg === expected.arg;
}

export function checkPagingStep(pair: PagingPair, pre: PagingWorld, op: PagingOp, recorded?: PagingResult): PagingStepReport {
  let expected: PagingExpectation;
  let decidedBy: string | undefined;
  try {
    const j = judgePaging(pre.paging, pre.kernel, pre.config, op);
    expected = j.expected;
    decidedBy = j.decidedBy;
  } catch (e) {
    return { failure: { kind: 'exception', message: `the spec threw on this step: ${describeThrown(e)}` } };
  }
  // A client's kernel call is checked by the kernel's own transition checks, on the kernel right after that call (tap.ts).
  const call = op.op === 'client' ? (op.call as KernelOp) : undefined;
  let modelResult: PagingResult;
  let post: PagingWorld;
  let modelAfterCall: KernelState | undefined;
  try {
    if (call !== undefined) pair.model.kernel.watch(call);
    modelResult = pair.model.space.apply(op);
    modelAfterCall = pair.model.kernel.takeSeen();
    post = worldOf(pair.model, pre.config);
  } catch (e) {
    return { expected, failure: { kind: 'exception', message: `the model threw: ${describeThrown(e)}` } };
  }
  let implResult: PagingResult;
  let implWorld: PagingWorld;
  let implAfterCall: KernelState | undefined;
  try {
    if (call !== undefined) pair.impl.kernel.watch(call);
    implResult = pair.impl.space.apply(op);
    implAfterCall = pair.impl.kernel.takeSeen();
    implWorld = worldOf(pair.impl, pre.config);
  } catch (e) {
    return { expected, modelResult, post, failure: { kind: 'exception', message: `the impl threw: ${describeThrown(e)}` } };
  }
  const base = { expected, modelResult, implResult, post, ...(decidedBy !== undefined ? { decidedBy } : {}) };
  const differ = resultsDiffer(modelResult, implResult);
  if (differ !== undefined) return { ...base, failure: differ };
  for (const [name, path, m, i] of [
    ['address space', 'paging', post.paging, implWorld.paging],
    ['kernel', 'kernel', post.kernel, implWorld.kernel],
    // The model leaves a call the spec refuses out altogether (it returns the spec's error); when both made the call, they must agree right after it.
    ['kernel (right after the client call)', 'kernel', modelAfterCall === undefined ? implAfterCall : modelAfterCall, implAfterCall],
    ['memory manager', 'memory', post.memory, implWorld.memory],
  ] as const) {
    if (jsonEqual(m, i)) continue;
    const implViolations = [...pagingInvariants.flatMap((x) => x.check(implWorld)), ...kernelInvariants.flatMap((x) => x.check(implWorld.kernel))];
    return { ...base, failure: observationsDiffer(`the ${name} observations`, jsonDiff(m, i, path), implViolations) };
  }
  if (!agreesWithSpec(op, expected, modelResult)) return { ...base, failure: specMismatch(expected, modelResult) };
  const unlike = recordedMismatch(recorded, modelResult);
  if (unlike !== undefined) return { ...base, failure: unlike };
  // A state invariants already passed on need no second look: after a step that left
  // the kernel (or the whole world) as it was, only what changed is checked again.
  const kernelChanged = !jsonEqual(pre.kernel, post.kernel);
  const pagingChanged = kernelChanged || !jsonEqual(pre.paging, post.paging) || !jsonEqual(pre.memory, post.memory);
  const checked = [
    ...(pagingChanged ? pagingInvariants.flatMap((i) => i.check(post)) : []),
    ...(kernelChanged ? kernelInvariants.flatMap((i) => i.check(post.kernel)) : []),
  ];
  const inv = violationsFailure(checked, 'invariant');
  if (inv !== undefined) return { ...base, checks: invariantsRun(pagingChanged, kernelChanged), failure: inv };
  const transitions = pagingPostconditions.flatMap((p) => p.check(pre, op, modelResult, post));
  // The call reached a kernel (the address space did not refuse it first): the kernel's transition checks apply to it.
  const afterCall = modelAfterCall ?? implAfterCall;
  if (call !== undefined && afterCall !== undefined) transitions.push(...checkPostconditions(pre.kernel, call, modelResult as KernelResult, afterCall));
  const checks = invariantsRun(pagingChanged, kernelChanged) + pagingPostconditions.length + (afterCall !== undefined ? kernelPostconditions.length : 0);
  const postc = violationsFailure(transitions, 'postcondition');
  if (postc !== undefined) return { ...base, checks, failure: postc };
  return { ...base, checks };
}

/**
 * A step on the model stack alone: what the spec prescribes (and which
 * precondition decided a refusal) and what the model does — no impl, no
 * comparison, no invariant. A run of these generates exactly the steps a
 * full run generates (the generator looks at the model's observations only)
 * as long as the full run passes: coverage surveys use it.
 */
export function surveyPagingStep(model: PagingStack, pre: PagingWorld, op: PagingOp): PagingStepReport {
  const j = judgePaging(pre.paging, pre.kernel, pre.config, op);
  const modelResult = model.space.apply(op);
  return { expected: j.expected, modelResult, post: worldOf(model, pre.config), ...(j.decidedBy !== undefined ? { decidedBy: j.decidedBy } : {}) };
}

const invariantsRun = (paging: boolean, kernel: boolean): number => (paging ? pagingInvariants.length : 0) + (kernel ? kernelInvariants.length : 0);

/** Every invariant on one world (a trace's boot state, which no step's post-state check covers). */
export function checkWorld(w: PagingWorld): StepFailure | undefined {
  return violationsFailure([...pagingInvariants.flatMap((i) => i.check(w)), ...kernelInvariants.flatMap((i) => i.check(w.kernel))], 'invariant');
}
