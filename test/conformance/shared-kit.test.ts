// The pieces the kernel, mm and paging suites share (conformance/step-check.ts,
// replay.ts, chooser.ts's drawMakers, stats.ts, suite-kit.ts's counterexample
// trace and outcome): each named by the rule it keeps.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { drawMakers, seededChooser, type Chooser } from '../../conformance/chooser.js';
import { replayChecked, runChecked } from '../../conformance/replay.js';
import { countStep, Counter, preconditionCoverage, rejectedDraws } from '../../conformance/stats.js';
import {
  describeThrown,
  formatVerdict,
  observationsDiffer,
  recordedMismatch,
  resultsDiffer,
  specMismatch,
  violationsFailure,
} from '../../conformance/step-check.js';
import type { SuiteOptions } from '../../conformance/subsystems.js';
import { counterexampleTrace, regenerateCommand, runnerOutcome } from '../../conformance/suite-kit.js';
import { traceSchema } from '../../conformance/trace.js';
import { z } from 'zod';

/** A chooser whose weighted draws follow a script. */
const scripted = (draws: number[]): Chooser => ({ ...seededChooser(1), weighted: () => draws.shift()! });

describe('step verdicts (conformance/step-check.ts)', () => {
  it('a result is told as ok, or as its error and the argument it blames', () => {
    expect(formatVerdict({ ok: true })).toBe('ok');
    expect(formatVerdict({ ok: false, error: 'SYS_ERR_X' })).toBe('SYS_ERR_X');
    expect(formatVerdict({ ok: false, error: 'SYS_ERR_X', arg: 'src' })).toBe('SYS_ERR_X (src)');
    expect(formatVerdict(undefined)).toBe('(none)');
    expect(describeThrown(new RangeError('r'))).toBe('RangeError: r');
    expect(describeThrown('plain')).toBe('plain');
  });

  it('equal results are no divergence; different ones are, with the field diff', () => {
    expect(resultsDiffer({ ok: true }, { ok: true })).toBeUndefined();
    const f = resultsDiffer({ ok: true }, { ok: false, error: 'E' });
    expect(f?.kind).toBe('divergence');
    expect(f?.message).toBe('results differ: model ok, impl E');
    expect(f?.diff?.length).toBeGreaterThan(0);
  });

  it('an observation divergence names the invariants the impl broke, and lists them only when there are some', () => {
    expect(observationsDiffer('observations', [], [])).toEqual({ kind: 'divergence', message: 'observations differ after the step', diff: [] });
    const twice = [
      { invariant: 'INV-A', message: 'a' },
      { invariant: 'INV-A', message: 'a again' },
    ];
    expect(observationsDiffer('the kernel observations', [], twice)).toEqual({
      kind: 'divergence',
      message: "the kernel observations differ after the step; the impl's state violates INV-A",
      diff: [],
      violated: ['INV-A'],
    });
  });

  it('violations become one failure naming each broken id once; none are no failure', () => {
    const vs = [
      { invariant: 'INV-A', message: 'a' },
      { invariant: 'INV-A', message: 'a again' },
      { invariant: 'INV-B', message: 'b' },
    ];
    expect(violationsFailure(vs, 'invariant')).toEqual({ kind: 'invariant', message: 'INV-A: a\nINV-A: a again\nINV-B: b', violated: ['INV-A', 'INV-B'] });
    expect(violationsFailure([], 'postcondition')).toBeUndefined();
  });

  it('a recorded result is checked only when the trace has one', () => {
    expect(recordedMismatch(undefined, { ok: true })).toBeUndefined();
    expect(recordedMismatch({ ok: true }, { ok: true })).toBeUndefined();
    expect(recordedMismatch({ ok: true }, { ok: false, error: 'E', arg: 'x' })).toEqual({
      kind: 'recorded-mismatch',
      message: 'the trace recorded ok, the model now returns E (x)',
    });
    expect(specMismatch({ ok: false, error: 'E' }, { ok: true })).toEqual({
      kind: 'spec-mismatch',
      message: 'the spec prescribes E, model and impl returned ok',
    });
  });
});

describe('replayChecked (conformance/replay.ts)', () => {
  // A toy subsystem: the state is a number, a step adds to it, and the check fails when it passes 10.
  const check = (pre: number, step: { add: number; result?: number }) =>
    pre + step.add > 10
      ? { modelResult: pre + step.add, failure: { kind: 'invariant' as const, message: 'over 10' } }
      : { modelResult: pre + step.add, implResult: pre + step.add, post: pre + step.add };

  it('checks each step from the state the one before left, and records both results and the recorded one', () => {
    const r = replayChecked([{ add: 1, result: 1 }, { add: 2 }], 0, check);
    expect(r).toEqual({
      steps: [
        { index: 0, model: 1, impl: 1, recorded: 1 },
        { index: 1, model: 3, impl: 3 },
      ],
    });
  });

  it('stops at the first failing step and names it', () => {
    const r = replayChecked([{ add: 5 }, { add: 6 }, { add: 1 }], 0, check);
    expect(r.failure).toEqual({ step: 1, kind: 'invariant', message: 'over 10' });
    expect(r.steps.map((s) => s.index)).toEqual([0, 1]);
  });
});

describe('runChecked (conformance/replay.ts)', () => {
  const check = (pre: number, op: { add: number }) =>
    pre + op.add > 10 ? { failure: { kind: 'exception' as const, message: 'threw' } } : { modelResult: pre + op.add, post: pre + op.add };

  it("runs operations from the boot state and returns them with the model's results", () => {
    expect(runChecked([{ add: 1 }, { add: 2 }], 0, check)).toEqual({
      steps: [
        { add: 1, result: 1 },
        { add: 2, result: 3 },
      ],
    });
  });

  it('stops at the first failure; a step the model gave no result keeps none', () => {
    expect(runChecked([{ add: 5 }, { add: 6 }, { add: 1 }], 0, check)).toEqual({
      steps: [{ add: 5, result: 5 }, { add: 6 }],
      failure: { step: 1, kind: 'exception', message: 'threw' },
    });
  });

  it("hands the check each step's index (to look up what a trace recorded for it)", () => {
    const seen: number[] = [];
    runChecked([{ add: 1 }, { add: 1 }, { add: 1 }], 0, (pre, op, i) => (seen.push(i), check(pre, op)));
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe('drawMakers (conformance/chooser.ts)', () => {
  it('returns the first thing a drawn maker builds, with the makers drawn before it that built nothing', () => {
    const d = drawMakers(scripted([0, 1, 2]), ['a', 'b', 'c'], [1, 1, 1], 8, (n) => (n === 'c' ? 'built by c' : undefined));
    expect(d).toEqual({ made: 'built by c', maker: 'c', rejected: ['a', 'b'] });
  });

  it('gives up after the given number of draws', () => {
    let calls = 0;
    const d = drawMakers(seededChooser(3), ['a', 'b'], [1, 1], 4, () => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(4);
    expect(d.made).toBeUndefined();
    expect(d.rejected).toHaveLength(4);
  });
});

describe('summary helpers (conformance/stats.ts)', () => {
  it('a counter totals its counts', () => {
    const c = new Counter();
    expect(c.total()).toBe(0);
    c.add('x', 3);
    c.add('y');
    expect(c.total()).toBe(4);
  });

  it('a checked step counts under its name, with its result, its checks and the precondition that decided a refusal', () => {
    const stats = { steps: 0, ops: new Counter(), results: new Counter(), succeeded: new Counter(), decided: new Counter(), invariantChecks: 0 };
    countStep(stats, 'alloc', 5, { modelResult: { ok: true } });
    countStep(stats, 'alloc', 5, { modelResult: { ok: false, error: 'E' }, decidedBy: 'PRE-1' });
    countStep(stats, 'free', 0, {});
    expect(stats.steps).toBe(3);
    expect(stats.invariantChecks).toBe(10);
    expect(stats.ops.toJSON()).toEqual({ alloc: 2, free: 1 });
    expect(stats.results.toJSON()).toEqual({ ok: 1, E: 1 });
    expect(stats.succeeded.toJSON()).toEqual({ alloc: 1 });
    expect(stats.decided.toJSON()).toEqual({ 'PRE-1': 1 });
  });

  it('rejected draws are shown with their share of all draws', () => {
    expect(rejectedDraws(1, 3)).toBe('1 (25.00%)');
    expect(rejectedDraws(0, 0)).toBe('0 (0.00%)');
  });

  it('precondition coverage counts the decisive ones and names those that never decided', () => {
    const decided = new Counter();
    decided.add('P1');
    expect(preconditionCoverage(['P1', 'P2', 'P3'], decided)).toEqual({
      row: ['preconditions that decided a refusal', '1 of 3'],
      never: 'never decisive in this run: P2, P3\n',
    });
    decided.add('P2');
    decided.add('P3');
    expect(preconditionCoverage(['P1', 'P2', 'P3'], decided).never).toBe('');
  });
});

describe('counterexample traces and outcomes (conformance/suite-kit.ts)', () => {
  const found = { run: 4, config: { n: 1 }, steps: [{ s: 0 }, { s: 1 }], failure: { step: 1, kind: 'invariant' as const, message: 'm' }, shrunkFrom: 9 };

  it("a runner's counterexample is a valid trace whose default command regenerates the failed run (no --config or --arch: the runner has neither)", () => {
    const t = counterexampleTrace('toy', { seed: 7, runs: 10, steps: 50, mutant: 'm1' }, found);
    expect(JSON.stringify(t)).toBe(
      JSON.stringify({
        format: 'capref-trace',
        version: 1,
        subsystem: 'toy',
        config: { n: 1 },
        impl: { mutant: 'm1' },
        origin: { command: 'capref conformance toy --seed 7 --runs 5 --steps 50 --mutant m1', seed: 7, run: 4, runs: 10, steps: 50, shrunkFrom: 9 },
        steps: [{ s: 0 }, { s: 1 }],
        failure: { step: 1, kind: 'invariant', message: 'm' },
      }),
    );
    expect(traceSchema('toy', z.strictObject({ n: z.number() }), z.strictObject({ s: z.number() })).safeParse(t).success).toBe(true);
    expect(counterexampleTrace('toy', { seed: 7, runs: 10, steps: 50 }, found).impl).toBeUndefined();
    expect(counterexampleTrace('toy', { seed: 7, runs: 10, steps: 50, command: 'given' }, found).origin?.command).toBe('given');
  });

  it("the file a suite writes names its own command (with --config and --arch) in place of the runner's", () => {
    const outDir = mkdtempSync(join(tmpdir(), 'capref-kit-'));
    onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
    const options: SuiteOptions = { seed: 7, runs: 10, steps: 50, outDir, configFile: 'c.json', arch: 'armv7' };
    const trace = counterexampleTrace('toy', options, found);
    const o = runnerOutcome(
      'toy',
      options,
      { passed: false, stats: { runs: 5, steps: 90 }, counterexample: trace, failedRun: 4, unshrunkLength: 9 },
      'S',
      () => 'R\n',
    );
    expect(o.passed).toBe(false);
    expect(o.report).toBe('counterexample found in run 4 (shrunk from 9 to 2 steps): R\n');
    const written = JSON.parse(readFileSync(o.counterexampleFile!, 'utf8')) as typeof trace;
    expect(written.origin?.command).toBe(regenerateCommand('toy', options, 5));
    expect(written.origin?.command).toBe('capref conformance toy --seed 7 --runs 5 --steps 50 --config c.json --arch armv7');
    expect({ ...written, origin: { ...written.origin, command: '' } }).toEqual({ ...trace, origin: { ...trace.origin, command: '' } });
    expect(o.reproduce).toEqual([`capref replay ${o.counterexampleFile}`, written.origin?.command]);
  });

  it('a passed run is reported with its runs and steps, and writes nothing', () => {
    expect(
      runnerOutcome('toy', { seed: 1, runs: 2, steps: 3, outDir: '/nonexistent' }, { passed: true, stats: { runs: 2, steps: 6 } }, 'S', () => 'R'),
    ).toEqual({
      subsystem: 'toy',
      passed: true,
      runs: 2,
      steps: 6,
      summary: 'S',
    });
  });
});
