// One core's kernel: the CSpace, the mapping database and the page tables,
// and the operations on them. Every operation checks the spec's
// preconditions in the spec's order (the comment before each check names the
// precondition id in spec/kernel/preconditions/) using the indexed
// structures, and changes nothing until all of them hold (DEC-ATOMIC-MINT).
//
// Costs (n live capabilities, k affected): lookups O(1); copy, mint, retype
// per object, vnode_map, vnode_unmap O(log n); delete O(log n) plus its
// cascade; revoke O((k + 1) log n); lock/unlock/remote_relations O(log n + copies).
import { err, ok } from '../../spec/result.js';
import { isTypeInArch, type ArchProfile } from '../../spec/kernel/arch.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { Capref } from '../../spec/kernel/capref.js';
import type {
  CopyOp,
  DeleteOp,
  IdentifyOp,
  IsRetypeableOp,
  LockOp,
  MintOp,
  RemoteRelationsOp,
  RetypeOp,
  RevokeOp,
  UnlockOp,
  VNodeMapOp,
  VNodeUnmapOp,
} from '../../spec/kernel/ops.js';
import type { KernelErr } from '../../spec/kernel/preconditions/framework.js';
import { maxObjects, retypeAlignment, sizeRuleHolds } from '../../spec/kernel/preconditions/retype.js';
import { maskToRights, rightsToMask } from '../../spec/kernel/rights.js';
import { isAlignedSum, type Capability, type CoreState, type Cte, type Pte, type Region } from '../../spec/kernel/state.js';
import { BASE_PAGE_SIZE, isMappingType, type MemoryType, type ObjType } from '../../spec/kernel/types.js';
import { CSpace, NEED_READ, NEED_WRITE, type CNodeObject } from './cspace.js';
import { MdbTree } from './mdb-tree.js';
import type { KernelMutant } from './mutants.js';
import {
  FLAG_LOCKED,
  FLAG_REMOTE_ANCS,
  FLAG_REMOTE_COPIES,
  FLAG_REMOTE_DESCS,
  COPY_META,
  NodeStore,
  packMeta,
  RIGHTS_MASK,
} from './node-store.js';
import { PageTables, type VNodeObject } from './page-tables.js';
import {
  codeOf,
  ENDPOINT_LMP,
  IS_CNODE,
  IS_MAPPING,
  IS_VNODE,
  L1CNODE,
  L2CNODE,
  MAPPING_OF,
  RAM_BACKED,
  RETYPE_EDGE,
  TYPE_COUNT,
  typeOfCode,
} from './type-codes.js';

const WRITE_RIGHT = rightsToMask(['WRITE']);
const FRAME = codeOf('Frame');
const DEVFRAME = codeOf('DevFrame');

/** Per VNode type code, what the architecture profile says of its level. */
export interface LevelInfo {
  readonly entries: number;
  /** The next-level table type's code, or -1. */
  readonly childTable: number;
  /** The page or block size an entry maps, or 0. */
  readonly pageSize: number;
}

const NO_LEVEL: LevelInfo = { entries: 0, childTable: -1, pageSize: 0 };

export class CoreKernel {
  readonly s = new NodeStore();
  readonly tree = new MdbTree(this.s);
  readonly cs = new CSpace(this.s);
  readonly pt = new PageTables();
  /** Per type code, the architecture profile's level facts (entries, child table, page size). */
  readonly levels: readonly LevelInfo[];

  // The removal closure's scratch: the marked nodes, in marking order.
  private epoch = 0;
  private readonly removed: number[] = [];

  // Mutant switches, read once (see mutants.ts).
  private readonly bugRevokeOtherCSpace: boolean;
  private readonly bugOverlapPartial: boolean;
  private readonly bugCopyOccupied: boolean;
  private readonly bugMapTwice: boolean;
  private readonly bugRegionEnd: boolean;
  private readonly bugDeleteLeavesPtes: boolean;
  private readonly bugMintAddsRight: boolean;
  private readonly bugCNodeLeak: boolean;
  private readonly bugFullSizeDescendant: boolean;
  private readonly bugRevokeImmediate: boolean;
  private readonly bugUnmapForeign: boolean;
  private readonly bugRetypeIgnoresLock: boolean;
  private readonly bugVNodeKeepsMappings: boolean;
  private readonly bugReclaimIgnoresSurvivors: boolean;

  constructor(
    readonly core: number,
    readonly arch: ArchProfile,
    boot: CoreState,
    mutant: KernelMutant | undefined,
    /** The RAM regions of the memory map: only RAM is reclaimed. */
    private readonly ram: readonly Region[],
  ) {
    this.levels = Array.from({ length: TYPE_COUNT }, (_, code) => {
      const l = arch.levels[typeOfCode(code) as keyof ArchProfile['levels']];
      if (l === undefined) return NO_LEVEL;
      return { entries: l.entries, childTable: l.childTable === undefined ? -1 : codeOf(l.childTable), pageSize: l.pageSize ?? 0 };
    });
    const bug = (name: KernelMutant) => mutant === name;
    this.bugRevokeOtherCSpace = bug('revoke-skips-other-cspace');
    this.bugOverlapPartial = bug('retype-overlap-misses-partial');
    this.bugCopyOccupied = bug('copy-into-occupied');
    this.bugMapTwice = bug('map-twice');
    this.bugRegionEnd = bug('region-end-off-by-one');
    this.bugDeleteLeavesPtes = bug('delete-leaves-ptes');
    this.bugMintAddsRight = bug('mint-adds-right');
    this.cs.stopAtL1 = bug('capref-wrong-level');
    this.bugCNodeLeak = bug('cnode-delete-leaks-slots');
    this.bugFullSizeDescendant = bug('full-size-retype-descendant');
    this.bugRevokeImmediate = bug('revoke-immediate-only');
    this.bugUnmapForeign = bug('unmap-foreign-table');
    this.bugRetypeIgnoresLock = bug('retype-ignores-lock');
    this.bugVNodeKeepsMappings = bug('vnode-delete-keeps-mappings');
    this.bugReclaimIgnoresSurvivors = bug('reclaim-ignores-survivors');
    this.boot(boot);
  }

  private boot(state: CoreState): void {
    // Objects first, so that every CNode exists before its slots are filled.
    const placed: { cte: Cte; node: number }[] = [];
    for (const cte of state.ctes) {
      const c = cte.cap;
      if ('mapped' in c) throw new Error('boot states hold no Mapping capabilities');
      placed.push({ cte, node: this.createMemory(codeOf(c.type), c.base, c.bytes, packMeta(rightsToMask(c.rights), metaFlags(c), c.owner)) });
    }
    for (const { cte, node } of placed) this.putInSlot(node, this.cs.cnodes.get(cte.cnode)!, cte.slot);
  }

  // --- building blocks --------------------------------------------------------

  /** A new memory capability in the tree (not yet in a slot); registers the CNode or VNode object it names. */
  private createMemory(type: number, base: number, bytes: number, meta: number): number {
    const s = this.s;
    const n = s.alloc();
    s.type[n] = type;
    s.base[n] = base;
    s.bytes[n] = bytes;
    s.meta[n] = meta;
    this.tree.insert(n);
    if (IS_CNODE[type] === 1) s.object[n] = this.cs.acquire(base, type, bytes);
    else if (IS_VNODE[type] === 1) s.object[n] = this.pt.acquire(base, type, this.levels[type]!.entries);
    return n;
  }

  private putInSlot(n: number, cn: CNodeObject, slot: number): void {
    this.s.slot[n] = slot;
    this.s.home[n] = cn;
    cn.set(slot, n);
  }

  /** The copies of node n on this core (n included). */
  private copiesOf(n: number): number[] {
    const s = this.s;
    if (IS_MAPPING[s.type[n]!] === 1) return [n]; // a Mapping capability cannot be copied (DEC-NO-COPY-MAPPING)
    const out: number[] = [];
    this.tree.collectClass(s.base[n]!, s.bytes[n]!, s.type[n]!, out);
    return out;
  }

  // --- retype -------------------------------------------------------------------

  retype(op: RetypeOp): KernelResult {
    const s = this.s;
    const cs = this.cs;
    // retype.src
    let e = cs.lookupCap(op.src, 'src', NEED_READ);
    if (e !== undefined) return e;
    const src = cs.node;
    // retype.dest
    e = cs.resolve(op.dest, 'dest', NEED_WRITE);
    if (e !== undefined) return e;
    const dest = cs.cnode;
    const destSlot = cs.slot;
    const srcType = s.type[src]!;
    const srcIsMapping = IS_MAPPING[srcType] === 1;
    const srcBase = srcIsMapping ? 0 : s.base[src]!;
    // retype.offset-aligned
    if (!isAlignedSum(srcBase, op.offset, retypeAlignment(op.type))) return err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    const destIsMapping = isMappingType(op.type);
    // retype.size
    if (!destIsMapping && !sizeRuleHolds(op.type as MemoryType, op.objsize)) return err('SYS_ERR_INVALID_SIZE', 'src');
    // retype.not-mapping
    if (destIsMapping) return err('SYS_ERR_RETYPE_MAPPING_EXPLICIT', 'src');
    const type = op.type as MemoryType;
    const typeCode = codeOf(type);
    // retype.type-edge
    if (srcIsMapping || RETYPE_EDGE[srcType * TYPE_COUNT + typeCode] === 0 || !isTypeInArch(this.arch, type))
      return err('SYS_ERR_INVALID_RETYPE', 'src');
    const srcMeta = s.meta[src]!;
    // retype.not-locked
    if ((srcMeta & FLAG_LOCKED) !== 0 && !this.bugRetypeIgnoresLock) return err('SYS_ERR_CAP_LOCKED', 'src');
    // retype.local
    const owned = s.ownerOf(src) === this.core;
    if (!owned || (typeCode !== ENDPOINT_LMP && (srcMeta & FLAG_REMOTE_DESCS) !== 0)) return err('SYS_ERR_RETRY_THROUGH_MONITOR', 'src');
    const srcBytes = s.bytes[src]!;
    const max = maxObjects(type, srcBytes, op.objsize);
    // retype.maxobjs
    if (max === 0) return err('SYS_ERR_INVALID_SIZE', 'src');
    // retype.count
    if (op.count < 1 || op.count > max) return err('SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    // retype.range
    const size = op.count * op.objsize;
    if (op.offset + size > srcBytes) return err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    // retype.no-overlap: with laminar regions, the capabilities overlapping the
    // new range that are neither copies nor ancestors of the source are its
    // descendants, which sort right after its copies: one interval query there.
    const lo = srcBase + op.offset;
    if (typeCode !== ENDPOINT_LMP && this.tree.overlapAfterClass(srcBase, srcBytes, srcType, lo, this.bugRegionEnd ? lo + size + 1 : lo + size, this.bugOverlapPartial))
      return err('SYS_ERR_REVOKE_FIRST', 'src');
    // retype.dest-type
    if (dest.type === L1CNODE && typeCode !== L2CNODE) return err('SYS_ERR_DEST_TYPE_INVALID', 'dest');
    // retype.dest-fit
    if (destSlot + op.count > dest.slotCount) return err('SYS_ERR_SLOTS_INVALID', 'dest');
    // retype.dest-empty
    for (let i = 0; i < op.count; i++) if (dest.get(destSlot + i) !== 0) return err('SYS_ERR_SLOTS_IN_USE', 'dest');

    // New objects carry the source's rights (DEC-RETYPE-RIGHTS). An object that
    // is a copy of existing ones (a full-size same-type retype, DEC-FULL-SIZE-RETYPE;
    // another endpoint of the same dispatcher, DEC-ENDPOINT-REGION) takes the
    // metadata its copies share (A.6.1); a fresh object is owned here and has
    // remote ancestors when the source has remote copies.
    const rights = srcMeta & RIGHTS_MASK;
    let meta = packMeta(rights, (srcMeta & FLAG_REMOTE_COPIES) !== 0 ? FLAG_REMOTE_ANCS : 0, this.core);
    if (typeCode === ENDPOINT_LMP) {
      const existing = this.tree.findInClass(srcBase, srcBytes, ENDPOINT_LMP);
      if (existing !== 0) meta = rights | (s.meta[existing]! & COPY_META);
    } else if (typeCode === srcType && op.objsize === srcBytes && !this.bugFullSizeDescendant) {
      meta = srcMeta; // a copy of the source: its rights and the metadata its copies share
    }
    for (let i = 0; i < op.count; i++) {
      const endpoint = typeCode === ENDPOINT_LMP;
      const n = this.createMemory(typeCode, endpoint ? srcBase : lo + i * op.objsize, endpoint ? srcBytes : op.objsize, meta);
      this.putInSlot(n, dest, destSlot + i);
    }
    return ok({});
  }

  // --- copy and mint --------------------------------------------------------------

  copy(op: CopyOp | MintOp): KernelResult {
    const s = this.s;
    const cs = this.cs;
    // copy.src
    let e = cs.lookupCap(op.src, 'src', NEED_READ);
    if (e !== undefined) return e;
    const src = cs.node;
    // copy.dest
    e = cs.resolve(op.dest, 'dest', NEED_WRITE);
    if (e !== undefined) return e;
    const dest = cs.cnode;
    const destSlot = cs.slot;
    const type = s.type[src]!;
    // copy.src-not-mapping
    if (IS_MAPPING[type] === 1) return err('SYS_ERR_INVALID_SOURCE_TYPE', 'src');
    // copy.dest-type
    if (dest.type === L1CNODE && type !== L2CNODE) return err('SYS_ERR_DEST_TYPE_INVALID', 'dest');
    // copy.dest-empty
    if (dest.get(destSlot) !== 0 && !this.bugCopyOccupied) return err('SYS_ERR_SLOT_IN_USE', 'dest');
    const meta = s.meta[src]!;
    let rights = meta & RIGHTS_MASK;
    if (op.op === 'mint') {
      const mask = rightsToMask(op.rights);
      rights = this.bugMintAddsRight ? rights | mask : rights & mask;
    }
    const n = this.createMemory(type, s.base[src]!, s.bytes[src]!, rights | (meta & COPY_META));
    this.putInSlot(n, dest, destSlot);
    return ok({});
  }

  // --- vnode_map and vnode_unmap --------------------------------------------------

  /** map.vnode and map.vnode-type (also unmap.*): the page table, or the error. Sets `vnodeNode`. */
  private vnodeNode = 0;
  private lookupVNode(ref: Capref): KernelErr | undefined {
    const s = this.s;
    const e = this.cs.lookupCap(ref, 'vnode', NEED_READ);
    if (e !== undefined) return e;
    const n = this.cs.node;
    if (IS_VNODE[s.type[n]!] !== 1) return err('SYS_ERR_VNODE_TYPE', 'vnode');
    this.vnodeNode = n;
    return undefined;
  }

  /** *.vnode-rights: the page table capability must have WRITE. */
  private vnodeRightsError(n: number): KernelErr | undefined {
    return (this.s.rightsOf(n) & WRITE_RIGHT) === 0 ? err('SYS_ERR_DEST_CAP_RIGHTS', 'vnode') : undefined;
  }

  map(op: VNodeMapOp): KernelResult {
    const s = this.s;
    const cs = this.cs;
    // map.vnode, map.vnode-rights
    let e = this.lookupVNode(op.vnode);
    if (e !== undefined) return e;
    const vn = this.vnodeNode;
    // map.vnode-rights
    e = this.vnodeRightsError(vn);
    if (e !== undefined) return e;
    const level = this.levels[s.type[vn]!]!;
    // map.src
    e = cs.lookupCap(op.src, 'src', NEED_READ);
    if (e !== undefined) return e;
    const src = cs.node;
    // map.mapping
    e = cs.resolve(op.mapping, 'mapping', NEED_WRITE);
    if (e !== undefined) return e;
    const mcn = cs.cnode;
    const mslot = cs.slot;
    // map.mapping-cnode
    if (mcn.type !== L2CNODE) return err('SYS_ERR_DEST_TYPE_INVALID', 'mapping');
    // map.mapping-empty
    if (mcn.get(mslot) !== 0) return err('SYS_ERR_SLOT_IN_USE', 'mapping');
    // map.entry
    if (op.entry >= level.entries) return err('SYS_ERR_VNODE_SLOT_INVALID', 'vnode');
    // map.src-type (spec mapKind: a next-level table, or a page/block of a Frame or DevFrame)
    const srcType = s.type[src]!;
    const table = IS_MAPPING[srcType] === 0 && srcType === level.childTable;
    const pageSize = !table && level.pageSize !== 0 && (srcType === FRAME || srcType === DEVFRAME) ? level.pageSize : 0;
    if (!table && pageSize === 0) return err('SYS_ERR_WRONG_MAPPING', 'src');
    const srcBase = s.base[src]!;
    const srcBytes = s.bytes[src]!;
    if (table) {
      // map.table-count
      if (op.pteCount !== 1) return err('SYS_ERR_VM_MAP_SIZE', 'vnode');
      // map.table-offset
      if (op.offset !== 0) return err('SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    } else {
      // map.frame-size
      if (pageSize > BASE_PAGE_SIZE && srcBytes < pageSize) return err('SYS_ERR_VM_FRAME_TOO_SMALL', 'src');
      // map.frame-align (blocks) and map.page-offset (4 KiB pages)
      if (!isAlignedSum(srcBase, op.offset, pageSize)) return err(pageSize > BASE_PAGE_SIZE ? 'SYS_ERR_VM_FRAME_UNALIGNED' : 'SYS_ERR_FRAME_OFFSET_INVALID', 'src');
      // map.frame-range
      if (op.offset + op.pteCount * pageSize > srcBytes) return err('SYS_ERR_FRAME_OFFSET_INVALID', 'src');
    }
    // map.count (after the source checks, in ARM's order)
    if (op.pteCount < 1 || op.entry + op.pteCount > level.entries) return err('SYS_ERR_VM_MAP_SIZE', 'vnode');
    // map.rights
    const req = rightsToMask(op.rights);
    if ((req & ~s.rightsOf(src)) !== 0) return err('SYS_ERR_VM_MAP_RIGHTS', 'src');
    // map.once
    if (s.link[src] !== 0 && !this.bugMapTwice) return err('SYS_ERR_VM_ALREADY_MAPPED', 'src');
    // map.entries-free
    const table_ = s.object[vn] as VNodeObject;
    if (!table_.free(op.entry, op.pteCount)) return err('SYS_ERR_VNODE_SLOT_INUSE', 'vnode');

    const m = s.alloc();
    s.type[m] = MAPPING_OF[srcType]!;
    s.base[m] = table_.base;
    s.bytes[m] = op.offset;
    s.meta[m] = packMeta(s.rightsOf(src), 0, this.core);
    s.entry[m] = op.entry;
    s.pteCount[m] = op.pteCount;
    s.pteRights[m] = req;
    s.link[m] = src;
    s.link[src] = m;
    s.object[m] = table_;
    this.putInSlot(m, mcn, mslot);
    table_.mappings.add(m);
    for (let i = 0; i < op.pteCount; i++) table_.install(op.entry + i, m, table ? srcBase : srcBase + op.offset + i * pageSize, req);
    return ok({});
  }

  unmap(op: VNodeUnmapOp): KernelResult {
    const s = this.s;
    // unmap.vnode, unmap.vnode-type
    let e = this.lookupVNode(op.vnode);
    if (e !== undefined) return e;
    const vn = this.vnodeNode;
    // unmap.mapping
    e = this.cs.lookupCap(op.mapping, 'mapping', NEED_WRITE);
    if (e !== undefined) return e;
    const m = this.cs.node;
    // unmap.mapping-type
    if (IS_MAPPING[s.type[m]!] !== 1) return err('SYS_ERR_WRONG_MAPPING', 'mapping');
    // unmap.vnode-rights
    e = this.vnodeRightsError(vn);
    if (e !== undefined) return e;
    // unmap.mapping-table
    if (s.base[m] !== s.base[vn] && !this.bugUnmapForeign) return err('SYS_ERR_VNODE_NOT_INSTALLED', 'mapping');
    // unmap.not-locked
    if ((s.meta[m]! & FLAG_LOCKED) !== 0) return err('SYS_ERR_CAP_LOCKED', 'mapping');
    // unmap.local
    if ((s.meta[m]! & FLAG_REMOTE_COPIES) !== 0) return err('SYS_ERR_RETRY_THROUGH_MONITOR', 'mapping');
    // DEC-UNMAP-DELETES-MAPPING: the entries and the Mapping capability go together.
    this.detachMapping(m, true);
    (s.home[m] as CNodeObject).clear(s.slot[m]!, m);
    s.free(m);
    return ok({});
  }

  /** Takes a Mapping node out of its page table (clearing its entries unless told not to) and off the mapped copy. */
  private detachMapping(m: number, clearEntries: boolean): VNodeObject | undefined {
    const s = this.s;
    const v = s.object[m] as VNodeObject | undefined;
    if (v !== undefined) {
      if (clearEntries) v.clear(s.entry[m]!, s.pteCount[m]!, m);
      v.mappings.delete(m);
    }
    const src = s.link[m]!;
    if (src !== 0 && s.link[src] === m) s.link[src] = 0;
    return v;
  }

  // --- delete and revoke -----------------------------------------------------------

  remove(op: DeleteOp | RevokeOp): KernelResult {
    const s = this.s;
    // delete.target / revoke.target
    const e = this.cs.lookupCap(op.target, 'target', NEED_WRITE);
    if (e !== undefined) return e;
    const t = this.cs.node;
    this.beginClosure();
    if (op.op === 'delete') this.markNode(t);
    else this.markRevokeRoots(t, op.target.root);
    this.closure();
    const removed = this.removed;
    // delete.not-locked / revoke.not-locked
    if ((s.meta[t]! & FLAG_LOCKED) !== 0) return err('SYS_ERR_CAP_LOCKED', 'target');
    for (let i = 0; i < removed.length; i++) if ((s.meta[removed[i]!]! & FLAG_LOCKED) !== 0) return err('SYS_ERR_CAP_LOCKED', 'target');
    // revoke.local (its first half): the target has remote copies or descendants
    if (op.op === 'revoke' && (s.meta[t]! & (FLAG_REMOTE_COPIES | FLAG_REMOTE_DESCS)) !== 0) return err('SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
    // delete.local / revoke.local: no last local copy of a capability with remote copies goes
    if (this.takesLastCopyWithRemoteCopies()) return err('SYS_ERR_RETRY_THROUGH_MONITOR', 'target');
    return ok(this.commitRemoval());
  }

  /**
   * Revoke's roots (spec revokeRoots, DEC-TRANSITIVE-REVOKE): every other copy
   * of the target and every descendant — one key range of the tree — and the
   * target's own Mapping capability. Mappings of the others follow by the
   * closure's rule 1.
   */
  private markRevokeRoots(t: number, root: number): void {
    const s = this.s;
    const type = s.type[t]!;
    if (IS_MAPPING[type] === 1) return; // a Mapping capability has no copies and no descendants
    const base = s.base[t]!;
    const bytes = s.bytes[t]!;
    let visit = (n: number): boolean => {
      if (n !== t) this.markNode(n);
      return true;
    };
    if (this.bugRevokeImmediate)
      visit = (n) => {
        if (this.tree.cmpClass(n, base, bytes, type) !== 0 && RETYPE_EDGE[type * TYPE_COUNT + s.type[n]!] === 0) return false;
        if (n !== t) this.markNode(n);
        return true;
      };
    if (this.bugRevokeOtherCSpace) {
      const reachable = this.cspaceOf(root);
      visit = (n) => {
        if (n !== t && reachable.has((s.home[n] as CNodeObject).base)) this.markNode(n);
        return true;
      };
    }
    this.tree.visitFromClass(base, bytes, type, base + bytes, visit);
    const m = s.link[t]!;
    if (m !== 0) this.markNode(m);
  }

  /** The CNode objects of the CSpace rooted at `root`: the root and the L2CNodes in its slots (revoke-skips-other-cspace). */
  private cspaceOf(root: number): Set<number> {
    const out = new Set<number>([root]);
    const r = this.cs.cnodes.get(root);
    for (const n of r?.nodes() ?? []) if (this.s.type[n] === L2CNODE) out.add(this.s.base[n]!);
    return out;
  }

  private beginClosure(): void {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.s.mark.fill(0);
      for (const o of this.cs.cnodes.values()) o.removeEpoch = 0;
      for (const o of this.pt.vnodes.values()) o.removeEpoch = 0;
      this.epoch = 1;
    }
    this.removed.length = 0;
  }

  private markNode(n: number): void {
    if (this.s.mark[n] === this.epoch) return;
    this.s.mark[n] = this.epoch;
    this.removed.push(n);
  }

  /**
   * The removal closure (spec/kernel/removal.ts rules 1-3) as a worklist over
   * the marked nodes. Each rule's trigger only grows with the marked set, so
   * processing in any order reaches the spec's fixpoint; "every copy of this
   * CNode/VNode is removed" is a counter against the object's `refs`.
   */
  private closure(): void {
    const s = this.s;
    const ep = this.epoch;
    const removed = this.removed;
    for (let i = 0; i < removed.length; i++) {
      const n = removed[i]!;
      const type = s.type[n]!;
      if (IS_MAPPING[type] === 1) continue;
      // Rule 1: a removed copy takes its Mapping capability with it.
      const m = s.link[n]!;
      if (m !== 0) this.markNode(m);
      if (IS_CNODE[type] === 1) {
        // Rule 2: when every copy of a CNode is removed, so is everything in its slots.
        const o = s.object[n] as CNodeObject;
        if (o.removeEpoch !== ep) {
          o.removeEpoch = ep;
          o.removeCount = 0;
        }
        if (++o.removeCount === o.refs && !this.bugCNodeLeak) for (const x of o.nodes()) this.markNode(x);
      } else if (IS_VNODE[type] === 1) {
        // Rule 3: when every copy of a VNode is removed, so are the Mapping capabilities of its entries.
        const o = s.object[n] as VNodeObject;
        if (o.removeEpoch !== ep) {
          o.removeEpoch = ep;
          o.removeCount = 0;
        }
        if (++o.removeCount === o.refs && !this.bugVNodeKeepsMappings) for (const x of o.mappings) this.markNode(x);
      }
    }
  }

  /** True when a marked capability with remote copies has no unmarked local copy left (the monitor must act). */
  private takesLastCopyWithRemoteCopies(): boolean {
    const s = this.s;
    const ep = this.epoch;
    let seen: Set<number> | undefined;
    for (const n of this.removed) {
      if ((s.meta[n]! & FLAG_REMOTE_COPIES) === 0) continue;
      if (IS_MAPPING[s.type[n]!] === 1) return true; // its only copy is itself
      if (seen?.has(n)) continue;
      seen ??= new Set();
      const copies = this.copiesOf(n);
      for (const c of copies) seen.add(c);
      if (copies.every((c) => s.mark[c] === ep)) return true;
    }
    return false;
  }

  /** Carries out the marked removal; returns the operation's value. */
  private commitRemoval(): { deleted: number; reclaimed: Region[] } {
    const s = this.s;
    const ep = this.epoch;
    const removed = this.removed;
    const cnodes: CNodeObject[] = [];
    const vnodes: VNodeObject[] = [];
    for (const n of removed) {
      const type = s.type[n]!;
      const home = s.home[n] as CNodeObject;
      home.clear(s.slot[n]!, n);
      cnodes.push(home);
      if (IS_MAPPING[type] === 1) {
        // delete-leaves-ptes: the entries of a Mapping removed with its copy stay behind.
        const keepEntries = this.bugDeleteLeavesPtes && s.mark[s.link[n]!] === ep;
        const v = this.detachMapping(n, !keepEntries);
        if (v !== undefined) vnodes.push(v);
        continue;
      }
      this.tree.remove(n);
      if (IS_CNODE[type] === 1) {
        const o = s.object[n] as CNodeObject;
        o.refs--;
        cnodes.push(o);
      } else if (IS_VNODE[type] === 1) {
        const o = s.object[n] as VNodeObject;
        o.refs--;
        vnodes.push(o);
      }
    }
    const reclaimed = this.reclaimed();
    for (const o of cnodes) this.cs.releaseIfDead(o);
    for (const o of vnodes) this.pt.releaseIfDead(o);
    for (const n of removed) s.free(n);
    return { deleted: removed.length, reclaimed };
  }

  /**
   * DEC-RECLAIM-MAXIMAL: removed RAM-backed objects that no surviving
   * capability overlaps (one interval query each, after the removal), reported
   * once each, the largest of nested ones, by base.
   */
  private reclaimed(): Region[] {
    const s = this.s;
    const cands: number[] = [];
    for (const n of this.removed) {
      const type = s.type[n]!;
      if (IS_MAPPING[type] === 1 || RAM_BACKED[type] === 0) continue;
      // Only RAM, and nothing another core may relate to (removal.ts).
      if ((s.meta[n]! & (FLAG_REMOTE_COPIES | FLAG_REMOTE_ANCS | FLAG_REMOTE_DESCS)) !== 0) continue;
      const lo = s.base[n]!;
      const hi = lo + s.bytes[n]!;
      if (!this.ram.some((r) => r.base <= lo && hi <= r.base + r.bytes)) continue;
      if (this.bugReclaimIgnoresSurvivors || !this.tree.anyOverlap(s.base[n]!, s.base[n]! + s.bytes[n]!)) cands.push(n);
    }
    if (cands.length === 0) return [];
    cands.sort((a, b) => s.base[a]! - s.base[b]! || s.bytes[b]! - s.bytes[a]!);
    const out: Region[] = [];
    let reach = -1; // the largest end of the candidates so far: a region ending within it is nested in one of them
    let prevBase = -1;
    let prevBytes = -1;
    for (const n of cands) {
      const base = s.base[n]!;
      const bytes = s.bytes[n]!;
      if (base === prevBase && bytes === prevBytes) continue;
      prevBase = base;
      prevBytes = bytes;
      if (base + bytes > reach) {
        out.push({ base, bytes });
        reach = base + bytes;
      }
    }
    return out;
  }

  // --- identify and the monitor's interface --------------------------------------

  /** The monitor's is_retypeable query: retype's range checks alone, changing nothing. */
  isRetypeable(op: IsRetypeableOp): KernelResult {
    const s = this.s;
    // is_retypeable.src
    const e = this.cs.lookupCap(op.src, 'src', NEED_READ);
    if (e !== undefined) return e;
    const src = this.cs.node;
    const srcType = s.type[src]!;
    // is_retypeable.memory
    if (IS_MAPPING[srcType] === 1) return err('SYS_ERR_INVALID_RETYPE', 'src');
    // is_retypeable.size
    if (op.objsize === 0) return err('SYS_ERR_INVALID_SIZE', 'src');
    // is_retypeable.count
    if (op.count < 1) return err('SYS_ERR_RETYPE_INVALID_COUNT', 'src');
    // is_retypeable.range
    const srcBase = s.base[src]!;
    const srcBytes = s.bytes[src]!;
    const size = op.count * op.objsize;
    if (op.offset + size > srcBytes) return err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src');
    // is_retypeable.no-overlap: the same interval query as retype.no-overlap.
    const lo = srcBase + op.offset;
    if (this.tree.overlapAfterClass(srcBase, srcBytes, srcType, lo, lo + size, false)) return err('SYS_ERR_REVOKE_FIRST', 'src');
    return ok({});
  }

  identify(op: IdentifyOp): KernelResult {
    // identify.target
    const e = this.cs.lookupCap(op.target, 'target', NEED_READ);
    if (e !== undefined) return e;
    return ok({ cap: this.capOf(this.cs.node) });
  }

  lock(op: LockOp | UnlockOp): KernelResult {
    const s = this.s;
    // lock.target / unlock.target
    const e = this.cs.lookupCap(op.target, 'target', NEED_WRITE);
    if (e !== undefined) return e;
    const t = this.cs.node;
    // lock.not-locked
    if (op.op === 'lock' && (s.meta[t]! & FLAG_LOCKED) !== 0) return err('SYS_ERR_CAP_LOCKED', 'target');
    for (const c of this.copiesOf(t)) s.meta[c] = op.op === 'lock' ? s.meta[c]! | FLAG_LOCKED : s.meta[c]! & ~FLAG_LOCKED;
    return ok({});
  }

  remoteRelations(op: RemoteRelationsOp): KernelResult {
    const s = this.s;
    // remote_relations.target
    const e = this.cs.lookupCap(op.target, 'target', NEED_WRITE);
    if (e !== undefined) return e;
    const t = this.cs.node;
    const f = s.meta[t]!;
    const remote = {
      copies: op.set.copies ?? (f & FLAG_REMOTE_COPIES) !== 0,
      ancs: op.set.ancs ?? (f & FLAG_REMOTE_ANCS) !== 0,
      descs: op.set.descs ?? (f & FLAG_REMOTE_DESCS) !== 0,
    };
    const bits = (remote.copies ? FLAG_REMOTE_COPIES : 0) | (remote.ancs ? FLAG_REMOTE_ANCS : 0) | (remote.descs ? FLAG_REMOTE_DESCS : 0);
    const keep = ~(FLAG_REMOTE_COPIES | FLAG_REMOTE_ANCS | FLAG_REMOTE_DESCS);
    for (const c of this.copiesOf(t)) s.meta[c] = (s.meta[c]! & keep) | bits;
    return ok({ remote });
  }

  // --- observation ----------------------------------------------------------------

  capOf(n: number): Capability {
    const s = this.s;
    const f = s.meta[n]!;
    const common = {
      rights: [...maskToRights(f & RIGHTS_MASK)],
      owner: s.ownerOf(n),
      locked: (f & FLAG_LOCKED) !== 0,
      remote: { copies: (f & FLAG_REMOTE_COPIES) !== 0, ancs: (f & FLAG_REMOTE_ANCS) !== 0, descs: (f & FLAG_REMOTE_DESCS) !== 0 },
    };
    const type = typeOfCode(s.type[n]!);
    if (IS_MAPPING[s.type[n]!] === 1) {
      const mapped = s.link[n]!;
      return {
        type: type as Exclude<ObjType, MemoryType>,
        mapped: { cnode: (s.home[mapped] as CNodeObject | undefined)?.base ?? -1, slot: s.slot[mapped]! }, // -1 only under the map-twice mutant
        ptable: s.base[n]!,
        entry: s.entry[n]!,
        pteCount: s.pteCount[n]!,
        offset: s.bytes[n]!,
        ...common,
      };
    }
    return { type: type as MemoryType, base: s.base[n]!, bytes: s.bytes[n]!, ...common };
  }

  observe(): CoreState {
    const ctes: Cte[] = [];
    for (const o of this.cs.cnodes.values())
      for (const n of o.nodes()) ctes.push({ cnode: o.base, slot: this.s.slot[n]!, cap: this.capOf(n) });
    const ptes: Pte[] = [];
    for (const v of this.pt.vnodes.values()) {
      if (v.claim === undefined || v.present === 0) continue;
      for (let i = 0; i < v.entries; i++)
        if (v.claim[i] !== 0) ptes.push({ vnode: v.base, entry: i, target: v.target![i]!, rights: maskToRights(v.rights![i]!) });
    }
    return { core: this.core, ctes, ptes };
  }
}

function metaFlags(c: Capability): number {
  return (c.locked ? FLAG_LOCKED : 0) | (c.remote.copies ? FLAG_REMOTE_COPIES : 0) | (c.remote.ancs ? FLAG_REMOTE_ANCS : 0) | (c.remote.descs ? FLAG_REMOTE_DESCS : 0);
}
