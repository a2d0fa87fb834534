// `capref conformance mm`: the mm suite behind the shape every subsystem
// shares (../subsystems.ts), so that `capref conformance all` runs it like
// the others. It generates traces of mm steps interleaved with the client's
// kernel calls, checks both stacks at every step, and on a failure writes the
// shrunk counterexample and the commands that reproduce it.
import { mmConfigSchema, type MmConfig } from '../../spec/mm/config.js';
import { mmMutantNames } from '../../impl/mm/mutants.js';
import { renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { configFromOptions, counterexampleOutcome, regenerateCommand } from '../suite-kit.js';
import { TraceInputError } from '../trace.js';
import { conformanceMmConfig } from './config.js';
import { formatMmFailure } from './report.js';
import { replayMmTrace } from './replay.js';
import { runMmConformance, type MmRunStats } from './run.js';
import type { MmStackFactories } from './stack.js';

/** The suite's configuration: a file (validated), or the default, with the architecture overridden when asked. */
export function mmSuiteConfig(options: Pick<SuiteOptions, 'configFile' | 'arch'>): MmConfig {
  return configFromOptions(
    options,
    mmConfigSchema,
    (arch) => (arch === undefined ? conformanceMmConfig : { ...conformanceMmConfig, kernel: { ...conformanceMmConfig.kernel, arch } }),
    (c, arch) => ({ ...c, kernel: { ...c.kernel, arch } }),
  );
}

export function mmSummary(stats: MmRunStats): string {
  const ops = renderTable('steps', stats.ops.entries());
  const results = renderTable('results', stats.results.entries());
  const reach = renderTable('reached', [
    ['runs', stats.runs],
    ['steps', stats.steps],
    ['checks (invariants, transitions)', stats.invariantChecks],
    ['most live client allocations', stats.maxAllocations],
    ['most free ranges', stats.maxFreeRanges],
    ['most slab frames', stats.maxSlabFrames],
    ['most slot-allocator CNodes', stats.maxSlotCNodes],
    ['runs that opened a CSpace extension', stats.cspaceExtensions],
    ['rejected generation attempts', stats.rejected.entries().reduce((n, [, v]) => n + v, 0)],
  ]);
  return sideBySide([ops, results, reach]);
}

/** The mm suite over given stacks (tests pass their own; the CLI uses the defaults). */
export function makeMmSuite(stacks?: MmStackFactories): Suite {
  return {
    name: 'mm',
    description: 'physical memory manager on RAM capabilities: model (sorted list, first fit) vs impl (augmented tree), with client kernel calls',
    mutants: mmMutantNames,
    // About 30 s on the 2-core machine; every mutant falls within the first five runs.
    defaultRuns: 1000,
    validate: (options) => void mmSuiteConfig(options),
    run(options: SuiteOptions): SuiteOutcome {
      if (options.mutant !== undefined && !(mmMutantNames as readonly string[]).includes(options.mutant))
        throw new TraceInputError('--mutant', [`unknown mm mutant ${options.mutant}; known: ${mmMutantNames.join(', ')}`]);
      const r = runMmConformance({
        config: mmSuiteConfig(options),
        seed: options.seed,
        runs: options.runs,
        steps: options.steps,
        ...(stacks !== undefined ? { stacks } : {}),
        ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
        onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
      });
      const summary = mmSummary(r.stats);
      if (r.passed) return { subsystem: 'mm', passed: true, runs: r.stats.runs, steps: r.stats.steps, summary };
      const trace = { ...r.counterexample!, origin: { ...r.counterexample!.origin!, command: regenerateCommand('mm', options, r.failedRun! + 1) } };
      const replay = replayMmTrace(trace, stacks);
      return counterexampleOutcome({
        subsystem: 'mm',
        options,
        failedRun: r.failedRun!,
        unshrunkLength: r.unshrunkLength!,
        trace,
        report: formatMmFailure(trace, trace.failure!, replay.steps),
        runs: r.stats.runs,
        steps: r.stats.steps,
        summary,
      });
    },
  };
}

/** `capref conformance mm`. */
export const mmSuite: Suite = makeMmSuite();
