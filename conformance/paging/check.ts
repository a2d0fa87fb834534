// One step of the paging conformance loop: apply the step to the model stack
// and the impl stack, compare their results and their observations (the
// address space's and the kernel's), check the result against what the
// spec prescribes, and run every paging invariant, every kernel invariant
// and every paging postcondition.
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import type { Violation } from '../../spec/kernel/invariants/framework.js';
import { jsonEqual } from '../../spec/kernel/postconditions.js';
import type { KernelState } from '../../spec/kernel/state.js';
import type { PagingResult } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { pagingInvariants, type PagingWorld } from '../../spec/paging/invariants.js';
import type { PagingOp } from '../../spec/paging/ops.js';
import { pagingPostconditions } from '../../spec/paging/postconditions.js';
import { acceptableInsteadOfSuccess, expectedPagingResult, type PagingExpectation } from '../../spec/paging/preconditions.js';
import type { PagingState } from '../../spec/paging/state.js';
import { jsonDiff } from '../diff.js';
import type { Failure } from '../trace.js';
import type { PagingStack } from './stacks.js';

export interface PagingPair {
  readonly model: PagingStack;
  readonly impl: PagingStack;
}

export type StepFailure = Omit<Failure, 'step'>;

export interface PagingStepReport {
  readonly expected?: PagingExpectation;
  readonly modelResult?: PagingResult;
  readonly implResult?: PagingResult;
  /** The model stack's observations after the step (the next step's pre-state). */
  readonly post?: PagingWorld;
  /** Invariants and postconditions that ran. */
  readonly checks?: number;
  readonly failure?: StepFailure;
}

/** Checks per step at most: every paging invariant, every kernel invariant, every paging postcondition. */
export const pagingChecksPerStep = pagingInvariants.length + kernelInvariants.length + pagingPostconditions.length;

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
export const fmtPagingResult = (r: PagingResult | PagingExpectation | undefined): string =>
  r === undefined ? '(none)' : r.ok ? 'ok' : `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;

function violationsFailure(violations: readonly Violation[], kind: 'invariant' | 'postcondition'): StepFailure | undefined {
  if (violations.length === 0) return undefined;
  const ids = [...new Set(violations.map((v) => v.invariant))];
  return { kind, message: violations.map((v) => `${v.invariant}: ${v.message}`).join('\n'), violated: ids };
}

export function worldOf(stack: PagingStack, config: PagingConfig): PagingWorld {
  return { paging: stack.space.observe(), kernel: stack.kernel.observe(), config };
}

/** Does a result agree with what the spec prescribes? Allocator errors may stand in for a success. */
export function agreesWithSpec(op: PagingOp, expected: PagingExpectation, result: PagingResult): boolean {
  if (expected.ok) return result.ok || acceptableInsteadOfSuccess(op).includes(result.error);
  return !result.ok && result.error === expected.error && result.arg === expected.arg;
}

export function checkPagingStep(pair: PagingPair, pre: PagingWorld, op: PagingOp, recorded?: PagingResult): PagingStepReport {
  let expected: PagingExpectation;
  try {
    expected = expectedPagingResult(pre.paging, pre.kernel, pre.config, op);
  } catch (e) {
    return { failure: { kind: 'exception', message: `the spec threw on this step: ${describe(e)}` } };
  }
  let modelResult: PagingResult;
  let post: PagingWorld;
  try {
    modelResult = pair.model.space.apply(op);
    post = worldOf(pair.model, pre.config);
  } catch (e) {
    return { expected, failure: { kind: 'exception', message: `the model threw: ${describe(e)}` } };
  }
  let implResult: PagingResult;
  let implPaging: PagingState;
  let implKernel: KernelState;
  try {
    implResult = pair.impl.space.apply(op);
    implPaging = pair.impl.space.observe();
    implKernel = pair.impl.kernel.observe();
  } catch (e) {
    return { expected, modelResult, post, failure: { kind: 'exception', message: `the impl threw: ${describe(e)}` } };
  }
  const base = { expected, modelResult, implResult, post };
  if (!jsonEqual(modelResult, implResult))
    return {
      ...base,
      failure: {
        kind: 'divergence',
        message: `results differ: model ${fmtPagingResult(modelResult)}, impl ${fmtPagingResult(implResult)}`,
        diff: jsonDiff(modelResult, implResult, 'result'),
      },
    };
  for (const [name, m, i] of [
    ['address space', post.paging, implPaging],
    ['kernel', post.kernel, implKernel],
  ] as const) {
    if (jsonEqual(m, i)) continue;
    const implWorld: PagingWorld = { paging: implPaging, kernel: implKernel, config: pre.config };
    const broken = [
      ...new Set([...pagingInvariants.flatMap((x) => x.check(implWorld)), ...kernelInvariants.flatMap((x) => x.check(implKernel))].map((v) => v.invariant)),
    ];
    return {
      ...base,
      failure: {
        kind: 'divergence',
        message: `the ${name} observations differ after the step${broken.length > 0 ? `; the impl's state violates ${broken.join(', ')}` : ''}`,
        diff: jsonDiff(m, i, name === 'kernel' ? 'kernel' : 'paging'),
        ...(broken.length > 0 ? { violated: broken } : {}),
      },
    };
  }
  if (!agreesWithSpec(op, expected, modelResult))
    return {
      ...base,
      failure: { kind: 'spec-mismatch', message: `the spec prescribes ${fmtPagingResult(expected)}, model and impl returned ${fmtPagingResult(modelResult)}` },
    };
  if (recorded !== undefined && !jsonEqual(recorded, modelResult))
    return {
      ...base,
      failure: { kind: 'recorded-mismatch', message: `the trace recorded ${fmtPagingResult(recorded)}, the model now returns ${fmtPagingResult(modelResult)}` },
    };
  // A state invariants already passed on need no second look: after a step that left
  // the kernel (or the whole world) as it was, only what changed is checked again.
  const kernelChanged = !jsonEqual(pre.kernel, post.kernel);
  const pagingChanged = kernelChanged || !jsonEqual(pre.paging, post.paging);
  const checked = [
    ...(pagingChanged ? pagingInvariants.flatMap((i) => i.check(post)) : []),
    ...(kernelChanged ? kernelInvariants.flatMap((i) => i.check(post.kernel)) : []),
  ];
  const inv = violationsFailure(checked, 'invariant');
  if (inv !== undefined) return { ...base, checks: invariantsRun(pagingChanged, kernelChanged), failure: inv };
  const checks = invariantsRun(pagingChanged, kernelChanged) + pagingPostconditions.length;
  const postc = violationsFailure(
    pagingPostconditions.flatMap((p) => p.check(pre, op, modelResult, post)),
    'postcondition',
  );
  if (postc !== undefined) return { ...base, checks, failure: postc };
  return { ...base, checks };
}

const invariantsRun = (paging: boolean, kernel: boolean): number => (paging ? pagingInvariants.length : 0) + (kernel ? kernelInvariants.length : 0);

/** Every invariant on one world (a trace's boot state, which no step's post-state check covers). */
export function checkWorld(w: PagingWorld): StepFailure | undefined {
  return violationsFailure([...pagingInvariants.flatMap((i) => i.check(w)), ...kernelInvariants.flatMap((i) => i.check(w.kernel))], 'invariant');
}
