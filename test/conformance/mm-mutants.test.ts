// The mm mutation proof (issue 3): every bug that can be switched on in
// impl/mm by name is caught by the default conformance budget — the seed,
// runs and steps `capref conformance mm` uses —
// and its counterexample shrinks to a short trace that reproduces the failure
// with the mutant and passes without it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_STEPS } from '../../cli/commands/conformance.js';
import { mmSuite } from '../../conformance/mm/suite.js';
import { conformanceMmConfig } from '../../conformance/mm/config.js';
import { replayMmTrace } from '../../conformance/mm/replay.js';
import { runMmConformance } from '../../conformance/mm/run.js';
import { mmMutantNames } from '../../impl/mm/mutants.js';

// The budget `capref conformance mm` (and so `npm start`) uses.
const DEFAULT_RUNS = mmSuite.defaultRuns;

describe('mm mutants are caught by the default conformance budget', () => {
  it('has at least 6 mutants', () => {
    expect(mmMutantNames.length).toBeGreaterThanOrEqual(6);
  });

  for (const mutant of mmMutantNames) {
    it(`catches ${mutant} and shrinks it to at most 12 steps`, () => {
      // As the suite runs it: each run on metadata settings drawn around the embedded configuration.
      const r = runMmConformance({ config: conformanceMmConfig, vary: true, seed: DEFAULT_SEED, runs: DEFAULT_RUNS, steps: DEFAULT_STEPS, mutant });
      expect(r.passed, `${mutant} survived ${DEFAULT_RUNS} runs`).toBe(false);
      const cx = r.counterexample!;
      expect(cx.steps.length).toBeLessThanOrEqual(12);
      expect(replayMmTrace(cx).failure?.kind).toBe(cx.failure!.kind);
      expect(replayMmTrace(cx, undefined, null).failure).toBeUndefined();
      console.log(
        `mm mutant ${mutant}: caught in run ${r.failedRun} (${r.stats.steps} steps generated), shrunk ${r.unshrunkLength} → ${cx.steps.length} steps, ${cx.failure!.kind}${cx.failure!.violated ? ` (${cx.failure!.violated.join(', ')})` : ''}`,
      );
    });
  }
});
