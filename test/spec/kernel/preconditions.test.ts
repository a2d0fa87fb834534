// Every precondition of every operation, by id: a state in which exactly that
// precondition is the first to fail, and what the spec and the model answer.
// Then the order: states where two preconditions fail and the earlier wins.
// The last test compares the ids covered here with the registry, so a new
// precondition cannot land without a test.
import { describe, expect, it } from 'vitest';
import { CORE_PRECONDITION_ID, expectedResult, preconditionsByOp } from '../../../spec/kernel/preconditions/index.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import type { Capref } from '../../../spec/kernel/capref.js';
import type { KernelState } from '../../../spec/kernel/state.js';
import { expectRefusal, expectSpecRefusal, firstFailingId, KIB, MIB, pagedWorld, patchCap, slotOf, World } from './fixtures.js';

const covered = new Set<string>();
/** A test of one precondition; its id is recorded for the completeness check. */
function rule(id: string, title: string, fn: () => void): void {
  covered.add(id);
  it(`${id}: ${title}`, fn);
}

const retypeOp = (w: World, o: Partial<Extract<KernelOp, { op: 'retype' }>> = {}): KernelOp => ({
  op: 'retype',
  src: w.ram,
  offset: 0,
  type: 'Frame',
  objsize: 4 * KIB,
  count: 1,
  dest: w.slot(0),
  ...o,
});

const mapOp = (vnode: Capref, src: Capref, mapping: Capref, o: Partial<Extract<KernelOp, { op: 'vnode_map' }>> = {}): KernelOp => ({
  op: 'vnode_map',
  vnode,
  src,
  entry: 5,
  offset: 0,
  pteCount: 1,
  rights: ['READ', 'WRITE'],
  mapping,
  ...o,
});

/** A world whose RAM root has an 8 KiB RAM child at offset 0, in slot 0. */
function withChild(): World {
  const w = new World();
  w.retype(w.ram, 'RAM', 0, 8 * KIB, w.slot(0));
  return w;
}

/** A second core that holds nothing: enough for the spec to judge ownership. */
function twoCores(s: KernelState): KernelState {
  return { ...s, cores: [...s.cores, { core: 1, ctes: [], ptes: [] }] };
}

describe('preconditions: the operation core', () => {
  rule(CORE_PRECONDITION_ID, 'an operation on a core that does not exist is SYS_ERR_CORE_NOT_FOUND', () => {
    const w = new World();
    expectRefusal(w, { op: 'identify', core: 1, target: w.ram }, 'core', 'SYS_ERR_CORE_NOT_FOUND', 'core');
    expectRefusal(w, { ...retypeOp(w), core: 7 }, 'core', 'SYS_ERR_CORE_NOT_FOUND', 'core');
  });
  it('an operation on another core is judged in that core\'s CSpace (a hand-built two-core state)', () => {
    const w = new World();
    const s = w.state();
    const two: KernelState = { ...s, cores: [s.cores[0]!, { ...s.cores[0]!, core: 1, ctes: s.cores[0]!.ctes.filter((e) => e.cnode === w.root || e.cap.type === 'L1CNode') }] };
    expect(expectedResult(two, { op: 'identify', core: 1, target: w.c1(3) })).toEqual({ ok: true });
    expectSpecRefusal(two, { op: 'identify', core: 1, target: w.ram }, 'identify.target', 'SYS_ERR_CAP_NOT_FOUND', 'target');
  });
});

describe('preconditions: retype', () => {
  rule('retype.src', 'an empty source slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { src: w.slot(5) }), 'retype.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
  });
  rule('retype.dest', 'a destination capref at level 3 is SYS_ERR_CAP_LOOKUP_DEPTH', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { dest: { root: w.root, cptr: 0, level: 3 } }), 'retype.dest', 'SYS_ERR_CAP_LOOKUP_DEPTH', 'dest');
  });
  rule('retype.offset-aligned', 'an offset that is not a multiple of 4 KiB is SYS_ERR_RETYPE_INVALID_OFFSET', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { offset: 100 }), 'retype.offset-aligned', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  rule('retype.offset-aligned', 'a Dispatcher needs only 1 KiB alignment, an ARMv7 L1 table 16 KiB', () => {
    const w = new World();
    expect(firstFailingId(w.state(), retypeOp(w, { type: 'Dispatcher', objsize: KIB, offset: KIB }))).toBeUndefined();
    const v7 = new World({ arch: 'armv7', cores: 1, memory: [{ base: 0x8000_0000, bytes: 64 * MIB, kind: 'ram' }] });
    expectRefusal(v7, retypeOp(v7, { type: 'VNode_ARM_l1', objsize: 16 * KIB, offset: 4 * KIB }), 'retype.offset-aligned', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  rule('retype.size', 'a Frame of 100 bytes is SYS_ERR_INVALID_SIZE', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { objsize: 100 }), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  rule('retype.size', 'objsize 0, an L2CNode of 32 KiB and an L1CNode of 20 KiB are SYS_ERR_INVALID_SIZE', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { objsize: 0 }), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
    expectRefusal(w, retypeOp(w, { type: 'L2CNode', objsize: 32 * KIB }), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
    expectRefusal(w, retypeOp(w, { type: 'L1CNode', objsize: 20 * KIB }), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  rule('retype.not-mapping', 'an explicit retype to Frame_Mapping is SYS_ERR_RETYPE_MAPPING_EXPLICIT', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { type: 'Frame_Mapping' }), 'retype.not-mapping', 'SYS_ERR_RETYPE_MAPPING_EXPLICIT', 'src');
  });
  rule('retype.type-edge', 'RAM cannot become a DevFrame (SYS_ERR_INVALID_RETYPE)', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { type: 'DevFrame' }), 'retype.type-edge', 'SYS_ERR_INVALID_RETYPE', 'src');
  });
  rule('retype.type-edge', 'an ARMv7 page table does not exist on AArch64', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { type: 'VNode_ARM_l2', objsize: KIB }), 'retype.type-edge', 'SYS_ERR_INVALID_RETYPE', 'src');
  });
  rule('retype.type-edge', 'an L2CNode is not retypeable at all', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { src: w.c1(7), type: 'RAM' }), 'retype.type-edge', 'SYS_ERR_INVALID_RETYPE', 'src');
  });
  rule('retype.not-locked', 'a locked source is SYS_ERR_CAP_LOCKED', () => {
    const w = new World();
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, retypeOp(w), 'retype.not-locked', 'SYS_ERR_CAP_LOCKED', 'src');
  });
  rule('retype.local', 'a source with remote descendants is SYS_ERR_RETRY_THROUGH_MONITOR', () => {
    const w = new World();
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    expectRefusal(w, retypeOp(w), 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
  });
  rule('retype.local', 'a foreign source (owned by another core) is SYS_ERR_RETRY_THROUGH_MONITOR', () => {
    const w = new World();
    const s = twoCores(patchCap(w.state(), slotOf(w, w.ram), { owner: 1 }));
    expectSpecRefusal(s, retypeOp(w), 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
  });
  rule('retype.local', 'an LMP endpoint from an owned dispatcher is exempt, even with remote descendants', () => {
    const w = new World();
    w.retype(w.ram, 'Dispatcher', 0, KIB, w.slot(0));
    w.must({ op: 'remote_relations', target: w.slot(0), set: { descs: true } });
    expect(firstFailingId(w.state(), retypeOp(w, { src: w.slot(0), type: 'EndPointLMP', objsize: KIB, dest: w.slot(1) }))).toBeUndefined();
    const foreign = twoCores(patchCap(w.state(), slotOf(w, w.slot(0)), { owner: 1 }));
    expectSpecRefusal(foreign, retypeOp(w, { src: w.slot(0), type: 'EndPointLMP', objsize: KIB, dest: w.slot(1) }), 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
  });
  rule('retype.maxobjs', 'an L2CNode (16 KiB) does not fit in a 4 KiB RAM capability: SYS_ERR_INVALID_SIZE', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 4 * KIB, w.slot(0));
    expectRefusal(w, retypeOp(w, { src: w.slot(0), type: 'L2CNode', objsize: 16 * KIB, dest: w.slot(1) }), 'retype.maxobjs', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  rule('retype.count', 'count 0, and more objects than fit, are SYS_ERR_RETYPE_INVALID_COUNT', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 8 * KIB, w.slot(0));
    expectRefusal(w, retypeOp(w, { src: w.slot(0), count: 0, dest: w.slot(1) }), 'retype.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    expectRefusal(w, retypeOp(w, { src: w.slot(0), count: 3, dest: w.slot(1) }), 'retype.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
  });
  rule('retype.range', 'objects that run past the end of the source are SYS_ERR_RETYPE_INVALID_OFFSET', () => {
    const w = new World();
    const bytes = w.memAt(w.ram).bytes;
    expectRefusal(w, retypeOp(w, { offset: bytes - 4 * KIB, objsize: 8 * KIB }), 'retype.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    expectRefusal(w, retypeOp(w, { offset: bytes }), 'retype.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  rule('retype.no-overlap', 'a partially overlapping descendant refuses the retype with SYS_ERR_REVOKE_FIRST', () => {
    const w = withChild(); // RAM [0, 8K)
    expectRefusal(w, retypeOp(w, { offset: 4 * KIB, objsize: 8 * KIB, dest: w.slot(1) }), 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
  });
  rule('retype.no-overlap', 'a descendant inside the range, and one surrounding it, refuse the retype', () => {
    const w = withChild();
    // Inside: the new region [0, 16K) contains the child.
    expectRefusal(w, retypeOp(w, { objsize: 16 * KIB, dest: w.slot(1) }), 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
    // Surrounding: a non-copy (the child) covers the whole new region [4K, 8K).
    expectRefusal(w, retypeOp(w, { offset: 4 * KIB, dest: w.slot(1) }), 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
  });
  rule('retype.no-overlap', 'a disjoint descendant does not block a retype of another range of the same source', () => {
    const w = withChild();
    w.retype(w.ram, 'Frame', 8 * KIB, 4 * KIB, w.slot(1));
    w.retype(w.ram, 'Frame', 12 * KIB, 4 * KIB, w.slot(2), 2);
  });
  rule('retype.dest-type', 'a Frame into a slot of the root L1CNode is SYS_ERR_DEST_TYPE_INVALID', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { dest: w.c1(14) }), 'retype.dest-type', 'SYS_ERR_DEST_TYPE_INVALID', 'dest');
  });
  rule('retype.dest-fit', 'two objects from the last slot of an L2CNode, or of the root L1CNode, are SYS_ERR_SLOTS_INVALID', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { dest: w.slot(255), count: 2 }), 'retype.dest-fit', 'SYS_ERR_SLOTS_INVALID', 'dest');
    expectRefusal(w, retypeOp(w, { type: 'L2CNode', objsize: 16 * KIB, dest: w.c1(255), count: 2 }), 'retype.dest-fit', 'SYS_ERR_SLOTS_INVALID', 'dest');
  });
  rule('retype.dest-empty', 'an occupied slot among the destinations is SYS_ERR_SLOTS_IN_USE', () => {
    const w = new World();
    w.copy(w.ram, w.slot(2));
    expectRefusal(w, retypeOp(w, { dest: w.slot(0), count: 3 }), 'retype.dest-empty', 'SYS_ERR_SLOTS_IN_USE', 'dest');
  });
});

describe('preconditions: retype, order (the earlier precondition wins)', () => {
  it('retype.src before retype.dest: both caprefs bad → the source error', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { src: w.slot(5), dest: { root: 0, cptr: 0, level: 1 } }), 'retype.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
  });
  it('retype.dest before retype.offset-aligned: lookups come before argument checks', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { offset: 100, dest: w.c1(300) }), 'retype.dest', 'SYS_ERR_L1_CNODE_INDEX', 'dest');
  });
  it('retype.offset-aligned before retype.size: offset misaligned and size invalid → the offset error', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { offset: 100, objsize: 100 }), 'retype.offset-aligned', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  it('retype.size before retype.type-edge: a bad size for a type RAM cannot become → the size error', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { type: 'DevFrame', objsize: 100 }), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  it('retype.not-mapping before retype.type-edge: a Mapping type is refused as such, whatever the source', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { src: w.c1(7), type: 'DevFrame_Mapping' }), 'retype.not-mapping', 'SYS_ERR_RETYPE_MAPPING_EXPLICIT', 'src');
  });
  it('retype.type-edge before retype.not-locked', () => {
    const w = new World();
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, retypeOp(w, { type: 'DevFrame' }), 'retype.type-edge', 'SYS_ERR_INVALID_RETYPE', 'src');
  });
  it('retype.not-locked before retype.local: a locked source with remote descendants is SYS_ERR_CAP_LOCKED', () => {
    const w = new World();
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, retypeOp(w), 'retype.not-locked', 'SYS_ERR_CAP_LOCKED', 'src');
  });
  it('retype.local before retype.maxobjs, retype.count and retype.no-overlap (DEC-RETYPE-DIST-GATE)', () => {
    const w = withChild();
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    expectRefusal(w, retypeOp(w, { count: 0, dest: w.slot(1) }), 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
    expectRefusal(w, retypeOp(w, { dest: w.slot(1) }), 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
  });
  it('retype.maxobjs before retype.count: nothing fits and count 0 → SYS_ERR_INVALID_SIZE', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 4 * KIB, w.slot(0));
    expectRefusal(w, retypeOp(w, { src: w.slot(0), objsize: 8 * KIB, count: 0, dest: w.slot(1) }), 'retype.maxobjs', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  it('retype.count before retype.range', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 8 * KIB, w.slot(0));
    expectRefusal(w, retypeOp(w, { src: w.slot(0), offset: 8 * KIB, count: 3, dest: w.slot(1) }), 'retype.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
  });
  it('retype.range before retype.no-overlap', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 8 * KIB, w.slot(0));
    w.retype(w.slot(0), 'Frame', 4 * KIB, 4 * KIB, w.slot(1));
    expectRefusal(w, retypeOp(w, { src: w.slot(0), offset: 4 * KIB, objsize: 8 * KIB, dest: w.slot(2) }), 'retype.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  it('retype.no-overlap before the destination checks', () => {
    const w = withChild();
    expectRefusal(w, retypeOp(w, { dest: w.c1(14) }), 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
    expectRefusal(w, retypeOp(w, { dest: w.slot(0) }), 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
  });
  it('retype.dest-type before retype.dest-fit, retype.dest-fit before retype.dest-empty', () => {
    const w = new World();
    expectRefusal(w, retypeOp(w, { dest: w.c1(255), count: 2 }), 'retype.dest-type', 'SYS_ERR_DEST_TYPE_INVALID', 'dest');
    w.copy(w.ram, w.slot(255));
    expectRefusal(w, retypeOp(w, { dest: w.slot(255), count: 2 }), 'retype.dest-fit', 'SYS_ERR_SLOTS_INVALID', 'dest');
  });
  it('when every precondition holds the retype succeeds (no precondition fails)', () => {
    const w = new World();
    expect(firstFailingId(w.state(), retypeOp(w, { count: 4 }))).toBeUndefined();
    w.must(retypeOp(w, { count: 4 }));
  });
});

describe('preconditions: copy and mint', () => {
  for (const op of ['copy', 'mint'] as const) {
    const mk = (src: Capref, dest: Capref): KernelOp => (op === 'copy' ? { op, src, dest } : { op, src, dest, rights: ['READ'] });
    rule(`${op}.src`, 'an empty source slot is SYS_ERR_CAP_NOT_FOUND', () => {
      const w = new World();
      expectRefusal(w, mk(w.slot(5), w.slot(6)), `${op}.src`, 'SYS_ERR_CAP_NOT_FOUND', 'src');
    });
    rule(`${op}.dest`, 'a destination index beyond the root L1CNode is SYS_ERR_L1_CNODE_INDEX (DEC-COPY-SLOT-BOUNDS)', () => {
      const w = new World();
      expectRefusal(w, mk(w.ram, w.c1(256)), `${op}.dest`, 'SYS_ERR_L1_CNODE_INDEX', 'dest');
    });
    rule(`${op}.src-not-mapping`, 'a Mapping capability cannot be copied (SYS_ERR_INVALID_SOURCE_TYPE)', () => {
      const w = pagedWorld();
      expectRefusal(w, mk(w.slot(12), w.slot(20)), `${op}.src-not-mapping`, 'SYS_ERR_INVALID_SOURCE_TYPE', 'src');
    });
    rule(`${op}.dest-type`, 'a RAM capability into the root L1CNode is SYS_ERR_DEST_TYPE_INVALID', () => {
      const w = new World();
      expectRefusal(w, mk(w.ram, w.c1(14)), `${op}.dest-type`, 'SYS_ERR_DEST_TYPE_INVALID', 'dest');
    });
    rule(`${op}.dest-empty`, 'an occupied destination is SYS_ERR_SLOT_IN_USE', () => {
      const w = new World();
      expectRefusal(w, mk(w.ram, w.physAddr), `${op}.dest-empty`, 'SYS_ERR_SLOT_IN_USE', 'dest');
    });
    it(`${op}: order — src, dest, src-not-mapping, dest-type, dest-empty`, () => {
      const w = pagedWorld();
      expectRefusal(w, mk(w.slot(99), w.c1(400)), `${op}.src`, 'SYS_ERR_CAP_NOT_FOUND', 'src');
      expectRefusal(w, mk(w.slot(12), w.c1(400)), `${op}.dest`, 'SYS_ERR_L1_CNODE_INDEX', 'dest');
      expectRefusal(w, mk(w.slot(12), w.c1(0)), `${op}.src-not-mapping`, 'SYS_ERR_INVALID_SOURCE_TYPE', 'src');
      expectRefusal(w, mk(w.ram, w.c1(0)), `${op}.dest-type`, 'SYS_ERR_DEST_TYPE_INVALID', 'dest');
      expect(firstFailingId(w.state(), mk(w.c1(7), w.c1(14)))).toBeUndefined();
    });
  }
});

describe('preconditions: delete and revoke', () => {
  for (const op of ['delete', 'revoke'] as const) {
    rule(`${op}.target`, 'an empty slot is SYS_ERR_CAP_NOT_FOUND; a read-only CNode on the way is SYS_ERR_CNODE_RIGHTS', () => {
      const w = new World();
      expectRefusal(w, { op, target: w.slot(5) }, `${op}.target`, 'SYS_ERR_CAP_NOT_FOUND', 'target');
      w.mint(w.c1(3), w.c1(14), ['READ']); // a read-only copy of the super CNode
      expectRefusal(w, { op, target: w.c2(14, 0) }, `${op}.target`, 'SYS_ERR_CNODE_RIGHTS', 'target');
    });
  }
  rule('delete.not-locked', 'a locked target is SYS_ERR_CAP_LOCKED', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.must({ op: 'lock', target: w.slot(0) });
    expectRefusal(w, { op: 'delete', target: w.slot(0) }, 'delete.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('delete.not-locked', 'a locked Mapping capability the delete would take along is SYS_ERR_CAP_LOCKED', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    w.must({ op: 'lock', target: w.slot(20) });
    expectRefusal(w, { op: 'delete', target: w.frame }, 'delete.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('delete.local', 'the last local copy of a capability with remote copies is SYS_ERR_RETRY_THROUGH_MONITOR', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.must({ op: 'remote_relations', target: w.slot(0), set: { copies: true } });
    expectRefusal(w, { op: 'delete', target: w.slot(0) }, 'delete.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
    // Not the last local copy: an ordinary delete.
    w.copy(w.slot(0), w.slot(1));
    expect(firstFailingId(w.state(), { op: 'delete', target: w.slot(0) })).toBeUndefined();
  });
  it('delete: order — delete.not-locked before delete.local', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.must({ op: 'remote_relations', target: w.slot(0), set: { copies: true } });
    w.must({ op: 'lock', target: w.slot(0) });
    expectRefusal(w, { op: 'delete', target: w.slot(0) }, 'delete.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('revoke.not-locked', 'a locked descendant is SYS_ERR_CAP_LOCKED', () => {
    const w = withChild();
    w.must({ op: 'lock', target: w.slot(0) });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('revoke.not-locked', 'a locked target is SYS_ERR_CAP_LOCKED', () => {
    const w = new World();
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('revoke.local', 'a target with remote copies or remote descendants is SYS_ERR_RETRY_THROUGH_MONITOR', () => {
    const w = new World();
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: false, copies: true } });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
  });
  rule('revoke.local', 'a descendant whose last local copy has remote copies is SYS_ERR_RETRY_THROUGH_MONITOR', () => {
    const w = withChild();
    w.must({ op: 'remote_relations', target: w.slot(0), set: { copies: true } });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
  });
  it('revoke: order — revoke.not-locked before revoke.local', () => {
    const w = withChild();
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    w.must({ op: 'lock', target: w.slot(0) });
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
});

describe('preconditions: vnode_map', () => {
  rule('map.vnode', 'an empty page-table slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.slot(99), w.frame, w.slot(20)), 'map.vnode', 'SYS_ERR_CAP_NOT_FOUND', 'vnode');
  });
  rule('map.vnode-type', 'a Frame used as a page table is SYS_ERR_VNODE_TYPE', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.frame, w.frame, w.slot(20)), 'map.vnode-type', 'SYS_ERR_VNODE_TYPE', 'vnode');
    expectRefusal(w, mapOp(w.slot(12), w.frame, w.slot(20)), 'map.vnode-type', 'SYS_ERR_VNODE_TYPE', 'vnode');
  });
  rule('map.vnode-rights', 'a page table without WRITE is SYS_ERR_DEST_CAP_RIGHTS', () => {
    const w = pagedWorld();
    w.mint(w.l3, w.slot(30), ['READ']);
    expectRefusal(w, mapOp(w.slot(30), w.frame, w.slot(20)), 'map.vnode-rights', 'SYS_ERR_DEST_CAP_RIGHTS', 'vnode');
  });
  rule('map.src', 'an empty source slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.slot(99), w.slot(20)), 'map.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
  });
  rule('map.mapping', 'a mapping capref beyond the root L1CNode is SYS_ERR_L1_CNODE_INDEX', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.c1(300)), 'map.mapping', 'SYS_ERR_L1_CNODE_INDEX', 'mapping');
  });
  rule('map.mapping-cnode', 'a Mapping capability in a slot of the root L1CNode is SYS_ERR_DEST_TYPE_INVALID', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.c1(14)), 'map.mapping-cnode', 'SYS_ERR_DEST_TYPE_INVALID', 'mapping');
  });
  rule('map.mapping-empty', 'an occupied mapping slot is SYS_ERR_SLOT_IN_USE', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.big), 'map.mapping-empty', 'SYS_ERR_SLOT_IN_USE', 'mapping');
  });
  rule('map.entry', 'entry 512 of a 512-entry table is SYS_ERR_VNODE_SLOT_INVALID', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { entry: 512 }), 'map.entry', 'SYS_ERR_VNODE_SLOT_INVALID', 'vnode');
  });
  rule('map.count', 'pteCount 0, or entries past the end of the table, are SYS_ERR_VM_MAP_SIZE', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { pteCount: 0 }), 'map.count', 'SYS_ERR_VM_MAP_SIZE', 'vnode');
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { entry: 510, pteCount: 3 }), 'map.count', 'SYS_ERR_VM_MAP_SIZE', 'vnode');
  });
  rule('map.src-type', 'RAM, a Frame in the root table, a table of the wrong level and a Mapping are SYS_ERR_WRONG_MAPPING', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.ram, w.slot(20)), 'map.src-type', 'SYS_ERR_WRONG_MAPPING', 'src');
    expectRefusal(w, mapOp(w.vroot, w.frame, w.slot(20)), 'map.src-type', 'SYS_ERR_WRONG_MAPPING', 'src');
    expectRefusal(w, mapOp(w.l3, w.l2, w.slot(20)), 'map.src-type', 'SYS_ERR_WRONG_MAPPING', 'src');
    expectRefusal(w, mapOp(w.l3, w.slot(12), w.slot(20)), 'map.src-type', 'SYS_ERR_WRONG_MAPPING', 'src');
  });
  rule('map.table-count', 'a next-level table over two entries is SYS_ERR_VM_MAP_SIZE', () => {
    const w = pagedWorld();
    w.copy(w.l3, w.slot(30));
    expectRefusal(w, mapOp(w.l2, w.slot(30), w.slot(20), { pteCount: 2 }), 'map.table-count', 'SYS_ERR_VM_MAP_SIZE', 'vnode');
  });
  rule('map.table-offset', 'a next-level table at an offset is SYS_ERR_FRAME_OFFSET_INVALID', () => {
    const w = pagedWorld();
    w.copy(w.l3, w.slot(30));
    expectRefusal(w, mapOp(w.l2, w.slot(30), w.slot(20), { offset: 4 * KIB }), 'map.table-offset', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
  });
  rule('map.frame-size', 'a 16 KiB Frame as a 2 MiB block is SYS_ERR_VM_FRAME_TOO_SMALL', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l2, w.frame, w.slot(20)), 'map.frame-size', 'SYS_ERR_VM_FRAME_TOO_SMALL', 'src');
  });
  rule('map.frame-align', 'a 2 MiB block at a 4 KiB offset is SYS_ERR_VM_FRAME_UNALIGNED', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l2, w.big, w.slot(20), { offset: 4 * KIB }), 'map.frame-align', 'SYS_ERR_VM_FRAME_UNALIGNED', 'src');
  });
  rule('map.page-offset', 'a 4 KiB page at offset 100 is SYS_ERR_FRAME_OFFSET_INVALID (DEC-PAGE-OFFSET)', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { offset: 100 }), 'map.page-offset', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
  });
  rule('map.frame-range', 'pages past the end of the frame are SYS_ERR_FRAME_OFFSET_INVALID', () => {
    const w = pagedWorld();
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { offset: 12 * KIB, pteCount: 2 }), 'map.frame-range', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    expectRefusal(w, mapOp(w.l2, w.big, w.slot(20), { pteCount: 2 }), 'map.frame-range', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
  });
  rule('map.rights', 'WRITE through a read-only Frame is SYS_ERR_VM_MAP_RIGHTS', () => {
    const w = pagedWorld();
    w.mint(w.frame, w.slot(30), ['READ']);
    expectRefusal(w, mapOp(w.l3, w.slot(30), w.slot(20)), 'map.rights', 'SYS_ERR_VM_MAP_RIGHTS', 'src');
  });
  rule('map.once', 'mapping the same copy a second time is SYS_ERR_VM_ALREADY_MAPPED', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(21), { entry: 6 }), 'map.once', 'SYS_ERR_VM_ALREADY_MAPPED', 'src');
  });
  rule('map.entries-free', 'entries that are already present are SYS_ERR_VNODE_SLOT_INUSE', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20), { pteCount: 2 });
    w.copy(w.frame, w.slot(30));
    expectRefusal(w, mapOp(w.l3, w.slot(30), w.slot(21), { entry: 4, pteCount: 2 }), 'map.entries-free', 'SYS_ERR_VNODE_SLOT_INUSE', 'vnode');
    expectRefusal(w, mapOp(w.l3, w.slot(30), w.slot(21), { entry: 6 }), 'map.entries-free', 'SYS_ERR_VNODE_SLOT_INUSE', 'vnode');
    expect(firstFailingId(w.state(), mapOp(w.l3, w.slot(30), w.slot(21), { entry: 7 }))).toBeUndefined();
  });
  it('vnode_map: order — each check against the next one', () => {
    const w = pagedWorld();
    w.mint(w.l3, w.slot(30), ['READ']);
    w.copy(w.l3, w.slot(31));
    w.map(w.l3, w.frame, 5, w.slot(40));
    const rest = { entry: 600, pteCount: 0, offset: 100 };
    expectRefusal(w, mapOp(w.slot(99), w.slot(98), w.c1(300), rest), 'map.vnode', 'SYS_ERR_CAP_NOT_FOUND', 'vnode');
    expectRefusal(w, mapOp(w.ram, w.slot(98), w.c1(300), rest), 'map.vnode-type', 'SYS_ERR_VNODE_TYPE', 'vnode');
    expectRefusal(w, mapOp(w.slot(30), w.slot(98), w.c1(300), rest), 'map.vnode-rights', 'SYS_ERR_DEST_CAP_RIGHTS', 'vnode');
    expectRefusal(w, mapOp(w.l3, w.slot(98), w.c1(300), rest), 'map.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
    expectRefusal(w, mapOp(w.l3, w.ram, w.c1(300), rest), 'map.mapping', 'SYS_ERR_L1_CNODE_INDEX', 'mapping');
    expectRefusal(w, mapOp(w.l3, w.ram, w.c1(14), rest), 'map.mapping-cnode', 'SYS_ERR_DEST_TYPE_INVALID', 'mapping');
    expectRefusal(w, mapOp(w.l3, w.ram, w.big, rest), 'map.mapping-empty', 'SYS_ERR_SLOT_IN_USE', 'mapping');
    expectRefusal(w, mapOp(w.l3, w.ram, w.slot(20), rest), 'map.entry', 'SYS_ERR_VNODE_SLOT_INVALID', 'vnode');
    // ARM's order (caps_map_l3): the source type and offset before the count.
    expectRefusal(w, mapOp(w.l3, w.ram, w.slot(20), { ...rest, entry: 5 }), 'map.src-type', 'SYS_ERR_WRONG_MAPPING', 'src');
    // A table: count before offset; a frame: size before alignment before range before rights before once before entries.
    expectRefusal(w, mapOp(w.l2, w.slot(31), w.slot(20), { entry: 0, pteCount: 2, offset: 4 * KIB }), 'map.table-count', 'SYS_ERR_VM_MAP_SIZE', 'vnode');
    expectRefusal(w, mapOp(w.l2, w.slot(31), w.slot(20), { entry: 0, offset: 4 * KIB }), 'map.table-offset', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    expectRefusal(w, mapOp(w.l2, w.frame, w.slot(20), { entry: 0, offset: 100, pteCount: 9 }), 'map.frame-size', 'SYS_ERR_VM_FRAME_TOO_SMALL', 'src');
    expectRefusal(w, mapOp(w.l2, w.big, w.slot(20), { entry: 1, offset: 4 * KIB, pteCount: 9 }), 'map.frame-align', 'SYS_ERR_VM_FRAME_UNALIGNED', 'src');
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { entry: 5, offset: 100, pteCount: 9 }), 'map.page-offset', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    expectRefusal(w, mapOp(w.l3, w.frame, w.slot(20), { entry: 510, pteCount: 9, rights: ['EXECUTE'] }), 'map.frame-range', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    w.mint(w.frame, w.slot(32), ['READ']);
    expectRefusal(w, mapOp(w.l3, w.slot(32), w.slot(20), { entry: 510, pteCount: 3, rights: ['WRITE'] }), 'map.count', 'SYS_ERR_VM_MAP_SIZE', 'vnode');
    w.map(w.l3, w.slot(32), 9, w.slot(41), { rights: ['READ'] });
    expectRefusal(w, mapOp(w.l3, w.slot(32), w.slot(20), { entry: 9, rights: ['WRITE'] }), 'map.rights', 'SYS_ERR_VM_MAP_RIGHTS', 'src');
    expectRefusal(w, mapOp(w.l3, w.slot(32), w.slot(20), { entry: 9, rights: ['READ'] }), 'map.once', 'SYS_ERR_VM_ALREADY_MAPPED', 'src');
  });
});

describe('preconditions: vnode_unmap', () => {
  /** A paged world with the frame mapped at entry 5 of the l3 table, its Mapping capability in slot 20. */
  function mapped(): ReturnType<typeof pagedWorld> {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    return w;
  }
  rule('unmap.vnode', 'an empty page-table slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = mapped();
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(99), mapping: w.slot(20) }, 'unmap.vnode', 'SYS_ERR_CAP_NOT_FOUND', 'vnode');
  });
  rule('unmap.vnode-type', 'a Frame used as a page table is SYS_ERR_VNODE_TYPE', () => {
    const w = mapped();
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.frame, mapping: w.slot(20) }, 'unmap.vnode-type', 'SYS_ERR_VNODE_TYPE', 'vnode');
  });
  rule('unmap.mapping', 'an empty mapping slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = mapped();
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(21) }, 'unmap.mapping', 'SYS_ERR_CAP_NOT_FOUND', 'mapping');
  });
  rule('unmap.mapping-type', 'a Frame named as the mapping is SYS_ERR_WRONG_MAPPING (DEC-UNMAP-FOREIGN)', () => {
    const w = mapped();
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.frame }, 'unmap.mapping-type', 'SYS_ERR_WRONG_MAPPING', 'mapping');
  });
  rule('unmap.vnode-rights', 'a page table without WRITE is SYS_ERR_DEST_CAP_RIGHTS', () => {
    const w = mapped();
    w.mint(w.l3, w.slot(30), ['READ']);
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.slot(20) }, 'unmap.vnode-rights', 'SYS_ERR_DEST_CAP_RIGHTS', 'vnode');
  });
  rule('unmap.mapping-table', "a mapping of another table's entries is SYS_ERR_VNODE_NOT_INSTALLED (DEC-UNMAP-FOREIGN)", () => {
    const w = mapped();
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l2, mapping: w.slot(20) }, 'unmap.mapping-table', 'SYS_ERR_VNODE_NOT_INSTALLED', 'mapping');
  });
  rule('unmap.not-locked', 'a locked Mapping capability is SYS_ERR_CAP_LOCKED', () => {
    const w = mapped();
    w.must({ op: 'lock', target: w.slot(20) });
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) }, 'unmap.not-locked', 'SYS_ERR_CAP_LOCKED', 'mapping');
  });
  rule('unmap.local', 'a Mapping capability with remote copies is SYS_ERR_RETRY_THROUGH_MONITOR, as delete would be', () => {
    const w = mapped();
    w.must({ op: 'remote_relations', target: w.slot(20), set: { copies: true } });
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) }, 'unmap.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'mapping');
    expectRefusal(w, { op: 'delete', target: w.slot(20) }, 'delete.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
    // The lock comes first.
    w.must({ op: 'lock', target: w.slot(20) });
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) }, 'unmap.not-locked', 'SYS_ERR_CAP_LOCKED', 'mapping');
  });
  it('vnode_unmap: order — vnode, vnode-type, mapping, mapping-type, vnode-rights, mapping-table, not-locked', () => {
    const w = mapped();
    w.mint(w.l2, w.slot(30), ['READ']);
    w.must({ op: 'lock', target: w.slot(20) });
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(99), mapping: w.slot(98) }, 'unmap.vnode', 'SYS_ERR_CAP_NOT_FOUND', 'vnode');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.ram, mapping: w.slot(98) }, 'unmap.vnode-type', 'SYS_ERR_VNODE_TYPE', 'vnode');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.slot(98) }, 'unmap.mapping', 'SYS_ERR_CAP_NOT_FOUND', 'mapping');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.frame }, 'unmap.mapping-type', 'SYS_ERR_WRONG_MAPPING', 'mapping');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.slot(20) }, 'unmap.vnode-rights', 'SYS_ERR_DEST_CAP_RIGHTS', 'vnode');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l2, mapping: w.slot(20) }, 'unmap.mapping-table', 'SYS_ERR_VNODE_NOT_INSTALLED', 'mapping');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) }, 'unmap.not-locked', 'SYS_ERR_CAP_LOCKED', 'mapping');
  });
});

describe('preconditions: identify, lock, unlock, remote_relations', () => {
  rule('identify.target', 'an empty slot is SYS_ERR_CAP_NOT_FOUND; a read-only CNode on the way is fine (READ suffices)', () => {
    const w = new World();
    expectRefusal(w, { op: 'identify', target: w.slot(5) }, 'identify.target', 'SYS_ERR_CAP_NOT_FOUND', 'target');
    w.mint(w.c1(3), w.c1(14), ['READ']);
    expect(firstFailingId(w.state(), { op: 'identify', target: w.c2(14, 0) })).toBeUndefined();
  });
  rule('lock.target', 'a target through a read-only CNode is SYS_ERR_CNODE_RIGHTS (lock needs READ and WRITE)', () => {
    const w = new World();
    w.mint(w.c1(3), w.c1(14), ['READ']);
    expectRefusal(w, { op: 'lock', target: w.c2(14, 0) }, 'lock.target', 'SYS_ERR_CNODE_RIGHTS', 'target');
  });
  rule('lock.not-locked', 'locking a locked capability (through any copy) is SYS_ERR_CAP_LOCKED', () => {
    const w = new World();
    w.copy(w.ram, w.slot(0));
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, { op: 'lock', target: w.slot(0) }, 'lock.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
  });
  rule('unlock.target', 'an empty slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = new World();
    expectRefusal(w, { op: 'unlock', target: w.slot(5) }, 'unlock.target', 'SYS_ERR_CAP_NOT_FOUND', 'target');
  });
  rule('remote_relations.target', 'a level-2 capref through an empty L1 slot is SYS_ERR_CNODE_NOT_FOUND', () => {
    const w = new World();
    expectRefusal(w, { op: 'remote_relations', target: w.c2(20, 0), set: { copies: true } }, 'remote_relations.target', 'SYS_ERR_CNODE_NOT_FOUND', 'target');
  });
});

describe('preconditions: is_retypeable (the monitor\'s range query)', () => {
  const q = (w: World, o: Partial<Extract<KernelOp, { op: 'is_retypeable' }>> = {}): KernelOp => ({ op: 'is_retypeable', src: w.ram, offset: 0, objsize: 4 * KIB, count: 1, ...o });
  rule('is_retypeable.src', 'an empty source slot is SYS_ERR_CAP_NOT_FOUND', () => {
    const w = new World();
    expectRefusal(w, q(w, { src: w.slot(5) }), 'is_retypeable.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
  });
  rule('is_retypeable.memory', 'a Mapping capability has no range: SYS_ERR_INVALID_RETYPE', () => {
    const w = pagedWorld();
    expectRefusal(w, q(w, { src: w.slot(10) }), 'is_retypeable.memory', 'SYS_ERR_INVALID_RETYPE', 'src');
  });
  rule('is_retypeable.size', 'objsize 0 is SYS_ERR_INVALID_SIZE', () => {
    const w = new World();
    expectRefusal(w, q(w, { objsize: 0 }), 'is_retypeable.size', 'SYS_ERR_INVALID_SIZE', 'src');
  });
  rule('is_retypeable.count', 'count 0 is SYS_ERR_RETYPE_INVALID_COUNT', () => {
    const w = new World();
    expectRefusal(w, q(w, { count: 0 }), 'is_retypeable.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
  });
  rule('is_retypeable.range', 'a range past the end of the source is SYS_ERR_RETYPE_INVALID_OFFSET', () => {
    const w = new World();
    expectRefusal(w, q(w, { offset: w.memAt(w.ram).bytes }), 'is_retypeable.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    expectRefusal(w, q(w, { objsize: 2 ** 52, count: 2 ** 24 }), 'is_retypeable.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
  rule('is_retypeable.no-overlap', 'a range a handed-out piece still occupies is SYS_ERR_REVOKE_FIRST; after its delete the range is free again', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 16 * KIB, 16 * KIB, w.slot(0)); // what a memory manager handed out
    expectRefusal(w, q(w, { offset: 16 * KIB, objsize: 16 * KIB }), 'is_retypeable.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
    expectRefusal(w, q(w, { offset: 28 * KIB, objsize: 8 * KIB }), 'is_retypeable.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
    expect(w.must(q(w, { offset: 0, objsize: 16 * KIB }))).toEqual({ ok: true, value: {} });
    w.must({ op: 'delete', target: w.slot(0) });
    const pre = w.state();
    expect(w.must(q(w, { offset: 16 * KIB, objsize: 16 * KIB }))).toEqual({ ok: true, value: {} });
    expect(w.state()).toEqual(pre); // a query changes nothing
  });
  it('is_retypeable: order — src, memory, size, count, range, no-overlap', () => {
    const w = pagedWorld();
    expectRefusal(w, q(w, { src: w.slot(99), objsize: 0, count: 0 }), 'is_retypeable.src', 'SYS_ERR_CAP_NOT_FOUND', 'src');
    expectRefusal(w, q(w, { src: w.slot(10), objsize: 0, count: 0 }), 'is_retypeable.memory', 'SYS_ERR_INVALID_RETYPE', 'src');
    expectRefusal(w, q(w, { objsize: 0, count: 0 }), 'is_retypeable.size', 'SYS_ERR_INVALID_SIZE', 'src');
    expectRefusal(w, q(w, { count: 0, offset: 2 ** 40 }), 'is_retypeable.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    expectRefusal(w, q(w, { offset: w.memAt(w.ram).bytes - 4 * KIB, objsize: 8 * KIB }), 'is_retypeable.range', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
  });
});

describe('preconditions: completeness', () => {
  it('every precondition id in the registry has a test here', () => {
    const ids = Object.values(preconditionsByOp).flatMap((ps) => ps.map((p) => p.id));
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
    // And nothing here tests an id the registry no longer has.
    expect([...covered].filter((id) => id !== CORE_PRECONDITION_ID && !ids.includes(id))).toEqual([]);
  });
  it('ids are unique within each operation, and prefixed by the operation', () => {
    const prefix: Record<string, string> = { vnode_map: 'map', vnode_unmap: 'unmap' };
    for (const [op, ps] of Object.entries(preconditionsByOp)) {
      const ids = ps.map((p) => p.id);
      expect(new Set(ids).size, op).toBe(ids.length);
      for (const id of ids) expect(id.startsWith(`${prefix[op] ?? op}.`), id).toBe(true);
    }
  });
  it('every precondition has a rule and a source to read', () => {
    for (const ps of Object.values(preconditionsByOp))
      for (const p of ps) {
        expect(p.rule.length, p.id).toBeGreaterThan(10);
        expect(p.source.length, p.id).toBeGreaterThan(3);
      }
  });
  it('expectedResult answers an operation of every kind in the boot state without throwing', () => {
    const w = new World();
    const ops: KernelOp[] = [
      retypeOp(w),
      { op: 'copy', src: w.ram, dest: w.slot(0) },
      { op: 'mint', src: w.ram, dest: w.slot(0), rights: [] },
      { op: 'delete', target: w.slot(0) },
      { op: 'revoke', target: w.ram },
      mapOp(w.vroot, w.ram, w.slot(0)),
      { op: 'vnode_unmap', vnode: w.vroot, mapping: w.ram },
      { op: 'identify', target: w.ram },
      { op: 'lock', target: w.ram },
      { op: 'unlock', target: w.ram },
      { op: 'remote_relations', target: w.ram, set: {} },
      { op: 'is_retypeable', src: w.ram, offset: 0, objsize: 4 * KIB, count: 1 },
    ];
    for (const op of ops) expect(() => expectedResult(w.state(), op), op.op).not.toThrow();
  });
});
