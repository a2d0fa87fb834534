// The verdicts one step of a conformance loop can reach, worded the same way
// for every subsystem: the model and the impl returned different results or
// left different observations, the trace recorded another result than the
// model returns now, the spec prescribed another result, an invariant or a
// transition check broke. Each subsystem's check.ts decides which applies.
import type { Violation } from '../spec/kernel/invariants/framework.js';
import { jsonEqual } from '../spec/kernel/postconditions.js';
import { jsonDiff, type FieldDiff } from './diff.js';
import type { Failure } from './trace.js';

/** A failure found by checking one step (the runner adds the step's index). */
export type StepFailure = Omit<Failure, 'step'>;

/** A result, or what the spec prescribes: success, or an error with the argument it blames. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly arg?: string | undefined };

/** Something thrown, for a message. */
export const describeThrown = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** A result in one word: `ok`, or the error and the argument it blames. */
export const formatVerdict = (r: Verdict | undefined): string =>
  r === undefined ? '(none)' : r.ok ? 'ok' : `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;

/** The ids of the invariants (or transition checks) that broke, each once. */
const brokenIds = (violations: readonly Violation[]): string[] => [...new Set(violations.map((v) => v.invariant))];

/** Violations as one failure of the given kind, or none. */
export function violationsFailure(violations: readonly Violation[], kind: 'invariant' | 'postcondition'): StepFailure | undefined {
  if (violations.length === 0) return undefined;
  return { kind, message: violations.map((v) => `${v.invariant}: ${v.message}`).join('\n'), violated: brokenIds(violations) };
}

/** Model and impl returned different results. */
export function resultsDiffer(modelResult: Verdict, implResult: Verdict): StepFailure | undefined {
  if (jsonEqual(modelResult, implResult)) return undefined;
  return {
    kind: 'divergence',
    message: `results differ: model ${formatVerdict(modelResult)}, impl ${formatVerdict(implResult)}`,
    diff: jsonDiff(modelResult, implResult, 'result'),
  };
}

/** Model and impl left different observations (`what`, e.g. "the kernel observations"); `implViolations`: what the impl's state violates. */
export function observationsDiffer(what: string, diff: FieldDiff[], implViolations: readonly Violation[]): StepFailure {
  const broken = brokenIds(implViolations);
  return {
    kind: 'divergence',
    message: `${what} differ after the step${broken.length > 0 ? `; the impl's state violates ${broken.join(', ')}` : ''}`,
    diff,
    ...(broken.length > 0 ? { violated: broken } : {}),
  };
}

/** The spec prescribed another result than model and impl returned. */
export const specMismatch = (expected: Verdict, result: Verdict): StepFailure => ({
  kind: 'spec-mismatch',
  message: `the spec prescribes ${formatVerdict(expected)}, model and impl returned ${formatVerdict(result)}`,
});

/** Replaying a trace: the model now returns another result than the trace recorded. */
export function recordedMismatch(recorded: Verdict | undefined, modelResult: Verdict): StepFailure | undefined {
  if (recorded === undefined || jsonEqual(recorded, modelResult)) return undefined;
  return { kind: 'recorded-mismatch', message: `the trace recorded ${formatVerdict(recorded)}, the model now returns ${formatVerdict(modelResult)}` };
}
