// The mm conformance runner: fast-check drives the generator (generate.ts)
// through a Chooser, each step is checked on both stacks (check.ts), and at
// the first failure the trace is shrunk by delta debugging (../shrink.ts),
// written as a replayable counterexample in the shared envelope, and
// reported with the command that reproduces it. The same loop as the
// kernel's (conformance/kernel/run.ts), over an mm stack.
import fc from 'fast-check';
import type { MmConfig } from '../../spec/mm/config.js';
import type { MmWorld } from '../../spec/mm/invariants.js';
import type { MmOp } from '../../spec/mm/ops.js';
import { genChooser } from '../chooser.js';
import { runChecked } from '../replay.js';
import { shrinkSteps } from '../shrink.js';
import { counterexampleTrace } from '../suite-kit.js';
import { countStep, Counter, type RunCounters } from '../stats.js';
import type { Failure } from '../trace.js';
import { checkMmStep, mmChecksPerStep, surveyMmStep, type MmPair } from './check.js';
import { defaultMmWeights, generateMmOp, MmView, type MmGeneratorWeights } from './generate.js';
import { drawMmConfig, drawMmWeights } from './params.js';
import { mmProducersOf, replayMmRenamed } from './rename.js';
import { defaultMmStacks, worldOf, type MmStackFactories } from './stack.js';
import { mmOpOf, type MmStep, type MmTrace } from './trace.js';

export interface MmConformanceOptions {
  /** The configuration of every run, or with `vary` the base each run's own is drawn around (params.ts). */
  readonly config: MmConfig;
  /** Draw each run's metadata parameters and memory map from the run's random choices (params.ts). */
  readonly vary?: boolean;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly stacks?: MmStackFactories;
  readonly mutant?: string;
  readonly weights?: MmGeneratorWeights;
  /** Shrink a counterexample before reporting it (default true). */
  readonly shrink?: boolean;
  /**
   * Survey only: the same runs, each step judged by the spec and run on the
   * model stack, without the impl and without checks (surveyMmStep) — what a
   * full run that passes reaches, for a fraction of its cost.
   */
  readonly survey?: boolean;
  readonly onRun?: (run: number, stats: MmRunStats) => void;
  /** The command line that reproduces this run, recorded in counterexample traces. */
  readonly command?: string;
}

/** Steps are counted by kind, client calls by their kernel operation (`ops`, `succeeded`). */
export interface MmRunStats extends RunCounters {
  maxAllocations: number;
  maxFreeRanges: number;
  maxSlabFrames: number;
  maxSlotCNodes: number;
  cspaceExtensions: number;
  /** Runs that opened a second CSpace extension. */
  secondExtensions: number;
  /** Refills by what they made and the step they followed ("l2cnode after alloc"). */
  readonly refills: Counter;
  /** Runs on a configuration drawn around the base one (the others ran on the base). */
  variedRuns: number;
}

export interface MmConformanceResult {
  readonly passed: boolean;
  readonly stats: MmRunStats;
  readonly counterexample?: MmTrace;
  readonly failedRun?: number;
  readonly unshrunkLength?: number;
}

export function newMmStats(): MmRunStats {
  return {
    runs: 0,
    steps: 0,
    ops: new Counter(),
    results: new Counter(),
    succeeded: new Counter(),
    invariantChecks: 0,
    generated: 0,
    rejected: new Counter(),
    maxAllocations: 0,
    maxFreeRanges: 0,
    maxSlabFrames: 0,
    maxSlotCNodes: 0,
    cspaceExtensions: 0,
    secondExtensions: 0,
    refills: new Counter(),
    variedRuns: 0,
    decided: new Counter(),
  };
}

const stepName = (op: MmOp) => (op.op === 'client' ? `client ${op.call.op}` : op.op);

interface RunOutcome {
  readonly steps: MmStep[];
  readonly failure?: Failure;
}

type ReplayOptions = Pick<MmConformanceOptions, 'config' | 'stacks' | 'mutant'>;

function pairFor(opts: ReplayOptions): MmPair {
  const stacks = opts.stacks ?? defaultMmStacks;
  return { model: stacks.model(opts.config), impl: stacks.impl(opts.config, opts.mutant) };
}

/** Replays operations from boot on fresh stacks; returns the steps (with results) and the first failure. */
export function replayMmOps(opts: ReplayOptions, ops: readonly MmOp[], recorded?: readonly MmStep[]): RunOutcome {
  const pair = pairFor(opts);
  return runChecked(ops, worldOf(pair.model, opts.config), (pre, op, i) => checkMmStep(pair, pre, op, recorded?.[i]?.result));
}

/** Counts the refills a step made: metadata allocations that were not there before it. */
function countRefills(stats: MmRunStats, op: MmOp, before: MmWorld, after: MmWorld): void {
  if (
    after.mm.allocations.length === before.mm.allocations.length &&
    after.mm.slab.capacity === before.mm.slab.capacity &&
    after.mm.slots.cnodes.length === before.mm.slots.cnodes.length
  )
    return;
  const had = new Set(before.mm.allocations.filter((a) => a.use !== 'client').map((a) => a.base));
  for (const a of after.mm.allocations) if (a.use !== 'client' && !had.has(a.base)) stats.refills.add(`${a.use} after ${stepName(op)}`);
}

/** A shrunk candidate still fails "the same way": same kind, and for invariant failures a shared violated id. */
function sameFailure(a: Failure, b: Failure | undefined): boolean {
  if (b === undefined || a.kind !== b.kind) return false;
  if (a.kind !== 'invariant' && a.kind !== 'postcondition') return true;
  return (a.violated ?? []).some((id) => (b.violated ?? []).includes(id));
}

export function runMmConformance(opts: MmConformanceOptions): MmConformanceResult {
  const stats = newMmStats();
  const weights = opts.weights ?? defaultMmWeights;
  let failed: { run: number; outcome: RunOutcome; config: MmConfig } | undefined;
  let run = 0;

  const property = fc.property(fc.gen(), (g) => {
    const chooser = genChooser(g);
    const config = opts.vary === true ? drawMmConfig(opts.config, chooser) : opts.config;
    const runWeights = config !== opts.config ? drawMmWeights(weights, chooser) : weights;
    if (config !== opts.config) stats.variedRuns++;
    const runOpts = { ...opts, config };
    const pair = opts.survey === true ? undefined : pairFor(runOpts);
    const model = pair?.model ?? (opts.stacks ?? defaultMmStacks).model(config);
    let pre = worldOf(model, config);
    const steps: MmStep[] = [];
    let failure: Failure | undefined;
    for (let i = 0; i < opts.steps; i++) {
      const gen = generateMmOp(new MmView(pre), chooser, runWeights);
      for (const m of gen.rejected) stats.rejected.add(m);
      stats.generated++;
      const r = pair === undefined ? surveyMmStep(model, pre, gen.op) : checkMmStep(pair, pre, gen.op);
      countStep(stats, stepName(gen.op), pair !== undefined ? mmChecksPerStep : 0, r);
      steps.push(r.modelResult === undefined ? gen.op : { ...gen.op, result: r.modelResult });
      if (r.failure !== undefined) {
        failure = { step: i, ...r.failure };
        break;
      }
      countRefills(stats, gen.op, pre, r.post!);
      pre = r.post!;
      const mm = pre.mm;
      stats.maxAllocations = Math.max(stats.maxAllocations, mm.allocations.filter((a) => a.use === 'client').length);
      stats.maxFreeRanges = Math.max(stats.maxFreeRanges, mm.free.length);
      stats.maxSlabFrames = Math.max(stats.maxSlabFrames, mm.allocations.filter((a) => a.use === 'frame').length);
      stats.maxSlotCNodes = Math.max(stats.maxSlotCNodes, mm.slots.cnodes.length);
    }
    const extensions = pre.mm.allocations.filter((a) => a.use === 'l1cnode').length;
    if (extensions > 0) stats.cspaceExtensions++;
    if (extensions > 1) stats.secondExtensions++;
    stats.runs++;
    opts.onRun?.(run, stats);
    if (failure !== undefined) failed = { run, outcome: { steps, failure }, config };
    run++;
    return failure === undefined;
  });

  fc.check(property, { seed: opts.seed, numRuns: opts.runs, endOnFailure: true });
  if (failed === undefined) return { passed: true, stats };

  const original = failed.outcome;
  const failedOpts = { ...opts, config: failed.config };
  let steps = original.steps;
  let failure = original.failure!;
  if (opts.shrink !== false) {
    const target = failure;
    // First with produced names carried along (rename.ts), so that early steps can go without renumbering the slots later ones name.
    const producers = mmProducersOf(original.steps);
    const order = new Map(original.steps.map((s, i) => [s, i] as const));
    const renamed = (candidate: readonly MmStep[]) => replayMmRenamed(pairFor(failedOpts), failed!.config, candidate, producers, order);
    const byName = shrinkSteps(original.steps, (candidate) => sameFailure(target, renamed(candidate).failure));
    // The shrunk trace is what the renamed replay ran; replayed plainly it must fail the same way, or the plain shrink is used.
    let again = replayMmOps(failedOpts, renamed(byName.steps).steps.map(mmOpOf));
    if (!sameFailure(target, again.failure)) {
      const plain = shrinkSteps(original.steps.map(mmOpOf), (candidate) => sameFailure(target, replayMmOps(failedOpts, candidate).failure));
      again = replayMmOps(failedOpts, plain.steps);
    }
    if (again.failure !== undefined) {
      steps = again.steps;
      failure = again.failure;
    }
  }
  const counterexample = counterexampleTrace('mm', opts, { run: failed.run, config: failed.config, steps, failure, shrunkFrom: original.steps.length });
  return { passed: false, stats, counterexample, failedRun: failed.run, unshrunkLength: original.steps.length };
}
