// vnode_map and vnode_unmap: install and remove page-table entries through
// capabilities. Order: Barrelfish's sys_map → caps_copy_to_vnode
// (cap-invariants.md B.6) with capref's decisions for what Barrelfish's C
// leaves undone (occupied entries, rights on large pages, foreign unmaps).
import { err } from '../../result.js';
import type { VNodeLevel } from '../arch.js';
import { type ResolvedSlot } from '../lookup.js';
import type { VNodeMapOp, VNodeUnmapOp } from '../ops.js';
import { cteAt, mappingOf } from '../query.js';
import { hasRights } from '../rights.js';
import { isAlignedSum, isMappingCap, type Cte, type MemoryCap } from '../state.js';
import { BASE_PAGE_SIZE, isVNodeType, type VNodeType } from '../types.js';
import { type Precondition, type PreconditionContext } from './framework.js';
import { capabilityLookup, slotLookup } from './lookups.js';

export interface MapContext extends PreconditionContext<VNodeMapOp> {
  /** What the page-table capref names, before its type is checked. */
  vnodeCte?: Cte;
  vnode?: Cte & { cap: MemoryCap & { type: VNodeType } };
  level?: VNodeLevel;
  src?: Cte;
  mapping?: ResolvedSlot;
}

/** How an entry maps the source: as a next-level table, or as a page/block of `pageSize`. */
export type MapKind = { kind: 'table' } | { kind: 'page'; pageSize: number };

/** What kind of entry a source of this type makes in a table of this level, if it may go there at all. */
export function mapKind(level: VNodeLevel, src: MemoryCap): MapKind | undefined {
  if (level.childTable !== undefined && src.type === level.childTable) return { kind: 'table' };
  if (level.pageSize !== undefined && (src.type === 'Frame' || src.type === 'DevFrame')) return { kind: 'page', pageSize: level.pageSize };
  return undefined;
}

const srcMem = (c: MapContext): MemoryCap => c.src!.cap as MemoryCap;
const kindOf = (c: MapContext): MapKind => mapKind(c.level!, srcMem(c))!;
const pageSize = (c: MapContext): number | undefined => {
  const k = kindOf(c);
  return k.kind === 'page' ? k.pageSize : undefined;
};

type VNodeContext = PreconditionContext<VNodeMapOp | VNodeUnmapOp> & { vnodeCte?: Cte; vnode?: MapContext['vnode']; level?: VNodeLevel };

const vnodeLookup = <C extends VNodeContext>(op: 'map' | 'unmap'): Precondition<C>[] => [
  capabilityLookup<C>(`${op}.vnode`, 'vnode', 'read', 'vnodeCte'),
  {
    id: `${op}.vnode-type`,
    error: 'SYS_ERR_VNODE_TYPE',
    rule: 'The page-table capability is a VNode (a page table of the architecture profile).',
    source: 'kernel/syscall.c (map and unmap are invocations of VNode capabilities only)',
    check: (c) => {
      const v = c.vnodeCte!;
      if (isMappingCap(v.cap) || !isVNodeType(v.cap.type) || c.arch.levels[v.cap.type] === undefined) return err('SYS_ERR_VNODE_TYPE', 'vnode');
      c.vnode = v as MapContext['vnode'];
      c.level = c.arch.levels[v.cap.type]!;
      return undefined;
    },
  },
];

const vnodeRights = <C extends VNodeContext>(op: 'map' | 'unmap', source: string): Precondition<C> => ({
  id: `${op}.vnode-rights`,
  error: 'SYS_ERR_DEST_CAP_RIGHTS',
  rule: 'The page-table capability has the WRITE right.',
  source,
  check: (c) => (hasRights(c.vnode!.cap.rights, ['WRITE']) ? undefined : err('SYS_ERR_DEST_CAP_RIGHTS', 'vnode')),
});

// Order: the course's platforms (kernel/arch/armv8/paging.c caps_map_l3,
// kernel/arch/armv7/paging.c caps_map_l2) check the entry index, then the
// source type, then the frame offset, and only then whether the entries fit
// in the table; capref follows ARM rather than x86-64, which checks the count first.
export const vnodeMapPreconditions: readonly Precondition<MapContext>[] = [
  ...vnodeLookup<MapContext>('map'),
  // sys_map checks the table's WRITE right before it looks anything else up.
  vnodeRights<MapContext>('map', 'kernel/syscall.c sys_map'),
  capabilityLookup('map.src', 'src', 'read'),
  slotLookup('map.mapping', 'mapping', 'write'),
  {
    id: 'map.mapping-cnode',
    error: 'SYS_ERR_DEST_TYPE_INVALID',
    rule: 'The Mapping capability goes into a slot of an L2CNode.',
    source: 'kernel/syscall.c sys_map',
    check: (c) => (c.mapping!.cnodeType === 'L2CNode' ? undefined : err('SYS_ERR_DEST_TYPE_INVALID', 'mapping')),
  },
  {
    id: 'map.mapping-empty',
    error: 'SYS_ERR_SLOT_IN_USE',
    rule: 'The slot for the Mapping capability is empty.',
    source: 'kernel/syscall.c sys_map',
    check: (c) => (cteAt(c.core, c.mapping!.addr) === undefined ? undefined : err('SYS_ERR_SLOT_IN_USE', 'mapping')),
  },
  {
    id: 'map.entry',
    error: 'SYS_ERR_VNODE_SLOT_INVALID',
    rule: 'The first entry lies inside the page table.',
    source: 'kernel/arch/*/page_mappings_arch.c',
    check: (c) => (c.op.entry < c.level!.entries ? undefined : err('SYS_ERR_VNODE_SLOT_INVALID', 'vnode')),
  },
  {
    id: 'map.src-type',
    error: 'SYS_ERR_WRONG_MAPPING',
    rule: "The source may go into this table: the next level's table type, or a Frame/DevFrame where the level maps pages or blocks.",
    source: 'kernel/arch/armv8/paging.c, kernel/arch/armv7/paging.c',
    check: (c) => (!isMappingCap(c.src!.cap) && mapKind(c.level!, srcMem(c)) !== undefined ? undefined : err('SYS_ERR_WRONG_MAPPING', 'src')),
  },
  {
    id: 'map.table-count',
    error: 'SYS_ERR_VM_MAP_SIZE',
    rule: 'A next-level table takes exactly one entry.',
    source: 'kernel/arch/x86_64/page_mappings_arch.c (VNode source needs pte_count = 1)',
    check: (c) => (kindOf(c).kind === 'table' && c.op.pteCount !== 1 ? err('SYS_ERR_VM_MAP_SIZE', 'vnode') : undefined),
  },
  {
    id: 'map.table-offset',
    error: 'SYS_ERR_FRAME_OFFSET_INVALID',
    rule: 'A next-level table is mapped whole: offset 0.',
    source: 'capref decision (Barrelfish ignores the offset for tables)',
    check: (c) => (kindOf(c).kind === 'table' && c.op.offset !== 0 ? err('SYS_ERR_FRAME_OFFSET_INVALID', 'src') : undefined),
  },
  {
    id: 'map.frame-size',
    error: 'SYS_ERR_VM_FRAME_TOO_SMALL',
    rule: 'A frame mapped as a large page or block is at least one block in size.',
    source: 'kernel/arch/x86_64/page_mappings_arch.c (superpage checks)',
    check: (c) => {
      const ps = pageSize(c);
      return ps !== undefined && ps > BASE_PAGE_SIZE && srcMem(c).bytes < ps ? err('SYS_ERR_VM_FRAME_TOO_SMALL', 'src') : undefined;
    },
  },
  {
    id: 'map.frame-align',
    error: 'SYS_ERR_VM_FRAME_UNALIGNED',
    rule: 'A frame mapped as a large page or block: the mapped physical address (frame base + offset) is aligned to the block size.',
    source: 'kernel/arch/x86_64/page_mappings_arch.c (superpage alignment)',
    check: (c) => {
      const ps = pageSize(c);
      return ps !== undefined && ps > BASE_PAGE_SIZE && !isAlignedSum(srcMem(c).base, c.op.offset, ps) ? err('SYS_ERR_VM_FRAME_UNALIGNED', 'src') : undefined;
    },
  },
  {
    id: 'map.page-offset',
    error: 'SYS_ERR_FRAME_OFFSET_INVALID',
    rule: 'A frame mapped as 4 KiB pages: the mapped physical address (frame base + offset) is 4 KiB-aligned.',
    source: 'kernel/arch/armv7/paging.c caps_map_l2, kernel/arch/armv8/paging.c caps_map_l3 (offset % BASE_PAGE_SIZE); DEC-PAGE-OFFSET',
    check: (c) => {
      const ps = pageSize(c);
      return ps === BASE_PAGE_SIZE && !isAlignedSum(srcMem(c).base, c.op.offset, ps) ? err('SYS_ERR_FRAME_OFFSET_INVALID', 'src') : undefined;
    },
  },
  {
    id: 'map.frame-range',
    error: 'SYS_ERR_FRAME_OFFSET_INVALID',
    rule: 'The mapped pages lie inside the frame: offset + pteCount * page size <= frame size.',
    source: 'kernel/arch/*/page_mappings_arch.c',
    check: (c) => {
      const ps = pageSize(c);
      return ps === undefined || c.op.offset + c.op.pteCount * ps <= srcMem(c).bytes ? undefined : err('SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    },
  },
  {
    id: 'map.count',
    error: 'SYS_ERR_VM_MAP_SIZE',
    rule: 'pteCount is at least 1 and the entries end inside the page table.',
    source: 'kernel/arch/armv8/paging.c caps_map_l3, kernel/arch/armv7/paging.c caps_map_l2 (checked after the source type and offset)',
    check: (c) => (c.op.pteCount >= 1 && c.op.entry + c.op.pteCount <= c.level!.entries ? undefined : err('SYS_ERR_VM_MAP_SIZE', 'vnode')),
  },
  {
    id: 'map.rights',
    error: 'SYS_ERR_VM_MAP_RIGHTS',
    rule: "The requested rights do not exceed the source capability's, for every page size.",
    source: 'DESIGN.md "Mapping-once"; cap-invariants.md E.7; DEC-LARGE-PAGE-RIGHTS',
    check: (c) => (hasRights(c.src!.cap.rights, c.op.rights) ? undefined : err('SYS_ERR_VM_MAP_RIGHTS', 'src')),
  },
  {
    id: 'map.once',
    error: 'SYS_ERR_VM_ALREADY_MAPPED',
    rule: 'This copy of the source is not mapped yet: each copy is mapped at most once (map a large frame piecewise through copies).',
    source: 'course hand-out (seeds/002, "each copy of a capability is mapped at most once"); kernel/paging_generic.c',
    check: (c) => (mappingOf(c.core, c.src!) === undefined ? undefined : err('SYS_ERR_VM_ALREADY_MAPPED', 'src')),
  },
  {
    id: 'map.entries-free',
    error: 'SYS_ERR_VNODE_SLOT_INUSE',
    rule: 'None of the entries is present already: a present entry is never overwritten.',
    source: 'capabilities type_system.tex ("one or more VNode entries already occupied"); cap-invariants.md E.5; DEC-PTE-OCCUPIED',
    check: (c) => {
      const v = c.vnode!.cap.base;
      const lo = c.op.entry;
      const hi = c.op.entry + c.op.pteCount;
      return c.core.ptes.some((p) => p.vnode === v && p.entry >= lo && p.entry < hi) ? err('SYS_ERR_VNODE_SLOT_INUSE', 'vnode') : undefined;
    },
  },
];

export interface UnmapContext extends PreconditionContext<VNodeUnmapOp> {
  vnodeCte?: Cte;
  vnode?: MapContext['vnode'];
  level?: VNodeLevel;
  mapping?: Cte;
}

// Order: Barrelfish's handle_unmap (kernel/arch/*/syscall.c) looks the
// mapping up first; page_mappings_unmap (kernel/paging_generic.c) then asserts
// that it is a Mapping capability and checks the table's WRITE right. The
// table check and the lock are capref's (DEC-UNMAP-FOREIGN, DEC-BUSY).
export const vnodeUnmapPreconditions: readonly Precondition<UnmapContext>[] = [
  ...vnodeLookup<UnmapContext>('unmap'),
  capabilityLookup('unmap.mapping', 'mapping', 'write'),
  {
    id: 'unmap.mapping-type',
    error: 'SYS_ERR_WRONG_MAPPING',
    rule: 'The mapping capref holds a Mapping capability.',
    source: 'kernel/paging_generic.c page_mappings_unmap (asserted only); DEC-UNMAP-FOREIGN',
    check: (c) => (isMappingCap(c.mapping!.cap) ? undefined : err('SYS_ERR_WRONG_MAPPING', 'mapping')),
  },
  vnodeRights<UnmapContext>('unmap', 'kernel/paging_generic.c page_mappings_unmap'),
  {
    id: 'unmap.mapping-table',
    error: 'SYS_ERR_VNODE_NOT_INSTALLED',
    rule: 'The Mapping capability describes entries of this page table.',
    source: 'cap-invariants.md E.6; DEC-UNMAP-FOREIGN',
    check: (c) => {
      const m = c.mapping!.cap;
      return isMappingCap(m) && m.ptable === c.vnode!.cap.base ? undefined : err('SYS_ERR_VNODE_NOT_INSTALLED', 'mapping');
    },
  },
  {
    id: 'unmap.not-locked',
    error: 'SYS_ERR_CAP_LOCKED',
    rule: 'The Mapping capability is not locked.',
    source: 'DEC-BUSY',
    check: (c) => (c.mapping!.cap.locked ? err('SYS_ERR_CAP_LOCKED', 'mapping') : undefined),
  },
  {
    id: 'unmap.local',
    error: 'SYS_ERR_RETRY_THROUGH_MONITOR',
    rule: 'The Mapping capability has no remote copies: removing it would remove the last local copy of something other cores hold (as delete.local).',
    source: 'kernel/cap_delete.c caps_try_delete (SYS_ERR_DELETE_LAST_OWNED); DEC-UNMAP-DELETES-MAPPING',
    check: (c) => (c.mapping!.cap.remote.copies ? err('SYS_ERR_RETRY_THROUGH_MONITOR', 'mapping') : undefined),
  },
];
