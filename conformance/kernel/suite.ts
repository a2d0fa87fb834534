// The kernel conformance suite as `capref conformance` runs it.
import { join } from 'node:path';
import { archNames } from '../../spec/kernel/arch.js';
import { defaultKernelConfig, kernelConfigSchema, type KernelConfig } from '../../spec/kernel/config.js';
import { renderTable, sideBySide } from '../stats.js';
import type { Suite, SuiteOptions, SuiteOutcome } from '../subsystems.js';
import { readJsonFile, writeJsonFile, TraceInputError } from '../trace.js';
import { defaultKernelFactories, kernelMutantNames } from './kernels.js';
import { formatFailure } from './report.js';
import { runKernelConformance, type KernelRunStats } from './run.js';

export function kernelConfigFrom(options: Pick<SuiteOptions, 'configFile' | 'arch'>): KernelConfig {
  let config: KernelConfig = defaultKernelConfig;
  if (options.configFile !== undefined) config = readJsonFile(options.configFile, kernelConfigSchema);
  if (options.arch !== undefined) {
    if (!(archNames as readonly string[]).includes(options.arch))
      throw new TraceInputError('--arch', [`unknown architecture "${options.arch}"; known: ${archNames.join(', ')}`]);
    config = { ...config, arch: options.arch as KernelConfig['arch'] };
    const r = kernelConfigSchema.safeParse(config);
    if (!r.success)
      throw new TraceInputError(
        '--arch',
        r.error.issues.map((i) => i.message),
      );
  }
  return config;
}

export function kernelSummary(stats: KernelRunStats): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, stats.generated + n)).toFixed(2)}%`;
  const rejected = stats.rejected.entries().reduce((n, [, v]) => n + v, 0);
  return sideBySide([
    renderTable('operations', stats.ops.entries()),
    renderTable('results', stats.results.entries()),
    renderTable('coverage', [
      ['steps', stats.steps],
      ['invariants and postconditions checked', stats.invariantChecks],
      ['deepest derivation chain (ancestors)', stats.maxDerivationDepth],
      ['deepest CNode nesting (from a root)', stats.maxCNodeNesting],
      ['largest MDB (live capabilities)', stats.maxLiveCaps],
      ['meaningless draws rejected', `${rejected} (${pct(rejected)})`],
    ]),
  ]);
}

export const kernelSuite: Suite = {
  name: 'kernel',
  description: 'the capability kernel: retype, copy, mint, delete, revoke, vnode_map, vnode_unmap',
  mutants: kernelMutantNames,
  run(options: SuiteOptions): SuiteOutcome {
    const config = kernelConfigFrom(options);
    const regenerate = (runs: number) =>
      `capref conformance kernel --seed ${options.seed} --runs ${runs} --steps ${options.steps}${options.mutant !== undefined ? ` --mutant ${options.mutant}` : ''}${options.configFile !== undefined ? ` --config ${options.configFile}` : ''}${options.arch !== undefined ? ` --arch ${options.arch}` : ''}`;
    const r = runKernelConformance({
      config,
      seed: options.seed,
      runs: options.runs,
      steps: options.steps,
      kernels: defaultKernelFactories,
      ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
      onRun: (run, stats) => options.onProgress?.(run + 1, options.runs, stats.steps),
      command: regenerate(options.runs),
    });
    const summary = kernelSummary(r.stats);
    if (r.passed) return { subsystem: 'kernel', passed: true, runs: r.stats.runs, steps: r.stats.steps, summary };
    const cx = r.counterexample!;
    const file = join(options.outDir, `kernel-seed${options.seed}-run${r.failedRun}${options.mutant !== undefined ? `-${options.mutant}` : ''}.json`);
    const trace = { ...cx, origin: { ...cx.origin!, command: regenerate(r.failedRun! + 1) } };
    // An unwritable --out must not lose the report (or turn it into a stack trace).
    let writeError: string | undefined;
    try {
      writeJsonFile(file, trace);
    } catch (e) {
      writeError = `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`;
    }
    return {
      subsystem: 'kernel',
      passed: false,
      runs: r.stats.runs,
      steps: r.stats.steps,
      summary,
      report: `counterexample found in run ${r.failedRun} (shrunk from ${r.unshrunkLength} to ${cx.steps.length} steps): ${formatFailure(trace, cx.failure!)}`,
      ...(writeError === undefined ? { counterexampleFile: file } : { writeError }),
      reproduce: [...(writeError === undefined ? [`capref replay ${file}`] : []), regenerate(r.failedRun! + 1)],
    };
  },
};
