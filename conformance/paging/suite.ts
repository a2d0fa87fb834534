// The paging conformance suite as `capref conformance paging` runs it.
import { archProfiles, type ArchName } from '../../spec/kernel/arch.js';
import { defaultKernelConfig } from '../../spec/kernel/config.js';
import { pagingMutantNames } from '../../impl/paging/index.js';
import { DEFAULT_VLIMIT, pagingConfigSchema, type PagingConfig } from '../../spec/paging/config.js';
import { pagingPreconditionIds } from '../../spec/paging/preconditions.js';
import { PAGE_SIZE, pagingLevels } from '../../spec/paging/layout.js';
import { preconditionCoverage, rejectedDraws, renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { configFromOptions, runnerOutcome } from '../suite-kit.js';
import { formatPagingFailure } from './format.js';
import { runPagingConformance, type PagingRunStats } from './run.js';
import { defaultPagingFactories } from './stacks.js';

/**
 * The suite's default configuration: the kernel's default platform, and a
 * window that starts 16 pages below the first leaf-table boundary, so that
 * first-fit mappings cross a boundary (and need a second copy and a second
 * leaf table) within a trace's first few steps. The NULL page stays outside.
 */
export function pagingSuiteConfig(arch: ArchName = defaultKernelConfig.arch): PagingConfig {
  const leafSpan = pagingLevels(archProfiles[arch]).at(-1)!.tableSpan;
  return { kernel: { ...defaultKernelConfig, arch }, paging: { vbase: leafSpan - 16 * PAGE_SIZE, vlimit: DEFAULT_VLIMIT } };
}

export function pagingConfigFrom(options: Pick<SuiteOptions, 'configFile' | 'arch'>): PagingConfig {
  return configFromOptions(options, pagingConfigSchema, pagingSuiteConfig, (c, arch) => ({ ...c, kernel: { ...c.kernel, arch } }));
}

export function pagingSummary(stats: PagingRunStats): string {
  const preconditions = preconditionCoverage(pagingPreconditionIds, stats.decided);
  return (
    sideBySide([
      renderTable('steps', stats.ops.entries()),
      renderTable('results', stats.results.entries()),
      renderTable('coverage', [
        ['steps', stats.steps],
        ['invariants and postconditions checked', stats.invariantChecks],
        ['most mappings at once', stats.maxMappings],
        ['most page tables at once', stats.maxTables],
        ['most regions at once', stats.maxRegions],
        ['mappings across leaf tables', stats.multiPieceMappings],
        ['mappings a client revoke took', stats.revokedMappings],
        ['meaningless draws rejected', rejectedDraws(stats.rejected.total(), stats.generated)],
        ['refusals an allocator decided', stats.allocatorRefusals.total()],
        preconditions.row,
      ]),
    ]) + preconditions.never
  );
}

export const pagingSuite: Suite = {
  name: 'paging',
  description: 'self-paging address spaces: reserve, map (fixed and free), unmap, release, lazy faults, and a client that deletes and revokes what it mapped',
  mutants: pagingMutantNames,
  // About 65 s on the 2-core machine; every mutant falls within the first five runs.
  defaultRuns: 1000,
  validate: (options) => void pagingConfigFrom(options),
  run(options: SuiteOptions): SuiteOutcome {
    const r = runPagingConformance({
      config: pagingConfigFrom(options),
      seed: options.seed,
      runs: options.runs,
      steps: options.steps,
      stacks: defaultPagingFactories,
      ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
      onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
    });
    return runnerOutcome('paging', options, r, pagingSummary(r.stats), (trace) => formatPagingFailure(trace, trace.failure!));
  },
};
