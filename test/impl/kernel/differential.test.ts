// The implementation returns exactly the model's results and observations,
// step by step, on a few hundred random operation sequences that reach deep
// states (nested retypes, copies across CNodes and CSpaces, full CNodes,
// frames mapped piecewise through copies, revokes of large subtrees, deletes
// of CNodes that hold capabilities), with the implementation's own
// data-structure invariants checked after every step on part of them.
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import { defaultKernelConfig, type KernelConfig } from '../../../spec/kernel/config.js';
import { kernelOpNames } from '../../../spec/kernel/ops.js';
import { MIB } from '../../../spec/kernel/types.js';
import { runRandom, type Divergence } from './differential.js';

const configs: readonly KernelConfig[] = [
  defaultKernelConfig,
  { ...defaultKernelConfig, arch: 'armv7' },
  // Two RAM regions and a small device window; a second core with no CSpace.
  {
    arch: 'aarch64',
    cores: 2,
    memory: [
      { base: 0x0800_0000, bytes: 1 * MIB, kind: 'device' },
      { base: 0x4000_0000, bytes: 2 * MIB, kind: 'ram' },
      { base: 0x4100_0000, bytes: 8 * MIB, kind: 'ram' },
    ],
  },
];

const SEQUENCES = 300;
const STEPS = 100;

function describeDivergence(seed: number, d: Divergence): string {
  return `seed ${seed}, step ${d.step}: ${d.what} differs on ${JSON.stringify(d.op)}\nmodel: ${JSON.stringify(d.model)}\nimpl:  ${JSON.stringify(d.impl)}\nlast ops: ${JSON.stringify(d.trace.slice(-5))}`;
}

describe('differential: ImplKernel matches ModelKernel step by step', () => {
  it(`agrees on ${SEQUENCES} random sequences of ${STEPS} operations, which reach deep states`, () => {
    const succeeded = new Set<string>();
    let maxCtes = 0;
    let maxPtes = 0;
    let maxDeleted = 0;
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const config = configs[seed % configs.length]!;
      const r = runRandom(config, seed, STEPS, { debug: seed % 4 === 0 });
      if (r.divergence) expect.fail(describeDivergence(seed, r.divergence));
      expect(checkInvariants(r.final)).toEqual([]);
      for (const op of Object.keys(r.stats.okOps)) succeeded.add(op);
      maxCtes = Math.max(maxCtes, r.stats.maxCtes);
      maxPtes = Math.max(maxPtes, r.stats.maxPtes);
      maxDeleted = Math.max(maxDeleted, r.stats.maxDeleted);
    }
    // The runs must have gone somewhere: every operation succeeded somewhere, CSpaces grew,
    // frames were mapped, and some delete or revoke took a large subtree with it.
    expect([...succeeded].sort()).toEqual([...kernelOpNames].sort());
    expect(maxCtes).toBeGreaterThanOrEqual(100);
    expect(maxPtes).toBeGreaterThanOrEqual(8);
    expect(maxDeleted).toBeGreaterThanOrEqual(20);
  });
});
