// The mm conformance runner: fast-check drives the generator (generate.ts)
// through a Chooser, each step is checked on both stacks (check.ts), and at
// the first failure the trace is shrunk by delta debugging (../shrink.ts),
// written as a replayable counterexample in the shared envelope, and
// reported with the command that reproduces it. The same loop as the
// kernel's (conformance/kernel/run.ts), over an mm stack.
import fc from 'fast-check';
import type { MmConfig } from '../../spec/mm/config.js';
import type { MmOp } from '../../spec/mm/ops.js';
import { genChooser } from '../chooser.js';
import { shrinkSteps } from '../shrink.js';
import { Counter } from '../stats.js';
import type { Failure } from '../trace.js';
import { checkMmStep, mmChecksPerStep, type MmPair } from './check.js';
import { defaultMmWeights, generateMmOp, MmView, type MmGeneratorWeights } from './generate.js';
import { defaultMmStacks, worldOf, type MmStackFactories } from './stack.js';
import { mmOpOf, type MmStep, type MmTrace } from './trace.js';

export interface MmConformanceOptions {
  readonly config: MmConfig;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly stacks?: MmStackFactories;
  readonly mutant?: string;
  readonly weights?: MmGeneratorWeights;
  /** Shrink a counterexample before reporting it (default true). */
  readonly shrink?: boolean;
  readonly onRun?: (run: number, stats: MmRunStats) => void;
  /** The command line that reproduces this run, recorded in counterexample traces. */
  readonly command?: string;
}

export interface MmRunStats {
  runs: number;
  steps: number;
  readonly ops: Counter;
  readonly results: Counter;
  /** Successful steps by kind (client calls by their kernel operation). */
  readonly succeeded: Counter;
  invariantChecks: number;
  generated: number;
  readonly rejected: Counter;
  maxAllocations: number;
  maxFreeRanges: number;
  maxSlabFrames: number;
  maxSlotCNodes: number;
  cspaceExtensions: number;
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
  let pre = worldOf(pair.model, opts.config);
  const steps: MmStep[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const r = checkMmStep(pair, pre, op, recorded?.[i]?.result);
    steps.push(r.modelResult === undefined ? op : { ...op, result: r.modelResult });
    if (r.failure !== undefined) return { steps, failure: { step: i, ...r.failure } };
    pre = r.post!;
  }
  return { steps };
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
  let failed: { run: number; outcome: RunOutcome } | undefined;
  let run = 0;

  const property = fc.property(fc.gen(), (g) => {
    const chooser = genChooser(g);
    const pair = pairFor(opts);
    let pre = worldOf(pair.model, opts.config);
    const steps: MmStep[] = [];
    let failure: Failure | undefined;
    for (let i = 0; i < opts.steps; i++) {
      const gen = generateMmOp(new MmView(pre), chooser, weights);
      for (const m of gen.rejected) stats.rejected.add(m);
      stats.generated++;
      const r = checkMmStep(pair, pre, gen.op);
      stats.steps++;
      stats.ops.add(stepName(gen.op));
      stats.invariantChecks += mmChecksPerStep;
      if (r.modelResult !== undefined) {
        stats.results.add(r.modelResult.ok ? 'ok' : r.modelResult.error);
        if (r.modelResult.ok) stats.succeeded.add(stepName(gen.op));
      }
      steps.push(r.modelResult === undefined ? gen.op : { ...gen.op, result: r.modelResult });
      if (r.failure !== undefined) {
        failure = { step: i, ...r.failure };
        break;
      }
      pre = r.post!;
      const mm = pre.mm;
      stats.maxAllocations = Math.max(stats.maxAllocations, mm.allocations.filter((a) => a.use === 'client').length);
      stats.maxFreeRanges = Math.max(stats.maxFreeRanges, mm.free.length);
      stats.maxSlabFrames = Math.max(stats.maxSlabFrames, mm.allocations.filter((a) => a.use === 'frame').length);
      stats.maxSlotCNodes = Math.max(stats.maxSlotCNodes, mm.slots.cnodes.length);
    }
    if (pre.mm.allocations.some((a) => a.use === 'l1cnode')) stats.cspaceExtensions++;
    stats.runs++;
    opts.onRun?.(run, stats);
    if (failure !== undefined) failed = { run, outcome: { steps, failure } };
    run++;
    return failure === undefined;
  });

  fc.check(property, { seed: opts.seed, numRuns: opts.runs, endOnFailure: true });
  if (failed === undefined) return { passed: true, stats };

  const original = failed.outcome;
  let steps = original.steps;
  let failure = original.failure!;
  if (opts.shrink !== false) {
    const target = failure;
    const shrunk = shrinkSteps(steps.map(mmOpOf), (candidate) => sameFailure(target, replayMmOps(opts, candidate).failure));
    const again = replayMmOps(opts, shrunk.steps);
    if (again.failure !== undefined) {
      steps = again.steps;
      failure = again.failure;
    }
  }
  const counterexample: MmTrace = {
    format: 'capref-trace',
    version: 1,
    subsystem: 'mm',
    config: opts.config,
    ...(opts.mutant !== undefined ? { impl: { mutant: opts.mutant } } : {}),
    origin: {
      command:
        opts.command ??
        `capref conformance mm --seed ${opts.seed} --runs ${failed.run + 1} --steps ${opts.steps}${opts.mutant !== undefined ? ` --mutant ${opts.mutant}` : ''}`,
      seed: opts.seed,
      run: failed.run,
      runs: opts.runs,
      steps: opts.steps,
      shrunkFrom: original.steps.length,
    },
    steps,
    failure,
  };
  return { passed: false, stats, counterexample, failedRun: failed.run, unshrunkLength: original.steps.length };
}
