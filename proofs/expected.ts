// The expected results of the project's TLA+ models (proofs/expected.json):
// what TLC reports for each model and configuration, so that the embedded
// checker's results can be asserted against TLC's. The file is written by
// proofs/tools/record-expected.ts from real TLC runs, never by hand.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** How a check ended, in TLC's terms (exit codes 0, 12, 11, 13). */
export const CheckResult = z.enum(['ok', 'invariant', 'deadlock', 'property']);
export type CheckResult = z.infer<typeof CheckResult>;

/** What TLC reported for one model and configuration. */
export const TlcOutcome = z.object({
  result: CheckResult,
  /** The invariant TLC reports as violated; null unless result is "invariant". */
  violated: z.string().nullable(),
  distinctStates: z.number().int().nonnegative(),
  statesGenerated: z.number().int().nonnegative(),
  depth: z.number().int().nonnegative(),
  /** Number of states in the counterexample (TLC's "State n:" count); null when none. */
  counterexampleLength: z.number().int().positive().nullable(),
  exitCode: z.number().int(),
  /** Wall-clock time of the whole TLC process, JVM start-up included. */
  wallSeconds: z.number().nonnegative(),
  /** TLC's output, committed for violations (relative to proofs/); null otherwise. */
  fixture: z.string().nullable(),
});
export type TlcOutcome = z.infer<typeof TlcOutcome>;

/**
 * What a run is for: "test" runs in npm test; "counterexample" is a small run that
 * must fail as recorded (npm test asserts it); "benchmark" is the embedded checker's
 * performance benchmark; "long" is a safety check too long for npm test; "liveness"
 * checks a temporal property, with TLC only.
 */
export const RunRole = z.enum(['test', 'counterexample', 'benchmark', 'long', 'liveness']);
export type RunRole = z.infer<typeof RunRole>;

export const ExpectedRun = z.object({
  module: z.string().regex(/^[A-Za-z0-9_]+\.tla$/),
  config: z.string().regex(/^[A-Za-z0-9_]+\.cfg$/),
  role: RunRole,
  /** True if the configuration is within the embedded checker's subset (safety only). */
  embedded: z.boolean(),
  about: z.string().min(1),
  tlc: TlcOutcome,
});
export type ExpectedRun = z.infer<typeof ExpectedRun>;

export const ExpectedFile = z.object({
  format: z.literal('capref-tla-expected/1'),
  tlc: z.object({
    version: z.string(),
    command: z.string(),
    machine: z.string(),
  }),
  runs: z.array(ExpectedRun).min(1),
});
export type ExpectedFile = z.infer<typeof ExpectedFile>;

/** Reads and validates an expected-results file; a bad field is reported with its path. */
export function loadExpected(path: string): ExpectedFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not readable as JSON (${(e as Error).message})`);
  }
  const parsed = ExpectedFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
