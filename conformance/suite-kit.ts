// What every subsystem's suite does the same way: read its configuration
// (a file, or the default, with --arch applied), name the command that
// regenerates a run, and write a counterexample without ever losing the report.
import { join } from 'node:path';
import type { z } from 'zod';
import { archNames, type ArchName } from '../spec/kernel/arch.js';
import type { SuiteOptions, SuiteOutcome } from './subsystems.js';
import { readJsonFile, TraceInputError, writeJsonFile, zodProblems } from './trace.js';

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
export function regenerateCommand(subsystem: string, options: SuiteOptions, runs: number): string {
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

export interface FailedRun<T> {
  readonly subsystem: string;
  readonly options: SuiteOptions;
  readonly failedRun: number;
  readonly unshrunkLength: number;
  readonly trace: T & { readonly steps: readonly unknown[] };
  /** The failure told for a terminal. */
  readonly report: string;
  readonly runs: number;
  readonly steps: number;
  readonly summary: string;
  /** False when replaying the steps cannot show the failure (it happened outside a step). */
  readonly replayable?: boolean;
}

/** Writes the counterexample to --out and builds the suite's outcome; an unwritable --out keeps the report. */
export function counterexampleOutcome<T>(f: FailedRun<T>): SuiteOutcome {
  const { options } = f;
  const file = join(options.outDir, `${f.subsystem}-seed${options.seed}-run${f.failedRun}${options.mutant !== undefined ? `-${options.mutant}` : ''}.json`);
  let writeError: string | undefined;
  try {
    writeJsonFile(file, f.trace);
  } catch (e) {
    writeError = `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
  const regenerate = regenerateCommand(f.subsystem, options, f.failedRun + 1);
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
