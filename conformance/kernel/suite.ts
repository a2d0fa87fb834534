// The kernel conformance suite as `capref conformance` runs it.
import { defaultKernelConfig, kernelConfigSchema, type KernelConfig } from '../../spec/kernel/config.js';
import { renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { configFromOptions, counterexampleOutcome, regenerateCommand } from '../suite-kit.js';
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
  const pct = (n: number) => `${((100 * n) / Math.max(1, stats.generated + n)).toFixed(2)}%`;
  const rejected = stats.rejected.entries().reduce((n, [, v]) => n + v, 0);
  const decisive = allPreconditionIds.filter((id) => stats.decided.get(id) > 0).length;
  const never = allPreconditionIds.filter((id) => stats.decided.get(id) === 0);
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
        ['meaningless draws rejected', `${rejected} (${pct(rejected)})`],
        ['preconditions that decided a refusal', `${decisive} of ${allPreconditionIds.length}`],
      ]),
    ]) + (never.length > 0 ? `never decisive in this run: ${never.join(', ')}\n` : '')
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
      command: regenerateCommand('kernel', options, options.runs),
    });
    const summary = kernelSummary(r.stats);
    if (r.passed) return { subsystem: 'kernel', passed: true, runs: r.stats.runs, steps: r.stats.steps, summary };
    const cx = r.counterexample!;
    const trace = { ...cx, origin: { ...cx.origin!, command: regenerateCommand('kernel', options, r.failedRun! + 1) } };
    return counterexampleOutcome({
      subsystem: 'kernel',
      options,
      failedRun: r.failedRun!,
      unshrunkLength: r.unshrunkLength!,
      trace,
      report: formatFailure(trace, cx.failure!),
      runs: r.stats.runs,
      steps: r.stats.steps,
      summary,
      ...(r.replayable !== undefined ? { replayable: r.replayable } : {}),
    });
  },
};
