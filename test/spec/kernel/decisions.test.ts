// One test per decision in spec/kernel/decisions.ts, showing the behaviour
// capref chose where Barrelfish's C falls short or the sources leave a point
// open. The registry test keeps the list complete and checks that the code
// applying each decision names it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisions } from '../../../spec/kernel/decisions.js';
import { checkPostconditions } from '../../../spec/kernel/postconditions.js';
import { isCopy } from '../../../spec/kernel/relations.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import { expectRefusal, KIB, MIB, pagedWorld, World } from './fixtures.js';

const covered = new Set<string>();
function decision(id: string, title: string, fn: () => void): void {
  covered.add(id);
  it(`${id}: ${title}`, fn);
}

describe('decisions', () => {
  decision('DEC-TRANSITIVE-REVOKE', 'revoke removes descendants at every depth, and the mappings of everything it removes', () => {
    const w = pagedWorld();
    w.retype(w.ram, 'RAM', 4 * MIB, 64 * KIB, w.slot(40)); // child
    w.retype(w.slot(40), 'Frame', 0, 4 * KIB, w.slot(41)); // grandchild
    w.map(w.l3, w.slot(41), 50, w.slot(42)); // great-grandchild (a Mapping)
    w.must({ op: 'revoke', target: w.ram });
    for (const s of [w.slot(40), w.slot(41), w.slot(42), w.l1, w.frame]) expect(w.capAt(s)).toBeUndefined();
    expect(w.capAt(w.ram)).toMatchObject({ type: 'RAM' });
  });

  decision('DEC-ATOMIC-MINT', 'a failed mint (or any failed operation) leaves the state exactly as it was', () => {
    const w = pagedWorld();
    const ops: KernelOp[] = [
      { op: 'mint', src: w.frame, dest: w.big, rights: ['READ'] },
      { op: 'mint', src: w.slot(10), dest: w.slot(50), rights: ['READ'] },
      { op: 'retype', src: w.ram, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 2, dest: w.slot(255) },
    ];
    for (const op of ops) {
      const pre = w.state();
      const r = w.k.apply(op);
      expect(r.ok).toBe(false);
      expect(w.state()).toEqual(pre);
      expect(checkPostconditions(pre, op, r, w.state())).toEqual([]);
    }
  });

  decision('DEC-RETYPE-DIST-GATE', 'remote descendants send a retype through the monitor even when a local descendant overlaps the range', () => {
    const w = new World();
    w.retype(w.ram, 'Frame', 0, 4 * KIB, w.slot(0));
    w.must({ op: 'remote_relations', target: w.ram, set: { descs: true } });
    expectRefusal(w, { op: 'retype', src: w.ram, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.slot(1) }, 'retype.local', 'SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
  });

  decision('DEC-COPY-SLOT-BOUNDS', 'copy refuses an L1 index beyond the L1CNode; every 8-bit L2 index fits an L2CNode', () => {
    const w = new World();
    expectRefusal(w, { op: 'copy', src: w.c1(3), dest: w.c1(256) }, 'copy.dest', 'SYS_ERR_L1_CNODE_INDEX', 'dest');
    w.copy(w.ram, w.slot(255));
    expect(w.capAt(w.slot(255))).toMatchObject({ type: 'RAM' });
  });

  decision('DEC-PTE-OCCUPIED', 'mapping onto a present entry fails and the entry keeps its target', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    const entry = () => w.state().cores[0]!.ptes.find((p) => p.vnode === w.memAt(w.l3).base && p.entry === 5);
    const before = entry();
    w.copy(w.frame, w.slot(21));
    expectRefusal(w, { op: 'vnode_map', vnode: w.l3, src: w.slot(21), entry: 5, offset: 4 * KIB, pteCount: 1, rights: ['READ'], mapping: w.slot(22) }, 'map.entries-free', 'SYS_ERR_VNODE_SLOT_INUSE', 'vnode');
    expect(entry()).toEqual(before);
  });

  decision('DEC-UNMAP-FOREIGN', 'unmap refuses a non-Mapping (SYS_ERR_WRONG_MAPPING) and a Mapping of another table (SYS_ERR_VNODE_NOT_INSTALLED)', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.frame }, 'unmap.mapping-type', 'SYS_ERR_WRONG_MAPPING', 'mapping');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l1, mapping: w.slot(20) }, 'unmap.mapping-table', 'SYS_ERR_VNODE_NOT_INSTALLED', 'mapping');
  });

  decision('DEC-LARGE-PAGE-RIGHTS', 'a read-only 2 MiB frame cannot be mapped writable as a block; read-only it can', () => {
    const w = pagedWorld();
    w.mint(w.big, w.slot(30), ['READ']);
    expectRefusal(w, { op: 'vnode_map', vnode: w.l2, src: w.slot(30), entry: 1, offset: 0, pteCount: 1, rights: ['READ', 'WRITE'], mapping: w.slot(31) }, 'map.rights', 'SYS_ERR_VM_MAP_RIGHTS', 'src');
    w.map(w.l2, w.slot(30), 1, w.slot(31), { rights: ['READ'] });
    expect(w.state().cores[0]!.ptes.find((p) => p.vnode === w.memAt(w.l2).base && p.entry === 1)).toMatchObject({ target: w.memAt(w.big).base, rights: ['READ'] });
  });

  decision('DEC-DELETED-PTABLE', "deleting a page table's last copy deletes the Mapping capabilities of its entries", () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    w.must({ op: 'delete', target: w.l3 });
    expect(w.capAt(w.slot(20))).toBeUndefined();
    // The frame is unmapped, so it may be mapped again.
    w.map(w.l2, w.big, 3, w.slot(21));
  });

  decision('DEC-BUSY', 'a locked capability is never retyped or removed; copying it is allowed and the copy shares the lock', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    w.must({ op: 'lock', target: w.ram });
    expectRefusal(w, { op: 'retype', src: w.ram, offset: 8 * MIB, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.slot(30) }, 'retype.not-locked', 'SYS_ERR_CAP_LOCKED', 'src');
    expectRefusal(w, { op: 'revoke', target: w.ram }, 'revoke.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
    w.copy(w.ram, w.slot(30));
    expect(w.capAt(w.slot(30))).toMatchObject({ locked: true });
    w.must({ op: 'unlock', target: w.slot(30) });
    expect(w.capAt(w.ram)).toMatchObject({ locked: false });
    w.must({ op: 'lock', target: w.slot(20) });
    expectRefusal(w, { op: 'delete', target: w.frame }, 'delete.not-locked', 'SYS_ERR_CAP_LOCKED', 'target');
    expectRefusal(w, { op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) }, 'unmap.not-locked', 'SYS_ERR_CAP_LOCKED', 'mapping');
  });

  decision('DEC-FULL-SIZE-RETYPE', 'the full-size same-type retype yields a copy that a later revoke of the original removes, and it does not block a second retype', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 64 * KIB, w.slot(0));
    w.retype(w.slot(0), 'RAM', 0, 64 * KIB, w.slot(1));
    expect(isCopy(w.capAt(w.slot(0))!, w.capAt(w.slot(1))!)).toBe(true);
    // Not a descendant: a retype of any range of the original still works, and so does a second full-size copy.
    w.retype(w.slot(0), 'Frame', 0, 4 * KIB, w.slot(2));
    w.retype(w.slot(1), 'Frame', 4 * KIB, 4 * KIB, w.slot(3));
    w.retype(w.ram, 'RAM', 64 * KIB, 64 * KIB, w.slot(4));
    w.retype(w.slot(4), 'RAM', 0, 64 * KIB, w.slot(5));
    // Revoke of the original removes the copy (and both Frames).
    w.must({ op: 'revoke', target: w.slot(0) });
    for (const s of [1, 2, 3]) expect(w.capAt(w.slot(s))).toBeUndefined();
    expect(w.capAt(w.slot(0))).toMatchObject({ type: 'RAM', bytes: 64 * KIB });
  });

  decision('DEC-ROOT-BY-OBJECT', "a capref's root is the L1CNode object; the rights of the capabilities to it are not checked", () => {
    const w = new World();
    w.mint(w.c2(0, 2), w.slot(0), []); // a rights-less copy of the root CNode capability
    w.must({ op: 'delete', target: w.c2(0, 2) }); // the only other one goes
    expect(w.capAt(w.slot(0))).toMatchObject({ type: 'L1CNode', rights: [] });
    w.copy(w.ram, w.slot(1)); // lookups through the root still work
  });

  decision('DEC-L1-SLOTS', 'retype into a slot of an L1CNode makes only L2CNodes', () => {
    const w = new World();
    expectRefusal(w, { op: 'retype', src: w.ram, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.c1(14) }, 'retype.dest-type', 'SYS_ERR_DEST_TYPE_INVALID', 'dest');
    w.retype(w.ram, 'L2CNode', 0, 16 * KIB, w.c1(14));
  });

  decision('DEC-NO-COPY-MAPPING', 'copy and mint of a Mapping capability fail with SYS_ERR_INVALID_SOURCE_TYPE', () => {
    const w = pagedWorld();
    expectRefusal(w, { op: 'copy', src: w.slot(10), dest: w.slot(50) }, 'copy.src-not-mapping', 'SYS_ERR_INVALID_SOURCE_TYPE', 'src');
    expectRefusal(w, { op: 'mint', src: w.slot(10), dest: w.slot(50), rights: [] }, 'mint.src-not-mapping', 'SYS_ERR_INVALID_SOURCE_TYPE', 'src');
  });

  decision('DEC-UNMAP-DELETES-MAPPING', 'vnode_unmap clears the entries and removes the Mapping capability; the copy can be mapped again', () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20), { pteCount: 4 });
    const n = w.state().cores[0]!.ptes.length;
    w.must({ op: 'vnode_unmap', vnode: w.l3, mapping: w.slot(20) });
    expect(w.capAt(w.slot(20))).toBeUndefined();
    expect(w.state().cores[0]!.ptes.length).toBe(n - 4);
    w.map(w.l3, w.frame, 5, w.slot(20));
  });

  decision('DEC-MAPPING-NO-REGION', "a mapped frame's first page can still be retyped: Mapping capabilities block no retype", () => {
    const w = pagedWorld();
    w.map(w.l3, w.frame, 5, w.slot(20));
    w.retype(w.frame, 'Frame', 0, 4 * KIB, w.slot(21));
  });

  decision('DEC-OBJSIZE', 'objsize is never 0; RAM in 4 KiB multiples; L1CNodes up to 2^24 slots; fixed sizes exact', () => {
    const w = new World();
    const retype = (type: Extract<KernelOp, { op: 'retype' }>['type'], objsize: number): KernelOp => ({ op: 'retype', src: w.ram, offset: 0, type, objsize, count: 1, dest: w.slot(0) });
    for (const [t, size] of [['RAM', 0], ['RAM', 6 * KIB], ['Dispatcher', 2 * KIB], ['VNode_AARCH64_l3', 8 * KIB], ['L1CNode', 2 ** 24 * 64 + 16 * KIB]] as const)
      expectRefusal(w, retype(t, size), 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
    w.retype(w.ram, 'Dispatcher', 0, KIB, w.slot(1));
    expectRefusal(w, { op: 'retype', src: w.slot(1), offset: 0, type: 'EndPointLMP', objsize: 2 * KIB, count: 1, dest: w.slot(2) }, 'retype.size', 'SYS_ERR_INVALID_SIZE', 'src');
    w.retype(w.ram, 'L1CNode', 16 * KIB, 32 * KIB, w.slot(3));
  });

  decision('DEC-NATURAL-ALIGN', "objects are aligned to their type: Dispatchers to 1 KiB, ARMv7 L1 tables to 16 KiB", () => {
    const w = new World();
    w.retype(w.ram, 'Dispatcher', KIB, KIB, w.slot(0));
    const v7 = new World({ arch: 'armv7', cores: 1, memory: [{ base: 0x8000_0000, bytes: 64 * MIB, kind: 'ram' }] });
    // The RAM root starts at a 16 KiB boundary: offset 4 KiB is 4 KiB-aligned (enough for Barrelfish) but not 16 KiB-aligned.
    expect(v7.memAt(v7.ram).base % (16 * KIB)).toBe(0);
    expectRefusal(v7, { op: 'retype', src: v7.ram, offset: 4 * KIB, type: 'VNode_ARM_l1', objsize: 16 * KIB, count: 1, dest: v7.slot(0) }, 'retype.offset-aligned', 'SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    v7.retype(v7.ram, 'VNode_ARM_l1', 16 * KIB, 16 * KIB, v7.slot(0));
    v7.retype(v7.ram, 'VNode_ARM_l2', 33 * KIB, KIB, v7.slot(1));
  });

  decision('DEC-RETYPE-RIGHTS', "retyped objects get the source's rights, not all rights", () => {
    const w = new World();
    w.mint(w.ram, w.slot(0), ['READ', 'GRANT']);
    w.retype(w.slot(0), 'Frame', 0, 4 * KIB, w.slot(1), 2);
    expect(w.capAt(w.slot(1))!.rights).toEqual(['READ', 'GRANT']);
    expect(w.capAt(w.slot(2))!.rights).toEqual(['READ', 'GRANT']);
  });

  decision('DEC-RECLAIM-MAXIMAL', 'memory comes back once, as the largest free regions, decided on the whole set an operation removes', () => {
    const w = new World();
    w.retype(w.ram, 'L2CNode', 0, 16 * KIB, w.c1(14));
    w.retype(w.ram, 'RAM', 64 * KIB, 64 * KIB, w.c2(14, 0));
    w.retype(w.c2(14, 0), 'Frame', 0, 4 * KIB, w.c2(14, 1));
    w.retype(w.c2(14, 0), 'Frame', 4 * KIB, 8 * KIB, w.c2(14, 2));
    w.must({ op: 'delete', target: w.ram }); // the RAM root goes first: nothing else is left above them
    const r = w.must({ op: 'delete', target: w.c1(14) });
    const base = w.info.ramRoots[0]!.base;
    expect(r.ok && r.value).toEqual({ deleted: 4, reclaimed: [{ base, bytes: 16 * KIB }, { base: base + 64 * KIB, bytes: 64 * KIB }] });
  });

  decision('DEC-REVOKE-OWN-CNODE', 'a revoke whose target sits in a CNode derived from it takes the target along', () => {
    const w = new World();
    w.retype(w.ram, 'RAM', 0, 64 * KIB, w.slot(0));
    w.retype(w.slot(0), 'L2CNode', 0, 16 * KIB, w.c1(14));
    w.copy(w.slot(0), w.c2(14, 0));
    const r = w.must({ op: 'revoke', target: w.c2(14, 0) });
    expect(r.ok && r.value).toEqual({ deleted: 3, reclaimed: [] }); // the other copy, the CNode, and the target in it
    expect(w.capAt(w.slot(0))).toBeUndefined();
    expect(w.capAt(w.c1(14))).toBeUndefined();
  });

  decision('DEC-ENDPOINT-REGION', "LMP endpoints carry the dispatcher's region: they are its descendants, copies of each other, and keep its memory", () => {
    const w = new World();
    w.retype(w.ram, 'Dispatcher', 0, KIB, w.slot(0));
    w.retype(w.slot(0), 'EndPointLMP', 0, KIB, w.slot(1));
    w.retype(w.slot(0), 'EndPointLMP', 0, KIB, w.slot(2));
    const d = w.memAt(w.slot(0));
    expect(w.capAt(w.slot(1))).toMatchObject({ type: 'EndPointLMP', base: d.base, bytes: d.bytes });
    expect(isCopy(w.capAt(w.slot(1))!, w.capAt(w.slot(2))!)).toBe(true);
    expectRefusal(w, { op: 'retype', src: w.slot(0), offset: 0, type: 'EndPointLMP', objsize: KIB, count: 2, dest: w.slot(3) }, 'retype.count', 'SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    // A surviving endpoint keeps the dispatcher's memory: it cannot be retyped while an endpoint lives ...
    w.must({ op: 'delete', target: w.slot(0) });
    expectRefusal(w, { op: 'retype', src: w.ram, offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: w.slot(3) }, 'retype.no-overlap', 'SYS_ERR_REVOKE_FIRST', 'src');
    // ... and endpoints own no memory: deleting them (with the RAM root gone) hands nothing back, so a
    // dispatcher deleted before its endpoints strands its memory, like any parent before its children.
    w.must({ op: 'delete', target: w.ram });
    expect(w.must({ op: 'delete', target: w.slot(1) })).toEqual({ ok: true, value: { deleted: 1, reclaimed: [] } });
    expect(w.must({ op: 'delete', target: w.slot(2) })).toEqual({ ok: true, value: { deleted: 1, reclaimed: [] } });
  });

  decision('DEC-PAGE-OFFSET', 'a misaligned 4 KiB page offset is SYS_ERR_FRAME_OFFSET_INVALID; a misaligned block SYS_ERR_VM_FRAME_UNALIGNED', () => {
    const w = pagedWorld();
    expectRefusal(w, { op: 'vnode_map', vnode: w.l3, src: w.frame, entry: 5, offset: 2 * KIB, pteCount: 1, rights: ['READ'], mapping: w.slot(20) }, 'map.page-offset', 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    expectRefusal(w, { op: 'vnode_map', vnode: w.l2, src: w.big, entry: 1, offset: 4 * KIB, pteCount: 1, rights: ['READ'], mapping: w.slot(20) }, 'map.frame-align', 'SYS_ERR_VM_FRAME_UNALIGNED', 'src');
  });
});

describe('decisions: the registry', () => {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
    });

  it('every decision id has a test here', () => {
    expect(decisions.map((d) => d.id).filter((id) => !covered.has(id))).toEqual([]);
  });
  it('ids are unique, and each says what Barrelfish does, what capref does, and the source', () => {
    expect(new Set(decisions.map((d) => d.id)).size).toBe(decisions.length);
    for (const d of decisions) {
      expect(d.id).toMatch(/^DEC-[A-Z0-9-]+$/);
      for (const f of [d.title, d.barrelfish, d.capref]) expect(f.length, d.id).toBeGreaterThan(10);
      expect(d.source.length, d.id).toBeGreaterThan(1);
    }
  });
  it('the code that applies each decision names its id (spec/ or model/, outside decisions.ts)', () => {
    const text = [...sources(join(root, 'spec')), ...sources(join(root, 'model'))]
      .filter((f) => !f.endsWith('decisions.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(decisions.map((d) => d.id).filter((id) => !text.includes(id))).toEqual([]);
  });
});
