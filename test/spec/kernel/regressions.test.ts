// Bugs found in the spec and the model, one test each, so that they stay fixed.
import { describe, expect, it } from 'vitest';
import { preconditionsByOp } from '../../../spec/kernel/preconditions/index.js';
import { isAlignedSum } from '../../../spec/kernel/state.js';
import { expectRefusal, expectSpecRefusal, MIB, pagedWorld, patchCap, slotOf, World } from './fixtures.js';

describe('regressions', () => {
  describe('alignment of base + offset beyond 2^53', () => {
    it('isAlignedSum does not trust a rounded sum: 0x80021000 + (2^53 - 1) is not 4 KiB-aligned', () => {
      // The float sum rounds to 2^53 + 0x80021000, a multiple of 4096.
      expect((0x80021000 + Number.MAX_SAFE_INTEGER) % 4096).toBe(0);
      expect(isAlignedSum(0x80021000, Number.MAX_SAFE_INTEGER, 4096)).toBe(false);
      expect(isAlignedSum(0x80021000, 2 ** 52, 4096)).toBe(true);
    });

    it('retype.offset-aligned: a huge misaligned offset is refused as an offset error before the size check', () => {
      const w = new World();
      expectRefusal(
        w,
        { op: 'retype', src: w.ram, offset: Number.MAX_SAFE_INTEGER, type: 'Frame', objsize: 3, count: 1, dest: w.slot(0) },
        'retype.offset-aligned',
        'SYS_ERR_RETYPE_INVALID_OFFSET',
        'src',
      );
    });

    it('map.frame-align: a huge misaligned offset into a 2 MiB block is SYS_ERR_VM_FRAME_UNALIGNED, not a range error', () => {
      const w = pagedWorld();
      const big = w.memAt(w.big);
      // base + (2^53 - 1) rounds to a multiple of 2 MiB in floating point.
      expect((big.base + Number.MAX_SAFE_INTEGER) % (2 * MIB)).toBe(0);
      expectRefusal(
        w,
        { op: 'vnode_map', vnode: w.l2, src: w.big, entry: 1, offset: Number.MAX_SAFE_INTEGER, pteCount: 1, rights: ['READ'], mapping: w.slot(20) },
        'map.frame-align',
        'SYS_ERR_VM_FRAME_UNALIGNED',
        'src',
      );
    });
  });

  describe('a page-table capref that names something else', () => {
    it('map.vnode-type: SYS_ERR_VNODE_TYPE has its own precondition, so the registry declares the error the check returns', () => {
      const ids = preconditionsByOp.vnode_map.map((p) => p.id);
      expect(ids.slice(0, 3)).toEqual(['map.vnode', 'map.vnode-type', 'map.vnode-rights']);
      expect(preconditionsByOp.vnode_map.find((p) => p.id === 'map.vnode-type')!.error).toBe('SYS_ERR_VNODE_TYPE');
      const w = new World();
      expectRefusal(
        w,
        { op: 'vnode_map', vnode: w.ram, src: w.ram, entry: 0, offset: 0, pteCount: 1, rights: [], mapping: w.slot(0) },
        'map.vnode-type',
        'SYS_ERR_VNODE_TYPE',
        'vnode',
      );
    });

    it('map.vnode-type: a page table of another architecture profile is refused instead of crashing the spec', () => {
      const w = new World();
      // Only a hand-built state has one (RT-TYPE-IN-ARCH): an ARMv7 table on AArch64.
      const s = patchCap(w.state(), slotOf(w, w.vroot), { type: 'VNode_ARM_l2', bytes: 1024 });
      expectSpecRefusal(
        s,
        { op: 'vnode_map', vnode: w.vroot, src: w.ram, entry: 0, offset: 0, pteCount: 1, rights: [], mapping: w.slot(0) },
        'map.vnode-type',
        'SYS_ERR_VNODE_TYPE',
        'vnode',
      );
    });
  });

  describe('vnode_unmap checks in Barrelfish order', () => {
    it('unmap.mapping before unmap.vnode-rights: an empty mapping slot through a read-only table is a lookup error (handle_unmap looks up first)', () => {
      const w = pagedWorld();
      w.mint(w.l3, w.slot(30), ['READ']);
      expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.slot(31) }, 'unmap.mapping', 'SYS_ERR_CAP_NOT_FOUND', 'mapping');
    });

    it('unmap.mapping-type before unmap.vnode-rights: page_mappings_unmap asserts the Mapping type before it checks WRITE', () => {
      const w = pagedWorld();
      w.mint(w.l3, w.slot(30), ['READ']);
      expectRefusal(w, { op: 'vnode_unmap', vnode: w.slot(30), mapping: w.frame }, 'unmap.mapping-type', 'SYS_ERR_WRONG_MAPPING', 'mapping');
    });

    it('map keeps sys_map order: the table WRITE right is checked before the source is looked up', () => {
      const w = pagedWorld();
      w.mint(w.l3, w.slot(30), ['READ']);
      expectRefusal(
        w,
        { op: 'vnode_map', vnode: w.slot(30), src: w.slot(31), entry: 0, offset: 0, pteCount: 1, rights: [], mapping: w.slot(32) },
        'map.vnode-rights',
        'SYS_ERR_DEST_CAP_RIGHTS',
        'vnode',
      );
    });
  });

  describe('one precondition, one error', () => {
    it('map.page-offset: a misaligned 4 KiB page offset has its own precondition, declared SYS_ERR_FRAME_OFFSET_INVALID', () => {
      const byId = new Map(preconditionsByOp.vnode_map.map((p) => [p.id, p.error] as const));
      expect(byId.get('map.frame-align')).toBe('SYS_ERR_VM_FRAME_UNALIGNED');
      expect(byId.get('map.page-offset')).toBe('SYS_ERR_FRAME_OFFSET_INVALID');
      const w = pagedWorld();
      expectRefusal(
        w,
        { op: 'vnode_map', vnode: w.l3, src: w.frame, entry: 5, offset: 100, pteCount: 1, rights: ['READ'], mapping: w.slot(20) },
        'map.page-offset',
        'SYS_ERR_FRAME_OFFSET_INVALID',
        'src',
      );
    });
  });
});
