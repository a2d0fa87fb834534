// The impl manager against the model manager at a scale conformance traces do
// not reach: thousands of random allocations and frees of mixed sizes on
// 64 MiB, observations compared every 250 steps, the impl's self-checks on.
import { describe, expect, it } from 'vitest';
import { implMm, isMmMutant, mmMutantNames } from '../../../impl/mm/index.js';
import { ImplKernel } from '../../../impl/kernel/index.js';
import { implKernelFor } from '../../../conformance/mm/stack.js';
import { ModelKernel } from '../../../model/kernel/model-kernel.js';
import { ModelMm } from '../../../model/mm/model-mm.js';
import { seededChooser } from '../../../conformance/chooser.js';
import { defaultMmConfig } from '../../../spec/mm/config.js';
import type { MmOp, RamGrant } from '../../../spec/mm/ops.js';
import { ramRoot } from '../../mm/fixtures.js';

describe('impl manager (impl/mm)', () => {
  it('makes the same decisions as the model over 2,000 mixed steps, and its structures stay sound', () => {
    const config = defaultMmConfig;
    const mk = new ModelKernel(config.kernel);
    const model = new ModelMm(mk, config);
    const ik = implKernelFor(config);
    const impl = implMm(ik, config, undefined, true);
    const c = seededChooser(2024);
    const live: RamGrant[] = [];
    const step = (op: MmOp) => {
      const a = model.apply(op);
      const b = impl.apply(op);
      expect(b).toEqual(a);
      return a;
    };
    step({ op: 'add', cap: ramRoot(config, 0) });
    for (let i = 0; i < 2000; i++) {
      if (live.length > 0 && c.chance(0.45)) {
        const g = live.splice(c.int(0, live.length - 1), 1)[0]!;
        const partial = g.bytes > 4096 && c.chance(0.3);
        const r = step({ op: 'free', cap: g.cap, ...(partial ? { range: { base: g.base + 4096, bytes: 4096 } } : {}) });
        if (r.ok) live.push(...(r.value as { remainders: RamGrant[] }).remainders);
      } else {
        const r = step({ op: 'alloc', bytes: 4096 * c.int(1, 16), alignment: 2 ** c.int(12, 16) });
        if (r.ok) live.push(r.value as RamGrant);
      }
      if (i % 250 === 0) expect(impl.observe()).toEqual(model.observe());
    }
    expect(impl.observe()).toEqual(model.observe());
    expect(ik.observe()).toEqual(mk.observe());
  });

  it('the model starts from a snapshot of the impl (ModelMm.fromState) and then decides the same', () => {
    const config = defaultMmConfig;
    const ik = implKernelFor(config);
    const impl = implMm(ik, config);
    impl.apply({ op: 'add', cap: ramRoot(config, 0) });
    const c = seededChooser(7);
    const live: RamGrant[] = [];
    for (let i = 0; i < 300; i++) {
      const r = impl.apply({ op: 'alloc', bytes: 4096 * c.int(1, 8) });
      if (r.ok) live.push(r.value as RamGrant);
      if (i % 3 === 0) impl.apply({ op: 'free', cap: live.splice(c.int(0, live.length - 1), 1)[0]!.cap });
    }
    const mk = ModelKernel.fromState(ik.observe());
    const model = ModelMm.fromState(mk, config, impl.observe());
    expect(model.observe()).toEqual(impl.observe());
    for (let i = 0; i < 50; i++) {
      const op: MmOp = i % 2 === 0 ? { op: 'alloc', bytes: 4096 * c.int(1, 8) } : { op: 'free', cap: live.pop()!.cap };
      const a = model.apply(op);
      expect(impl.apply(op)).toEqual(a);
      if (op.op === 'alloc' && a.ok) live.unshift(a.value as RamGrant);
    }
    expect(model.observe()).toEqual(impl.observe());
  });

  it('knows its mutants by name and refuses unknown ones', () => {
    expect(mmMutantNames.length).toBeGreaterThanOrEqual(6);
    expect(isMmMutant('no-coalesce')).toBe(true);
    expect(() => implMm(new ImplKernel(defaultMmConfig.kernel), defaultMmConfig, 'no-such-bug')).toThrow(RangeError);
  });
});
