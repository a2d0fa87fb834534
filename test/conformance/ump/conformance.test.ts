import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UMP_MUTANTS, type UmpMutant } from '../../../impl/ump/index.js';
import type { UmpConformanceResult } from '../../../conformance/ump/index.js';
import {
  DEFAULT_UMP_LIMITS,
  UMP_DEFAULT_MAX_STEPS,
  UMP_DEFAULT_SEED,
  loadUmpTrace,
  replayUmpTrace,
  runUmpConformance,
  runUmpScenario,
  umpScenarioArbitrary,
} from '../../../conformance/ump/index.js';

describe('conformance/ump: deterministic interleavings against model and spec', () => {
  it('the real implementation passes the default budget, reaching full rings, chunked messages and closes', () => {
    const r = runUmpConformance({ outDir: null });
    expect(r.report).toContain('passed');
    expect(r.ok).toBe(true);
    expect(r.stats.runs).toBe(1000);
    expect(r.stats.runsWithFullRing).toBeGreaterThan(50);
    expect(r.stats.chunkedMessagesDelivered).toBeGreaterThan(50);
    expect(r.stats.runsWithClose).toBeGreaterThan(30);
    expect(r.stats.maxInFlight).toBe(4);
    expect(r.reproduce).toBe('capref conformance ump --seed 20240607 --runs 1000 --steps 400');
  });

  it('the same seed gives the same runs', () => {
    const a = runUmpConformance({ seed: 7, runs: 30, outDir: null });
    const b = runUmpConformance({ seed: 7, runs: 30, outDir: null });
    expect(a.stats).toEqual(b.stats);
  });
});

describe('conformance/ump mutation proof: every mutant is caught by the default budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capref-ump-'));
  // Each mutant runs once, whichever test asks first: the table below does not depend on the order the tests run in.
  const results = new Map<UmpMutant, UmpConformanceResult>();
  const caught = (mutant: UmpMutant): UmpConformanceResult => {
    let r = results.get(mutant);
    if (r === undefined) {
      r = runUmpConformance({ mutant, outDir: dir });
      results.set(mutant, r);
    }
    return r;
  };
  for (const mutant of UMP_MUTANTS) {
    it(`catches ${mutant}`, () => {
      const r = caught(mutant);
      expect(r.ok).toBe(false);
      const cx = r.counterexample!;
      expect(cx.shrunkSteps).toBeLessThanOrEqual(20);
      expect(r.report).toContain(`violated ${cx.check}`);
      expect(r.report).toContain(`capref replay ${cx.tracePath}`);
      // The trace file is valid, and replaying it reproduces the failure without fast-check.
      const loaded = loadUmpTrace(cx.tracePath!);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      expect(loaded.value.impl?.mutant).toBe(mutant);
      expect(loaded.value.failure?.violated).toEqual([cx.check]);
      const replay = replayUmpTrace(loaded.value);
      expect(replay.ok).toBe(false);
      expect(replay.failure?.check).toBe(cx.check);
      expect(replay.failure?.stepIndex).toBe(loaded.value.failure?.step);
    });

    it(`${mutant}: "shrunk from" counts the first failing run as generated, before fast-check shrank it`, () => {
      const r = caught(mutant);
      const cx = r.counterexample!;
      // fc.sample with the same seed yields the runs fc.check generated, in order.
      const generated = fc.sample(umpScenarioArbitrary(DEFAULT_UMP_LIMITS), { seed: UMP_DEFAULT_SEED, numRuns: r.runsToFailure! });
      const runs = generated.map((s) => runUmpScenario(s, { mutant, maxSteps: UMP_DEFAULT_MAX_STEPS }));
      expect(runs.findIndex((x) => !x.ok)).toBe(r.runsToFailure! - 1);
      expect(cx.originalSteps).toBe(runs[runs.length - 1]!.steps.length);
      expect(cx.trace.origin?.shrunkFrom).toBe(cx.originalSteps);
      expect(r.report).toContain(`shrunk from ${cx.originalSteps} to ${cx.shrunkSteps} steps`);
      expect(cx.shrunkSteps).toBeLessThanOrEqual(cx.originalSteps);
    });
  }
  it('reports the mutation table', () => {
    // Printed for the resolve note: mutant, runs to detection, unshrunk and shrunk length, the check that caught it.
    const rows = UMP_MUTANTS.map((mutant) => {
      const r = caught(mutant);
      const cx = r.counterexample!;
      return `${mutant.padEnd(24)} ${String(r.runsToFailure).padStart(4)} ${String(cx.originalSteps).padStart(6)} ${String(cx.shrunkSteps).padStart(6)}  ${cx.check}`;
    });
    console.log(['mutant                   runs   from shrunk  caught by', ...rows].join('\n'));
    expect(rows.length).toBe(UMP_MUTANTS.length);
  });
});
