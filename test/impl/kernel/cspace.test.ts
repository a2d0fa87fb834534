// Capref decoding: the implementation's O(1) resolution gives the errors of
// spec/kernel/lookup.ts in the same order, and the same slots.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CNodeObject, CSpace, NEED_READ, NEED_WRITE, slotCountOf } from '../../../impl/kernel/cspace.js';
import { NodeStore, packMeta } from '../../../impl/kernel/node-store.js';
import { codeOf, L1CNODE, L2CNODE } from '../../../impl/kernel/type-codes.js';
import { ImplKernel } from '../../../impl/kernel/index.js';
import { capref1, capref2, l1IndexOf, level2Cptr, l2SlotOf, type Capref } from '../../../spec/kernel/capref.js';
import { lookupCap } from '../../../spec/kernel/lookup.js';
import { rightsToMask } from '../../../spec/kernel/rights.js';
import { config, KIB, mint, ram, ramBase, retype, R, slot } from './fixtures.js';

/** A hand-built CSpace: root L1CNode at 0x10000 (1024 slots), an L2CNode at 0x40000 in slot 3, a READ-only one in slot 5, a Frame (illegally) in slot 4. */
function handBuilt() {
  const s = new NodeStore();
  const cs = new CSpace(s);
  const node = (type: number, base: number, bytes: number, rights: number, home: CNodeObject, slotIndex: number) => {
    const n = s.alloc();
    s.type[n] = type;
    s.base[n] = base;
    s.bytes[n] = bytes;
    s.meta[n] = packMeta(rights, 0, 0);
    if (type === L1CNODE || type === L2CNODE) s.object[n] = cs.acquire(base, type, bytes);
    s.slot[n] = slotIndex;
    s.home[n] = home;
    home.set(slotIndex, n);
    return n;
  };
  const root = cs.acquire(0x10000, L1CNODE, 64 * KIB);
  const rw = rightsToMask(['READ', 'WRITE']);
  node(L2CNODE, 0x40000, 16 * KIB, rw, root, 3);
  node(codeOf('Frame'), 0x80000, 4 * KIB, rw, root, 4);
  node(L2CNODE, 0x44000, 16 * KIB, rightsToMask(['READ']), root, 5);
  const l2 = cs.cnodes.get(0x40000)!;
  const frame = node(codeOf('Frame'), 0x81000, 4 * KIB, rw, l2, 7);
  return { s, cs, root, l2, frame };
}

describe('capref decoding (CSpace.resolve / lookupCap)', () => {
  const { cs, l2, frame } = handBuilt();
  const code = (ref: Capref, need = NEED_READ) => cs.lookupCap(ref, 'src', need)?.error ?? 'ok';

  it('level 1 indexes the root L1CNode; level 2 splits the cptr into L1 index (upper 24 bits) and L2 slot (low 8 bits)', () => {
    expect(cs.resolve(capref1(0x10000, 4), 'src', NEED_READ)).toBeUndefined();
    expect([cs.cnode.base, cs.slot]).toEqual([0x10000, 4]);
    expect(cs.lookupCap(capref2(0x10000, 3, 7), 'src', NEED_WRITE)).toBeUndefined();
    expect([cs.cnode, cs.slot, cs.node]).toEqual([l2, 7, frame]);
    expect([l1IndexOf(level2Cptr(3, 7)), l2SlotOf(level2Cptr(3, 7))]).toEqual([3, 7]);
  });

  it('errors come in caps_lookup_slot order, each naming the argument', () => {
    expect(code({ root: 0x10000, cptr: 4, level: 0 })).toBe('SYS_ERR_CAP_LOOKUP_DEPTH');
    expect(code({ root: 0x10000, cptr: 4, level: 3 })).toBe('SYS_ERR_CAP_LOOKUP_DEPTH');
    expect(code(capref1(0x12345000, 0))).toBe('SYS_ERR_CNODE_NOT_ROOT');
    expect(code(capref1(0x40000, 0))).toBe('SYS_ERR_CNODE_NOT_ROOT'); // an L2CNode is no root
    expect(code(capref1(0x10000, 1024))).toBe('SYS_ERR_L1_CNODE_INDEX');
    expect(code(capref2(0x10000, 1024, 0))).toBe('SYS_ERR_L1_CNODE_INDEX');
    expect(code(capref2(0x10000, 9, 0))).toBe('SYS_ERR_CNODE_NOT_FOUND');
    expect(code(capref2(0x10000, 4, 0))).toBe('SYS_ERR_CNODE_TYPE');
    expect(code(capref2(0x10000, 5, 0), NEED_WRITE)).toBe('SYS_ERR_CNODE_RIGHTS');
    expect(code(capref2(0x10000, 5, 0), NEED_READ)).toBe('SYS_ERR_CAP_NOT_FOUND');
    expect(code(capref1(0x10000, 9))).toBe('SYS_ERR_CAP_NOT_FOUND');
    expect(cs.lookupCap(capref1(0x10000, 9), 'dest', NEED_READ)).toEqual({ ok: false, error: 'SYS_ERR_CAP_NOT_FOUND', arg: 'dest' });
  });

  it('a root whose last capability is gone is no root, and its object goes once its slots are empty', () => {
    const { cs: cs2, root } = handBuilt();
    root.refs = 0;
    expect(cs2.live(0x10000)).toBeUndefined();
    expect(cs2.lookupCap(capref1(0x10000, 3), 'src', NEED_READ)?.error).toBe('SYS_ERR_CNODE_NOT_ROOT');
    cs2.releaseIfDead(root);
    expect(cs2.cnodes.has(0x10000)).toBe(true); // still holds capabilities
    for (const s of [3, 4, 5]) root.clear(s, root.get(s));
    cs2.releaseIfDead(root);
    expect(cs2.cnodes.has(0x10000)).toBe(false);
  });

  it('large L1CNodes keep sparse slots with the same behaviour', () => {
    const big = new CNodeObject(0, L1CNODE, slotCountOf(L1CNODE, 1024 * KIB));
    expect(big.slotCount).toBe(16384);
    big.set(9000, 5);
    big.set(9000, 6);
    big.set(12, 7);
    expect([big.get(9000), big.get(12), big.get(13), big.get(99999), big.occupied]).toEqual([6, 7, 0, 0, 2]);
    expect(new CNodeObject(0, L2CNODE, 256).get(-1)).toBe(0);
    expect(big.nodes().sort()).toEqual([6, 7]);
    big.clear(9000, 5); // not the occupant: no change
    big.clear(9000, 6);
    expect([big.get(9000), big.occupied]).toEqual([0, 1]);
  });

  it('agrees with spec/kernel/lookup.ts on arbitrary caprefs, for READ and for READ+WRITE lookups', () => {
    // A state with two CSpaces, a large (sparse) L1CNode, and an L2CNode reachable only with READ.
    const k = new ImplKernel(config, { debug: true });
    const setup = [
      retype(ram, 'L1CNode', 256 * KIB, slot(0)), // 4096 slots at ramBase: a second root
      retype(ram, 'L1CNode', 512 * KIB, slot(1), 512 * KIB), // 8192 slots: sparse
      retype(ram, 'L2CNode', 16 * KIB, capref1(ramBase, 4095), 1024 * KIB),
      retype(ram, 'L2CNode', 16 * KIB, capref1(ramBase + 512 * KIB, 8000), 1040 * KIB),
      retype(ram, 'Frame', 4 * KIB, capref2(ramBase, 4095, 255), 1056 * KIB),
      retype(ram, 'Frame', 4 * KIB, capref2(ramBase + 512 * KIB, 8000, 3), 1060 * KIB),
      mint(capref1(ramBase, 4095), capref1(ramBase, 7), ['READ']),
    ];
    for (const op of setup) expect(k.apply(op).ok).toBe(true);
    const state = k.observe();
    const core = state.cores[0]!;
    const roots = [R, ramBase, ramBase + 512 * KIB, ramBase + 1024 * KIB, 0x1234000];
    const refArb = fc.record({
      root: fc.constantFrom(...roots),
      cptr: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(4095, 8000, 8191, 8192), fc.tuple(fc.constantFrom(0, 3, 7, 4095, 8000, 8192), fc.nat(255)).map(([a, b]) => level2Cptr(a, b))),
      level: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(refArb, (ref) => {
        const want = lookupCap(core, ref, 'target', 'read');
        const got = k.apply({ op: 'identify', target: ref });
        expect(got.ok ? { ok: true, cap: (got.value as { cap: unknown }).cap } : got).toEqual(want.ok ? { ok: true, cap: want.value.cap } : want);
        const wantW = lookupCap(core, ref, 'target', 'write');
        const gotW = k.apply({ op: 'remote_relations', target: ref, set: {} });
        expect(gotW.ok).toBe(wantW.ok);
        if (!gotW.ok && !wantW.ok) expect(gotW).toEqual(wantW);
      }),
      { numRuns: 400 },
    );
  });
});
