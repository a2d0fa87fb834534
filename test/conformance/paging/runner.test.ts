// The paging conformance loop end to end: sound stacks pass and exercise what
// matters; every mutant is caught within the default budget and shrunk to a
// short trace that validates, replays to the same failure, and passes against
// the sound implementation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_STEPS } from '../../../cli/commands/conformance.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replayPagingTrace, explainPagingTrace, pagingTraceHandler } from '../../../conformance/paging/replay.js';
import { runPagingConformance } from '../../../conformance/paging/run.js';
import { addRoots, defaultPagingFactories, withMemory, type PagingMemory } from '../../../conformance/paging/stacks.js';
import { ModelMm } from '../../../model/mm/model-mm.js';
import { implMm } from '../../../impl/mm/index.js';
import { mmConfigOf } from '../../../spec/mm/config.js';
import type { Capref } from '../../../spec/kernel/capref.js';
import type { Kernel } from '../../../spec/kernel/kernel.js';
import type { KernelConfig } from '../../../spec/kernel/config.js';
import type { MemoryManager } from '../../../spec/mm/mm.js';
import { pagingConfigFrom, pagingSuite, pagingSuiteConfig } from '../../../conformance/paging/suite.js';
import { pagingTraceSchema, type PagingTrace } from '../../../conformance/paging/trace.js';
import { TraceInputError } from '../../../conformance/trace.js';
import { pagingMutantNames } from '../../../impl/paging/index.js';
import { smallMemory } from '../../spec/paging/fixtures.js';

/** `capref conformance`'s default budget: 1,000 runs of 100 steps. */
// The budget `capref conformance paging` (and so `npm start`) uses.
const DEFAULT_BUDGET = { runs: pagingSuite.defaultRuns, steps: DEFAULT_STEPS } as const;
const MAX_SHRUNK = 10;

describe('paging conformance on sound stacks', () => {
  it.each(['aarch64', 'armv7'] as const)('%s: passes, and reaches multi-piece mappings, revoked mappings and table churn', (arch) => {
    const r = runPagingConformance({ config: pagingSuiteConfig(arch), seed: 3, runs: 12, steps: 100, stacks: defaultPagingFactories });
    expect(r.passed).toBe(true);
    expect(r.stats.runs).toBe(12);
    expect(r.stats.multiPieceMappings).toBeGreaterThan(5);
    expect(r.stats.revokedMappings).toBeGreaterThan(5);
    expect(r.stats.maxTables).toBeGreaterThanOrEqual(arch === 'aarch64' ? 5 : 3);
    for (const op of ['reserve', 'map (free address)', 'map (fixed)', 'unmap', 'release', 'fault', 'frame_alloc', 'ram_free', 'client revoke', 'client delete'])
      expect(r.stats.succeeded.get(op), op).toBeGreaterThan(0);
    expect(r.stats.invariantChecks).toBeGreaterThan(r.stats.steps * 20);
    const rejected = r.stats.rejected.entries().reduce((n, [, v]) => n + v, 0);
    expect(rejected / r.stats.generated).toBeLessThan(0.05);
  });

  it('passes with so little RAM that allocators refuse in the middle of steps', () => {
    const r = runPagingConformance({ config: smallMemory(512 * 1024), seed: 9, runs: 10, steps: 100, stacks: defaultPagingFactories });
    expect(r.passed).toBe(true);
    expect(r.stats.results.get('MM_ERR_OUT_OF_MEMORY')).toBeGreaterThan(0);
  });

  it('runs the impl address space with its self-checks on, as the kernel and mm suites run theirs', () => {
    const s = defaultPagingFactories.impl(pagingSuiteConfig());
    const f = s.space.apply({ op: 'frame_alloc', bytes: 4096 });
    if (!f.ok) throw new Error('frame_alloc');
    expect(s.space.apply({ op: 'map', frame: (f.value as { frame: Capref }).frame, rights: ['READ'] }).ok).toBe(true);
    // Corrupt the leaf table's count of present entries: the next step's structure check must see it.
    const tables = (s.space as unknown as { tables: Map<number, { used: number }> }).tables;
    [...tables.values()].at(-1)!.used++;
    expect(() => s.space.apply({ op: 'slot_alloc' })).toThrow(/counts 2 entries, holds 1/);
  });

  it('is deterministic: the same seed gives the same statistics', () => {
    const run = () => runPagingConformance({ config: pagingSuiteConfig(), seed: 21, runs: 4, steps: 50, stacks: defaultPagingFactories });
    const a = run();
    const b = run();
    expect(a.stats.ops.toJSON()).toEqual(b.stats.ops.toJSON());
    expect(a.stats.results.toJSON()).toEqual(b.stats.results.toJSON());
  });
});

describe('every paging mutant is caught by the default budget and shrunk short', () => {
  it.each(pagingMutantNames)('%s', (mutant) => {
    const r = runPagingConformance({ config: pagingSuiteConfig(), seed: 1, ...DEFAULT_BUDGET, stacks: defaultPagingFactories, mutant });
    expect(r.passed).toBe(false);
    const cx = r.counterexample!;
    expect(cx.steps.length).toBeLessThanOrEqual(MAX_SHRUNK);
    expect(cx.steps.length).toBeLessThanOrEqual(r.unshrunkLength!);
    expect(cx.origin?.command).toContain(`--mutant ${mutant}`);
    // Plain JSON that validates against the published schema, and replays without fast-check.
    const parsed = pagingTraceSchema.parse(JSON.parse(JSON.stringify(cx))) as PagingTrace;
    const again = replayPagingTrace(parsed);
    expect(again.failure?.kind).toBe(cx.failure!.kind);
    expect(again.failure?.step).toBe(cx.failure!.step);
    // Against the sound implementation the same trace passes.
    expect(replayPagingTrace(parsed, defaultPagingFactories, null).failure).toBeUndefined();
  });
});

describe('the paging suite', () => {
  it('writes a counterexample with the commands that reproduce it', () => {
    const out = mkdtempSync(join(tmpdir(), 'capref-paging-'));
    const o = pagingSuite.run({ seed: 1, runs: 50, steps: 100, outDir: out, mutant: 'table-never-freed' });
    expect(o.passed).toBe(false);
    expect(o.counterexampleFile).toBeDefined();
    const trace = pagingTraceSchema.parse(JSON.parse(readFileSync(o.counterexampleFile!, 'utf8')));
    expect(trace.subsystem).toBe('paging');
    expect(trace.impl?.mutant).toBe('table-never-freed');
    expect(o.reproduce).toEqual([`capref replay ${o.counterexampleFile}`, expect.stringContaining('capref conformance paging --seed 1 --runs')]);
    expect(o.report).toContain('Steps:');
    // The replay handler tells the same story.
    const replay = pagingTraceHandler.replay(trace);
    expect(replay.passed).toBe(false);
    expect(replay.lines.at(-1)).toMatch(/^✗/);
    expect(replay.report).toContain('table-never-freed');
    const story = pagingTraceHandler.explain(trace);
    expect(story).toContain('A paging trace on aarch64');
    // A counterexample says it is one, names its mutant, marks the failing step and says what went wrong.
    expect(story).toContain('It is a counterexample: ');
    expect(story).toContain('mutant "table-never-freed"');
    expect(story).toContain('← the failure');
    expect(story).toContain(`What went wrong at step ${trace.failure!.step}: `);
  });

  it('reports an unknown impl mutant in a trace file at impl.mutant', () => {
    const trace = { format: 'capref-trace', version: 1, subsystem: 'paging', config: pagingSuiteConfig(), impl: { mutant: 'bogus' }, steps: [] };
    const r = pagingTraceSchema.safeParse(trace);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['impl', 'mutant']);
  });

  it('exports the trace format as JSON Schema for tools in other languages', () => {
    const schema = z.toJSONSchema(pagingTraceSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['format', 'subsystem', 'config', 'steps', 'failure']));
  });

  it('passes and summarises a sound run', () => {
    const o = pagingSuite.run({ seed: 2, runs: 3, steps: 40, outDir: tmpdir() });
    expect(o.passed).toBe(true);
    expect(o.summary).toContain('mappings across leaf tables');
    expect(pagingSuite.mutants).toEqual(pagingMutantNames);
  });

  it('reads a configuration file, applies --arch, and reports bad input with the field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capref-paging-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(pagingSuiteConfig()));
    expect(pagingConfigFrom({ configFile: good, arch: 'armv7' }).kernel.arch).toBe('armv7');
    expect(pagingConfigFrom({ configFile: good }).paging).toEqual(pagingSuiteConfig().paging);
    expect(pagingConfigFrom({ arch: 'armv7' }).paging.vbase).toBe(1024 * 1024 - 16 * 4096);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...pagingSuiteConfig(), paging: { vbase: 10, vlimit: 2 ** 40 } }));
    expect(() => pagingConfigFrom({ configFile: bad })).toThrow(/paging\.vbase/);
    expect(() => pagingConfigFrom({ arch: 'sparc' })).toThrow(TraceInputError);
    writeFileSync(good, JSON.stringify({ ...pagingSuiteConfig(), paging: { vbase: 4096, vlimit: 2 ** 40 } }));
    expect(() => pagingConfigFrom({ configFile: good, arch: 'armv7' })).toThrow(/armv7 address space/);
  });

  it('explains a trace step by step with what each step changed', () => {
    const r = runPagingConformance({ config: pagingSuiteConfig(), seed: 1, ...DEFAULT_BUDGET, stacks: defaultPagingFactories, mutant: 'no-copy-per-piece' });
    const story = explainPagingTrace(r.counterexample!);
    expect(story).toContain('frame_alloc');
    expect(story).toMatch(/\+ client mapping .* in 2 pieces|\+ VNode/);
  });
});

describe("other allocators plug in through spec/mm's contract", () => {
  it('runs the same checks over any observable RamAllocator + SlotAllocator pair that decides alike', () => {
    // Here: the project's managers with other metadata parameters, seen only through the contract.
    const wrap =
      (make: (kernel: Kernel, config: KernelConfig) => MemoryManager) =>
      (kernel: Kernel, config: KernelConfig): PagingMemory => {
        const inner = addRoots(make(kernel, config), config);
        return {
          allocRam: (r) => inner.allocRam(r),
          freeRam: (c, r) => inner.freeRam(c, r),
          allocSlot: () => inner.allocSlot(),
          freeSlot: (s) => inner.freeSlot(s),
          observe: () => inner.observe(),
        };
      };
    const params = { slotsPerCNode: 16, slotLowWater: 6, staticNodes: 8, slabLowWater: 4, slabFrameBytes: 4096, nodeBytes: 256 };
    const stacks = withMemory(
      wrap((k, c) => new ModelMm(k, mmConfigOf(c, params))),
      wrap((k, c) => implMm(k, mmConfigOf(c, params), undefined, true)),
    );
    const r = runPagingConformance({ config: pagingSuiteConfig(), seed: 8, runs: 3, steps: 60, stacks });
    expect(r.passed).toBe(true);
  });
});
