// `capref conformance mm`: the mm suite behind the shape every subsystem
// shares (../subsystems.ts), so that `capref conformance all` runs it like
// the others. It generates traces of mm steps interleaved with the client's
// kernel calls, checks both stacks at every step, and on a failure writes the
// shrunk counterexample and the commands that reproduce it.
import { mmConfigSchema, type MmConfig } from '../../spec/mm/config.js';
import { mmPreconditionIds } from '../../spec/mm/preconditions.js';
import { mmMutantNames } from '../../impl/mm/mutants.js';
import { preconditionCoverage, renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { configFromOptions, runnerOutcome } from '../suite-kit.js';
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

/** Refills that followed a step other than `add`: in the middle of a trace, as the milestone's challenge has it. */
const midTrace = (stats: MmRunStats, use: string): number =>
  stats.refills.entries().reduce((n, [k, v]) => (k.startsWith(`${use} after `) && k !== `${use} after add` ? n + v : n), 0);

export function mmSummary(stats: MmRunStats): string {
  const ops = renderTable('steps', stats.ops.entries());
  const results = renderTable('results', stats.results.entries());
  const preconditions = preconditionCoverage(mmPreconditionIds, stats.decided);
  const reach = renderTable('reached', [
    ['runs', stats.runs],
    ['runs on drawn metadata settings', stats.variedRuns],
    ['steps', stats.steps],
    ['checks (invariants, transitions)', stats.invariantChecks],
    ['most live client allocations', stats.maxAllocations],
    ['most free ranges', stats.maxFreeRanges],
    ['most slab frames', stats.maxSlabFrames],
    ['most slot-allocator CNodes', stats.maxSlotCNodes],
    ['runs that opened a CSpace extension', stats.cspaceExtensions],
    ['runs that opened a second one', stats.secondExtensions],
    ['slab refills mid-trace (not after add)', midTrace(stats, 'frame')],
    ['slot refills mid-trace (not after add)', midTrace(stats, 'l2cnode') + midTrace(stats, 'l1cnode')],
    ['slot refills right after an alloc', stats.refills.get('l2cnode after alloc') + stats.refills.get('l1cnode after alloc')],
    ['rejected generation attempts', stats.rejected.total()],
    preconditions.row,
  ]);
  return sideBySide([ops, results, reach]) + preconditions.never;
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
        // A configuration file is run as given; the embedded one is the base each run draws its metadata settings around.
        vary: options.configFile === undefined,
        seed: options.seed,
        runs: options.runs,
        steps: options.steps,
        ...(stacks !== undefined ? { stacks } : {}),
        ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
        onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
      });
      return runnerOutcome('mm', options, r, mmSummary(r.stats), (trace) => formatMmFailure(trace, trace.failure!, replayMmTrace(trace, stacks).steps));
    },
  };
}

/** `capref conformance mm`. */
export const mmSuite: Suite = makeMmSuite();
