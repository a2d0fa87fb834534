// The course hand-out (seeds/002, "Milestone 1: Physical Memory Management")
// played on the reference model: ram_alloc by retyping RAM into RAM, frame
// and page-table allocation by retype, vnode_map through the page CNode's root
// table, cnode_create_l2 when the slot allocator runs out, and a large frame
// mapped piecewise through cap_copy (each copy is mapped at most once).
// World.step checks, after every operation, that the model returned what the
// spec's preconditions prescribe and that every invariant and postcondition
// holds.
import { describe, expect, it } from 'vitest';
import type { Capref } from '../../../spec/kernel/capref.js';
import { ROOTCN_SLOTS_USER } from '../../../spec/kernel/boot.js';
import { BASE_PAGE_SIZE, OBJSIZE_L2CNODE } from '../../../spec/kernel/types.js';
import { armv7World, expectRefusal, KIB, MIB, World } from '../../spec/kernel/fixtures.js';

/**
 * A tiny memory manager in the hand-out's style: it splits the RAM root by
 * retyping RAM into RAM at increasing offsets ("mm_alloc_aligned"), and a slot
 * allocator that hands out slots of L2CNodes and makes a new L2CNode in the
 * root CNode when one is full (the milestone's "run out of slots" challenge).
 */
class Init {
  private next = 0;
  private slots: { l1: number; used: number }[] = [{ l1: 7, used: 0 }];
  private nextL1 = ROOTCN_SLOTS_USER;
  constructor(readonly w: World, readonly ramRoot: Capref) {}

  slot(): Capref {
    let cn = this.slots[this.slots.length - 1]!;
    if (cn.used === 256) {
      // cnode_create_l2: retype RAM into an L2CNode in a free slot of the root CNode.
      const l1 = this.nextL1++;
      this.w.retype(this.ramRoot, 'L2CNode', this.take(OBJSIZE_L2CNODE, BASE_PAGE_SIZE), OBJSIZE_L2CNODE, this.w.c1(l1));
      cn = { l1, used: 0 };
      this.slots.push(cn);
    }
    return this.w.c2(cn.l1, cn.used++);
  }
  private take(bytes: number, align: number): number {
    const base = this.w.memAt(this.ramRoot).base;
    const at = Math.ceil((base + this.next) / align) * align - base;
    this.next = at + bytes;
    return at;
  }
  /** ram_alloc: a RAM capability of `bytes`, split off the RAM root by retype. */
  ramAlloc(bytes: number, align = BASE_PAGE_SIZE): Capref {
    const s = this.slot();
    this.w.retype(this.ramRoot, 'RAM', this.take(bytes, align), bytes, s);
    return s;
  }
  /** frame_alloc: RAM retyped into a Frame of the same size. */
  frameAlloc(bytes: number, align = BASE_PAGE_SIZE): Capref {
    const ram = this.ramAlloc(bytes, align);
    const f = this.slot();
    this.w.retype(ram, 'Frame', 0, bytes, f);
    return f;
  }
}

describe('hand-out milestone 1 on the reference model (AArch64)', () => {
  it('ram_alloc splits the RAM root into RAM capabilities of various sizes and alignments, and frees them again', () => {
    const w = new World();
    const mm = new Init(w, w.ram);
    const caps = [4 * KIB, 16 * KIB, 64 * KIB, 4 * KIB, 2 * MIB, 8 * KIB].map((b) => ({ b, c: mm.ramAlloc(b, b) }));
    for (const { b, c } of caps) {
      const r = w.memAt(c);
      expect(r.type).toBe('RAM');
      expect(r.bytes).toBe(b);
      expect(r.base % b).toBe(0);
    }
    // Splitting a RAM capability further (the mm's own bookkeeping) also works.
    const half = mm.slot();
    w.retype(caps[2]!.c, 'RAM', 32 * KIB, 32 * KIB, half);
    // mm_free: delete what was handed out; the RAM root is their ancestor, so nothing is reclaimed by the kernel.
    for (const { c } of caps.reverse()) {
      expect(w.must({ op: 'delete', target: c })).toMatchObject({ ok: true, value: { reclaimed: [] } });
    }
    // The freed ranges can be allocated again.
    w.retype(w.ram, 'Frame', 0, 4 * KIB, mm.slot());
  });

  it('the slot allocator runs out after 256 slots and cnode_create_l2 gives it a new L2CNode', () => {
    const w = new World();
    const mm = new Init(w, w.ram);
    for (let i = 0; i < 300; i++) mm.ramAlloc(4 * KIB);
    expect(w.capAt(w.c1(ROOTCN_SLOTS_USER))).toMatchObject({ type: 'L2CNode' });
    expect(w.capAt(w.c2(ROOTCN_SLOTS_USER, 43))).toMatchObject({ type: 'RAM' });
  });

  it('frame_alloc and vnode_map through the page CNode (cnode_page slot 0): l1, l2, l3 tables and a frame, then write access', () => {
    const w = new World();
    const mm = new Init(w, w.ram);
    const tables: Capref[] = [];
    for (const t of ['VNode_AARCH64_l1', 'VNode_AARCH64_l2', 'VNode_AARCH64_l3'] as const) {
      const ram = mm.ramAlloc(4 * KIB);
      const v = mm.slot();
      w.retype(ram, t, 0, 4 * KIB, v);
      tables.push(v);
    }
    const [l1, l2, l3] = tables as [Capref, Capref, Capref];
    const l1Page = { root: w.root, cptr: w.vroot.cptr, level: 2 }; // struct capref l1_pagetable = { .cnode = cnode_page, .slot = 0 }
    w.map(l1Page, l1, 0, mm.slot(), { rights: ['READ'] });
    w.map(l1, l2, 0, mm.slot(), { rights: ['READ'] });
    w.map(l2, l3, 0, mm.slot(), { rights: ['READ'] });
    const frame = mm.frameAlloc(16 * KIB);
    w.map(l3, frame, 16, mm.slot(), { pteCount: 4, rights: ['READ', 'WRITE'] });
    const ptes = w.state().cores[0]!.ptes.filter((p) => p.vnode === w.memAt(l3).base);
    const f = w.memAt(frame);
    expect(ptes.map((p) => [p.entry, p.target - f.base, p.rights])).toEqual([
      [16, 0, ['READ', 'WRITE']],
      [17, 4 * KIB, ['READ', 'WRITE']],
      [18, 8 * KIB, ['READ', 'WRITE']],
      [19, 12 * KIB, ['READ', 'WRITE']],
    ]);
  });

  it('a large frame mapped piecewise across two leaf tables needs a cap_copy: one copy is mapped at most once', () => {
    const w = new World();
    const mm = new Init(w, w.ram);
    const l3s = [0, 1].map(() => {
      const v = mm.slot();
      w.retype(mm.ramAlloc(4 * KIB), 'VNode_AARCH64_l3', 0, 4 * KIB, v);
      return v;
    });
    const frame = mm.frameAlloc(64 * KIB); // 16 pages
    // The first 8 pages fill the end of the first table ...
    w.map(l3s[0]!, frame, 504, mm.slot(), { pteCount: 8 });
    // ... the rest must go into the next table, but this copy is already mapped.
    const next = mm.slot();
    expectRefusal(
      w,
      { op: 'vnode_map', vnode: l3s[1]!, src: frame, entry: 0, offset: 32 * KIB, pteCount: 8, rights: ['READ', 'WRITE'], mapping: next },
      'map.once',
      'SYS_ERR_VM_ALREADY_MAPPED',
      'src',
    );
    const copy = mm.slot();
    w.copy(frame, copy);
    w.map(l3s[1]!, copy, 0, next, { offset: 32 * KIB, pteCount: 8 });
    const targets = w.state().cores[0]!.ptes.map((p) => p.target - w.memAt(frame).base).sort((a, b) => a - b);
    expect(targets).toEqual(Array.from({ length: 16 }, (_, i) => i * 4 * KIB));
    // Deleting the frame (the original) unmaps its half only; the copy's mapping stays.
    w.must({ op: 'delete', target: frame });
    expect(w.state().cores[0]!.ptes.length).toBe(8);
  });

  it('slab refill: repeated frame_alloc + map at increasing virtual addresses, then everything revoked from the RAM root', () => {
    const w = new World();
    const mm = new Init(w, w.ram);
    const l3 = mm.slot();
    w.retype(mm.ramAlloc(4 * KIB), 'VNode_AARCH64_l3', 0, 4 * KIB, l3);
    for (let i = 0; i < 20; i++) w.map(l3, mm.frameAlloc(4 * KIB), i, mm.slot());
    expect(w.state().cores[0]!.ptes.length).toBe(20);
    const deleted = 20 /* RAM */ + 20 /* Frames */ + 20 /* Mappings */ + 1 /* the table's RAM */ + 1; /* the table */
    expect(w.must({ op: 'revoke', target: w.ram })).toEqual({ ok: true, value: { deleted, reclaimed: [] } });
    expect(w.state().cores[0]!.ptes).toEqual([]);
  });
});

describe('hand-out milestone 1 on the reference model (ARMv7, the PandaBoard)', () => {
  it('arml2_alloc: 1 KiB L2 tables, four to a page, mapped into the 4096-entry L1 table; frames mapped into them', () => {
    const w = armv7World(); // one L2 table already mapped at L1 entry 0
    const ram = w.c2(3, 1);
    const frame = w.frame; // 16 KiB
    w.map(w.l2, frame, 255, w.slot(11), { pteCount: 1 });
    for (let i = 1; i < 4; i++) {
      w.retype(ram, 'VNode_ARM_l2', i * KIB, KIB, w.slot(20 + i));
      w.map(w.vroot, w.slot(20 + i), 4095 - i, w.slot(30 + i), { rights: ['READ'] });
    }
    const l2s = w.state().cores[0]!.ptes.filter((p) => p.vnode === w.memAt(w.vroot).base);
    expect(l2s.map((p) => p.target - w.memAt(w.l2).base)).toEqual([0, 3 * KIB, 2 * KIB, KIB]);
    expectRefusal(
      w,
      { op: 'vnode_map', vnode: w.l2, src: w.slot(21), entry: 0, offset: 0, pteCount: 1, rights: ['READ'], mapping: w.slot(40) },
      'map.src-type',
      'SYS_ERR_WRONG_MAPPING',
      'src',
    );
  });

  it('a 1 MiB section in the L1 table needs a 1 MiB-aligned frame of at least 1 MiB', () => {
    const w = armv7World();
    const ram = w.c2(3, 1);
    const base = w.memAt(ram).base;
    const off = Math.ceil(base / MIB) * MIB - base;
    w.retype(ram, 'Frame', off, 2 * MIB, w.slot(50));
    w.map(w.vroot, w.slot(50), 100, w.slot(51), { pteCount: 2 });
    expectRefusal(
      w,
      { op: 'vnode_map', vnode: w.vroot, src: w.frame, entry: 200, offset: 0, pteCount: 1, rights: ['READ'], mapping: w.slot(52) },
      'map.frame-size',
      'SYS_ERR_VM_FRAME_TOO_SMALL',
      'src',
    );
  });
});
