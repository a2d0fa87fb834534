// `capref conformance mm`: the mm suite behind the shape every subsystem
// shares (../subsystems.ts), so that `capref conformance all` runs it like
// the others. It generates traces of mm steps interleaved with the client's
// kernel calls, checks both stacks at every step, and on a failure writes the
// shrunk counterexample and the commands that reproduce it.
import { join } from 'node:path';
import { archNames } from '../../spec/kernel/arch.js';
import { mmConfigSchema, type MmConfig } from '../../spec/mm/config.js';
import { mmMutantNames } from '../../impl/mm/mutants.js';
import { renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { readJsonFile, TraceInputError, writeJsonFile } from '../trace.js';
import { conformanceMmConfig } from './config.js';
import { formatMmFailure } from './report.js';
import { replayMmTrace } from './replay.js';
import { runMmConformance, type MmRunStats } from './run.js';
import type { MmStackFactories } from './stack.js';

/** The suite's configuration: a file (validated), or the default, with the architecture overridden when asked. */
export function mmSuiteConfig(options: Pick<SuiteOptions, 'configFile' | 'arch'>): MmConfig {
  let config = options.configFile !== undefined ? readJsonFile(options.configFile, mmConfigSchema) : conformanceMmConfig;
  if (options.arch !== undefined) {
    if (!(archNames as readonly string[]).includes(options.arch)) throw new TraceInputError('--arch', [`unknown architecture ${options.arch}; known: ${archNames.join(', ')}`]);
    const r = mmConfigSchema.safeParse({ ...config, kernel: { ...config.kernel, arch: options.arch } });
    if (!r.success) throw new TraceInputError('--arch', r.error.issues.map((i) => i.message));
    config = r.data;
  }
  return config;
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
    run(options: SuiteOptions): SuiteOutcome {
      if (options.mutant !== undefined && !(mmMutantNames as readonly string[]).includes(options.mutant))
        throw new TraceInputError('--mutant', [`unknown mm mutant ${options.mutant}; known: ${mmMutantNames.join(', ')}`]);
      const config = mmSuiteConfig(options);
      const command = (runs: number) =>
        `capref conformance mm --seed ${options.seed} --runs ${runs} --steps ${options.steps}${options.mutant !== undefined ? ` --mutant ${options.mutant}` : ''}${options.configFile !== undefined ? ` --config ${options.configFile}` : ''}${options.arch !== undefined ? ` --arch ${options.arch}` : ''}`;
      const r = runMmConformance({
        config,
        seed: options.seed,
        runs: options.runs,
        steps: options.steps,
        ...(stacks !== undefined ? { stacks } : {}),
        ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
        onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
      });
      const base = { subsystem: 'mm', runs: r.stats.runs, steps: r.stats.steps, summary: mmSummary(r.stats) };
      if (r.passed) return { ...base, passed: true };
      const cx = { ...r.counterexample!, origin: { ...r.counterexample!.origin!, command: command(r.failedRun! + 1) } };
      const file = join(options.outDir, `mm-seed${options.seed}-run${r.failedRun}${options.mutant !== undefined ? `-${options.mutant}` : ''}.json`);
      writeJsonFile(file, cx);
      const replay = replayMmTrace(cx, stacks);
      return {
        ...base,
        passed: false,
        report: formatMmFailure(cx, cx.failure!, replay.steps) + `\nCounterexample (${cx.steps.length} steps, shrunk from ${r.unshrunkLength}) written to ${file}\n`,
        counterexampleFile: file,
        reproduce: [cx.origin.command, `capref replay ${file}`],
      };
    },
  };
}

/** `capref conformance mm`. */
export const mmSuite: Suite = makeMmSuite();
