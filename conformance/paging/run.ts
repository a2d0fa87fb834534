// The paging conformance runner: fast-check drives the generator
// (generate.ts) from the current observations, each step is checked
// (check.ts), and at the first failure the trace is shrunk (../shrink.ts) and
// returned as a replayable counterexample with the command that reproduces it.
import fc from 'fast-check';
import type { PagingConfig } from '../../spec/paging/config.js';
import type { PagingWorld } from '../../spec/paging/invariants.js';
import type { PagingOp } from '../../spec/paging/ops.js';
import { genChooser } from '../chooser.js';
import { runChecked } from '../replay.js';
import { shrinkSteps } from '../shrink.js';
import { counterexampleTrace } from '../suite-kit.js';
import { countStep, Counter, type RunCounters } from '../stats.js';
import type { Failure } from '../trace.js';
import { checkPagingStep, checkWorld, surveyPagingStep, worldOf, type PagingPair } from './check.js';
import { defaultPagingWeights, generatePagingOp, PagingIndex, type PagingWeights } from './generate.js';
import type { PagingFactories } from './stacks.js';
import { producersOf, replayRenamed } from './rename.js';
import { pagingOpOf, type PagingStep, type PagingTrace } from './trace.js';

export interface PagingConformanceOptions {
  readonly config: PagingConfig;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly stacks: PagingFactories;
  readonly mutant?: string;
  readonly weights?: PagingWeights;
  /** Shrink a counterexample before reporting it (default true). */
  readonly shrink?: boolean;
  /**
   * Survey only: the same runs, each step judged by the spec and run on the
   * model stack, without the impl and without checks (surveyPagingStep) — what
   * a full run that passes reaches, for a fraction of its cost.
   */
  readonly survey?: boolean;
  readonly onRun?: (run: number, stats: PagingRunStats) => void;
  /** The command line that reproduces this run, recorded in counterexample traces. */
  readonly command?: string;
}

export interface PagingRunStats extends RunCounters {
  maxMappings: number;
  maxTables: number;
  maxRegions: number;
  /** Mappings that crossed a leaf-table boundary (more than one piece: more than one copy). */
  multiPieceMappings: number;
  /** Client mappings the address space forgot because a client step revoked their copies. */
  revokedMappings: number;
  /** Steps the spec let succeed that an allocator refused instead (DEC-PAGING-ACQUIRE-FIRST), by error. */
  readonly allocatorRefusals: Counter;
}

export interface PagingConformanceResult {
  readonly passed: boolean;
  readonly stats: PagingRunStats;
  readonly counterexample?: PagingTrace;
  readonly failedRun?: number;
  readonly unshrunkLength?: number;
}

export function newPagingStats(): PagingRunStats {
  return {
    runs: 0,
    steps: 0,
    ops: new Counter(),
    results: new Counter(),
    succeeded: new Counter(),
    invariantChecks: 0,
    generated: 0,
    rejected: new Counter(),
    maxMappings: 0,
    maxTables: 0,
    maxRegions: 0,
    multiPieceMappings: 0,
    revokedMappings: 0,
    decided: new Counter(),
    allocatorRefusals: new Counter(),
  };
}

interface RunOutcome {
  readonly steps: PagingStep[];
  readonly failure?: Failure;
}

const opLabel = (op: PagingOp): string =>
  op.op === 'client' ? `client ${op.call.op}` : op.op === 'map' ? (op.vaddr === undefined ? 'map (free address)' : 'map (fixed)') : op.op;

function pairFor(opts: Pick<PagingConformanceOptions, 'config' | 'stacks' | 'mutant'>): PagingPair {
  return { model: opts.stacks.model(opts.config), impl: opts.stacks.impl(opts.config, opts.mutant) };
}

/** Replays a list of steps from boot; returns the first failure, if any. */
export function replayPagingOps(opts: Pick<PagingConformanceOptions, 'config' | 'stacks' | 'mutant'>, ops: readonly PagingOp[]): RunOutcome {
  const pair = pairFor(opts);
  const pre = worldOf(pair.model, opts.config);
  const boot = checkWorld(pre);
  if (boot !== undefined) return { steps: [], failure: { step: 0, ...boot, message: `the boot state: ${boot.message}` } };
  return runChecked(ops, pre, (before, op) => checkPagingStep(pair, before, op));
}

function record(stats: PagingRunStats, op: PagingOp, pre: PagingWorld, r: ReturnType<typeof checkPagingStep>): void {
  countStep(stats, opLabel(op), r.checks ?? 0, r);
  // A refusal no precondition decided: an allocator's (DEC-PAGING-ACQUIRE-FIRST).
  if (r.modelResult?.ok === false && r.decidedBy === undefined) stats.allocatorRefusals.add(r.modelResult.error);
  const post = r.post;
  if (post === undefined) return;
  const p = post.paging;
  stats.maxMappings = Math.max(stats.maxMappings, p.mappings.length);
  stats.maxTables = Math.max(stats.maxTables, p.tables.length);
  stats.maxRegions = Math.max(stats.maxRegions, p.regions.length);
  if (op.op === 'map' && r.modelResult?.ok === true) {
    const va = (r.modelResult.value as { vaddr: number }).vaddr;
    if ((p.mappings.find((m) => m.vaddr === va)?.pieces.length ?? 0) > 1) stats.multiPieceMappings++;
  }
  if ((op.op === 'client' || op.op === 'ram_free') && r.modelResult?.ok === true) {
    const before = pre.paging.mappings.filter((m) => m.kind === 'client').length;
    stats.revokedMappings += before - p.mappings.filter((m) => m.kind === 'client').length;
  }
}

export function runPagingConformance(opts: PagingConformanceOptions): PagingConformanceResult {
  const stats = newPagingStats();
  const weights = opts.weights ?? defaultPagingWeights;
  let failed: { run: number; outcome: RunOutcome } | undefined;
  let run = 0;

  const property = fc.property(fc.gen(), (g) => {
    const chooser = genChooser(g);
    const pair = opts.survey === true ? undefined : pairFor(opts);
    const model = pair?.model ?? opts.stacks.model(opts.config);
    let pre = worldOf(model, opts.config);
    const steps: PagingStep[] = [];
    const boot = pair === undefined ? undefined : checkWorld(pre);
    let failure: Failure | undefined = boot === undefined ? undefined : { step: 0, ...boot, message: `the boot state: ${boot.message}` };
    for (let i = 0; failure === undefined && i < opts.steps; i++) {
      const gen = generatePagingOp(new PagingIndex(pre), chooser, weights);
      if (gen === undefined) {
        stats.rejected.add('(nothing reachable)');
        break;
      }
      for (const m of gen.rejected) stats.rejected.add(m);
      stats.generated++;
      const r = pair === undefined ? surveyPagingStep(model, pre, gen.op) : checkPagingStep(pair, pre, gen.op);
      record(stats, gen.op, pre, r);
      steps.push(r.modelResult === undefined ? gen.op : { ...gen.op, result: r.modelResult });
      if (r.failure !== undefined) {
        failure = { step: i, ...r.failure };
        break;
      }
      pre = r.post!;
    }
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
    const kind = failure.kind;
    const producers = producersOf(steps);
    const shrunk = shrinkSteps(steps, (candidate) => replayRenamed(opts.config, opts.stacks, opts.mutant, candidate, producers).failure?.kind === kind, 2000);
    const renamed = replayRenamed(opts.config, opts.stacks, opts.mutant, shrunk.steps, producers);
    // The shrunk trace is what the renamed replay ran; replayed plainly it must fail the same way.
    const again = replayPagingOps(opts, renamed.steps.map(pagingOpOf));
    if (again.failure !== undefined && again.failure.kind === kind) {
      steps = again.steps;
      failure = again.failure;
    }
  }
  const counterexample = counterexampleTrace('paging', opts, { run: failed.run, config: opts.config, steps, failure, shrunkFrom: original.steps.length });
  return { passed: false, stats, counterexample, failedRun: failed.run, unshrunkLength: original.steps.length };
}
