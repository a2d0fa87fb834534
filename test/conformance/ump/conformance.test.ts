import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UMP_MUTANTS } from '../../../impl/ump/index.js';
import { loadUmpTrace, replayUmpTrace, runUmpConformance } from '../../../conformance/ump/index.js';

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
  const rows: string[] = [];
  for (const mutant of UMP_MUTANTS) {
    it(`catches ${mutant}`, () => {
      const r = runUmpConformance({ mutant, outDir: dir });
      expect(r.ok).toBe(false);
      const cx = r.counterexample!;
      rows.push(`${mutant.padEnd(24)} ${String(r.runsToFailure).padStart(4)} ${String(cx.shrunkSteps).padStart(6)}  ${cx.check}`);
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
  }
  it('reports the mutation table', () => {
    // Printed for the resolve note: mutant, runs to detection, shrunk length, the check that caught it.
    console.log(['mutant                   runs shrunk  caught by', ...rows].join('\n'));
    expect(rows.length).toBe(UMP_MUTANTS.length);
  });
});
