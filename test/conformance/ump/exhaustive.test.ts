import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UmpStep } from '../../../spec/ump/index.js';
import { UMP_MUTANTS } from '../../../impl/ump/index.js';
import type { UmpExhaustiveBounds } from '../../../conformance/ump/index.js';
import {
  UMP_EXHAUSTIVE_BOUNDS,
  UmpStepDriver,
  enabledUmpSteps,
  exploreUmpExhaustively,
  loadUmpTrace,
  replayUmpTrace,
  runUmpExhaustive,
  umpFinalStateFailure,
} from '../../../conformance/ump/index.js';

const config1 = { slots: 1, payloadBytes: 8, maxMessageBytes: 16 };

/** Every interleaving by brute force: no state merging, each path replayed from the start; counts the paths to a final state. */
function bruteForceInterleavings(b: UmpExhaustiveBounds): number {
  const at = (path: readonly UmpStep[]) => {
    const d = new UmpStepDriver(b.config);
    for (const s of path) if (d.apply(s) !== undefined) throw new Error('a step failed');
    return d;
  };
  const walk = (path: UmpStep[]): number => {
    const here = at(path);
    const fp = here.fingerprint();
    let total = 0;
    for (const step of enabledUmpSteps(here, b)) {
      const d = at(path);
      if (d.apply(step) !== undefined) throw new Error('a step failed');
      if (d.fingerprint() !== fp) total += walk([...path, step]);
    }
    return total === 0 ? 1 : total;
  };
  return walk([]);
}

describe('conformance/ump exhaustive: every interleaving within small bounds', () => {
  it('the real implementation passes every interleaving of the standard bounds', () => {
    const r = runUmpExhaustive({ outDir: null });
    console.log(r.report);
    expect(r.ok).toBe(true);
    expect(r.results).toHaveLength(UMP_EXHAUSTIVE_BOUNDS.length);
    for (const { result } of r.results) {
      expect(result.complete).toBe(true);
      expect(result.finalStates).toBeGreaterThan(1); // a close at different points ends in different states
      expect(result.interleavings).toBeGreaterThan(10n ** 12n);
      expect(result.checkedSteps).toBeGreaterThan(result.states);
    }
  });

  it('counts interleavings exactly: two independent one-frame messages give C(14, 7) orders of their 7 + 7 steps', () => {
    const r = exploreUmpExhaustively({ config: config1, workload: { AtoB: ['01'], BtoA: ['02'] } });
    expect(r).toMatchObject({ ok: true, complete: true, states: 8 * 8, finalStates: 1, maxDepth: 14 });
    expect(r.interleavings).toBe(3432n);
  });

  it('merging equal states loses no interleaving: the count equals a brute-force enumeration (full ring, chunks, a close)', () => {
    const b: UmpExhaustiveBounds = { config: config1, workload: { AtoB: ['0102030405', '060708090a'], BtoA: [] }, closes: ['B'] };
    const r = exploreUmpExhaustively(b);
    expect(r.ok).toBe(true);
    expect(r.interleavings).toBe(BigInt(bruteForceInterleavings(b)));
    expect(r.interleavings).toBeGreaterThan(100n);
  });

  it('enabled steps: an idle sender takes its next message, a close happens at most once', () => {
    const b: UmpExhaustiveBounds = { config: config1, workload: { AtoB: ['01'], BtoA: [] }, closes: ['A', 'B'] };
    const d = new UmpStepDriver(config1);
    expect(enabledUmpSteps(d, b)).toEqual([
      { action: 'Submit', dir: 'AtoB', payload: '01' },
      { action: 'RecvCheck', dir: 'AtoB' },
      { action: 'RecvCheck', dir: 'BtoA' },
      { action: 'Close', side: 'A' },
      { action: 'Close', side: 'B' },
    ]);
    d.apply({ action: 'Close', side: 'B' });
    expect(enabledUmpSteps(d, b).filter((s) => s.action === 'Close')).toEqual([]);
  });

  it('a final state must have delivered everything when nobody closed', () => {
    const b: UmpExhaustiveBounds = { config: config1, workload: { AtoB: ['01'], BtoA: [] } };
    expect(umpFinalStateFailure(new UmpStepDriver(config1), b, 0)).toMatchObject({
      check: 'UMP-NO-LOSS',
      message: expect.stringMatching(/0 of 1 messages delivered/),
    });
    const closed = new UmpStepDriver(config1);
    closed.apply({ action: 'Close', side: 'A' });
    expect(umpFinalStateFailure(closed, b, 1)).toBeUndefined();
  });

  it('a search cut short by maxStates says so', () => {
    const r = exploreUmpExhaustively(UMP_EXHAUSTIVE_BOUNDS[0]!, { maxStates: 10 });
    expect(r).toMatchObject({ ok: true, complete: false });
    expect(runUmpExhaustive({ bounds: [UMP_EXHAUSTIVE_BOUNDS[0]!], maxStates: 10, outDir: null }).report).toMatch(/INCOMPLETE/);
  });
});

describe('conformance/ump exhaustive mutation proof: the standard bounds catch every mutant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capref-ump-exh-'));
  for (const mutant of UMP_MUTANTS) {
    it(`catches ${mutant}, and its shrunk trace replays to the same failure`, () => {
      const r = runUmpExhaustive({ mutant, outDir: dir });
      expect(r.ok).toBe(false);
      const cx = r.counterexample!;
      expect(cx.trace.steps.length).toBeLessThanOrEqual(20);
      expect(r.report).toContain(`capref replay ${cx.tracePath}`);
      const loaded = loadUmpTrace(cx.tracePath!);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      const replay = replayUmpTrace(loaded.value);
      expect(replay.failure?.check).toBe(cx.check);
      expect(replay.failure?.stepIndex).toBe(loaded.value.failure?.step);
    });
  }
});
