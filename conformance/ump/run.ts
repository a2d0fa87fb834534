// `capref conformance ump`: random interleavings of a channel's four
// processes, each step checked against model and spec; on failure the
// interleaving is shrunk (fast-check, then step by step), written as a trace
// file, and reported with the steps and the command that reproduces it.
import { join } from 'node:path';
import fc from 'fast-check';
import type { UmpDir, UmpStep } from '../../spec/ump/index.js';
import { describeUmpCheck, formatUmpStep } from '../../spec/ump/index.js';
import type { UmpMutant } from '../../impl/ump/index.js';
import { UMP_MUTANT_DESCRIPTIONS } from '../../impl/ump/index.js';
import type { UmpStepFailure } from './driver.js';
import { replayUmpSteps } from './driver.js';
import type { UmpGenerationLimits, UmpScenario } from './generate.js';
import { DEFAULT_UMP_LIMITS, runUmpScenario, umpScenarioArbitrary } from './generate.js';
import { shrinkUmpSteps } from './shrink.js';
import { traceMutant, writeUmpTrace, type UmpTrace } from './trace.js';
import type { Failure } from '../trace.js';

export const UMP_DEFAULT_SEED = 20240607;
export const UMP_DEFAULT_RUNS = 1000;
export const UMP_DEFAULT_MAX_STEPS = 400;

export interface UmpConformanceOptions {
  /** fast-check seed (default UMP_DEFAULT_SEED): the same seed gives the same runs and the same counterexample. */
  readonly seed?: number;
  /** Random interleavings to try (default 1000). */
  readonly runs?: number;
  /** Longest interleaving, in steps (default 400). */
  readonly maxSteps?: number;
  /** Check a deliberately broken implementation instead of the real one. */
  readonly mutant?: UmpMutant | undefined;
  /** Directory for the counterexample trace (default "capref-out"); null writes no file. */
  readonly outDir?: string | null;
  /** Generation limits (ring sizes, message counts, schedule length). */
  readonly limits?: Partial<UmpGenerationLimits>;
  /** How the report names the command, e.g. "capref conformance ump" or "npx capref conformance ump". */
  readonly command?: string;
}

export interface UmpRunStats {
  readonly runs: number;
  readonly steps: number;
  readonly stepsByAction: Record<string, number>;
  readonly resultsByStatus: Record<string, number>;
  readonly messagesDelivered: number;
  readonly chunkedMessagesDelivered: number;
  /** Runs in which some sender found its ring full. */
  readonly runsWithFullRing: number;
  readonly runsWithClose: number;
  /** Deepest ring occupancy reached, and the largest ring tried. */
  readonly maxInFlight: number;
}

export interface UmpCounterexampleReport {
  readonly check: string;
  readonly message: string;
  readonly diff: readonly string[];
  readonly explanation?: string;
  readonly trace: UmpTrace;
  /** Where the trace was written (absent when outDir is null). */
  readonly tracePath?: string;
  /** Steps of the first failing interleaving as generated (before any shrinking, fast-check's included), and after shrinking. */
  readonly originalSteps: number;
  readonly shrunkSteps: number;
}

export interface UmpConformanceResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly mutant?: UmpMutant;
  /** Runs executed; on failure, the number of runs up to and including the first failing one. */
  readonly runs: number;
  readonly runsToFailure?: number;
  readonly stats: UmpRunStats;
  readonly counterexample?: UmpCounterexampleReport;
  /** The command that reproduces this result. */
  readonly reproduce: string;
  /** A human-readable report (several lines). */
  readonly report: string;
}

function emptyStats(): { -readonly [K in keyof UmpRunStats]: UmpRunStats[K] } {
  return {
    runs: 0,
    steps: 0,
    stepsByAction: {},
    resultsByStatus: {},
    messagesDelivered: 0,
    chunkedMessagesDelivered: 0,
    runsWithFullRing: 0,
    runsWithClose: 0,
    maxInFlight: 0,
  };
}

function account(stats: ReturnType<typeof emptyStats>, s: UmpScenario, steps: readonly UmpStep[], maxInFlight: Record<UmpDir, number>): void {
  stats.runs++;
  stats.steps += steps.length;
  let full = false;
  let close = false;
  for (const st of steps) {
    stats.stepsByAction[st.action] = (stats.stepsByAction[st.action] ?? 0) + 1;
    if ((st.action === 'SendCheck' || st.action === 'RecvCheck') && st.result !== undefined) {
      stats.resultsByStatus[st.result] = (stats.resultsByStatus[st.result] ?? 0) + 1;
      if (st.result === 'LIB_ERR_UMP_CHAN_FULL') full = true;
    }
    if (st.action === 'RecvRelease' && st.delivered !== undefined) {
      stats.messagesDelivered++;
      if (st.delivered.length / 2 > s.config.payloadBytes) stats.chunkedMessagesDelivered++;
    }
    if (st.action === 'Close') close = true;
  }
  if (full) stats.runsWithFullRing++;
  if (close) stats.runsWithClose++;
  stats.maxInFlight = Math.max(stats.maxInFlight, maxInFlight.AtoB, maxInFlight.BtoA);
}

/** The command line that reruns a conformance run with these options. */
export function umpReproduceCommand(command: string, o: { seed: number; runs: number; maxSteps: number; mutant?: UmpMutant | undefined }): string {
  return `${command} --seed ${o.seed} --runs ${o.runs} --steps ${o.maxSteps}${o.mutant === undefined ? '' : ` --mutant ${o.mutant}`}`;
}

/** Renders a failing step list: one line per step, the failing one marked. */
export function formatUmpSteps(steps: readonly UmpStep[], failingIndex?: number): string[] {
  const width = String(Math.max(0, steps.length - 1)).length;
  return steps.map((s, i) => `  ${String(i).padStart(width)}  ${formatUmpStep(s)}${i === failingIndex ? '   <-- fails here' : ''}`);
}

function describeFailure(f: UmpStepFailure): string | undefined {
  try {
    return describeUmpCheck(f.check as Parameters<typeof describeUmpCheck>[0]).explanation;
  } catch {
    return undefined;
  }
}

export function runUmpConformance(options: UmpConformanceOptions = {}): UmpConformanceResult {
  const seed = options.seed ?? UMP_DEFAULT_SEED;
  const runs = options.runs ?? UMP_DEFAULT_RUNS;
  const maxSteps = options.maxSteps ?? UMP_DEFAULT_MAX_STEPS;
  const mutant = options.mutant;
  const command = options.command ?? 'capref conformance ump';
  const limits = { ...DEFAULT_UMP_LIMITS, ...options.limits };
  const stats = emptyStats();
  /** The first failing run, as generated (fast-check's counterexample is already shrunk). */
  let firstFailure: { scenario: UmpScenario; steps: number } | undefined;

  const details = fc.check(
    fc.property(umpScenarioArbitrary(limits), (s) => {
      const r = runUmpScenario(s, { mutant, maxSteps });
      if (firstFailure !== undefined) return r.ok; // shrinking runs are not counted
      account(stats, s, r.steps, r.maxInFlight);
      if (!r.ok) firstFailure = { scenario: s, steps: r.steps.length };
      return r.ok;
    }),
    { seed, numRuns: runs },
  );
  const reproduce = umpReproduceCommand(command, { seed, runs, maxSteps, mutant });
  const header = `UMP conformance, seed ${seed}${mutant === undefined ? '' : `, mutant ${mutant} (${UMP_MUTANT_DESCRIPTIONS[mutant]})`}`;

  if (!details.failed || details.counterexample === null) {
    const lines = [
      `${header}: passed ${stats.runs} runs, ${stats.steps} steps`,
      `  steps by action: ${Object.entries(stats.stepsByAction)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `  results: ${Object.entries(stats.resultsByStatus)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `  messages delivered ${stats.messagesDelivered} (chunked ${stats.chunkedMessagesDelivered}); runs with a full ring ${stats.runsWithFullRing}, with a close ${stats.runsWithClose}; deepest ring ${stats.maxInFlight}`,
      `reproduce: ${reproduce}`,
    ];
    return { ok: true, seed, ...(mutant === undefined ? {} : { mutant }), runs: stats.runs, stats, reproduce, report: lines.join('\n') + '\n' };
  }

  // Shrink step by step both fast-check's counterexample and the first failing
  // run itself, and keep the shorter: fast-check shrinks payloads towards zero
  // bytes, which fresh shared memory also holds, and can so hide a failure for
  // a few more steps than the run it started from needed.
  const shrinkFrom = (scenario: UmpScenario) => {
    const run = runUmpScenario(scenario, { mutant, maxSteps });
    return shrinkUmpSteps(scenario.config, run.steps, run.failure!.check, { mutant });
  };
  const unshrunk = firstFailure?.steps ?? runUmpScenario(details.counterexample[0], { mutant, maxSteps }).steps.length;
  const candidates = [shrinkFrom(details.counterexample[0]), ...(firstFailure === undefined ? [] : [shrinkFrom(firstFailure.scenario)])];
  const shrunk = candidates.reduce((best, c) => (c.replay.steps.length < best.replay.steps.length ? c : best));
  const final = shrunk.replay;
  const failure = final.failure!;
  const trace: UmpTrace = {
    format: 'capref-trace',
    version: 1,
    subsystem: 'ump',
    config: shrunk.config,
    ...(mutant === undefined ? {} : { impl: { mutant } }),
    origin: { command: reproduce, seed, runs, steps: maxSteps, shrunkFrom: unshrunk },
    steps: final.steps,
    failure: umpFailure(failure),
  };
  let tracePath: string | undefined;
  if (options.outDir !== null) {
    tracePath = join(options.outDir ?? 'capref-out', `ump-counterexample-seed${seed}${mutant === undefined ? '' : `-${mutant}`}.json`);
    writeUmpTrace(tracePath, trace);
  }
  const explanation = describeFailure(failure);
  const lines = [
    `${header}: counterexample after ${details.numRuns} run(s); shrunk from ${unshrunk} to ${final.steps.length} steps`,
    `violated ${failure.check}: ${failure.message}`,
    ...(explanation === undefined ? [] : [`  (${failure.check}: ${explanation})`]),
    ...failure.diff.map((d) => `  ${d}`),
    `config: ${shrunk.config.slots} slot(s) per direction, ${shrunk.config.payloadBytes} payload bytes per slot`,
    "steps (results are the reference's):",
    ...formatUmpSteps(final.steps, failure.stepIndex),
    ...(tracePath === undefined ? [] : [`trace written to ${tracePath}`, `reproduce: capref replay ${tracePath}`]),
    `${tracePath === undefined ? 'reproduce' : '       or'}: ${reproduce}`,
  ];
  return {
    ok: false,
    seed,
    ...(mutant === undefined ? {} : { mutant }),
    runs: details.numRuns,
    runsToFailure: details.numRuns,
    stats,
    counterexample: {
      check: failure.check,
      message: failure.message,
      diff: failure.diff,
      ...(explanation === undefined ? {} : { explanation }),
      trace,
      ...(tracePath === undefined ? {} : { tracePath }),
      originalSteps: unshrunk,
      shrunkSteps: final.steps.length,
    },
    reproduce: tracePath === undefined ? reproduce : `capref replay ${tracePath}`,
    report: lines.join('\n') + '\n',
  };
}

/** A step failure in the shared trace envelope's terms. */
export function umpFailure(f: UmpStepFailure): Failure {
  const kind: Failure['kind'] = f.check.startsWith('UMP-') ? 'invariant' : f.check === 'TRACE-MISMATCH' ? 'recorded-mismatch' : 'exception';
  return {
    step: f.stepIndex,
    kind,
    message: [`${f.check}: ${f.message}`, ...f.diff].join('\n'),
    ...(kind === 'invariant' ? { violated: [f.check] } : {}),
  };
}

/** Replays a trace (from a file, validated) against the implementation (or the trace's mutant) and the model. */
export function replayUmpTrace(
  trace: UmpTrace,
  options: { mutant?: UmpMutant | undefined } = {},
): {
  readonly ok: boolean;
  readonly failure?: UmpStepFailure;
  readonly steps: UmpStep[];
  /** What happened, without the steps (for callers that print the steps themselves). */
  readonly summary: string;
  /** The summary followed by the steps, the failing one marked. */
  readonly report: string;
} {
  const mutant = options.mutant ?? traceMutant(trace);
  const r = replayUmpSteps(trace.config, trace.steps, { mutant });
  const summary = r.ok
    ? [`UMP trace: ${r.steps.length} steps replayed, every check passed${mutant === undefined ? '' : ` (mutant ${mutant})`}`]
    : [`UMP trace: step ${r.failure!.stepIndex} fails ${r.failure!.check}: ${r.failure!.message}`, ...r.failure!.diff.map((d) => `  ${d}`)];
  const steps = r.ok ? [] : formatUmpSteps(r.steps, r.failure!.stepIndex);
  return {
    ok: r.ok,
    ...(r.failure === undefined ? {} : { failure: r.failure }),
    steps: r.steps,
    summary: summary.join('\n') + '\n',
    report: [...summary, ...steps].join('\n') + '\n',
  };
}
