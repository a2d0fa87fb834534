// retype(src, offset, type, objsize, count, dest): create `count` objects of
// `objsize` bytes at `offset` in the source, into consecutive destination slots.
// Order: Barrelfish's caps_retype (DESIGN.md: type, offset alignment, size,
// mapping type, type edge, count, range, overlapping descendants, destination
// slots), with the lookups first and capref's busy/distributed gates placed
// where Barrelfish's is_retypeable runs.
import { err } from '../../result.js';
import { isTypeInArch } from '../arch.js';
import { type ResolvedSlot } from '../lookup.js';
import { MAX_L1_SLOTS } from '../limits.js';
import type { RetypeOp } from '../ops.js';
import { cnodeObject, cnodeSlotCount, cteAt } from '../query.js';
import { isCopy, memDescends } from '../relations.js';
import { isAlignedSum, isMappingCap, overlaps, type CoreState, type Cte, type MemoryCap, type Region } from '../state.js';
import { BASE_PAGE_SIZE, CTE_SIZE, isMappingType, isRetypeEdge, typeTable, type MemoryType } from '../types.js';
import { type Precondition, type PreconditionContext } from './framework.js';
import { capabilityLookup, slotLookup } from './lookups.js';

export interface RetypeContext extends PreconditionContext<RetypeOp> {
  src?: Cte;
  dest?: ResolvedSlot;
}

const srcCap = (c: RetypeContext): MemoryCap | undefined => (c.src && !isMappingCap(c.src.cap) ? c.src.cap : undefined);
const destType = (c: RetypeContext): MemoryType | undefined => (isMappingType(c.op.type) ? undefined : (c.op.type as MemoryType));

/** Alignment of the new objects' base: the type's own alignment (DEC-NATURAL-ALIGN). */
export function retypeAlignment(type: RetypeOp['type']): number {
  return isMappingType(type) ? BASE_PAGE_SIZE : typeTable[type].align;
}

/** How many objects of `objsize` fit in the source (caps_max_numobjs); an endpoint retype makes one. */
export function maxObjects(type: MemoryType, srcBytes: number, objsize: number): number {
  if (type === 'EndPointLMP') return 1;
  return objsize > srcBytes || objsize === 0 ? 0 : Math.floor(srcBytes / objsize);
}

/** The region the new objects occupy. */
export const retypeRegion = (src: MemoryCap, op: RetypeOp): Region => ({ base: src.base + op.offset, bytes: op.count * op.objsize });

/**
 * True when some capability overlaps `region` (inside `src`) without being a
 * copy or an ancestor of `src`: an existing descendant there means the range
 * must be revoked first (Barrelfish's mdb_find_range check in caps_retype).
 */
export function overlapsDescendant(core: CoreState, src: MemoryCap, region: Region): boolean {
  for (const o of core.ctes) {
    const k = o.cap;
    if (isMappingCap(k) || !overlaps(k, region)) continue;
    if (isCopy(k, src) || memDescends(src, k)) continue;
    return true;
  }
  return false;
}

/** The size rule for one type (caps_retype's size checks, plus DEC-OBJSIZE). */
export function sizeRuleHolds(type: MemoryType, objsize: number): boolean {
  const info = typeTable[type];
  if (objsize === 0) return false;
  if (info.fixedSize !== undefined) return objsize === info.fixedSize;
  if (objsize % info.sizeGranule! !== 0) return false;
  return type !== 'L1CNode' || objsize / CTE_SIZE <= MAX_L1_SLOTS;
}

export const retypePreconditions: readonly Precondition<RetypeContext>[] = [
  capabilityLookup('retype.src', 'src', 'read'),
  slotLookup('retype.dest', 'dest', 'write'),
  {
    id: 'retype.offset-aligned',
    error: 'SYS_ERR_RETYPE_INVALID_OFFSET',
    rule: "The new objects' base (source base + offset) is aligned to the destination type's alignment.",
    source: 'kernel/capabilities.c caps_retype (offset % dest_obj_alignment); DEC-NATURAL-ALIGN',
    check: (c) => (isAlignedSum(srcCap(c)?.base ?? 0, c.op.offset, retypeAlignment(c.op.type)) ? undefined : err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src')),
  },
  {
    id: 'retype.size',
    error: 'SYS_ERR_INVALID_SIZE',
    rule: 'objsize is valid for the type: the fixed size of fixed-size types; a non-zero multiple of the granule otherwise (4 KiB; 16 KiB for L1CNode).',
    source: 'kernel/capabilities.c caps_retype size checks; DEC-OBJSIZE',
    check: (c) => {
      const t = destType(c);
      return t === undefined || sizeRuleHolds(t, c.op.objsize) ? undefined : err('SYS_ERR_INVALID_SIZE', 'src');
    },
  },
  {
    id: 'retype.not-mapping',
    error: 'SYS_ERR_RETYPE_MAPPING_EXPLICIT',
    rule: 'Mapping capabilities are created only by vnode_map, never by retype.',
    source: 'kernel/capabilities.c caps_retype (type_is_mapping)',
    check: (c) => (isMappingType(c.op.type) ? err('SYS_ERR_RETYPE_MAPPING_EXPLICIT', 'src') : undefined),
  },
  {
    id: 'retype.type-edge',
    error: 'SYS_ERR_INVALID_RETYPE',
    rule: "The destination type may be created from the source's type (the type table's edges), and exists in the architecture profile.",
    source: 'capabilities/caps.hl from/from_self; kernel/capabilities.c is_retypeable',
    check: (c) => {
      const s = srcCap(c);
      const t = destType(c)!;
      return s !== undefined && isRetypeEdge(s.type, t) && isTypeInArch(c.arch, t) ? undefined : err('SYS_ERR_INVALID_RETYPE', 'src');
    },
  },
  {
    id: 'retype.not-locked',
    error: 'SYS_ERR_CAP_LOCKED',
    rule: 'The source is not locked by a protocol in progress.',
    source: 'cap-invariants.md E.9; DEC-BUSY',
    check: (c) => (srcCap(c)!.locked ? err('SYS_ERR_CAP_LOCKED', 'src') : undefined),
  },
  {
    id: 'retype.local',
    error: 'SYS_ERR_RETRY_THROUGH_MONITOR',
    rule: 'The source is owned by this core and has no remote descendants; otherwise the owner must check the other cores first (an LMP endpoint from an owned dispatcher is exempt).',
    source: 'kernel/capabilities.c is_retypeable; cap-invariants.md E.3; DEC-RETYPE-DIST-GATE',
    check: (c) => {
      const s = srcCap(c)!;
      const owned = s.owner === c.core.core;
      if (owned && c.op.type === 'EndPointLMP') return undefined;
      return owned && !s.remote.descs ? undefined : err('SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
    },
  },
  {
    id: 'retype.maxobjs',
    error: 'SYS_ERR_INVALID_SIZE',
    rule: 'At least one object of objsize fits in the source.',
    source: 'kernel/capabilities.c caps_max_numobjs',
    check: (c) => (maxObjects(destType(c)!, srcCap(c)!.bytes, c.op.objsize) === 0 ? err('SYS_ERR_INVALID_SIZE', 'src') : undefined),
  },
  {
    id: 'retype.count',
    error: 'SYS_ERR_RETYPE_INVALID_COUNT',
    rule: 'count is at least 1 and at most the number of objects that fit.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => {
      const max = maxObjects(destType(c)!, srcCap(c)!.bytes, c.op.objsize);
      return c.op.count >= 1 && c.op.count <= max ? undefined : err('SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    },
  },
  {
    id: 'retype.range',
    error: 'SYS_ERR_RETYPE_INVALID_OFFSET',
    rule: 'The objects fit in the source: offset + count * objsize <= source size.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => (c.op.offset + c.op.count * c.op.objsize <= srcCap(c)!.bytes ? undefined : err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src')),
  },
  {
    id: 'retype.no-overlap',
    error: 'SYS_ERR_REVOKE_FIRST',
    rule: "No capability overlaps the new objects' region except copies and ancestors of the source: an existing descendant in the range must be revoked first. (An LMP endpoint owns no memory; any number may be made from a dispatcher.)",
    source: 'kernel/capabilities.c caps_retype (mdb_find_range); cap-invariants.md B.1 step 11; DEC-MAPPING-NO-REGION',
    check: (c) => {
      if (c.op.type === 'EndPointLMP') return undefined;
      const s = srcCap(c)!;
      return overlapsDescendant(c.core, s, retypeRegion(s, c.op)) ? err('SYS_ERR_REVOKE_FIRST', 'src') : undefined;
    },
  },
  {
    id: 'retype.dest-type',
    error: 'SYS_ERR_DEST_TYPE_INVALID',
    rule: 'Slots of an L1CNode hold only L2CNodes.',
    source: 'cap-invariants.md A.4.11; DEC-L1-SLOTS',
    check: (c) => (c.dest!.cnodeType === 'L1CNode' && c.op.type !== 'L2CNode' ? err('SYS_ERR_DEST_TYPE_INVALID', 'dest') : undefined),
  },
  {
    id: 'retype.dest-fit',
    error: 'SYS_ERR_SLOTS_INVALID',
    rule: 'All count destination slots lie inside the destination CNode.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => {
      const cn = cnodeObject(c.core, c.dest!.addr.cnode, c.dest!.cnodeType)!;
      return c.dest!.addr.slot + c.op.count <= cnodeSlotCount(cn) ? undefined : err('SYS_ERR_SLOTS_INVALID', 'dest');
    },
  },
  {
    id: 'retype.dest-empty',
    error: 'SYS_ERR_SLOTS_IN_USE',
    rule: 'All destination slots are empty.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => {
      const { cnode, slot } = c.dest!.addr;
      for (let i = 0; i < c.op.count; i++) if (cteAt(c.core, { cnode, slot: slot + i }) !== undefined) return err('SYS_ERR_SLOTS_IN_USE', 'dest');
      return undefined;
    },
  },
];
