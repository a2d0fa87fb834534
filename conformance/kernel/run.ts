// The kernel conformance runner: fast-check generates operation sequences
// from the current state (conformance/kernel/generate.ts), each step is
// checked (check.ts), and at the first failure the trace is shrunk
// (../shrink.ts), written as a replayable JSON counterexample, and reported
// with the one command that reproduces it.
import fc from 'fast-check';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { memDescends } from '../../spec/kernel/relations.js';
import { isMappingCap, type KernelState, type MemoryCap } from '../../spec/kernel/state.js';
import { CORE_PRECONDITION_ID, preconditionsByOp } from '../../spec/kernel/preconditions/index.js';
import { genChooser } from '../chooser.js';
import { runChecked } from '../replay.js';
import { shrinkSteps } from '../shrink.js';
import { counterexampleTrace } from '../suite-kit.js';
import { countStep, Counter, type RunCounters } from '../stats.js';
import type { Failure } from '../trace.js';
import { checksPerStep, checkStep, type KernelPair, type StepFailure } from './check.js';
import { defaultWeights, generateOp, type GeneratorWeights } from './generate.js';
import { KernelIndex } from './state-index.js';
import { opOf, type KernelStep, type KernelTrace } from './trace.js';

export interface KernelFactories {
  readonly model: (config: KernelConfig) => Kernel;
  readonly impl: (config: KernelConfig, mutant?: string) => Kernel;
}

export interface KernelConformanceOptions {
  readonly config: KernelConfig;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly kernels: KernelFactories;
  readonly mutant?: string;
  readonly weights?: GeneratorWeights;
  /** Shrink a counterexample before reporting it (default true). */
  readonly shrink?: boolean;
  /** Called after every run, for progress displays. */
  readonly onRun?: (run: number, stats: KernelRunStats) => void;
  /** The command line that reproduces this run, recorded in counterexample traces. */
  readonly command?: string;
}

/** Steps are counted by operation (`ops`, `succeeded`). */
export interface KernelRunStats extends RunCounters {
  maxLiveCaps: number;
  maxDerivationDepth: number;
  maxCNodeNesting: number;
}

export interface KernelConformanceResult {
  readonly passed: boolean;
  readonly stats: KernelRunStats;
  /** The shrunk counterexample, when a run failed. */
  readonly counterexample?: KernelTrace;
  /** The failing run's index and its unshrunk length. */
  readonly failedRun?: number;
  readonly unshrunkLength?: number;
  /** False when the failure happened outside a step (building a kernel, generating): only regenerating shows it. */
  readonly replayable?: boolean;
}

export function newStats(): KernelRunStats {
  return {
    runs: 0,
    steps: 0,
    ops: new Counter(),
    results: new Counter(),
    succeeded: new Counter(),
    decided: new Counter(),
    invariantChecks: 0,
    generated: 0,
    rejected: new Counter(),
    maxLiveCaps: 0,
    maxDerivationDepth: 0,
    maxCNodeNesting: 0,
  };
}

/** Longest chain of strict ancestors among memory capabilities (a measure of nesting depth). */
export function derivationDepth(state: KernelState): number {
  let best = 0;
  for (const core of state.cores) {
    const caps = core.ctes.map((e) => e.cap).filter((k): k is MemoryCap => !isMappingCap(k));
    // Depth = number of distinct strict-ancestor regions; quadratic, run on final states only.
    for (const k of caps) {
      const anc = new Set<string>();
      for (const o of caps) if (memDescends(k, o)) anc.add(`${o.type}@${o.base}+${o.bytes}`);
      best = Math.max(best, anc.size);
    }
  }
  return best;
}

/**
 * What makes two failures "the same bug" while shrinking, so that the shrinker
 * does not drift to a different one: the kind; for a divergence, whether the
 * results or the states differ; for invariants, which ones broke.
 */
export function failureSignature(f: Failure): string {
  const which = f.kind === 'divergence' ? (f.message.startsWith('results differ') ? 'result' : 'state') : '';
  return [f.kind, which, ...[...(f.violated ?? [])].sort()].join('|');
}

/** Every precondition id of the spec, and the core check that precedes them all. */
export const allPreconditionIds: readonly string[] = [CORE_PRECONDITION_ID, ...Object.values(preconditionsByOp).flatMap((list) => list.map((p) => p.id))];

/**
 * Deepest CNode nesting: the longest chain root L1CNode → a CNode held in one
 * of its slots → a CNode held in that one's slots …, by breadth-first distance
 * (the task CNode holds itself, so the graph has cycles).
 */
export function cnodeNestingDepth(state: KernelState): number {
  let best = 0;
  for (const core of state.cores) {
    const holds = new Map<number, number[]>();
    const roots: number[] = [];
    for (const e of core.ctes) {
      const k = e.cap;
      if (isMappingCap(k) || (k.type !== 'L1CNode' && k.type !== 'L2CNode')) continue;
      (holds.get(e.cnode) ?? holds.set(e.cnode, []).get(e.cnode)!).push(k.base);
      if (k.type === 'L1CNode') roots.push(k.base);
    }
    const depth = new Map<number, number>(roots.map((r) => [r, 1]));
    const queue = [...new Set(roots)];
    while (queue.length > 0) {
      const c = queue.shift()!;
      for (const child of holds.get(c) ?? []) {
        if (depth.has(child)) continue;
        depth.set(child, depth.get(c)! + 1);
        queue.push(child);
      }
    }
    for (const d of depth.values()) best = Math.max(best, d);
  }
  return best;
}

interface RunOutcome {
  readonly steps: KernelStep[];
  readonly failure?: Failure;
}

function pairFor(opts: KernelConformanceOptions): KernelPair {
  return { model: opts.kernels.model(opts.config), impl: opts.kernels.impl(opts.config, opts.mutant) };
}

/** Replays a list of operations from boot; returns the first failure, if any. */
export function replayOps(opts: Pick<KernelConformanceOptions, 'config' | 'kernels' | 'mutant'>, ops: readonly KernelOp[]): RunOutcome {
  const pair = { model: opts.kernels.model(opts.config), impl: opts.kernels.impl(opts.config, opts.mutant) };
  return runChecked(ops, pair.model.observe(), (pre, op) => checkStep(pair, pre, op));
}

export function runKernelConformance(opts: KernelConformanceOptions): KernelConformanceResult {
  const stats = newStats();
  const weights = opts.weights ?? defaultWeights;
  /** `outsideSteps`: the failure did not come from checking a step, so replaying the steps cannot show it. */
  let failed: { run: number; outcome: RunOutcome; outsideSteps: boolean } | undefined;
  let run = 0;

  const property = fc.property(fc.gen(), (g) => {
    const chooser = genChooser(g);
    const steps: KernelStep[] = [];
    let failure: Failure | undefined;
    let outsideSteps = false;
    // checkStep catches what the kernels throw; anything else thrown here (building
    // the kernels, indexing a state, generating an operation) is a bug in capref
    // too, and must fail the run: fast-check would count it as a failure we never
    // recorded, and the run would be reported as passed.
    try {
      const pair = pairFor(opts);
      let pre = pair.model.observe();
      for (let i = 0; i < opts.steps; i++) {
        const ix = new KernelIndex(pre);
        const gen = generateOp(ix, chooser, weights);
        if (gen === undefined) {
          stats.rejected.add('(nothing reachable)');
          break;
        }
        for (const m of gen.rejected) stats.rejected.add(m);
        stats.generated++;
        const r = checkStep(pair, pre, gen.op);
        countStep(stats, gen.op.op, checksPerStep, r);
        steps.push(r.modelResult === undefined ? gen.op : { ...gen.op, result: r.modelResult });
        if (r.failure !== undefined) {
          failure = { step: i, ...r.failure };
          break;
        }
        pre = r.post!;
        const live = pre.cores.reduce((n, c) => n + c.ctes.length, 0);
        if (live > stats.maxLiveCaps) stats.maxLiveCaps = live;
      }
      if (failure === undefined) {
        stats.maxDerivationDepth = Math.max(stats.maxDerivationDepth, derivationDepth(pre));
        stats.maxCNodeNesting = Math.max(stats.maxCNodeNesting, cnodeNestingDepth(pre));
      }
    } catch (e) {
      outsideSteps = true;
      failure = {
        step: steps.length,
        kind: 'exception',
        message: `the conformance runner threw outside a step (before step ${steps.length}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      };
    }
    stats.runs++;
    opts.onRun?.(run, stats);
    if (failure !== undefined) failed = { run, outcome: { steps, failure }, outsideSteps };
    run++;
    return failure === undefined;
  });

  const details = fc.check(property, { seed: opts.seed, numRuns: opts.runs, endOnFailure: true });
  if (failed === undefined) {
    if (details.failed) throw new Error(`fast-check reported a failure the runner did not record: ${String(details.errorInstance)}`);
    return { passed: true, stats };
  }

  const original = failed.outcome;
  let steps = original.steps;
  let failure = original.failure!;
  if (opts.shrink !== false && !failed.outsideSteps) {
    const want = failureSignature(failure);
    const ops = steps.map(opOf);
    const shrunk = shrinkSteps(ops, (candidate) => {
      const f = replayOps(opts, candidate).failure;
      return f !== undefined && failureSignature(f) === want;
    });
    const again = replayOps(opts, shrunk.steps);
    if (again.failure !== undefined) {
      steps = again.steps;
      failure = again.failure;
    }
  }
  const counterexample = counterexampleTrace('kernel', opts, { run: failed.run, config: opts.config, steps, failure, shrunkFrom: original.steps.length });
  return { passed: false, stats, counterexample, failedRun: failed.run, unshrunkLength: original.steps.length, replayable: !failed.outsideSteps };
}

export type { StepFailure };
