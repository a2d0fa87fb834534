// What every subsystem's suite does the same way: read its configuration
// (a file, or the default, with --arch applied), name the command that
// regenerates a run, build the counterexample trace, and write it without
// ever losing the report.
import { join } from 'node:path';
import type { z } from 'zod';
import { archNames, type ArchName } from '../spec/kernel/arch.js';
import type { SuiteOptions, SuiteOutcome } from './subsystems.js';
import {
  readJsonFile,
  TRACE_FORMAT,
  TRACE_VERSION,
  TraceInputError,
  writeJsonFile,
  zodProblems,
  type CaprefTrace,
  type Failure,
  type TraceOrigin,
} from './trace.js';

/**
 * The suite's configuration: `options.configFile` validated by `schema`, or
 * `fallback`; then `--arch` applied with `withArch` and validated again, so a
 * problem is reported with its JSON path.
 */
export function configFromOptions<S extends z.ZodType>(
  options: Pick<SuiteOptions, 'configFile' | 'arch'>,
  schema: S,
  fallback: (arch: ArchName | undefined) => z.output<S>,
  withArch: (config: z.output<S>, arch: ArchName) => unknown,
): z.output<S> {
  if (options.arch !== undefined && !(archNames as readonly string[]).includes(options.arch))
    throw new TraceInputError('--arch', [`unknown architecture "${options.arch}"; known: ${archNames.join(', ')}`]);
  const arch = options.arch as ArchName | undefined;
  if (options.configFile === undefined) return fallback(arch);
  const config = readJsonFile(options.configFile, schema);
  if (arch === undefined) return config;
  const r = schema.safeParse(withArch(config, arch));
  if (!r.success) throw new TraceInputError(`${options.configFile} with --arch ${arch}`, zodProblems(r.error));
  return r.data;
}

/** The command line that regenerates the first `runs` runs of this suite. */
export function regenerateCommand(subsystem: string, options: Pick<SuiteOptions, 'seed' | 'steps' | 'mutant' | 'configFile' | 'arch'>, runs: number): string {
  const flags = [
    `--seed ${options.seed}`,
    `--runs ${runs}`,
    `--steps ${options.steps}`,
    ...(options.mutant !== undefined ? [`--mutant ${options.mutant}`] : []),
    ...(options.configFile !== undefined ? [`--config ${options.configFile}`] : []),
    ...(options.arch !== undefined ? [`--arch ${options.arch}`] : []),
  ];
  return `capref conformance ${subsystem} ${flags.join(' ')}`;
}

/** What a runner was asked to do: the origin of a counterexample it finds. */
export interface RunnerOrigin {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly mutant?: string;
  /** The command line recorded in the trace; by default `regenerateCommand` for the failed run. */
  readonly command?: string;
}

/** The counterexample a runner found: the failed run's index, its configuration, and its steps once shrunk. */
export interface FoundCounterexample<Config, Step> {
  readonly run: number;
  readonly config: Config;
  readonly steps: readonly Step[];
  readonly failure: Failure;
  /** The failed run's length before shrinking. */
  readonly shrunkFrom: number;
}

/**
 * The counterexample as a trace in the shared envelope. A runner knows the
 * configuration, not the file or --arch it came from, so its default command
 * names neither: a suite replaces it with its own (counterexampleOutcome).
 */
export function counterexampleTrace<Sub extends string, Config, Step>(
  subsystem: Sub,
  origin: RunnerOrigin,
  found: FoundCounterexample<Config, Step>,
): CaprefTrace<Sub, Config, Step> {
  const { seed, runs, steps, mutant } = origin;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    subsystem,
    config: found.config,
    ...(mutant !== undefined ? { impl: { mutant } } : {}),
    origin: {
      command: origin.command ?? regenerateCommand(subsystem, { seed, steps, ...(mutant !== undefined ? { mutant } : {}) }, found.run + 1),
      seed,
      run: found.run,
      runs,
      steps,
      shrunkFrom: found.shrunkFrom,
    },
    steps: found.steps,
    failure: found.failure,
  };
}

export interface FailedRun<T> {
  readonly subsystem: string;
  readonly options: SuiteOptions;
  readonly failedRun: number;
  readonly unshrunkLength: number;
  /** The runner's trace; its origin's command is replaced with the suite's own (regenerateCommand). */
  readonly trace: T & { readonly steps: readonly unknown[]; readonly origin?: TraceOrigin };
  /** The failure told for a terminal. */
  readonly report: string;
  readonly runs: number;
  readonly steps: number;
  readonly summary: string;
  /** False when replaying the steps cannot show the failure (it happened outside a step). */
  readonly replayable?: boolean;
}

/**
 * Writes the counterexample to --out, its origin naming the command that
 * regenerates it (with --config and --arch), and builds the suite's outcome;
 * an unwritable --out keeps the report.
 */
export function counterexampleOutcome<T>(f: FailedRun<T>): SuiteOutcome {
  const { options } = f;
  const file = join(options.outDir, `${f.subsystem}-seed${options.seed}-run${f.failedRun}${options.mutant !== undefined ? `-${options.mutant}` : ''}.json`);
  const regenerate = regenerateCommand(f.subsystem, options, f.failedRun + 1);
  let writeError: string | undefined;
  try {
    writeJsonFile(file, { ...f.trace, origin: { ...f.trace.origin, command: regenerate } });
  } catch (e) {
    writeError = `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
  return {
    subsystem: f.subsystem,
    passed: false,
    runs: f.runs,
    steps: f.steps,
    summary: f.summary,
    report: `counterexample found in run ${f.failedRun} (shrunk from ${f.unshrunkLength} to ${f.trace.steps.length} steps): ${f.report}`,
    ...(writeError === undefined ? { counterexampleFile: file } : { writeError }),
    reproduce: [...(writeError === undefined && f.replayable !== false ? [`capref replay ${file}`] : []), regenerate],
  };
}

/** What a subsystem's runner returns, as far as its suite needs it. */
export interface RunnerResult<T> {
  readonly passed: boolean;
  readonly stats: { readonly runs: number; readonly steps: number };
  /** The shrunk counterexample, when a run failed; its failed run's index and unshrunk length. */
  readonly counterexample?: T;
  readonly failedRun?: number;
  readonly unshrunkLength?: number;
  readonly replayable?: boolean;
}

/** The suite's outcome of a runner's result: passed, or the counterexample written and told with `report`. */
export function runnerOutcome<T extends FailedRun<unknown>['trace']>(
  subsystem: string,
  options: SuiteOptions,
  r: RunnerResult<T>,
  summary: string,
  report: (trace: T) => string,
): SuiteOutcome {
  if (r.passed) return { subsystem, passed: true, runs: r.stats.runs, steps: r.stats.steps, summary };
  const trace = r.counterexample!;
  return counterexampleOutcome({
    subsystem,
    options,
    failedRun: r.failedRun!,
    unshrunkLength: r.unshrunkLength!,
    trace,
    report: report(trace),
    runs: r.stats.runs,
    steps: r.stats.steps,
    summary,
    ...(r.replayable !== undefined ? { replayable: r.replayable } : {}),
  });
}
