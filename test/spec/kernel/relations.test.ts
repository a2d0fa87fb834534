// The structural relations (copy, descendant), the type table and profiles
// they rest on, rights, and the abstract state's canonical order.
import { describe, expect, it } from 'vitest';
import { archNames, archProfiles, isTypeInArch, vnodeTypesOf } from '../../../spec/kernel/arch.js';
import { kernelErrors, kernelErrorSchema, type KernelError } from '../../../spec/kernel/errors.js';
import { preconditionsByOp } from '../../../spec/kernel/preconditions/index.js';
import { cteDescends, isCopy, memDescends, memRelated } from '../../../spec/kernel/relations.js';
import {
  ALL_RIGHTS,
  canonicalRights,
  hasRights,
  intersectRights,
  mapRightsSchema,
  maskToRights,
  rightsSchema,
  rightsToMask,
} from '../../../spec/kernel/rights.js';
import {
  compareCapsMdbOrder,
  contains,
  canonicalState,
  isMemoryCap,
  kernelStateSchema,
  NO_REMOTE,
  overlaps,
  sameRegion,
  type Capability,
  type Cte,
  type MappingCap,
  type MemoryCap,
} from '../../../spec/kernel/state.js';
import {
  isAncestorType,
  isCNodeType,
  isMappingType,
  isMemoryType,
  isRetypeEdge,
  isVNodeType,
  L2_CNODE_SLOTS,
  mappingTypeFor,
  mappingTypes,
  memoryTypes,
  objTypes,
  OBJSIZE_L2CNODE,
  typeOrder,
  typeTable,
  type MemoryType,
} from '../../../spec/kernel/types.js';
import { capref1 } from '../../../spec/kernel/capref.js';
import { opCore } from '../../../spec/kernel/ops.js';
import { archOf, capAt, cnodeObject, cnodeSlotCount, copiesOf, coreOf, levelOf, mappingOf, slotsOfCNode, vnodeObject } from '../../../spec/kernel/query.js';
import { KIB, lookupErrors, MIB, richWorld, slotOf, World } from './fixtures.js';

const cap = (type: MemoryType, base: number, bytes: number, rights = ALL_RIGHTS): MemoryCap => ({ type, base, bytes, rights, owner: 0, locked: false, remote: NO_REMOTE });
const mapping = (slot: number, o: Partial<MappingCap> = {}): MappingCap => ({
  type: 'Frame_Mapping',
  mapped: { cnode: 0x1000, slot },
  ptable: 0x9000,
  entry: 4,
  pteCount: 1,
  offset: 0,
  rights: ALL_RIGHTS,
  owner: 0,
  locked: false,
  remote: NO_REMOTE,
  ...o,
});

describe('relations: copies', () => {
  it('same type and region are copies, whatever the rights (rights are not part of identity)', () => {
    expect(isCopy(cap('Frame', 0x1000, 4 * KIB), cap('Frame', 0x1000, 4 * KIB, ['READ']))).toBe(true);
    expect(isCopy(cap('Frame', 0x1000, 4 * KIB), cap('Frame', 0x1000, 8 * KIB))).toBe(false);
    expect(isCopy(cap('Frame', 0x1000, 4 * KIB), cap('RAM', 0x1000, 4 * KIB))).toBe(false);
  });
  it('Mapping capabilities are copies when they map the same slot into the same table entry; never of a memory capability', () => {
    expect(isCopy(mapping(1), mapping(1, { pteCount: 3, rights: [] }))).toBe(true);
    expect(isCopy(mapping(1), mapping(2))).toBe(false);
    expect(isCopy(mapping(1), mapping(1, { entry: 5 }))).toBe(false);
    expect(isCopy(mapping(1), mapping(1, { ptable: 0xa000 }))).toBe(false);
    expect(isCopy(mapping(1), { ...cap('Frame', 0x1000, 4 * KIB), type: 'Frame_Mapping' } as unknown as Capability)).toBe(false);
  });
});

describe('relations: descendants', () => {
  it('along the type chain and inside the region: a Frame in RAM, a Frame in PhysAddr (through RAM), an endpoint in its dispatcher', () => {
    expect(memDescends(cap('Frame', 0x1000, 4 * KIB), cap('RAM', 0, 64 * KIB))).toBe(true);
    expect(memDescends(cap('Frame', 0x1000, 4 * KIB), cap('PhysAddr', 0, 64 * KIB))).toBe(true);
    expect(memDescends(cap('EndPointLMP', 0x400, KIB), cap('Dispatcher', 0x400, KIB))).toBe(true);
  });
  it('not outside the region, not against the type chain, not between unrelated branches', () => {
    expect(memDescends(cap('Frame', 64 * KIB, 4 * KIB), cap('RAM', 0, 64 * KIB))).toBe(false);
    expect(memDescends(cap('Frame', 60 * KIB, 8 * KIB), cap('RAM', 0, 64 * KIB))).toBe(false);
    expect(memDescends(cap('RAM', 0, 64 * KIB), cap('Frame', 0, 64 * KIB))).toBe(false);
    expect(memDescends(cap('DevFrame', 0, 4 * KIB), cap('RAM', 0, 64 * KIB))).toBe(false);
  });
  it('the same type descends only with from_self and a strictly smaller region (an equal region is a copy)', () => {
    expect(memDescends(cap('RAM', 0, 4 * KIB), cap('RAM', 0, 8 * KIB))).toBe(true);
    expect(memDescends(cap('RAM', 0, 8 * KIB), cap('RAM', 0, 8 * KIB))).toBe(false);
    expect(memDescends(cap('L2CNode', 0, 16 * KIB), cap('L2CNode', 0, 16 * KIB))).toBe(false);
    expect(memRelated(cap('RAM', 0, 8 * KIB), cap('RAM', 0, 8 * KIB))).toBe(true);
    expect(memRelated(cap('RAM', 0, 8 * KIB), cap('RAM', 0, 4 * KIB))).toBe(true);
    expect(memRelated(cap('DevFrame', 0, 4 * KIB), cap('Frame', 0, 4 * KIB))).toBe(false);
  });
  it('a Mapping capability descends from the one slot it maps and from that capability\'s ancestors, not from other copies', () => {
    const frame = cap('Frame', 0x2000, 4 * KIB);
    const slots: Cte[] = [
      { cnode: 0x1000, slot: 1, cap: frame },
      { cnode: 0x1000, slot: 2, cap: { ...frame } },
      { cnode: 0x1000, slot: 3, cap: cap('RAM', 0, 64 * KIB) },
    ];
    const at = (cnode: number, slot: number) => slots.find((e) => e.cnode === cnode && e.slot === slot)?.cap;
    const m: Cte = { cnode: 0x1000, slot: 9, cap: mapping(1) };
    expect(cteDescends(m, slots[0]!, at)).toBe(true);
    expect(cteDescends(m, slots[1]!, at)).toBe(false);
    expect(cteDescends(m, slots[2]!, at)).toBe(true);
    // Nothing descends from a Mapping; a Mapping of an empty slot descends from nothing else.
    expect(cteDescends(slots[0]!, m, at)).toBe(false);
    expect(cteDescends({ ...m, cap: mapping(7) }, slots[2]!, at)).toBe(false);
    // Memory capabilities: by region and type.
    expect(cteDescends(slots[0]!, slots[2]!, at)).toBe(true);
  });
});

describe('the type table', () => {
  it('has the retype edges of DESIGN.md "Types"', () => {
    const edges = memoryTypes.flatMap((s) => memoryTypes.filter((d) => isRetypeEdge(s, d)).map((d) => `${s}->${d}`));
    expect(edges.sort()).toEqual(
      [
        'PhysAddr->PhysAddr',
        'PhysAddr->RAM',
        'PhysAddr->DevFrame',
        'RAM->RAM',
        'RAM->Frame',
        'RAM->L1CNode',
        'RAM->L2CNode',
        'RAM->Dispatcher',
        'RAM->VNode_ARM_l1',
        'RAM->VNode_ARM_l2',
        'RAM->VNode_AARCH64_l0',
        'RAM->VNode_AARCH64_l1',
        'RAM->VNode_AARCH64_l2',
        'RAM->VNode_AARCH64_l3',
        'Frame->Frame',
        'DevFrame->DevFrame',
        'Dispatcher->EndPointLMP',
      ].sort(),
    );
  });
  it('declares every ancestor type before its descendants, and each Mapping type right after the type it maps (A.4.7)', () => {
    for (const a of memoryTypes) for (const b of memoryTypes) if (isAncestorType(a, b)) expect(typeOrder[a], `${a} before ${b}`).toBeLessThan(typeOrder[b]);
    for (const t of memoryTypes) {
      const m = mappingTypeFor(t);
      if (m !== undefined) expect(typeOrder[m]).toBe(typeOrder[t] + 1);
    }
    expect(objTypes.length).toBe(memoryTypes.length + mappingTypes.length);
  });
  it('only mappable types have a Mapping type; RAM-backed types are exactly the RAM descendants that own memory', () => {
    for (const t of memoryTypes) expect(mappingTypeFor(t) !== undefined, t).toBe(typeTable[t].mappable);
    expect(memoryTypes.filter((t) => typeTable[t].ramBacked)).toEqual(memoryTypes.filter((t) => (t === 'RAM' || isAncestorType('RAM', t)) && t !== 'EndPointLMP'));
  });
  it('sizes: an L2CNode is 256 slots of 64 bytes; fixed sizes are multiples of the alignment', () => {
    expect(OBJSIZE_L2CNODE).toBe(L2_CNODE_SLOTS * 64);
    for (const t of memoryTypes) {
      const i = typeTable[t];
      expect(i.fixedSize !== undefined || i.sizeGranule !== undefined, t).toBe(true);
      if (i.fixedSize !== undefined) expect(i.fixedSize % i.align, t).toBe(0);
    }
  });
  it('classifies types', () => {
    expect(isMappingType('Frame_Mapping')).toBe(true);
    expect(isMappingType('Frame')).toBe(false);
    expect(isVNodeType('VNode_ARM_l1')).toBe(true);
    expect(isVNodeType('VNode_ARM_l1_Mapping')).toBe(false);
    expect(isCNodeType('L1CNode') && isCNodeType('L2CNode') && !isCNodeType('RAM')).toBe(true);
    expect(isMemoryCap(cap('RAM', 0, 4096)) && !isMemoryCap(mapping(1))).toBe(true);
  });
});

describe('architecture profiles', () => {
  it('AArch64: four levels of 512 entries, 4 KiB pages, 2 MiB and 1 GiB blocks; ARMv7: 4096-entry L1 with 1 MiB sections, 256-entry L2', () => {
    const a = archProfiles.aarch64;
    expect(vnodeTypesOf(a)).toEqual(['VNode_AARCH64_l0', 'VNode_AARCH64_l1', 'VNode_AARCH64_l2', 'VNode_AARCH64_l3']);
    expect(vnodeTypesOf(a).map((t) => a.levels[t]!.entries)).toEqual([512, 512, 512, 512]);
    expect(vnodeTypesOf(a).map((t) => a.levels[t]!.pageSize)).toEqual([undefined, 1024 * MIB, 2 * MIB, 4 * KIB]);
    const v7 = archProfiles.armv7;
    expect(v7.levels.VNode_ARM_l1).toEqual({ entries: 4096, childTable: 'VNode_ARM_l2', pageSize: MIB });
    expect(v7.levels.VNode_ARM_l2).toEqual({ entries: 256, pageSize: 4 * KIB });
    expect(typeTable.VNode_ARM_l1.fixedSize).toBe(16 * KIB);
    expect(typeTable.VNode_ARM_l2.fixedSize).toBe(KIB);
  });
  it('each profile names its root table, and only its own VNode types exist in it', () => {
    for (const n of archNames) {
      const p = archProfiles[n];
      expect(p.name).toBe(n);
      expect(isTypeInArch(p, p.rootVNode)).toBe(true);
      expect(isTypeInArch(p, 'Frame')).toBe(true);
    }
    expect(isTypeInArch(archProfiles.aarch64, 'VNode_ARM_l2')).toBe(false);
    expect(isTypeInArch(archProfiles.armv7, 'VNode_AARCH64_l3')).toBe(false);
  });
});

describe('rights', () => {
  it('masks and lists convert both ways in the canonical order', () => {
    expect(rightsToMask(['READ', 'WRITE'])).toBe(3);
    expect(maskToRights(31)).toEqual(ALL_RIGHTS);
    expect(canonicalRights(['GRANT', 'READ', 'GRANT'])).toEqual(['READ', 'GRANT']);
  });
  it('hasRights is inclusion; intersectRights only removes (mint can never amplify)', () => {
    expect(hasRights(['READ', 'WRITE'], ['WRITE'])).toBe(true);
    expect(hasRights(['READ'], ['READ', 'WRITE'])).toBe(false);
    expect(hasRights([], [])).toBe(true);
    expect(intersectRights(['READ', 'WRITE'], ['WRITE', 'EXECUTE'])).toEqual(['WRITE']);
    expect(intersectRights(['READ'], ALL_RIGHTS)).toEqual(['READ']);
  });
  it('schemas: rights are a set of the five names; page-table rights only READ, WRITE, EXECUTE', () => {
    expect(rightsSchema.safeParse(['READ', 'IDENTIFY']).success).toBe(true);
    expect(rightsSchema.safeParse(['READ', 'READ']).success).toBe(false);
    expect(rightsSchema.safeParse(['ADMIN']).success).toBe(false);
    expect(mapRightsSchema.safeParse(['READ', 'EXECUTE']).success).toBe(true);
    expect(mapRightsSchema.safeParse(['GRANT']).success).toBe(false);
    expect(mapRightsSchema.safeParse(['WRITE', 'WRITE']).success).toBe(false);
  });
});

describe('the abstract state', () => {
  it("Barrelfish's MDB order: address ascending, size descending, then type (ancestors first)", () => {
    const caps = [cap('Frame', 0x1000, 4 * KIB), cap('RAM', 0, 4 * KIB), cap('RAM', 0x1000, 4 * KIB), cap('RAM', 0x1000, 8 * KIB)];
    expect([...caps].sort(compareCapsMdbOrder).map((c) => `${c.type}@${c.base}+${c.bytes}`)).toEqual(['RAM@0+4096', 'RAM@4096+8192', 'RAM@4096+4096', 'Frame@4096+4096']);
  });
  it('region predicates', () => {
    expect(overlaps({ base: 0, bytes: 10 }, { base: 9, bytes: 1 })).toBe(true);
    expect(overlaps({ base: 0, bytes: 10 }, { base: 10, bytes: 1 })).toBe(false);
    expect(contains({ base: 0, bytes: 10 }, { base: 5, bytes: 5 })).toBe(true);
    expect(contains({ base: 0, bytes: 10 }, { base: 5, bytes: 6 })).toBe(false);
    expect(sameRegion({ base: 1, bytes: 2 }, { base: 1, bytes: 2 })).toBe(true);
  });
  it('an observation of a reachable state is valid under the state schema (the trace format can carry it)', () => {
    const s = richWorld().state();
    const r = kernelStateSchema.safeParse(s);
    expect(r.success).toBe(true);
    expect(r.success && r.data).toEqual(s);
  });
});

describe('error codes', () => {
  it('every error code can be returned: by a precondition, a lookup, a missing core or a page-table type check', () => {
    const produced = new Set<string>([...lookupErrors, 'SYS_ERR_CORE_NOT_FOUND']);
    for (const ps of Object.values(preconditionsByOp)) for (const p of ps) if (p.error !== 'lookup') produced.add(p.error);
    expect(Object.keys(kernelErrors).filter((e) => !produced.has(e))).toEqual([]);
    expect([...produced].filter((e) => !(e in kernelErrors))).toEqual([]);
  });
  it('every code has a text and the schema accepts exactly the codes', () => {
    for (const [code, text] of Object.entries(kernelErrors)) expect(text.length, code).toBeGreaterThan(10);
    expect(kernelErrorSchema.safeParse('SYS_ERR_REVOKE_FIRST' satisfies KernelError).success).toBe(true);
    expect(kernelErrorSchema.safeParse('SYS_ERR_NOPE').success).toBe(false);
  });
});

describe('queries over one core (full scans)', () => {
  it('find CNode and VNode objects, copies, the mapping of a slot, a CNode\'s slots and slot count', () => {
    const w = richWorld();
    const s = w.state();
    const core = coreOf(s, 0)!;
    expect(archOf(s)).toBe(archProfiles.aarch64);
    const l3 = w.memAt(w.l3);
    expect(vnodeObject(core, l3.base)).toMatchObject({ type: 'VNode_AARCH64_l3' });
    expect(vnodeObject(core, w.memAt(w.frame).base)).toBeUndefined();
    expect(cnodeObject(core, w.root)).toMatchObject({ type: 'L1CNode' });
    expect(cnodeObject(core, w.root, 'L2CNode')).toBeUndefined();
    expect(cnodeSlotCount(w.memAt(w.c1(7)))).toBe(256);
    expect(cnodeSlotCount({ ...w.memAt(w.c2(0, 2)), bytes: 32 * KIB })).toBe(512);
    expect(copiesOf(core, w.capAt(w.frame)!).length).toBe(4); // the frame, its copy, the minted copy, the copy in the new CNode
    const frameSlot = slotOf(w, w.frame);
    expect(mappingOf(core, frameSlot)).toMatchObject({ cap: { type: 'Frame_Mapping', entry: 5, pteCount: 2 } });
    expect(capAt(core, frameSlot)).toEqual(w.capAt(w.frame));
    expect(slotsOfCNode(core, w.root).map((e) => e.slot)).toEqual([0, 1, 3, 5, 7, 8, 9, 14]);
    expect(levelOf(archProfiles.aarch64, 'VNode_AARCH64_l3')).toEqual({ entries: 512, pageSize: 4 * KIB });
    expect(levelOf(archProfiles.aarch64, 'VNode_ARM_l1')).toBeUndefined();
  });
  it('opCore defaults to core 0', () => {
    expect(opCore({ op: 'identify', target: capref1(0, 0) })).toBe(0);
    expect(opCore({ op: 'identify', core: 3, target: capref1(0, 0) })).toBe(3);
  });
  it('canonicalState sorts cores, slots, entries and the memory map', () => {
    const w = new World();
    const s = w.state();
    const shuffled = {
      ...s,
      memory: [...s.memory].reverse(),
      cores: [{ core: 1, ctes: [], ptes: [] }, { ...s.cores[0]!, ctes: [...s.cores[0]!.ctes].reverse() }],
    };
    const c = canonicalState(shuffled);
    expect(c.cores.map((x) => x.core)).toEqual([0, 1]);
    expect(c.cores[0]!.ctes).toEqual(s.cores[0]!.ctes);
    expect(c.memory).toEqual(s.memory);
    expect(isMemoryType('RAM') && !isMemoryType('Frame_Mapping')).toBe(true);
  });
});
