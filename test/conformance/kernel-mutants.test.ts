// The mutation proof (issue 2, item 6): every bug that can be switched on in
// the implementation by name is caught by the DEFAULT conformance budget
// (the seed, runs and steps `capref conformance kernel` uses), and the
// counterexample shrinks to at most 12 steps.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNS, DEFAULT_SEED, DEFAULT_STEPS } from '../../cli/commands/conformance.js';
import { defaultKernelFactories, kernelMutantNames } from '../../conformance/kernel/kernels.js';
import { replayKernelTrace } from '../../conformance/kernel/replay.js';
import { runKernelConformance } from '../../conformance/kernel/run.js';
import { defaultKernelConfig } from '../../spec/kernel/config.js';

describe('kernel mutants are caught by the default conformance budget', () => {
  it('has at least 10 mutants', () => {
    expect(kernelMutantNames.length).toBeGreaterThanOrEqual(10);
  });

  it('finds no counterexample without a mutant in a short run', () => {
    const r = runKernelConformance({ config: defaultKernelConfig, seed: DEFAULT_SEED, runs: 20, steps: DEFAULT_STEPS, kernels: defaultKernelFactories });
    expect(r.passed).toBe(true);
  });

  for (const mutant of kernelMutantNames) {
    it(`catches ${mutant} and shrinks it to at most 12 steps`, () => {
      const r = runKernelConformance({
        config: defaultKernelConfig,
        seed: DEFAULT_SEED,
        runs: DEFAULT_RUNS,
        steps: DEFAULT_STEPS,
        kernels: defaultKernelFactories,
        mutant,
      });
      expect(r.passed, `${mutant} survived ${DEFAULT_RUNS} runs`).toBe(false);
      const cx = r.counterexample!;
      expect(cx.steps.length).toBeLessThanOrEqual(12);
      // The written trace reproduces the failure with the mutant, and passes without it.
      expect(replayKernelTrace(cx, defaultKernelFactories).failure?.kind).toBe(cx.failure!.kind);
      expect(replayKernelTrace(cx, defaultKernelFactories, null).failure).toBeUndefined();
      console.log(
        `mutant ${mutant}: caught in run ${r.failedRun} (${r.stats.steps} steps generated), shrunk ${r.unshrunkLength} → ${cx.steps.length} steps, ${cx.failure!.kind}`,
      );
    });
  }
});
