// What the paging suite's default budget reaches — the budget `capref
// conformance paging` (and so `npm start`) runs: every precondition of the
// paging spec decides some refusal (none is unreachable), and the allocators
// refuse in the middle of steps too.
//
// The budget is surveyed (runPagingConformance's `survey`): the same runs,
// judged by the spec and run on the model stack, without the impl and the
// checks — the generator looks only at the model's observations, so these are
// exactly the steps a full run compares, at a fraction of its cost. The first
// test below holds the survey to that on a smaller budget.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_STEPS } from '../../../cli/commands/conformance.js';
import { runPagingConformance } from '../../../conformance/paging/run.js';
import { defaultPagingFactories } from '../../../conformance/paging/stacks.js';
import { pagingSuite, pagingSuiteConfig } from '../../../conformance/paging/suite.js';
import { pagingPreconditionIds } from '../../../spec/paging/preconditions.js';

/** Preconditions no paging trace can make decisive, each with the reason: none. */
const unreachable: Readonly<Record<string, string>> = {};

const budget = { config: pagingSuiteConfig(), seed: DEFAULT_SEED, steps: DEFAULT_STEPS, stacks: defaultPagingFactories } as const;

describe('the paging default budget', () => {
  const r = runPagingConformance({ ...budget, runs: pagingSuite.defaultRuns, survey: true });
  const never = pagingPreconditionIds.filter((id) => r.stats.decided.get(id) === 0);

  it('is surveyed faithfully: a survey reaches exactly what the full runs reach (which pass on the project memory manager)', () => {
    const full = runPagingConformance({ ...budget, runs: 25 });
    const survey = runPagingConformance({ ...budget, runs: 25, survey: true });
    expect(full.passed).toBe(true);
    for (const k of ['ops', 'results', 'decided', 'allocatorRefusals'] as const) expect(survey.stats[k].toJSON(), k).toEqual(full.stats[k].toJSON());
    expect(r.stats.runs).toBe(pagingSuite.defaultRuns);
  });

  it('makes every precondition decide a refusal', () => {
    console.log(`paging: preconditions that decided a refusal: ${pagingPreconditionIds.length - never.length} of ${pagingPreconditionIds.length}; never: ${never.join(', ') || 'none'}`);
    expect(never.filter((id) => !(id in unreachable))).toEqual([]);
    for (const id of Object.keys(unreachable)) expect(never).toContain(id);
  });

  it('meets allocator refusals in the middle of steps, and reaches what matters', () => {
    console.log(`paging: refusals an allocator decided: ${JSON.stringify(r.stats.allocatorRefusals.toJSON())}`);
    expect(r.stats.allocatorRefusals.get('MM_ERR_OUT_OF_MEMORY')).toBeGreaterThan(0);
    expect(r.stats.multiPieceMappings).toBeGreaterThan(100);
    expect(r.stats.revokedMappings).toBeGreaterThan(100);
  });
});
