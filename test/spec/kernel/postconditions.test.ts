// Every postcondition (transition check), by id: it holds on the transitions
// the model makes, and it reports a violation naming its id on a hand-built
// broken transition. The completeness test compares with the registry.
import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../../spec/kernel/kernel.js';
import { kernelOpNames, type KernelOp } from '../../../spec/kernel/ops.js';
import { checkPostconditions, jsonEqual, kernelPostconditions } from '../../../spec/kernel/postconditions.js';
import type { KernelState, MappingCap } from '../../../spec/kernel/state.js';
import { KIB, patchCap, richWorld, slotOf, withCore, World } from './fixtures.js';

interface Transition {
  readonly pre: KernelState;
  readonly op: KernelOp;
  readonly result: KernelResult;
  readonly post: KernelState;
}

/** Runs `op` on the model and records the transition (successful or not). */
function run(w: World, op: KernelOp): Transition {
  const pre = w.state();
  const result = w.k.apply(op);
  return { pre, op, result, post: w.state() };
}

/** Transitions of every operation kind, successful and refused, on a rich state. */
function transitions(): Transition[] {
  const w = richWorld();
  return [
    run(w, { op: 'retype', src: w.ram, offset: 128 * KIB, type: 'Frame', objsize: 4 * KIB, count: 2, dest: w.slot(60) }),
    run(w, { op: 'retype', src: w.ram, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.slot(62) }),
    run(w, { op: 'copy', src: w.frame, dest: w.slot(63) }),
    run(w, { op: 'mint', src: w.frame, dest: w.slot(64), rights: ['READ', 'GRANT'] }),
    run(w, { op: 'mint', src: w.frame, dest: w.slot(64), rights: ['READ'] }),
    run(w, { op: 'vnode_map', vnode: w.l3, src: w.slot(63), entry: 200, offset: 0, pteCount: 1, rights: ['READ'], mapping: w.slot(65) }),
    run(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(65) }),
    run(w, { op: 'vnode_unmap', vnode: w.l2, mapping: w.slot(20) }),
    run(w, { op: 'identify', target: w.frame }),
    run(w, { op: 'is_retypeable', src: w.ram, offset: 4 * KIB * 1024, objsize: 4 * KIB, count: 2 }),
    run(w, { op: 'is_retypeable', src: w.ram, offset: 0, objsize: 4 * KIB, count: 2 }),
    run(w, { op: 'lock', target: w.slot(60) }),
    run(w, { op: 'delete', target: w.slot(60) }),
    run(w, { op: 'unlock', target: w.slot(60) }),
    run(w, { op: 'remote_relations', target: w.slot(61), set: { ancs: true } }),
    run(w, { op: 'delete', target: w.slot(61) }),
    run(w, { op: 'delete', target: w.slot(21) }),
    run(w, { op: 'revoke', target: w.slot(32) }),
    run(w, { op: 'revoke', target: w.frame }),
    run(w, { op: 'delete', target: w.cnode }),
    run(w, { op: 'delete', target: w.l3 }),
    run(w, { op: 'revoke', target: w.ram }),
    run(w, { op: 'delete', target: w.ram }),
  ];
}
const reached = transitions();

const covered = new Set<string>();
function broken(id: string, title: string, build: () => Transition): void {
  covered.add(id);
  it(`${id}: reports ${title}`, () => {
    const t = build();
    const p = kernelPostconditions.find((x) => x.id === id)!;
    const vs = p.check(t.pre, t.op, t.result, t.post);
    expect(vs.length, 'violations').toBeGreaterThan(0);
    for (const v of vs) {
      expect(v.invariant).toBe(id);
      expect(v.message.length).toBeGreaterThan(10);
    }
    expect(checkPostconditions(t.pre, t.op, t.result, t.post).some((v) => v.invariant === id)).toBe(true);
  });
}

describe('postconditions hold on the transitions the model makes', () => {
  it('the recorded transitions include successes and refusals of every operation kind', () => {
    const kinds = new Set(reached.map((t) => `${t.op.op}:${t.result.ok}`));
    for (const op of kernelOpNames)
      expect(kinds.has(`${op}:true`), op).toBe(true);
    expect([...kinds].filter((k) => k.endsWith(':false')).length).toBeGreaterThanOrEqual(3);
  });
  for (const p of kernelPostconditions)
    it(`${p.id} holds on every recorded transition`, () => {
      for (const t of reached) expect(p.check(t.pre, t.op, t.result, t.post), `${t.op.op} → ${t.result.ok ? 'ok' : t.result.error}`).toEqual([]);
    });
});

describe('postconditions report hand-built broken transitions', () => {
  broken('ATOMIC-FAILURE', 'a refused delete that changed the state', () => {
    const w = new World();
    const pre = w.state();
    const post = withCore(pre, 0, (c) => c.ctes.pop());
    return { pre, op: { op: 'delete', target: w.slot(5) }, result: { ok: false, error: 'SYS_ERR_CAP_NOT_FOUND', arg: 'target' }, post };
  });
  broken('QUERY-PURE', 'an identify that changed the state', () => {
    const w = new World();
    const pre = w.state();
    return { pre, op: { op: 'identify', target: w.ram }, result: { ok: true, value: { cap: w.capAt(w.ram)! } }, post: patchCap(pre, slotOf(w, w.ram), { locked: true }) };
  });
  broken('RV-REVOKE-COMPLETE', 'a revoke after which a descendant and a copy survive', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.copy(w.ram, w.slot(1));
    const pre = w.state();
    return { pre, op: { op: 'revoke', target: w.ram }, result: { ok: true, value: { deleted: 2, reclaimed: [] } }, post: pre };
  });
  broken('RV-DELETE-GONE', 'a delete after which the slot is still occupied', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    const pre = w.state();
    return { pre, op: { op: 'delete', target: w.slot(0) }, result: { ok: true, value: { deleted: 1, reclaimed: [] } }, post: pre };
  });
  broken('RV-DELETE-GONE', 'a delete after which a Mapping capability still names the emptied slot', () => {
    const w = richWorld();
    const pre = w.state();
    const at = slotOf(w, w.frame);
    const post = withCore(pre, 0, (c) => {
      c.ctes = c.ctes.filter((x) => !(x.cnode === at.cnode && x.slot === at.slot));
    });
    expect(post.cores[0]!.ctes.some((e) => 'mapped' in e.cap && (e.cap as MappingCap).mapped.slot === at.slot)).toBe(true);
    return { pre, op: { op: 'delete', target: w.frame }, result: { ok: true, value: { deleted: 1, reclaimed: [] } }, post };
  });
  broken('RV-RECLAIM-FREE', 'reclaimed memory still used by a capability', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.copy(w.slot(0), w.slot(1));
    const t = run(w, { op: 'delete', target: w.slot(0) });
    const f = w.memAt(w.slot(1));
    return { ...t, result: { ok: true, value: { deleted: 1, reclaimed: [{ base: f.base, bytes: f.bytes }] } } };
  });
  broken('RV-RECLAIM-FREE', 'reclaimed memory outside the memory map', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    const t = run(w, { op: 'delete', target: w.slot(0) });
    return { ...t, result: { ok: true, value: { deleted: 1, reclaimed: [{ base: 0x4000_0000, bytes: 4 * KIB }] } } };
  });
  broken('RV-RECLAIM-FREE', 'two reclaimed regions that overlap', () => {
    const w = new World();
    const t = run(w, { op: 'delete', target: w.c1(3) }); // the super CNode, with the RAM root in it
    expect(t.result.ok).toBe(true);
    const r = w.info.ramRoots[0]!;
    return { ...t, result: { ok: true, value: { deleted: 2, reclaimed: [r, { base: r.base, bytes: 4 * KIB }] } } };
  });
  broken('RGT-NO-AMPLIFY', 'a mint whose result has more rights than source ∩ mask', () => {
    const w = new World();
    const t = run(w, { op: 'mint', src: w.ram, dest: w.slot(0), rights: ['READ'] });
    return { ...t, post: patchCap(t.post, slotOf(w, w.slot(0)), { rights: ['READ', 'WRITE'] }) };
  });
  broken('RGT-NO-AMPLIFY', 'a copy with fewer rights than its source (copies keep rights exactly)', () => {
    const w = new World();
    const t = run(w, { op: 'copy', src: w.ram, dest: w.slot(0) });
    return { ...t, post: patchCap(t.post, slotOf(w, w.slot(0)), { rights: ['READ'] }) };
  });
  broken('RGT-NO-AMPLIFY', 'a retype of a read-only RAM capability into writable Frames', () => {
    const w = new World();
    w.mint(w.ram, w.slot(0), ['READ']);
    const t = run(w, { op: 'retype', src: w.slot(0), offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.slot(1) });
    return { ...t, post: patchCap(t.post, slotOf(w, w.slot(1)), { rights: ['READ', 'WRITE'] }) };
  });
});

describe('postconditions: the registry', () => {
  it('every postcondition id in the registry has a test of a violation here', () => {
    expect(kernelPostconditions.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
  });
  it('ids are unique and each has a title, explanation and source', () => {
    const ids = kernelPostconditions.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of kernelPostconditions) {
      expect(p.title.length, p.id).toBeGreaterThan(5);
      expect(p.explanation.length, p.id).toBeGreaterThan(20);
      expect(p.source.length, p.id).toBeGreaterThan(3);
    }
  });
  it('jsonEqual compares plain JSON structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 2 })).toBe(false);
  });
  it('transition checks ignore steps on a core that does not exist', () => {
    const w = new World();
    const s = w.state();
    const ops: KernelOp[] = [
      { op: 'revoke', core: 3, target: w.ram },
      { op: 'delete', core: 3, target: w.ram },
      { op: 'copy', core: 3, src: w.ram, dest: w.slot(0) },
    ];
    for (const op of ops) expect(checkPostconditions(s, op, { ok: true, value: { deleted: 0, reclaimed: [] } } as KernelResult, s)).toEqual([]);
  });
});
