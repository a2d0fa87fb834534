// `capref conformance ump`: the UMP suite behind the shape every subsystem
// shares (../subsystems.ts). Its generator chooses ring sizes itself, so it
// takes no configuration file and no architecture.
import { UMP_MUTANTS, type UmpMutant } from '../../impl/ump/index.js';
import { renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { counterexampleOutcome } from '../suite-kit.js';
import { TraceInputError } from '../trace.js';
import { formatUmpSteps, runUmpConformance, UMP_DEFAULT_MAX_STEPS, UMP_DEFAULT_RUNS, type UmpRunStats } from './run.js';

export function umpSummary(stats: UmpRunStats): string {
  return sideBySide([
    renderTable(
      'steps',
      Object.entries(stats.stepsByAction).sort((a, b) => b[1] - a[1]),
    ),
    renderTable(
      'results of the checks',
      Object.entries(stats.resultsByStatus).sort((a, b) => b[1] - a[1]),
    ),
    renderTable('reached', [
      ['runs', stats.runs],
      ['steps', stats.steps],
      ['messages delivered', stats.messagesDelivered],
      ['of them split into chunks', stats.chunkedMessagesDelivered],
      ['runs where a ring was full', stats.runsWithFullRing],
      ['runs with a close', stats.runsWithClose],
      ['deepest ring occupancy', stats.maxInFlight],
    ]),
  ]);
}

function validate(options: Pick<SuiteOptions, 'configFile' | 'arch'>): void {
  if (options.configFile !== undefined) throw new TraceInputError('--config', ['the ump suite chooses its ring sizes itself and takes no configuration file']);
  if (options.arch !== undefined) throw new TraceInputError('--arch', ['the ump suite has no architecture profile']);
}

export const umpSuite: Suite = {
  name: 'ump',
  description: "user-level message passing: random interleavings of the atomic steps of a channel's senders and receivers, against a pair of queues",
  mutants: UMP_MUTANTS,
  defaultRuns: UMP_DEFAULT_RUNS,
  defaultSteps: UMP_DEFAULT_MAX_STEPS,
  validate,
  run(options: SuiteOptions): SuiteOutcome {
    validate(options);
    const r = runUmpConformance({
      seed: options.seed,
      runs: options.runs,
      maxSteps: options.steps,
      mutant: options.mutant as UmpMutant | undefined,
      outDir: null,
    });
    const summary = umpSummary(r.stats);
    if (r.ok || r.counterexample === undefined) return { subsystem: 'ump', passed: true, runs: r.stats.runs, steps: r.stats.steps, summary };
    const cx = r.counterexample;
    const trace = cx.trace;
    const report = [
      `${cx.check} at step ${trace.failure!.step} of ${trace.steps.length}${options.mutant !== undefined ? ` (impl mutant: ${options.mutant})` : ''}`,
      `  ${cx.message}`,
      ...(cx.explanation === undefined ? [] : [`  (${cx.check}: ${cx.explanation})`]),
      ...cx.diff.map((d) => `  ${d}`),
      `Ring: ${trace.config.slots} slot(s) per direction, ${trace.config.payloadBytes} payload bytes per slot`,
      '',
      "Steps (results are the reference's):",
      ...formatUmpSteps(trace.steps, trace.failure!.step),
    ].join('\n');
    return counterexampleOutcome({
      subsystem: 'ump',
      options,
      failedRun: r.runs - 1,
      unshrunkLength: cx.originalSteps,
      trace,
      report: report + '\n',
      runs: r.stats.runs,
      steps: r.stats.steps,
      summary,
    });
  },
};
