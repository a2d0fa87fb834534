// The capability types and the data-driven type table: which type may be
// retyped into which, object sizes and alignment, which types are mappable.
//
// Source: Barrelfish capabilities/caps.hl (the `from`/`from_self` clauses and
// sizes), kernel/capabilities.c (caps_retype, caps_max_numobjs), DESIGN.md "Types".
// The declaration order below is Barrelfish's enum order restricted to the types
// capref models; it matters: for two capabilities with the same region, the
// ancestor's type comes first (cap-invariants.md A.4.7), which the mapping
// database's sort order relies on.

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;

/** Base page size: retype offsets and Frame sizes are multiples of it. */
export const BASE_PAGE_SIZE = 4 * KIB;
/** One capability table entry (cte) is 64 bytes; an L2CNode has 256 of them. */
export const CTE_SIZE = 64;
export const L2_CNODE_SLOTS = 256;
export const OBJSIZE_L2CNODE = L2_CNODE_SLOTS * CTE_SIZE; // 16 KiB
export const OBJSIZE_DISPATCHER = 1 * KIB;

export const memoryTypes = [
  'PhysAddr',
  'RAM',
  'L1CNode',
  'L2CNode',
  'Dispatcher',
  'EndPointLMP',
  'Frame',
  'DevFrame',
  'VNode_ARM_l1',
  'VNode_ARM_l2',
  'VNode_AARCH64_l0',
  'VNode_AARCH64_l1',
  'VNode_AARCH64_l2',
  'VNode_AARCH64_l3',
] as const;

export const mappingTypes = [
  'Frame_Mapping',
  'DevFrame_Mapping',
  'VNode_ARM_l1_Mapping',
  'VNode_ARM_l2_Mapping',
  'VNode_AARCH64_l0_Mapping',
  'VNode_AARCH64_l1_Mapping',
  'VNode_AARCH64_l2_Mapping',
  'VNode_AARCH64_l3_Mapping',
] as const;

export type MemoryType = (typeof memoryTypes)[number];
export type MappingType = (typeof mappingTypes)[number];
export type ObjType = MemoryType | MappingType;

/** Every type in Barrelfish's declaration order (mapping types right after the type they map). */
export const objTypes: readonly ObjType[] = [
  'PhysAddr',
  'RAM',
  'L1CNode',
  'L2CNode',
  'Dispatcher',
  'EndPointLMP',
  'Frame',
  'Frame_Mapping',
  'DevFrame',
  'DevFrame_Mapping',
  'VNode_ARM_l1',
  'VNode_ARM_l1_Mapping',
  'VNode_ARM_l2',
  'VNode_ARM_l2_Mapping',
  'VNode_AARCH64_l0',
  'VNode_AARCH64_l0_Mapping',
  'VNode_AARCH64_l1',
  'VNode_AARCH64_l1_Mapping',
  'VNode_AARCH64_l2',
  'VNode_AARCH64_l2_Mapping',
  'VNode_AARCH64_l3',
  'VNode_AARCH64_l3_Mapping',
];

/** Position of a type in the declaration order (used by canonical sorting). */
export const typeOrder: Readonly<Record<ObjType, number>> = Object.fromEntries(objTypes.map((t, i) => [t, i])) as Record<ObjType, number>;

export type VNodeType = Extract<MemoryType, `VNode_${string}`>;
export type CNodeType = 'L1CNode' | 'L2CNode';

export const isMappingType = (t: ObjType): t is MappingType => (mappingTypes as readonly string[]).includes(t);
export const isMemoryType = (t: ObjType): t is MemoryType => !isMappingType(t);
export const isVNodeType = (t: ObjType): t is VNodeType => t.startsWith('VNode_') && !t.endsWith('_Mapping');
export const isCNodeType = (t: ObjType): t is CNodeType => t === 'L1CNode' || t === 'L2CNode';

/**
 * One row of the type table. `from` is the immediate parent type (caps.hl `from`),
 * `fromSelf` allows a smaller object of the same type to descend from a larger one.
 */
export interface TypeInfo {
  readonly from: MemoryType | undefined;
  readonly fromSelf: boolean;
  /** Fixed object size in bytes, when the type has one. */
  readonly fixedSize?: number;
  /** Objects of a variable-size type must be a multiple of this (and at least this). */
  readonly sizeGranule?: number;
  /** Alignment of the object's base address. */
  readonly align: number;
  /**
   * RAM-backed: the object's memory is handed back to the memory server when its
   * last copy goes and nothing related to it remains (cleanup_last in
   * kernel/cap_delete.c). PhysAddr and DevFrame are never reclaimed.
   */
  readonly ramBacked: boolean;
  /** Mappable types may be installed in a page table by vnode_map. */
  readonly mappable: boolean;
}

// Sizes of the page tables per profile (DESIGN.md "Types"): AArch64 tables are
// 4 KiB with 512 entries; ARMv7's L1 is 16 KiB with 4096 entries, its L2 1 KiB
// with 256 entries.
export const typeTable: Readonly<Record<MemoryType, TypeInfo>> = {
  PhysAddr: { from: undefined, fromSelf: true, sizeGranule: BASE_PAGE_SIZE, align: BASE_PAGE_SIZE, ramBacked: false, mappable: false },
  RAM: { from: 'PhysAddr', fromSelf: true, sizeGranule: BASE_PAGE_SIZE, align: BASE_PAGE_SIZE, ramBacked: true, mappable: false },
  L1CNode: { from: 'RAM', fromSelf: false, sizeGranule: OBJSIZE_L2CNODE, align: BASE_PAGE_SIZE, ramBacked: true, mappable: false },
  L2CNode: { from: 'RAM', fromSelf: false, fixedSize: OBJSIZE_L2CNODE, align: BASE_PAGE_SIZE, ramBacked: true, mappable: false },
  Dispatcher: { from: 'RAM', fromSelf: false, fixedSize: OBJSIZE_DISPATCHER, align: OBJSIZE_DISPATCHER, ramBacked: true, mappable: false },
  // An LMP endpoint names its dispatcher: capref gives it the dispatcher's region
  // (see decisions.ts, DEC-ENDPOINT-REGION), so it owns no memory of its own.
  EndPointLMP: { from: 'Dispatcher', fromSelf: false, fixedSize: OBJSIZE_DISPATCHER, align: OBJSIZE_DISPATCHER, ramBacked: false, mappable: false },
  Frame: { from: 'RAM', fromSelf: true, sizeGranule: BASE_PAGE_SIZE, align: BASE_PAGE_SIZE, ramBacked: true, mappable: true },
  DevFrame: { from: 'PhysAddr', fromSelf: true, sizeGranule: BASE_PAGE_SIZE, align: BASE_PAGE_SIZE, ramBacked: false, mappable: true },
  VNode_ARM_l1: { from: 'RAM', fromSelf: false, fixedSize: 16 * KIB, align: 16 * KIB, ramBacked: true, mappable: true },
  VNode_ARM_l2: { from: 'RAM', fromSelf: false, fixedSize: 1 * KIB, align: 1 * KIB, ramBacked: true, mappable: true },
  VNode_AARCH64_l0: { from: 'RAM', fromSelf: false, fixedSize: 4 * KIB, align: 4 * KIB, ramBacked: true, mappable: true },
  VNode_AARCH64_l1: { from: 'RAM', fromSelf: false, fixedSize: 4 * KIB, align: 4 * KIB, ramBacked: true, mappable: true },
  VNode_AARCH64_l2: { from: 'RAM', fromSelf: false, fixedSize: 4 * KIB, align: 4 * KIB, ramBacked: true, mappable: true },
  VNode_AARCH64_l3: { from: 'RAM', fromSelf: false, fixedSize: 4 * KIB, align: 4 * KIB, ramBacked: true, mappable: true },
};

/** The Mapping type `vnode_map` creates for a mapped capability of type `t`. */
export function mappingTypeFor(t: MemoryType): MappingType | undefined {
  const m = `${t}_Mapping`;
  return (mappingTypes as readonly string[]).includes(m) ? (m as MappingType) : undefined;
}

/** True when `ancestor` is a strict ancestor type of `t` along the `from` chain. */
export function isAncestorType(ancestor: MemoryType, t: MemoryType): boolean {
  for (let p = typeTable[t].from; p !== undefined; p = typeTable[p].from) if (p === ancestor) return true;
  return false;
}

/**
 * The retype edges (DESIGN.md "Types"): `dest` may be created from `src` when
 * `src` is dest's immediate `from` type, or they are equal and the type has
 * `from_self`. Mapping types are never created by retype.
 */
export function isRetypeEdge(src: MemoryType, dest: MemoryType): boolean {
  if (src === dest) return typeTable[dest].fromSelf;
  return typeTable[dest].from === src;
}
