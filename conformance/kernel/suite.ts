// The kernel conformance suite as `capref conformance` runs it.
import { defaultKernelConfig, kernelConfigSchema, type KernelConfig } from '../../spec/kernel/config.js';
import { preconditionCoverage, rejectedDraws, renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { configFromOptions, runnerOutcome } from '../suite-kit.js';
import { defaultKernelFactories, kernelMutantNames } from './kernels.js';
import { formatFailure } from './report.js';
import { allPreconditionIds, runKernelConformance, type KernelRunStats } from './run.js';

export function kernelConfigFrom(options: Pick<SuiteOptions, 'configFile' | 'arch'>): KernelConfig {
  return configFromOptions(
    options,
    kernelConfigSchema,
    (arch) => (arch === undefined ? defaultKernelConfig : { ...defaultKernelConfig, arch }),
    (c, arch) => ({ ...c, arch }),
  );
}

export function kernelSummary(stats: KernelRunStats): string {
  const preconditions = preconditionCoverage(allPreconditionIds, stats.decided);
  return (
    sideBySide([
      renderTable('operations', stats.ops.entries()),
      renderTable('results', stats.results.entries()),
      renderTable('coverage', [
        ['steps', stats.steps],
        ['invariants and postconditions checked', stats.invariantChecks],
        ['deepest derivation chain (ancestors)', stats.maxDerivationDepth],
        ['deepest CNode nesting (from a root)', stats.maxCNodeNesting],
        ['largest MDB (live capabilities)', stats.maxLiveCaps],
        ['meaningless draws rejected', rejectedDraws(stats.rejected.total(), stats.generated)],
        preconditions.row,
      ]),
    ]) + preconditions.never
  );
}

export const kernelSuite: Suite = {
  name: 'kernel',
  description: 'the capability kernel: retype, copy, mint, delete, revoke, vnode_map, vnode_unmap',
  mutants: kernelMutantNames,
  defaultRuns: 1000,
  validate: (options) => void kernelConfigFrom(options),
  run(options: SuiteOptions): SuiteOutcome {
    const r = runKernelConformance({
      config: kernelConfigFrom(options),
      seed: options.seed,
      runs: options.runs,
      steps: options.steps,
      kernels: defaultKernelFactories,
      ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
      onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
    });
    return runnerOutcome('kernel', options, r, kernelSummary(r.stats), (trace) => formatFailure(trace, trace.failure!));
  },
};
