// What the mm suite's default budget reaches — the budget `capref conformance
// mm` (and so `npm start`) runs: every precondition of the mm spec decides
// some refusal, except the ones listed below that no trace can reach; and the
// manager's hard metadata paths (slots and slab running out, refills in the
// middle of a trace, a second CSpace extension) are among its steps, so they
// are compared between model and impl.
//
// The budget is surveyed (runMmConformance's `survey`): the same runs, judged
// by the spec and run on the model stack, without the impl and the checks —
// the generator looks only at the model's observations, so these are exactly
// the steps a full run compares, at a fraction of its cost. The first test
// below holds the survey to that on a smaller budget.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_STEPS } from '../../cli/commands/conformance.js';
import { conformanceMmConfig } from '../../conformance/mm/config.js';
import { runMmConformance } from '../../conformance/mm/run.js';
import { mmSuite } from '../../conformance/mm/suite.js';
import { mmPreconditionIds } from '../../spec/mm/preconditions.js';

/** Preconditions no mm trace can make decisive, each with the reason. */
const unreachable: Readonly<Record<string, string>> = {
  // add.unused refuses a RAM capability something was already derived from.
  // The only RAM capabilities a trace can add are boot's roots (a client's
  // own RAM is refused earlier, by add.disjoint, as memory the manager already
  // manages); nothing can derive from a root before it is added — the client
  // may name only slots it holds (DEC-MM-CLIENT-CSPACE) and the manager
  // derives only from its parents — and adding it twice is add.disjoint.
  // test/spec/mm/preconditions.test.ts reaches it by driving the kernel directly.
  'add.unused': 'no trace can derive from a boot RAM root before the manager takes it over',
};

// As the suite runs it: each run on metadata settings drawn around the embedded configuration.
const budget = { config: conformanceMmConfig, vary: true, seed: DEFAULT_SEED, steps: DEFAULT_STEPS } as const;

describe('the mm default budget', () => {
  const r = runMmConformance({ ...budget, runs: mmSuite.defaultRuns, survey: true });
  const never = mmPreconditionIds.filter((id) => r.stats.decided.get(id) === 0);
  const midTrace = (use: string) => r.stats.refills.entries().reduce((n, [k, v]) => (k.startsWith(`${use} after `) && k !== `${use} after add` ? n + v : n), 0);

  it('is surveyed faithfully: a survey reaches exactly what the full runs reach', () => {
    const full = runMmConformance({ ...budget, runs: 60 });
    const survey = runMmConformance({ ...budget, runs: 60, survey: true });
    expect(full.passed).toBe(true);
    for (const k of ['ops', 'results', 'decided', 'refills'] as const) expect(survey.stats[k].toJSON(), k).toEqual(full.stats[k].toJSON());
    expect(survey.stats.secondExtensions).toBe(full.stats.secondExtensions);
    expect(r.stats.runs).toBe(mmSuite.defaultRuns);
  });

  it('makes every reachable precondition decide a refusal; the unreachable ones are listed with their reason', () => {
    console.log(`mm: preconditions that decided a refusal: ${mmPreconditionIds.length - never.length} of ${mmPreconditionIds.length}; never: ${never.join(', ') || 'none'}`);
    expect(never.filter((id) => !(id in unreachable))).toEqual([]);
    // The list stays honest: every entry is a real id, and still never reached.
    for (const id of Object.keys(unreachable)) {
      expect(mmPreconditionIds).toContain(id);
      expect(never).toContain(id);
    }
  });

  it('runs out of slots and slab nodes, refills in the middle of traces, and opens second CSpace extensions', () => {
    const stats = {
      LIB_ERR_SLOT_ALLOC_NO_SPACE: r.stats.results.get('LIB_ERR_SLOT_ALLOC_NO_SPACE'),
      LIB_ERR_SLAB_ALLOC_FAIL: r.stats.results.get('LIB_ERR_SLAB_ALLOC_FAIL'),
      slotRefillsMidTrace: midTrace('l2cnode') + midTrace('l1cnode'),
      slotRefillsAfterAlloc: r.stats.refills.get('l2cnode after alloc') + r.stats.refills.get('l1cnode after alloc'),
      slabRefillsMidTrace: midTrace('frame'),
      runsWithSecondExtension: r.stats.secondExtensions,
      runsOnDrawnSettings: r.stats.variedRuns,
    };
    console.log(`mm metadata paths on the default budget: ${JSON.stringify(stats)}`);
    for (const [what, n] of Object.entries(stats)) expect(n, what).toBeGreaterThan(0);
  });
});
