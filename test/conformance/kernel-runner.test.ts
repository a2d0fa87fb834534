// The conformance loop end to end, with the reference model on both sides and
// with a deliberately broken kernel wrapped around it.
import { describe, expect, it } from 'vitest';
import { ModelKernel } from '../../model/kernel/model-kernel.js';
import { defaultKernelConfig, type KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel, ResultOf } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { cnodeNestingDepth, derivationDepth, runKernelConformance, type KernelFactories } from '../../conformance/kernel/run.js';
import { bootLayout } from '../../spec/kernel/boot.js';
import { capref2 } from '../../spec/kernel/capref.js';
import { replayKernelTrace } from '../../conformance/kernel/replay.js';
import { kernelTraceSchema } from '../../conformance/kernel/trace.js';
import { explainKernelTrace } from '../../conformance/kernel/explain.js';

/** A kernel that claims success for copies into occupied slots (and changes nothing). */
class OverwritingCopy implements Kernel {
  private readonly inner: ModelKernel;
  constructor(config: KernelConfig) {
    this.inner = new ModelKernel(config);
  }
  apply<O extends KernelOp>(op: O): ResultOf<O> {
    const r = this.inner.apply(op);
    if (op.op === 'copy' && !r.ok && r.error === 'SYS_ERR_SLOT_IN_USE') return { ok: true, value: {} } as ResultOf<O>;
    return r;
  }
  observe() {
    return this.inner.observe();
  }
}

const model = (c: KernelConfig) => new ModelKernel(c);
const sound: KernelFactories = { model, impl: model };
const broken: KernelFactories = { model, impl: (c) => new OverwritingCopy(c) };

describe('kernel conformance runner', () => {
  it('passes when impl is the model itself, and reports what it exercised', () => {
    const r = runKernelConformance({ config: defaultKernelConfig, seed: 3, runs: 10, steps: 60, kernels: sound });
    expect(r.passed).toBe(true);
    expect(r.stats.runs).toBe(10);
    expect(r.stats.steps).toBeGreaterThan(500);
    expect(r.stats.ops.get('retype')).toBeGreaterThan(0);
    expect(r.stats.succeeded.get('vnode_map')).toBeGreaterThan(0);
    expect(r.stats.invariantChecks).toBeGreaterThan(r.stats.steps * 10);
    // Meaningless steps (a maker with nothing to build from) stay rare.
    const rejected = r.stats.rejected.entries().reduce((n, [, v]) => n + v, 0);
    expect(rejected / r.stats.generated).toBeLessThan(0.05);
  });

  it('is deterministic: the same seed gives the same statistics', () => {
    const a = runKernelConformance({ config: defaultKernelConfig, seed: 11, runs: 5, steps: 40, kernels: sound });
    const b = runKernelConformance({ config: defaultKernelConfig, seed: 11, runs: 5, steps: 40, kernels: sound });
    expect(a.stats.ops.toJSON()).toEqual(b.stats.ops.toJSON());
    expect(a.stats.results.toJSON()).toEqual(b.stats.results.toJSON());
  });

  it('catches a broken kernel, shrinks the trace, and the trace replays to the same failure', () => {
    const r = runKernelConformance({ config: defaultKernelConfig, seed: 5, runs: 200, steps: 100, kernels: broken });
    expect(r.passed).toBe(false);
    const cx = r.counterexample!;
    expect(cx.failure!.kind).toBe('divergence');
    expect(cx.steps.length).toBeLessThanOrEqual(12);
    expect(cx.steps.length).toBeLessThanOrEqual(r.unshrunkLength!);
    // The trace is plain JSON that validates against the published schema.
    const parsed = kernelTraceSchema.parse(JSON.parse(JSON.stringify(cx)));
    const replay = replayKernelTrace(parsed as never, broken);
    expect(replay.failure?.kind).toBe('divergence');
    expect(replay.failure?.step).toBe(cx.failure!.step);
    // Against a sound kernel the same trace passes.
    expect(replayKernelTrace(parsed as never, sound).failure).toBeUndefined();
    expect(explainKernelTrace(parsed as never, model)).toContain('copy');
  });

  it('fails, never passes, when something outside a step throws (here: the impl cannot be built)', () => {
    const unbuildable: KernelFactories = {
      model,
      impl: () => {
        throw new Error('no impl today');
      },
    };
    const r = runKernelConformance({ config: defaultKernelConfig, seed: 1, runs: 3, steps: 10, kernels: unbuildable });
    expect(r.passed).toBe(false);
    expect(r.failedRun).toBe(0);
    expect(r.counterexample!.failure!.kind).toBe('exception');
    expect(r.counterexample!.failure!.message).toContain('no impl today');
  });

  it('measures derivation depth and CNode nesting for the summary', () => {
    const k = new ModelKernel(defaultKernelConfig);
    const root = bootLayout(defaultKernelConfig).rootCNode;
    // Boot: the root L1CNode holds L2CNodes; every memory capability is a root.
    expect(cnodeNestingDepth(k.observe())).toBe(2);
    expect(derivationDepth(k.observe())).toBe(0);
    const ram = capref2(root, 3, 0);
    expect(k.apply({ op: 'retype', src: ram, offset: 0, type: 'RAM', objsize: 64 * 1024, count: 1, dest: capref2(root, 7, 0) }).ok).toBe(true);
    expect(k.apply({ op: 'retype', src: capref2(root, 7, 0), offset: 0, type: 'Frame', objsize: 4096, count: 1, dest: capref2(root, 7, 1) }).ok).toBe(true);
    expect(derivationDepth(k.observe())).toBe(2);
    // An L2CNode held in a slot of another L2CNode is one level deeper.
    expect(k.apply({ op: 'copy', src: capref2(root, 0, 0), dest: capref2(root, 8, 0) }).ok).toBe(true);
    expect(k.apply({ op: 'retype', src: ram, offset: 1 << 20, type: 'L2CNode', objsize: 16384, count: 1, dest: capref2(root, 8, 1) }).ok).toBe(true);
    expect(cnodeNestingDepth(k.observe())).toBe(3);
  });
});
