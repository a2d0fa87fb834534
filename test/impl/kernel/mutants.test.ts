// Mutation proof, the implementation's half (issue 2, item 6): every mutant
// has a short, explicit operation list on which the mutated implementation
// diverges from the model, while the correct implementation agrees with it.
// (The conformance suite separately shows that its random generator finds
// every mutant within its default budget.)
import { describe, expect, it } from 'vitest';
import { capref1, capref2 } from '../../../spec/kernel/capref.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import { kernelMutants, isKernelMutant, type KernelMutant } from '../../../impl/kernel/index.js';
import { replay, type Divergence } from './differential.js';
import { ROOTCN_SLOTS_USER } from '../../../spec/kernel/boot.js';
import { config, copy, del, identify, KIB, map, mint, R, ram, ramBase, retype, revoke, slot, unmap, userRootSlot } from './fixtures.js';

const frameAndTable: KernelOp[] = [retype(ram, 'VNode_AARCH64_l3', 4 * KIB, slot(0)), retype(ram, 'Frame', 8 * KIB, slot(1), 8 * KIB), map(slot(0), slot(1), slot(2))];

/** Each mutant's witness: the operations, and what the divergence is. */
const witnesses: Record<KernelMutant, { ops: KernelOp[]; what: Divergence['what'] }> = {
  'revoke-skips-other-cspace': {
    // A second CSpace (an L1CNode with an L2CNode in its slot 0) holds a copy of a frame; revoking the frame through the first CSpace must take it.
    ops: [
      retype(ram, 'L1CNode', 16 * KIB, slot(0)),
      retype(ram, 'L2CNode', 16 * KIB, capref1(ramBase, 0), 16 * KIB),
      retype(ram, 'Frame', 4 * KIB, slot(1), 64 * KIB),
      copy(slot(1), capref2(ramBase, 0, 0)),
      revoke(slot(1)),
    ],
    what: 'result',
  },
  'retype-overlap-misses-partial': {
    // [0, 8K) is taken; [4K, 12K) overlaps it partially.
    ops: [retype(ram, 'Frame', 8 * KIB, slot(0)), retype(ram, 'Frame', 4 * KIB, slot(1), 4 * KIB, 2)],
    what: 'result',
  },
  'copy-into-occupied': { ops: [retype(ram, 'Frame', 4 * KIB, slot(0)), copy(ram, slot(0))], what: 'result' },
  'map-twice': { ops: [...frameAndTable, map(slot(0), slot(1), slot(3), 1, 1, 4 * KIB)], what: 'result' },
  'region-end-off-by-one': { ops: [retype(ram, 'Frame', 4 * KIB, slot(0), 4 * KIB), retype(ram, 'Frame', 4 * KIB, slot(1))], what: 'result' },
  'delete-leaves-ptes': { ops: [...frameAndTable, del(slot(1))], what: 'observation' },
  'mint-adds-right': { ops: [mint(ram, slot(0), ['READ'])], what: 'observation' },
  'capref-wrong-level': { ops: [identify(ram)], what: 'result' },
  'cnode-delete-leaks-slots': {
    ops: [retype(ram, 'L2CNode', 16 * KIB, userRootSlot()), retype(ram, 'Frame', 4 * KIB, capref2(R, ROOTCN_SLOTS_USER, 0), 16 * KIB), del(userRootSlot())],
    what: 'result',
  },
  'full-size-retype-descendant': {
    ops: [retype(ram, 'RAM', 64 * KIB, slot(0)), { op: 'remote_relations', target: slot(0), set: { copies: true } }, retype(slot(0), 'RAM', 64 * KIB, slot(1))],
    what: 'observation',
  },
  'revoke-immediate-only': {
    // RAM -> Dispatcher -> EndPointLMP: the endpoint is a grandchild of the RAM.
    ops: [retype(ram, 'RAM', 64 * KIB, slot(0)), retype(slot(0), 'Dispatcher', KIB, slot(1)), retype(slot(1), 'EndPointLMP', KIB, slot(2)), revoke(slot(0))],
    what: 'result',
  },
  'unmap-foreign-table': { ops: [...frameAndTable, retype(ram, 'VNode_AARCH64_l3', 4 * KIB, slot(4), 4 * KIB), unmap(slot(4), slot(2))], what: 'result' },
  'retype-ignores-lock': { ops: [{ op: 'lock', target: ram }, retype(ram, 'Frame', 4 * KIB, slot(0))], what: 'result' },
  'vnode-delete-keeps-mappings': { ops: [...frameAndTable, del(slot(0))], what: 'result' },
  'reclaim-ignores-survivors': { ops: [retype(ram, 'Frame', 4 * KIB, slot(0)), del(slot(0))], what: 'result' },
};

describe('mutants: each diverges from the model on its witness, the correct impl does not', () => {
  it('every mutant has a witness, and every witness names a mutant', () => {
    expect(Object.keys(witnesses).sort()).toEqual(kernelMutants.map((m) => m.name).sort());
    expect(kernelMutants.length).toBeGreaterThanOrEqual(10);
    for (const m of kernelMutants) expect(isKernelMutant(m.name)).toBe(true);
    expect(isKernelMutant('no-such-bug')).toBe(false);
  });

  for (const { name, description } of kernelMutants) {
    it(`${name}: ${description}`, () => {
      const { ops, what } = witnesses[name];
      expect(replay(config, ops, { debug: true }), 'the correct implementation agrees with the model').toBeUndefined();
      const d = replay(config, ops, { mutant: name });
      expect(d, 'the mutant diverges').toBeDefined();
      expect(d!.step).toBe(ops.length - 1);
      expect(d!.what).toBe(what);
    });
  }
});
