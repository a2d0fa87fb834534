// The removal closure of delete and revoke (spec/kernel/removal.ts): what a
// removal drags along (mappings, CNode contents, mappings in a deleted page
// table) and which memory it hands back, exercised through the model.
import { describe, expect, it } from 'vitest';
import { removalClosure } from '../../../spec/kernel/removal.js';
import { coreOf } from '../../../spec/kernel/query.js';
import type { RemovalValue } from '../../../spec/kernel/ops.js';
import { capref2 } from '../../../spec/kernel/capref.js';
import { KIB, pagedWorld, slotOf, World } from './fixtures.js';

const removed = (r: { ok: boolean; value?: unknown }): RemovalValue => {
  expect(r.ok).toBe(true);
  return r.value as RemovalValue;
};

describe('removal closure: CNodes', () => {
  it('deleting the last copy of an L2CNode deletes what its slots hold, recursively', () => {
    const w = new World();
    w.retype(w.ram, 'L2CNode', 0, 16 * KIB, w.c1(14));
    w.retype(w.ram, 'L2CNode', 16 * KIB, 16 * KIB, w.c1(15));
    w.retype(w.ram, 'Frame', 32 * KIB, 4 * KIB, w.c2(15, 3));
    w.copy(w.c1(15), w.c2(14, 0)); // CNode 15 now also lives inside CNode 14
    w.must({ op: 'delete', target: w.c1(15) }); // not its last copy: its Frame stays
    expect(w.capAt(capref2(w.root, 14, 0))).toMatchObject({ type: 'L2CNode' });
    const before = w.ctes().length;
    const v = removed(w.must({ op: 'delete', target: w.c1(14) }));
    // CNode 14, the copy of CNode 15 in it, and the Frame in CNode 15.
    expect(v.deleted).toBe(3);
    expect(w.ctes().length).toBe(before - 3);
  });

  it('the self-referential task CNode survives the deletion of the root CNode (its own slot 0 keeps it alive)', () => {
    const w = new World();
    const task = w.info.l2cnodes[0]!;
    const v = removed(w.must({ op: 'delete', target: w.c2(0, 2) })); // the root L1CNode's only capability
    // Everything the root reached is gone except the task CNode, held by itself.
    expect(w.ctes()).toEqual([{ cnode: task, slot: 0, cap: expect.objectContaining({ type: 'L2CNode', base: task }) }]);
    expect(v.deleted).toBe(11); // of the 12 boot capabilities
    // The task CNode's memory is not reclaimed; the root CNode's, the page table's, the other CNodes' and the RAM root's are.
    expect(v.reclaimed.some((r) => r.base === task)).toBe(false);
    expect(v.reclaimed.some((r) => r.base === w.info.rootCNode)).toBe(true);
    expect(v.reclaimed.some((r) => r.base === w.info.ramRoots[0]!.base)).toBe(true);
  });

  it('reaches a fixpoint: a CNode whose other copy sits in a CNode examined later is still emptied', () => {
    const w = new World();
    // A (only in root slot 14) holds B in slot 0 and C in slot 1; C holds the other copy of B; B holds a Frame.
    w.retype(w.ram, 'L2CNode', 0, 16 * KIB, w.c1(14));
    w.retype(w.ram, 'L2CNode', 16 * KIB, 16 * KIB, w.c1(15)); // B
    w.retype(w.ram, 'L2CNode', 32 * KIB, 16 * KIB, w.c1(16)); // C
    w.retype(w.ram, 'Frame', 48 * KIB, 4 * KIB, w.c2(15, 5));
    w.copy(w.c1(15), w.c2(14, 0));
    w.copy(w.c1(16), w.c2(14, 1));
    w.copy(w.c1(15), w.c2(16, 0));
    w.must({ op: 'delete', target: w.c1(15) });
    w.must({ op: 'delete', target: w.c1(16) });
    const v = removed(w.must({ op: 'delete', target: w.c1(14) }));
    expect(v.deleted).toBe(5); // A, B and C in A, B in C, the Frame in B
    expect(w.ctes().some((e) => e.cap.type === 'Frame')).toBe(false);
  });
});

describe('removal closure: mappings and page tables', () => {
  it('deleting a mapped copy removes its Mapping capability and its entries', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20), { pteCount: 3 });
    const entries = () => w.state().cores[0]!.ptes.length;
    const n = entries();
    const v = removed(w.must({ op: 'delete', target: w.frame }));
    expect(v.deleted).toBe(2);
    expect(entries()).toBe(n - 3);
    expect(w.capAt(w.slot(20))).toBeUndefined();
  });

  it("deleting a page table's last copy removes the Mapping capabilities of its entries; deleting another copy does not", () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20), { pteCount: 2 });
    w.copy(w.l3, w.slot(30));
    w.must({ op: 'delete', target: w.slot(30) });
    expect(w.capAt(w.slot(20))).toMatchObject({ type: 'Frame_Mapping' });
    const v = removed(w.must({ op: 'delete', target: w.l3 }));
    // The table, its own Mapping in the l2 table, and the frame's Mapping in it.
    expect(v.deleted).toBe(3);
    expect(w.capAt(w.slot(20))).toBeUndefined();
    expect(w.capAt(w.slot(12))).toBeUndefined();
    expect(w.capAt(w.frame)).toMatchObject({ type: 'Frame' });
    const l3 = w.state().cores[0]!.ptes.filter((p) => p.entry === 5 || p.entry === 6);
    expect(l3).toEqual([]);
  });

  it('cascades through tables: deleting the l2 table removes the l3 table\'s Mapping in it, not the l3 table', () => {
    const w = pagedWorld();
    w.must({ op: 'delete', target: w.l2 });
    expect(w.capAt(w.slot(12))).toBeUndefined();
    expect(w.capAt(w.l3)).toMatchObject({ type: 'VNode_AARCH64_l3' });
  });
});

describe('reclaim (DEC-RECLAIM-MAXIMAL)', () => {
  it('nested regions removed together are reported once, as the largest', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.c2(3, 1)); // inside the RAM root, in the super CNode
    w.retype(w.ram, 'Frame', 8 * KIB, 8 * KIB, w.c2(3, 2));
    const v = removed(w.must({ op: 'delete', target: w.c1(3) })); // the super CNode: RAM root and both Frames go
    const superCn = w.info.l2cnodes[3]!;
    expect(v.reclaimed).toEqual([{ base: superCn, bytes: 16 * KIB }, w.info.ramRoots[0]]);
  });

  it('a parent deleted before its child strands memory: only the child region comes back', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 16 * KIB, 4 * KIB, w.slot(0));
    const parent = removed(w.must({ op: 'delete', target: w.ram }));
    expect(parent).toEqual({ deleted: 1, reclaimed: [] }); // the Frame still overlaps it
    const child = removed(w.must({ op: 'delete', target: w.slot(0) }));
    expect(child.reclaimed).toEqual([{ base: w.info.ramRoots[0]!.base + 16 * KIB, bytes: 4 * KIB }]);
  });

  it('nothing comes back while a copy, an ancestor or a descendant remains; revoke keeps its target, so it reclaims nothing', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.copy(w.slot(0), w.slot(1));
    expect(removed(w.must({ op: 'delete', target: w.slot(0) })).reclaimed).toEqual([]);
    expect(removed(w.must({ op: 'delete', target: w.slot(1) })).reclaimed).toEqual([]); // the RAM root is its ancestor
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    expect(removed(w.must({ op: 'revoke', target: w.ram }))).toEqual({ deleted: 1, reclaimed: [] });
  });

  it('device memory (PhysAddr, DevFrame) is never reclaimed', () => {
    const w = new World();
    w.retype(w.physAddr, 'DevFrame', 0, 4 * KIB, w.slot(0));
    expect(removed(w.must({ op: 'delete', target: w.physAddr })).reclaimed).toEqual([]);
    expect(removed(w.must({ op: 'delete', target: w.slot(0) })).reclaimed).toEqual([]);
  });

  it('DEC-RECLAIM-MAXIMAL: RAM retyped from a device window is not handed to the memory server', () => {
    const w = new World();
    w.retype(w.physAddr, 'RAM', 0, 64 * KIB, w.slot(0));
    w.must({ op: 'delete', target: w.physAddr });
    expect(removed(w.must({ op: 'delete', target: w.slot(0) })).reclaimed).toEqual([]);
  });

  it('DEC-RECLAIM-MAXIMAL: memory another core may relate to (remote bits set) is not reclaimed', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 64 * KIB, w.slot(0));
    w.must({ op: 'delete', target: w.ram });
    w.must({ op: 'remote_relations', target: w.slot(0), set: { descs: true } });
    expect(removed(w.must({ op: 'delete', target: w.slot(0) })).reclaimed).toEqual([]);
  });

  it('removalClosure is pure: it computes the set without changing the state, and an empty start removes nothing', () => {
    const w = pagedWorld();
    const state = w.state();
    const core = coreOf(state, 0)!;
    const before = JSON.stringify(core);
    const r = removalClosure(core, [slotOf(w, w.l3)], state.memory);
    expect(r.ctes.map((c) => c.cap.type)).toEqual(expect.arrayContaining(['VNode_AARCH64_l3', 'VNode_AARCH64_l3_Mapping']));
    expect(JSON.stringify(core)).toBe(before);
    expect(removalClosure(core, [], state.memory)).toEqual({ ctes: [], reclaimed: [] });
    expect(removalClosure(core, [{ cnode: 1, slot: 1 }], state.memory)).toEqual({ ctes: [], reclaimed: [] });
  });
});
