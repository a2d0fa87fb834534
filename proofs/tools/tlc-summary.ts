// Reads the few facts proofs/expected.json records out of TLC's plain console
// output (tla-notes.md section 5). Only what the recorder needs; the full
// parser of TLC's output belongs to proofs/tla-tools-runner.
import type { CheckResult } from '../expected.js';

export interface TlcSummary {
  readonly version: string;
  readonly result: CheckResult;
  readonly violated: string | null;
  readonly distinctStates: number;
  readonly statesGenerated: number;
  readonly depth: number;
  readonly counterexampleLength: number | null;
}

const resultByExitCode: Readonly<Record<number, CheckResult>> = {
  0: 'ok',
  11: 'deadlock',
  12: 'invariant',
  13: 'property',
};

/** Summarises one TLC run; throws if the output is not that of a finished check. */
export function summariseTlc(output: string, exitCode: number): TlcSummary {
  const result = resultByExitCode[exitCode];
  if (result === undefined) throw new Error(`TLC exited with ${exitCode}, which is not a check result`);
  const totals = /^(\d+) states generated, (\d+) distinct states found, \d+ states left on queue\.$/m.exec(output);
  const depth = /^The depth of the complete state graph search is (\d+)\.$/m.exec(output);
  if (!totals || !depth) throw new Error('TLC output has no final statistics');
  const version = /^TLC2 Version .*$/m.exec(output)?.[0] ?? 'unknown';
  const violated = /^Error: Invariant (\S+) is violated\.$/m.exec(output)?.[1] ?? null;
  if ((result === 'invariant') !== (violated !== null)) {
    throw new Error('TLC output and exit code disagree about an invariant violation');
  }
  const stateNumbers = [...output.matchAll(/^State (\d+): /gm)].map((m) => Number(m[1]));
  return {
    version,
    result,
    violated,
    statesGenerated: Number(totals[1]),
    distinctStates: Number(totals[2]),
    depth: Number(depth[1]),
    counterexampleLength: stateNumbers.length === 0 ? null : Math.max(...stateNumbers),
  };
}
