// Caprefs and their resolution (kernel/capabilities.c caps_lookup_slot):
// how a level-1 and a level-2 cptr decode, and each lookup error in order.
import { describe, expect, it } from 'vitest';
import { capref1, capref2, caprefSchema, formatCapref, l1IndexOf, l2SlotOf, level2Cptr } from '../../../spec/kernel/capref.js';
import { CPTR_BITS, L2_CNODE_BITS, MAX_L1_SLOTS } from '../../../spec/kernel/limits.js';
import { lookupCap, resolveSlot } from '../../../spec/kernel/lookup.js';
import { coreOf } from '../../../spec/kernel/query.js';
import { KIB, patchCap, slotOf, World } from './fixtures.js';

const core = (w: World) => coreOf(w.state(), 0)!;

describe('capref encoding', () => {
  it('a level-2 cptr has the L1 index in its upper 24 bits and the L2 slot in its low 8 bits', () => {
    expect(CPTR_BITS - L2_CNODE_BITS).toBe(24);
    expect(MAX_L1_SLOTS).toBe(2 ** 24);
    expect(level2Cptr(3, 5)).toBe(0x305);
    expect(l1IndexOf(0x305)).toBe(3);
    expect(l2SlotOf(0x305)).toBe(5);
    expect(level2Cptr(2 ** 24 - 1, 255)).toBe(2 ** 32 - 1);
    expect(capref2(0x1000, 3, 5)).toEqual({ root: 0x1000, cptr: 0x305, level: 2 });
    expect(capref1(0x1000, 14)).toEqual({ root: 0x1000, cptr: 14, level: 1 });
  });
  it('formatCapref writes root:l1/l2 at level 2, root:index at level 1, and names other levels', () => {
    expect(formatCapref(capref2(0x80001000, 3, 5))).toBe('0x80001000:3/5');
    expect(formatCapref(capref1(0x80001000, 14))).toBe('0x80001000:14');
    expect(formatCapref({ root: 0x10, cptr: 7, level: 3 })).toBe('0x10:cptr=7@level3');
  });
  it('the schema takes any level 0-8 (a wrong level is a kernel error, not a malformed trace) and 32-bit cptrs', () => {
    expect(caprefSchema.safeParse({ root: 0, cptr: 0, level: 0 }).success).toBe(true);
    expect(caprefSchema.safeParse({ root: 0, cptr: 2 ** 32 - 1, level: 8 }).success).toBe(true);
    expect(caprefSchema.safeParse({ root: 0, cptr: 2 ** 32, level: 2 }).success).toBe(false);
    expect(caprefSchema.safeParse({ root: 0, cptr: 1, level: 9 }).success).toBe(false);
    expect(caprefSchema.safeParse({ root: -1, cptr: 1, level: 1 }).success).toBe(false);
  });
});

describe('capref resolution', () => {
  it('level 1 names a slot of the root L1CNode, empty or not', () => {
    const w = new World();
    expect(resolveSlot(core(w), w.c1(3), 'src', 'read')).toEqual({ ok: true, value: { addr: { cnode: w.root, slot: 3 }, cnodeType: 'L1CNode' } });
    expect(resolveSlot(core(w), w.c1(200), 'src', 'write')).toEqual({ ok: true, value: { addr: { cnode: w.root, slot: 200 }, cnodeType: 'L1CNode' } });
  });
  it('level 2 goes through the L2CNode in the L1 slot', () => {
    const w = new World();
    const super_ = w.info.l2cnodes[3]!;
    expect(resolveSlot(core(w), w.c2(3, 7), 'dest', 'write')).toEqual({ ok: true, value: { addr: { cnode: super_, slot: 7 }, cnodeType: 'L2CNode' } });
    const r = lookupCap(core(w), w.c2(3, 0), 'src', 'read');
    expect(r.ok && r.value.cap).toMatchObject({ type: 'RAM', base: w.info.ramRoots[0]!.base });
  });
  it('any live L1CNode is a root, also one made by retype (a second CSpace)', () => {
    const w = new World();
    w.retype(w.ram, 'L1CNode', 0, 32 * KIB, w.slot(0));
    const root2 = w.memAt(w.slot(0)).base;
    w.retype(w.ram, 'L2CNode', 32 * KIB, 16 * KIB, capref1(root2, 511));
    expect(resolveSlot(core(w), capref2(root2, 511, 9), 'dest', 'write')).toMatchObject({ ok: true, value: { cnodeType: 'L2CNode' } });
    expect(resolveSlot(core(w), capref1(root2, 512), 'dest', 'write')).toEqual({ ok: false, error: 'SYS_ERR_L1_CNODE_INDEX', arg: 'dest' });
  });

  describe('each lookup error, in order', () => {
    it('SYS_ERR_CAP_LOOKUP_DEPTH: level 0 or above 2, before anything else', () => {
      const w = new World();
      for (const level of [0, 3, 8]) expect(resolveSlot(core(w), { root: 0, cptr: 0, level }, 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CAP_LOOKUP_DEPTH', arg: 'src' });
    });
    it('SYS_ERR_CNODE_NOT_ROOT: the root names no L1CNode (nothing, or an L2CNode)', () => {
      const w = new World();
      expect(resolveSlot(core(w), capref1(0x1234_5000, 0), 'dest', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_NOT_ROOT', arg: 'dest' });
      expect(resolveSlot(core(w), capref2(w.info.l2cnodes[3]!, 0, 0), 'dest', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_NOT_ROOT', arg: 'dest' });
    });
    it('SYS_ERR_L1_CNODE_INDEX: the L1 index is beyond the root CNode, at level 1 and level 2', () => {
      const w = new World();
      expect(resolveSlot(core(w), w.c1(256), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_L1_CNODE_INDEX', arg: 'src' });
      expect(resolveSlot(core(w), w.c2(256, 0), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_L1_CNODE_INDEX', arg: 'src' });
    });
    it('SYS_ERR_CNODE_NOT_FOUND: level 2 through an empty L1 slot', () => {
      const w = new World();
      expect(resolveSlot(core(w), w.c2(20, 0), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_NOT_FOUND', arg: 'src' });
    });
    it('SYS_ERR_CNODE_TYPE: level 2 through an L1 slot that holds no L2CNode (only a hand-built state has one)', () => {
      const w = new World();
      const s = patchCap(w.state(), slotOf(w, w.c1(3)), { type: 'RAM' });
      expect(resolveSlot(coreOf(s, 0)!, w.c2(3, 0), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_TYPE', arg: 'src' });
    });
    it('SYS_ERR_CNODE_RIGHTS: an L2CNode without WRITE for a destination, without READ for a source', () => {
      const w = new World();
      w.mint(w.c1(3), w.c1(14), ['READ']);
      w.mint(w.c1(3), w.c1(15), ['WRITE']);
      expect(resolveSlot(core(w), w.c2(14, 0), 'dest', 'write')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_RIGHTS', arg: 'dest' });
      expect(resolveSlot(core(w), w.c2(14, 0), 'src', 'read').ok).toBe(true);
      expect(resolveSlot(core(w), w.c2(15, 0), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CNODE_RIGHTS', arg: 'src' });
    });
    it('SYS_ERR_CAP_NOT_FOUND: the slot resolves but is empty (lookupCap only)', () => {
      const w = new World();
      expect(resolveSlot(core(w), w.c2(3, 1), 'src', 'read').ok).toBe(true);
      expect(lookupCap(core(w), w.c2(3, 1), 'src', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CAP_NOT_FOUND', arg: 'src' });
      expect(lookupCap(core(w), w.c1(20), 'target', 'read')).toEqual({ ok: false, error: 'SYS_ERR_CAP_NOT_FOUND', arg: 'target' });
    });
    it('the order: depth, root, index, L1 slot empty, L1 slot type, rights', () => {
      const w = new World();
      w.mint(w.c1(3), w.c1(14), []);
      const c = core(w);
      expect(resolveSlot(c, { root: 0x1234_5000, cptr: 2 ** 31, level: 3 }, 'src', 'read')).toMatchObject({ error: 'SYS_ERR_CAP_LOOKUP_DEPTH' });
      expect(resolveSlot(c, { root: 0x1234_5000, cptr: 2 ** 31, level: 2 }, 'src', 'read')).toMatchObject({ error: 'SYS_ERR_CNODE_NOT_ROOT' });
      expect(resolveSlot(c, { root: w.root, cptr: 2 ** 31, level: 2 }, 'src', 'read')).toMatchObject({ error: 'SYS_ERR_L1_CNODE_INDEX' });
      expect(resolveSlot(c, w.c2(14, 3), 'src', 'read')).toMatchObject({ error: 'SYS_ERR_CNODE_RIGHTS' });
    });
  });
});
