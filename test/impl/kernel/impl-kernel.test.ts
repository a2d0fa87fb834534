// ImplKernel on named scenarios: each states a rule of the spec, runs it on
// the implementation and the model side by side (they must agree at every
// step), and checks the rule's visible outcome.
import { describe, expect, it } from 'vitest';
import { ImplKernel, MdbInvariantError } from '../../../impl/kernel/index.js';
import type { CoreKernel } from '../../../impl/kernel/kernel-core.js';
import { bootState } from '../../../spec/kernel/boot.js';
import { capref1, capref2 } from '../../../spec/kernel/capref.js';
import { defaultKernelConfig } from '../../../spec/kernel/config.js';
import type { KernelOp, RemovalValue } from '../../../spec/kernel/ops.js';
import { canonicalState } from '../../../spec/kernel/state.js';
import { MIB } from '../../../spec/kernel/types.js';
import { replay } from './differential.js';
import { config, copy, del, identify, KIB, map, R, ram, ramBase, retype, revoke, slot, slotB, unmap, userRootSlot } from './fixtures.js';

/** Runs `ops` on impl and model, asserting they agree at every step; returns impl's results. */
function agreed(ops: readonly KernelOp[]) {
  expect(replay(config, ops, { debug: true })).toBeUndefined();
  const k = new ImplKernel(config);
  return { k, results: ops.map((op) => k.apply(op)) };
}
const removal = (r: { ok: boolean; value?: unknown }) => r.value as RemovalValue;
const coreOf = (k: ImplKernel) => (k as unknown as { cores: CoreKernel[] }).cores[0]!;

describe('ImplKernel', () => {
  it('boots into exactly the spec boot state, on both architecture profiles', () => {
    for (const arch of ['aarch64', 'armv7'] as const) {
      const c = { ...defaultKernelConfig, arch };
      expect(new ImplKernel(c).observe()).toEqual(canonicalState(bootState(c)));
    }
  });

  it('an operation on a core that does not exist fails with SYS_ERR_CORE_NOT_FOUND and changes nothing', () => {
    const k = new ImplKernel(config);
    const before = k.observe();
    expect(k.apply({ ...identify(ram), core: 3 })).toEqual({ ok: false, error: 'SYS_ERR_CORE_NOT_FOUND', arg: 'core' });
    expect(k.observe()).toEqual(before);
  });

  it('revoke of a 1,000-capability subtree spread over CNodes removes exactly it and keeps the target; nothing is reclaimed while an ancestor lives', () => {
    const child = slot(255);
    const ops: KernelOp[] = [
      retype(ram, 'RAM', 4 * MIB, child, 4 * MIB),
      retype(ram, 'L2CNode', 16 * KIB, userRootSlot(), 0),
      ...[slot, slotB, (j: number) => capref2(R, 9, j), (j: number) => capref2(R, 14, j)].map((cn, k) => retype(child, 'Frame', 4 * KIB, cn(0), k * 250 * 4 * KIB, 250)),
      copy(child, slotB(255)), // another copy of the target: revoke takes it too (DESIGN.md "Revoke")
      revoke(child),
      identify(child),
      del(child),
    ];
    const { results } = agreed(ops);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(removal(results[7]!)).toEqual({ deleted: 1001, reclaimed: [] });
    expect(removal(results[9]!)).toEqual({ deleted: 1, reclaimed: [] }); // the RAM root still covers it
  });

  it('deleting the last copy of an L1CNode removes its L2CNodes and what they hold, transitively, and reclaims each freed object once, the largest of nested ones', () => {
    const root2 = ramBase; // the L1CNode retyped at the RAM root's start
    const ops: KernelOp[] = [
      retype(ram, 'L1CNode', 16 * KIB, slot(1)),
      retype(ram, 'L2CNode', 16 * KIB, capref1(root2, 0), 16 * KIB, 2),
      retype(ram, 'Frame', 4 * KIB, capref2(root2, 0, 0), 64 * KIB, 3),
      copy(capref2(root2, 0, 1), capref2(root2, 1, 9)),
      retype(ram, 'RAM', 256 * KIB, capref2(root2, 1, 0), 256 * KIB),
      retype(capref2(root2, 1, 0), 'Frame', 4 * KIB, capref2(root2, 1, 1), 8 * KIB, 2),
      del(ram), // the RAM root: its descendants keep its memory in use
      del(slot(1)),
    ];
    const { results } = agreed(ops);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(removal(results[6]!)).toEqual({ deleted: 1, reclaimed: [] });
    const at = (offset: number, bytes: number) => ({ base: ramBase + offset, bytes });
    expect(removal(results[7]!)).toEqual({
      deleted: 1 + 2 + 3 + 1 + 1 + 2,
      reclaimed: [at(0, 16 * KIB), at(16 * KIB, 16 * KIB), at(32 * KIB, 16 * KIB), at(64 * KIB, 4 * KIB), at(68 * KIB, 4 * KIB), at(72 * KIB, 4 * KIB), at(256 * KIB, 256 * KIB)],
    });
  });

  it('maps a large frame piecewise through copies (one mapping per copy), and deleting the page table removes the mappings in it', () => {
    const ops: KernelOp[] = [
      retype(ram, 'VNode_AARCH64_l3', 4 * KIB, slot(0)),
      retype(ram, 'Frame', 16 * KIB, slot(1), 16 * KIB),
      copy(slot(1), slot(2)),
      map(slot(0), slot(1), slot(10), 0, 2, 0),
      map(slot(0), slot(1), slot(11), 2, 2, 8 * KIB), // the same copy again: refused
      map(slot(0), slot(2), slot(11), 2, 2, 8 * KIB),
      map(slot(0), slot(2), slot(12), 4, 1, 0), // that copy is mapped already
      unmap(slot(0), slot(10)),
      map(slot(0), slot(1), slot(10), 6, 1, 12 * KIB, ['READ']),
      del(slot(0)),
    ];
    const { results, k } = agreed(ops);
    expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'SYS_ERR_VM_ALREADY_MAPPED',
      'ok',
      'SYS_ERR_VM_ALREADY_MAPPED',
      'ok',
      'ok',
      'ok',
    ]);
    expect(removal(results[9]!).deleted).toBe(3); // the table and both Mapping capabilities
    expect(k.observe().cores[0]!.ptes).toEqual([]);
  });

  it('remote_relations leaves absent bits as they are, including bits given as undefined, on every copy', () => {
    const ops: KernelOp[] = [
      copy(ram, slot(0)),
      { op: 'remote_relations', target: ram, set: { copies: true, descs: true } },
      { op: 'remote_relations', target: slot(0), set: { copies: undefined, descs: false } },
      identify(ram),
    ];
    const { results } = agreed(ops);
    expect(results[2]).toEqual({ ok: true, value: { remote: { copies: true, ancs: false, descs: false } } });
    expect(results[3]).toMatchObject({ ok: true, value: { cap: { remote: { copies: true, ancs: false, descs: false } } } });
  });

  it('debug mode is off by default and on with CAPREF_DEBUG=1; a broken structure then fails the next operation, naming the invariant', () => {
    const saved = process.env.CAPREF_DEBUG;
    try {
      delete process.env.CAPREF_DEBUG;
      const quiet = new ImplKernel(config);
      coreOf(quiet).s.maxEnd[coreOf(quiet).tree.root] = 0;
      expect(quiet.apply(identify(ram)).ok).toBe(true);
      process.env.CAPREF_DEBUG = '1';
      const loud = new ImplKernel(config);
      coreOf(loud).s.maxEnd[coreOf(loud).tree.root] = 0;
      expect(() => loud.apply(identify(ram))).toThrow(/^MDB-END-IS-MAX:/);
      expect(() => new ImplKernel(config, { debug: false }).apply(identify(ram))).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.CAPREF_DEBUG;
      else process.env.CAPREF_DEBUG = saved;
    }
  });
});

describe('debug invariants name what broke', () => {
  /** A kernel with a CNode tree, a page table and a mapped frame; `n(ref)` is the node in a slot. */
  function mapped() {
    const k = new ImplKernel(config, { debug: false });
    for (const op of [retype(ram, 'VNode_AARCH64_l3', 4 * KIB, slot(0)), retype(ram, 'Frame', 8 * KIB, slot(1), 8 * KIB), map(slot(0), slot(1), slot(2))]) expect(k.apply(op).ok).toBe(true);
    k.checkInvariants();
    const c = coreOf(k);
    const allocCNode = c.cs.cnodes.get(c.s.base[c.cs.cnodes.get(R)!.get(7)]!)!; // the CNode of slot(j)
    return { k, c, vnode: allocCNode.get(0), frame: allocCNode.get(1), mapping: allocCNode.get(2) };
  }
  const cases: [string, (x: ReturnType<typeof mapped>) => void][] = [
    ['CSPACE-OCCUPIED-COUNT', ({ c, frame }) => (c.s.home[frame] as { occupied: number }).occupied++],
    ['CSPACE-SLOT-BIJECTION', ({ c, frame }) => (c.s.slot[frame] = 77)],
    ['CSPACE-REFS', ({ c }) => c.cs.cnodes.get(R)!.refs++],
    ['CSPACE-OBJECT', ({ c }) => (c.s.object[c.cs.cnodes.get(R)!.get(7)] = undefined)],
    ['PT-REFS', ({ c, vnode }) => (c.s.object[vnode] as { refs: number }).refs++],
    ['PT-OBJECT', ({ c, vnode }) => (c.s.object[vnode] = undefined)],
    ['MAP-INDEX', ({ c, frame }) => (c.s.link[frame] = 0)],
    ['PT-CLAIM', ({ c, vnode }) => ((c.s.object[vnode] as { claim: Int32Array }).claim[0] = 0)],
    ['PT-ENTRY', ({ c, vnode }) => ((c.s.object[vnode] as { target: Float64Array }).target[0]! += 4096)],
    ['PT-MAPPINGS', ({ c, vnode, mapping }) => (c.s.object[vnode] as { mappings: Set<number> }).mappings.delete(mapping)],
    ['NODE-LEAK', ({ c }) => c.s.alloc()],
    ['MDB-NO-MAPPING', ({ c, mapping }) => c.tree.insert(mapping)],
    ['CSPACE-LIVE-OBJECT', ({ c }) => (c.cs.cnodes.get(c.s.base[c.cs.cnodes.get(R)!.get(7)]!)!.refs = 0)],
  ];
  for (const [id, corrupt] of cases)
    it(id, () => {
      const x = mapped();
      corrupt(x);
      expect(() => x.k.checkInvariants()).toThrow(MdbInvariantError);
      expect(() => x.k.checkInvariants()).toThrow(new RegExp(`^${id}:`));
    });
});
