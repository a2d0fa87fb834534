// Runs one operation sequence against the model and the implementation side by
// side and reports the first step where their results or observations differ.
import { ModelKernel } from '../../../model/kernel/model-kernel.js';
import { ImplKernel, type KernelMutant } from '../../../impl/kernel/index.js';
import type { KernelConfig } from '../../../spec/kernel/config.js';
import type { KernelResult } from '../../../spec/kernel/kernel.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import { jsonEqual } from '../../../spec/kernel/postconditions.js';
import type { KernelState } from '../../../spec/kernel/state.js';
import { OpGenerator, Rng } from './random-ops.js';

export interface Divergence {
  readonly step: number;
  readonly op: KernelOp;
  readonly what: 'result' | 'observation' | 'exception';
  readonly model: unknown;
  readonly impl: unknown;
  readonly trace: readonly KernelOp[];
}

export interface RunStats {
  readonly ops: Record<string, number>;
  readonly okOps: Record<string, number>;
  readonly maxCtes: number;
  readonly maxPtes: number;
  readonly maxDeleted: number;
}

/** Applies `op` to both kernels; returns the divergence, if any. */
export function stepBoth(model: ModelKernel, impl: ImplKernel, op: KernelOp, step: number, trace: readonly KernelOp[]): { divergence?: Divergence; result: KernelResult; state: KernelState } {
  const m = model.apply(op);
  let i: KernelResult;
  try {
    i = impl.apply(op);
  } catch (e) {
    return { divergence: { step, op, what: 'exception', model: m, impl: String((e as Error).stack ?? e), trace }, result: m, state: model.observe() };
  }
  const ms = model.observe();
  if (!jsonEqual(m, i)) return { divergence: { step, op, what: 'result', model: m, impl: i, trace }, result: m, state: ms };
  const is = impl.observe();
  if (!jsonEqual(ms, is)) return { divergence: { step, op, what: 'observation', model: ms, impl: is, trace }, result: m, state: ms };
  return { result: m, state: ms };
}

/** Replays a fixed operation list; the first divergence, if any. */
export function replay(config: KernelConfig, ops: readonly KernelOp[], options: { debug?: boolean; mutant?: KernelMutant } = {}): Divergence | undefined {
  const model = new ModelKernel(config);
  const impl = new ImplKernel(config, options);
  for (let k = 0; k < ops.length; k++) {
    const r = stepBoth(model, impl, ops[k]!, k, ops.slice(0, k + 1));
    if (r.divergence) return r.divergence;
  }
  return undefined;
}

/** A random sequence of `steps` operations from `seed`. */
export function runRandom(
  config: KernelConfig,
  seed: number,
  steps: number,
  options: { debug?: boolean; mutant?: KernelMutant } = {},
): { divergence?: Divergence; stats: RunStats; final: KernelState } {
  const model = new ModelKernel(config);
  const impl = new ImplKernel(config, options);
  const gen = new OpGenerator(new Rng(seed), config.arch);
  const trace: KernelOp[] = [];
  const ops: Record<string, number> = {};
  const okOps: Record<string, number> = {};
  let state = model.observe();
  let maxCtes = 0;
  let maxPtes = 0;
  let maxDeleted = 0;
  for (let k = 0; k < steps; k++) {
    const op = gen.next(state);
    trace.push(op);
    const r = stepBoth(model, impl, op, k, trace);
    ops[op.op] = (ops[op.op] ?? 0) + 1;
    if (r.divergence) return { divergence: r.divergence, stats: { ops, okOps, maxCtes, maxPtes, maxDeleted }, final: r.state };
    if (r.result.ok) {
      okOps[op.op] = (okOps[op.op] ?? 0) + 1;
      const v = r.result.value as { deleted?: number };
      if (v.deleted !== undefined) maxDeleted = Math.max(maxDeleted, v.deleted);
    }
    state = r.state;
    maxCtes = Math.max(maxCtes, state.cores[0]!.ctes.length);
    maxPtes = Math.max(maxPtes, state.cores[0]!.ptes.length);
  }
  return { stats: { ops, okOps, maxCtes, maxPtes, maxDeleted }, final: state };
}
