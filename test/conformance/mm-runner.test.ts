// The mm conformance loop end to end: it passes on the real stacks, is
// deterministic, and on a broken manager it shrinks, writes a schema-valid
// trace that replays to the same failure, and explains it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceMmConfig } from '../../conformance/mm/config.js';
import { explainMmTrace } from '../../conformance/mm/explain.js';
import { replayMmTrace } from '../../conformance/mm/replay.js';
import { runMmConformance } from '../../conformance/mm/run.js';
import { makeMmSuite, mmSuite, mmSuiteConfig } from '../../conformance/mm/suite.js';
import { mmTraceSchema, type MmTrace } from '../../conformance/mm/trace.js';
import { TraceInputError } from '../../conformance/trace.js';
import { modelStack, type MmStackFactories } from '../../conformance/mm/stack.js';
import type { MemoryManager } from '../../spec/mm/mm.js';
import type { MmOp } from '../../spec/mm/ops.js';
import { mmTraceHandler } from '../../conformance/mm/handler.js';

/** A manager that forgets to hand back the upper part of every partial free (a stack built around the model). */
const broken: MmStackFactories = {
  model: modelStack,
  impl: (config) => {
    const s = modelStack(config);
    const mm: MemoryManager = Object.assign(Object.create(Object.getPrototypeOf(s.mm) as object) as MemoryManager, s.mm, {
      apply: (op: MmOp) => {
        const r = s.mm.apply(op);
        if (op.op === 'alloc' && r.ok) return { ...r, value: { ...(r.value as object), bytes: op.bytes + 4096 } };
        return r;
      },
    });
    return { kernel: s.kernel, mm };
  },
};

describe('mm conformance runner', () => {
  it('passes on the model and impl stacks, and reports what it exercised', () => {
    const r = runMmConformance({ config: conformanceMmConfig, seed: 3, runs: 12, steps: 100 });
    expect(r.passed).toBe(true);
    expect(r.stats.steps).toBe(1200);
    for (const op of ['add', 'alloc', 'free', 'reclaim', 'slot_alloc', 'slot_free', 'client delete', 'client retype'])
      expect(r.stats.succeeded.get(op), op).toBeGreaterThan(0);
    expect(r.stats.results.get('MM_ERR_OUT_OF_MEMORY')).toBeGreaterThan(0);
    expect(r.stats.results.get('MM_ERR_IN_USE')).toBeGreaterThan(0);
    expect(r.stats.maxSlabFrames).toBeGreaterThan(1);
    expect(r.stats.cspaceExtensions).toBeGreaterThan(0);
    const rejected = r.stats.rejected.entries().reduce((n, [, v]) => n + v, 0);
    expect(rejected / r.stats.generated).toBeLessThan(0.05);
  });

  it('is deterministic: the same seed gives the same statistics', () => {
    const a = runMmConformance({ config: conformanceMmConfig, seed: 8, runs: 3, steps: 50 });
    const b = runMmConformance({ config: conformanceMmConfig, seed: 8, runs: 3, steps: 50 });
    expect(a.stats.results.toJSON()).toEqual(b.stats.results.toJSON());
  });

  it('catches a broken manager, shrinks, writes a replayable trace, and explains it', () => {
    const r = runMmConformance({ config: conformanceMmConfig, seed: 5, runs: 50, steps: 60, stacks: broken });
    expect(r.passed).toBe(false);
    const cx = r.counterexample!;
    expect(cx.failure!.kind).toBe('divergence');
    expect(cx.steps.length).toBeLessThanOrEqual(4);
    const parsed = mmTraceSchema.parse(JSON.parse(JSON.stringify(cx))) as MmTrace;
    expect(replayMmTrace(parsed, broken).failure?.step).toBe(cx.failure!.step);
    expect(replayMmTrace(parsed).failure).toBeUndefined();
    const story = explainMmTrace(parsed);
    expect(story).toContain('alloc');
    expect(story).toContain('← the failure');
  });

  it('the suite writes the counterexample and the commands that reproduce it', () => {
    const out = mkdtempSync(join(tmpdir(), 'capref-mm-'));
    const suite = makeMmSuite(broken);
    const o = suite.run({ seed: 5, runs: 50, steps: 60, outDir: out });
    expect(o.passed).toBe(false);
    expect(o.reproduce![0]).toBe(`capref replay ${o.counterexampleFile}`);
    expect(o.reproduce![1]).toMatch(/^capref conformance mm --seed 5 --runs \d+ --steps 60$/);
    expect(o.report).toContain('divergence');
    const written = JSON.parse(readFileSync(o.counterexampleFile!, 'utf8'));
    expect(mmTraceSchema.safeParse(written).success).toBe(true);
    const ok = mmSuite.run({ seed: 1, runs: 2, steps: 30, outDir: out, mutant: 'no-coalesce' });
    expect(ok.subsystem).toBe('mm');
    expect(ok.summary).toContain('results');
  });

  it('offers replay and explain to the trace registry (capref replay / explain)', () => {
    const r = runMmConformance({ config: conformanceMmConfig, seed: 1, runs: 50, steps: 100, mutant: 'reclaim-unchecked' });
    const cx = JSON.parse(JSON.stringify(r.counterexample)) as unknown;
    expect(mmTraceHandler.schema.safeParse(cx).success).toBe(true);
    const replay = mmTraceHandler.replay(cx);
    expect(replay.passed).toBe(false);
    expect(replay.lines.at(-1)).toMatch(/^✗/);
    expect(replay.report).toContain('reclaim');
    const { impl: _impl, failure: _failure, ...sound } = cx as MmTrace;
    expect(mmTraceHandler.replay(sound).passed).toBe(true);
    expect(mmTraceHandler.explain(cx)).toContain('counterexample');
  });

  it('reads a configuration file and an architecture, reporting bad input by field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capref-mmcfg-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(conformanceMmConfig));
    expect(mmSuiteConfig({ configFile: good, arch: 'armv7' }).kernel.arch).toBe('armv7');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...conformanceMmConfig, mm: { ...conformanceMmConfig.mm, slotLowWater: -1 } }));
    expect(() => mmSuiteConfig({ configFile: bad })).toThrow(/mm\.slotLowWater/);
    expect(() => mmSuiteConfig({ arch: 'x86' })).toThrow(TraceInputError);
    expect(() => mmSuite.run({ seed: 1, runs: 1, steps: 1, outDir: dir, mutant: 'nope' })).toThrow(/unknown mm mutant/);
  });
});
