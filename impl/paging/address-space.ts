// The optimized address space: the same results and observations as the
// reference (model/paging) for every step sequence, with indexes instead of
// walks.
//
//   free ranges  a treap keyed by address, augmented with the largest range
//                per subtree: first fit, and "is this range free", in O(log n)
//   regions      a treap keyed by address: "which region holds va" in O(log n)
//   page tables  a hash map from (depth, va / table span) to the table: O(1),
//                never a walk of the capability space; each table counts its
//                present entries, and a leaf keeps a bitmap of them, so
//                emptiness and "is this page mapped" are O(1)
//   mappings     by start address (client), per region, and by the physical
//                base of the frame they map (a treap): a client's revoke or
//                ram_free finds the mappings whose copies it may have taken —
//                those of frames inside the revoked capability — in
//                O(log n + k), without looking at the others
//
// A map costs O(log n) in the number of regions plus O(pieces + new tables)
// kernel calls; unmap the same.
import { archProfiles } from '../../spec/kernel/arch.js';
import type { Capref } from '../../spec/kernel/capref.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { hasRights, type MapRightName } from '../../spec/kernel/rights.js';
import { isMappingCap, type Region } from '../../spec/kernel/state.js';
import type { RamAllocator, SlotAllocator } from '../../spec/mm/mm.js';
import type { RamGrant } from '../../spec/mm/ops.js';
import { caprefKey } from '../../spec/mm/state.js';
import { pagingBoot, type AddressSpace, type PagingEnv, type PagingResult, type PagingResultOf } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import { entryIndex, LAZY_RIGHTS, PAGE_SIZE, TABLE_RIGHTS, pagingLevels, tableBase, type LeafPiece, type PagingLevel } from '../../spec/paging/layout.js';
import {
  clientCallSlots,
  type ClientOp,
  type FaultOp,
  type FrameAllocOp,
  type MapOp,
  type PagingOp,
  type RamFreeOp,
  type ReleaseOp,
  type ReserveOp,
  type UnmapOp,
} from '../../spec/paging/ops.js';
import { canonicalPagingState, type PagingState, type RegionKind, type VMapping, type VRegion, type VTable } from '../../spec/paging/state.js';
import { err, ok } from '../../spec/result.js';
import { Acquisition, must, type Fail } from '../../spec/paging/acquisition.js';
import type { PagingMutant } from './mutants.js';
import { RangeTree } from './range-tree.js';

interface Table {
  readonly depth: number;
  readonly vaddr: number;
  readonly phys: number;
  readonly vnode: Capref;
  readonly ram?: Capref;
  readonly mapping?: Capref;
  readonly parent?: Table;
  readonly key: number;
  /** Present entries. */
  used: number;
  /** Leaf tables: which entries are present. */
  readonly present?: Uint8Array;
}

interface Piece {
  readonly vaddr: number;
  readonly pages: number;
  readonly mapped: Capref;
  readonly mapping: Capref;
  readonly table: Table;
}

interface Mapping {
  readonly vaddr: number;
  readonly bytes: number;
  readonly kind: 'client' | 'lazy';
  readonly phys: number;
  readonly rights: readonly MapRightName[];
  readonly frame: Capref;
  readonly ram?: RamGrant;
  readonly pieces: readonly Piece[];
  /** The mapped capability's region (a revoke of anything containing it may take the copies). */
  readonly frameRegion: Region;
  readonly region: VRegionRec;
}

interface VRegionRec {
  readonly base: number;
  readonly bytes: number;
  readonly kind: RegionKind;
  readonly mappings: Map<number, Mapping>;
}

const KEY_DEPTH = 2 ** 37;

const sizeOk = (bytes: number): boolean => bytes > 0 && bytes % PAGE_SIZE === 0;

export interface ImplAddressSpaceOptions {
  /** Check the data structures' invariants after every step (O(n); also on with CAPREF_DEBUG=1). */
  readonly debug?: boolean;
  /** Switch on one deliberate bug by name (mutants.ts). */
  readonly mutant?: PagingMutant;
}

export class ImplAddressSpace implements AddressSpace {
  private readonly kernel: Kernel;
  private readonly memory: RamAllocator & SlotAllocator;
  private readonly config: PagingConfig;
  private readonly levels: readonly PagingLevel[];
  private readonly leaf: PagingLevel;
  private readonly root: Table;
  private readonly tables = new Map<number, Table>();
  private readonly gaps = new RangeTree<null>();
  private readonly regions = new RangeTree<VRegionRec>();
  private readonly clientMappings = new Map<number, Mapping>();
  /** Client mappings by the physical base of the frame they map (several frames, and several mappings of one, may share a base). */
  private readonly byFrame = new RangeTree<Set<Mapping>>();
  private readonly client = new Map<string, Capref>();
  private readonly debug: boolean;
  private readonly mutant: PagingMutant | undefined;

  constructor(env: PagingEnv, options: ImplAddressSpaceOptions = {}) {
    this.kernel = env.kernel;
    this.memory = env.memory;
    this.config = env.config;
    this.levels = pagingLevels(archProfiles[env.config.kernel.arch]);
    this.leaf = this.levels.at(-1)!;
    const boot = pagingBoot(env.config);
    this.root = { depth: 0, vaddr: 0, phys: boot.rootPhys, vnode: boot.rootVNode, key: 0, used: 0 };
    this.mutant = options.mutant;
    const { vbase, vlimit } = env.config.paging;
    const lo = this.mutant === 'null-page-window' ? 0 : vbase;
    this.gaps.insert(lo, vlimit - lo, null);
    this.debug = options.debug ?? (typeof process !== 'undefined' && process.env.CAPREF_DEBUG === '1');
  }

  apply<O extends PagingOp>(op: O): PagingResultOf<O> {
    const r = this.run(op);
    if (this.debug) this.checkStructure();
    return r as PagingResultOf<O>;
  }

  private run(op: PagingOp): PagingResult {
    switch (op.op) {
      case 'reserve':
        return this.reserve(op);
      case 'map':
        return this.map(op);
      case 'unmap':
        return this.unmap(op);
      case 'release':
        return this.release(op);
      case 'fault':
        return this.fault(op);
      case 'frame_alloc':
        return this.frameAlloc(op);
      case 'slot_alloc': {
        const r = this.memory.allocSlot();
        if (r.ok) this.client.set(caprefKey(r.value.slot), r.value.slot);
        return r;
      }
      case 'ram_free':
        return this.ramFree(op);
      case 'client':
        return this.clientCall(op);
    }
  }

  // --- regions and free ranges ------------------------------------------------------

  /** The fixed-range checks of reserve and map, in the spec's order. */
  private fixedRangeError(vaddr: number, bytes: number): Fail | undefined {
    if (vaddr % PAGE_SIZE !== 0) return err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'vaddr');
    const { vbase, vlimit } = this.config.paging;
    if (this.mutant === 'null-page-window') return vaddr + bytes > vlimit ? err('PAGING_ERR_OUTSIDE_WINDOW', 'vaddr') : undefined;
    if (vaddr < PAGE_SIZE) return err('PAGING_ERR_NULL_PAGE', 'vaddr');
    if (vaddr < vbase || vaddr + bytes > vlimit) return err('PAGING_ERR_OUTSIDE_WINDOW', 'vaddr');
    return undefined;
  }

  private isFree(vaddr: number, bytes: number): boolean {
    if (this.mutant === 'fixed-overlap-unchecked') {
      const r = this.regions.floor(vaddr);
      return r === undefined || vaddr >= r.base + r.bytes;
    }
    const g = this.gaps.floor(vaddr);
    return g !== undefined && vaddr + bytes <= g.base + g.bytes;
  }

  private firstFit(bytes: number): number | undefined {
    return this.gaps.firstFit(this.mutant === 'first-fit-strict' ? bytes + 1 : bytes)?.base;
  }

  /** Takes [vaddr, vaddr + bytes) out of the free range that holds it. */
  private carve(vaddr: number, bytes: number): void {
    const g = this.gaps.floor(vaddr)!;
    const end = g.base + g.bytes;
    this.gaps.remove(g.base);
    if (vaddr > g.base) this.gaps.insert(g.base, vaddr - g.base, null);
    if (vaddr + bytes < end) this.gaps.insert(vaddr + bytes, end - vaddr - bytes, null);
  }

  /** Gives [base, base + bytes) back to the free ranges, merged with its neighbours. */
  private uncarve(base: number, bytes: number): void {
    let lo = base;
    let hi = base + bytes;
    const prev = this.gaps.floor(base - 1);
    if (prev !== undefined && prev.base + prev.bytes === base) {
      lo = prev.base;
      this.gaps.remove(prev.base);
    }
    const next = this.gaps.get(hi);
    if (next !== undefined) {
      hi = next.base + next.bytes;
      this.gaps.remove(next.base);
    }
    this.gaps.insert(lo, hi - lo, null);
  }

  private addRegion(base: number, bytes: number, kind: RegionKind): VRegionRec {
    this.carve(base, bytes);
    const r: VRegionRec = { base, bytes, kind, mappings: new Map() };
    this.regions.insert(base, bytes, r);
    return r;
  }

  private dropRegion(r: VRegionRec): void {
    this.regions.remove(r.base);
    this.uncarve(r.base, r.bytes);
  }

  private regionContaining(va: number): VRegionRec | undefined {
    const n = this.regions.floor(va);
    return n !== undefined && va < n.base + n.bytes ? n.value : undefined;
  }

  private reserve(op: ReserveOp): PagingResult {
    if (!sizeOk(op.bytes)) return err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes');
    let vaddr = op.vaddr;
    if (vaddr !== undefined) {
      const e = this.fixedRangeError(vaddr, op.bytes);
      if (e !== undefined) return e;
      if (!this.isFree(vaddr, op.bytes)) return err('LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr');
    } else {
      vaddr = this.firstFit(op.bytes);
      if (vaddr === undefined) return err('LIB_ERR_OUT_OF_VIRTUAL_ADDR', 'bytes');
    }
    this.addRegion(vaddr, op.bytes, op.lazy === true ? 'lazy' : 'reserved');
    return ok({ vaddr });
  }

  private release(op: ReleaseOp): PagingResult {
    const n = this.regions.get(op.vaddr);
    if (n === undefined) return err('LIB_ERR_VREGION_NOT_FOUND', 'vaddr');
    const r = n.value;
    for (const m of [...r.mappings.values()].sort((a, b) => a.vaddr - b.vaddr)) this.unmapMapping(m, false);
    this.dropRegion(r);
    return ok({});
  }

  // --- page tables ------------------------------------------------------------------

  private tableKey(depth: number, va: number): number {
    return depth * KEY_DEPTH + Math.floor(va / this.levels[depth]!.tableSpan);
  }

  private tableAt(depth: number, va: number): Table | undefined {
    return depth === 0 ? this.root : this.tables.get(this.tableKey(depth, va));
  }

  private isPageMapped(va: number): boolean {
    const t = this.tables.get(this.tableKey(this.leaf.depth, va));
    return t !== undefined && t.present![entryIndex(this.leaf, va)] === 1;
  }

  /** Splits a range at leaf-table boundaries (the spec's leafPieces, done here with the mutant's mistake available). */
  private pieces(vaddr: number, bytes: number): LeafPiece[] {
    const out: LeafPiece[] = [];
    const span = this.leaf.tableSpan;
    const end = vaddr + bytes;
    for (let va = vaddr; va < end;) {
      let next = Math.min(end, (Math.floor(va / span) + 1) * span);
      if (this.mutant === 'piece-split-off-by-one' && va === vaddr && next < end) next += PAGE_SIZE;
      out.push({ vaddr: va, pages: (next - va) / PAGE_SIZE });
      va = next;
    }
    return out;
  }

  // --- map and fault ----------------------------------------------------------------

  private map(op: MapOp): PagingResult {
    if (!this.client.has(caprefKey(op.frame))) return err('MM_ERR_FOREIGN_SLOT', 'frame');
    const id = this.kernel.apply({ op: 'identify', target: op.frame });
    if (!id.ok) return err(id.error, 'frame');
    const frame = id.value.cap;
    if (isMappingCap(frame) || (frame.type !== 'Frame' && frame.type !== 'DevFrame')) return err('LIB_ERR_CAP_NOT_MAPPABLE', 'frame');
    const offset = op.offset ?? 0;
    if (offset % PAGE_SIZE !== 0) return err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'offset');
    if (op.bytes !== undefined && !sizeOk(op.bytes)) return err('LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes');
    const bytes = op.bytes ?? frame.bytes - offset;
    if (offset >= frame.bytes || offset + bytes > frame.bytes) return err('LIB_ERR_PMAP_FRAME_SIZE', 'bytes');
    if (!hasRights(frame.rights, op.rights)) return err('SYS_ERR_VM_MAP_RIGHTS', 'rights');
    let vaddr = op.vaddr;
    let home: VRegionRec | undefined;
    if (vaddr !== undefined) {
      const e = this.fixedRangeError(vaddr, bytes);
      if (e !== undefined) return e;
      if (!this.isFree(vaddr, bytes)) {
        const r = this.regionContaining(vaddr);
        if (r === undefined || r.kind !== 'reserved' || vaddr + bytes > r.base + r.bytes) return err('LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr');
        for (let va = vaddr; va < vaddr + bytes; va += PAGE_SIZE) if (this.isPageMapped(va)) return err('LIB_ERR_PMAP_EXISTING_MAPPING', 'vaddr');
        home = r;
      }
    } else {
      vaddr = this.firstFit(bytes);
      if (vaddr === undefined) return err('LIB_ERR_OUT_OF_VIRTUAL_ADDR', 'bytes');
    }
    const at = vaddr;
    const built = this.build(at, bytes, (p) => ({ kind: 'copy', frame: op.frame, offset: offset + (p.vaddr - at), rights: op.rights }));
    if (!Array.isArray(built)) return built;
    const region = home ?? this.addRegion(at, bytes, 'frame');
    const m: Mapping = {
      vaddr: at,
      bytes,
      kind: 'client',
      phys: frame.base + offset,
      rights: op.rights,
      frame: op.frame,
      pieces: built,
      frameRegion: { base: frame.base, bytes: frame.bytes },
      region,
    };
    region.mappings.set(at, m);
    this.clientMappings.set(at, m);
    this.indexByFrame(m);
    return ok({ vaddr: at });
  }

  private fault(op: FaultOp): PagingResult {
    if (op.vaddr < PAGE_SIZE) return err('PAGING_ERR_NULL_PAGE', 'vaddr');
    const n = this.regions.floor(op.vaddr);
    const inside = n !== undefined && (this.mutant === 'fault-region-end-inclusive' ? op.vaddr <= n.base + n.bytes : op.vaddr < n.base + n.bytes);
    if (n === undefined || !inside || n.value.kind !== 'lazy') return err('LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND', 'vaddr');
    const page = Math.floor(op.vaddr / PAGE_SIZE) * PAGE_SIZE;
    if (this.isPageMapped(page)) return err('LIB_ERR_MEMOBJ_DUPLICATE_FILL', 'vaddr');
    let ram: RamGrant | undefined;
    const built = this.build(page, PAGE_SIZE, () => ({ kind: 'lazy', got: (g) => (ram = g) }));
    if (!Array.isArray(built)) return built;
    const piece = built[0]!;
    const m: Mapping = {
      vaddr: page,
      bytes: PAGE_SIZE,
      kind: 'lazy',
      phys: ram!.base,
      rights: LAZY_RIGHTS,
      frame: piece.mapped,
      ram: ram!,
      pieces: built,
      frameRegion: { base: ram!.base, bytes: PAGE_SIZE },
      region: n.value,
    };
    n.value.mappings.set(page, m);
    return ok({ vaddr: page });
  }

  /** Acquire everything first (DEC-PAGING-ACQUIRE-FIRST), then build, in the order of spec/paging/decisions.ts. */
  private build(vaddr: number, bytes: number, source: (p: LeafPiece) => PieceSource): Piece[] | Fail {
    type Plan =
      | { what: 'table'; depth: number; vaddr: number; key: number; ram: RamGrant; vnode: Capref; mapping: Capref }
      | { what: 'piece'; piece: LeafPiece; src: PieceSource; ram?: RamGrant; mapped: Capref; mapping: Capref };
    const acq = new Acquisition(this.memory);
    const plans: Plan[] = [];
    const planned = new Set<number>();
    for (const piece of this.pieces(vaddr, bytes)) {
      for (let d = 1; d < this.levels.length; d++) {
        const key = this.tableKey(d, piece.vaddr);
        if (this.tables.has(key) || planned.has(key)) continue;
        planned.add(key);
        const level = this.levels[d]!;
        const ram = acq.ram(level.ramBytes, level.ramAlignment);
        const vnode = acq.slot();
        const mapping = acq.slot();
        if (acq.failure !== undefined) return acq.abort();
        plans.push({ what: 'table', depth: d, vaddr: tableBase(level, piece.vaddr), key, ram, vnode, mapping });
      }
      const src = source(piece);
      const ram = src.kind === 'lazy' ? acq.ram(PAGE_SIZE, PAGE_SIZE) : undefined;
      const mapped = acq.slot();
      const mapping = acq.slot();
      if (acq.failure !== undefined) return acq.abort();
      plans.push({ what: 'piece', piece, src, mapped, mapping, ...(ram !== undefined ? { ram } : {}) });
    }

    const out: Piece[] = [];
    let firstCopy: Capref | undefined;
    for (const p of plans) {
      if (p.what === 'table') {
        const level = this.levels[p.depth]!;
        const parent = this.tableAt(p.depth - 1, p.vaddr)!;
        must(
          this.kernel.apply({ op: 'retype', src: p.ram.cap, offset: 0, type: level.type, objsize: level.tableBytes, count: 1, dest: p.vnode }),
          'retype of a page table',
        );
        must(
          this.kernel.apply({
            op: 'vnode_map',
            vnode: parent.vnode,
            src: p.vnode,
            entry: entryIndex(this.levels[p.depth - 1]!, p.vaddr),
            offset: 0,
            pteCount: 1,
            rights: TABLE_RIGHTS,
            mapping: p.mapping,
          }),
          'vnode_map of a page table',
        );
        const isLeaf = p.depth === this.leaf.depth;
        this.tables.set(p.key, {
          depth: p.depth,
          vaddr: p.vaddr,
          phys: p.ram.base,
          vnode: p.vnode,
          ram: p.ram.cap,
          mapping: p.mapping,
          parent,
          key: p.key,
          used: 0,
          ...(isLeaf ? { present: new Uint8Array(level.entries) } : {}),
        });
        parent.used++;
        continue;
      }
      const table = this.tables.get(this.tableKey(this.leaf.depth, p.piece.vaddr))!;
      const entry = entryIndex(this.leaf, p.piece.vaddr);
      if (p.src.kind === 'copy') {
        let mapped = p.mapped;
        if (this.mutant === 'no-copy-per-piece' && firstCopy !== undefined) mapped = firstCopy;
        else must(this.kernel.apply({ op: 'copy', src: p.src.frame, dest: p.mapped }), 'copy of the frame');
        firstCopy ??= p.mapped;
        must(
          this.kernel.apply({
            op: 'vnode_map',
            vnode: table.vnode,
            src: mapped,
            entry,
            offset: p.src.offset,
            pteCount: p.piece.pages,
            rights: p.src.rights,
            mapping: p.mapping,
          }),
          'vnode_map of a frame piece',
        );
      } else {
        must(
          this.kernel.apply({ op: 'retype', src: p.ram!.cap, offset: 0, type: 'Frame', objsize: PAGE_SIZE, count: 1, dest: p.mapped }),
          'retype of a lazy page',
        );
        must(
          this.kernel.apply({ op: 'vnode_map', vnode: table.vnode, src: p.mapped, entry, offset: 0, pteCount: 1, rights: LAZY_RIGHTS, mapping: p.mapping }),
          'vnode_map of a lazy page',
        );
        p.src.got(p.ram!);
      }
      table.used += p.piece.pages;
      table.present!.fill(1, entry, entry + p.piece.pages);
      out.push({ vaddr: p.piece.vaddr, pages: p.piece.pages, mapped: p.mapped, mapping: p.mapping, table });
    }
    return out;
  }

  // --- unmap ------------------------------------------------------------------------

  private unmap(op: UnmapOp): PagingResult {
    const m = this.clientMappings.get(op.vaddr);
    if (m === undefined) return err('LIB_ERR_PMAP_NOT_MAPPED', 'vaddr');
    this.unmapMapping(m, false);
    if (m.region.kind === 'frame') this.dropRegion(m.region);
    return ok({});
  }

  /**
   * Unmaps piece by piece, then frees the leaf tables left empty. `revoked`:
   * a client's revoke may already have taken some copies (and their Mapping
   * capabilities and entries) — those are only forgotten.
   */
  private unmapMapping(m: Mapping, revoked: boolean): void {
    for (const p of m.pieces) {
      const alive = !revoked || this.kernel.apply({ op: 'identify', target: p.mapped }).ok;
      if (alive) must(this.kernel.apply({ op: 'vnode_unmap', vnode: p.table.vnode, mapping: p.mapping }), 'vnode_unmap of a piece');
      must(this.memory.freeSlot(p.mapping), "freeSlot of a piece's Mapping");
      if (alive) must(this.kernel.apply({ op: 'delete', target: p.mapped }), 'delete of a mapped copy');
      if (!(this.mutant === 'unmap-leaks-slot' && m.kind === 'client')) must(this.memory.freeSlot(p.mapped), "freeSlot of a piece's copy");
      if (m.kind === 'lazy') must(this.memory.freeRam(m.ram!.cap), "freeRam of a lazy page's RAM");
      const entry = entryIndex(this.leaf, p.vaddr);
      p.table.used -= p.pages;
      p.table.present!.fill(0, entry, entry + p.pages);
    }
    m.region.mappings.delete(m.vaddr);
    if (m.kind === 'client') {
      this.clientMappings.delete(m.vaddr);
      this.unindexByFrame(m);
    }
    if (this.mutant !== 'table-never-freed') for (const p of m.pieces) this.freeIfEmpty(p.table);
  }

  private freeIfEmpty(t: Table): void {
    if (t.depth === 0 || t.used > 0 || this.tables.get(t.key) !== t) return;
    const parent = t.parent!;
    must(this.kernel.apply({ op: 'vnode_unmap', vnode: parent.vnode, mapping: t.mapping! }), 'vnode_unmap of a page table');
    must(this.memory.freeSlot(t.mapping!), "freeSlot of a table's Mapping");
    must(this.kernel.apply({ op: 'delete', target: t.vnode }), 'delete of a page table');
    must(this.memory.freeSlot(t.vnode), "freeSlot of a table's VNode");
    must(this.memory.freeRam(t.ram!), "freeRam of a table's RAM");
    if (this.mutant !== 'table-index-stale') this.tables.delete(t.key);
    parent.used--;
    this.freeIfEmpty(parent);
  }

  // --- the client's steps -----------------------------------------------------------

  private frameAlloc(op: FrameAllocOp): PagingResult {
    if (!sizeOk(op.bytes)) return err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes');
    const ram = this.memory.allocRam({ bytes: op.bytes });
    if (!ram.ok) return ram;
    const slot = this.memory.allocSlot();
    if (!slot.ok) {
      must(this.memory.freeRam(ram.value.cap), "freeRam of a client frame's RAM");
      return slot;
    }
    must(
      this.kernel.apply({ op: 'retype', src: ram.value.cap, offset: 0, type: 'Frame', objsize: op.bytes, count: 1, dest: slot.value.slot }),
      'retype of a client frame',
    );
    this.client.set(caprefKey(ram.value.cap), ram.value.cap);
    this.client.set(caprefKey(slot.value.slot), slot.value.slot);
    return ok({ frame: slot.value.slot, ram: ram.value.cap, base: ram.value.base, bytes: ram.value.bytes });
  }

  private ramFree(op: RamFreeOp): PagingResult {
    if (!this.client.has(caprefKey(op.cap))) return err('MM_ERR_FOREIGN_SLOT', 'cap');
    const region = this.regionOf(op.cap);
    const r = this.memory.freeRam(op.cap);
    if (!r.ok) return r;
    this.client.delete(caprefKey(op.cap));
    if (region !== undefined) this.reconcile(region);
    return ok({});
  }

  private clientCall(op: ClientOp): PagingResult {
    for (const [field, ref] of clientCallSlots(op.call)) if (!this.client.has(caprefKey(ref))) return err('MM_ERR_FOREIGN_SLOT', field);
    // Only a revoke can take the address space's copies: the client holds no CNodes and no Mapping capabilities.
    const region = op.call.op === 'revoke' ? this.regionOf(op.call.target) : undefined;
    const r = this.kernel.apply(op.call as KernelOp);
    if (r.ok && region !== undefined) this.reconcile(region);
    return r;
  }

  private regionOf(ref: Capref): Region | undefined {
    const id = this.kernel.apply({ op: 'identify', target: ref });
    return id.ok && !isMappingCap(id.value.cap) ? { base: id.value.cap.base, bytes: id.value.cap.bytes } : undefined;
  }

  private indexByFrame(m: Mapping): void {
    const n = this.byFrame.get(m.frameRegion.base);
    if (n !== undefined) n.value.add(m);
    else this.byFrame.insert(m.frameRegion.base, 0, new Set([m]));
  }

  private unindexByFrame(m: Mapping): void {
    const n = this.byFrame.get(m.frameRegion.base);
    if (n === undefined) return;
    n.value.delete(m);
    if (n.value.size === 0) this.byFrame.remove(m.frameRegion.base);
  }

  /**
   * DEC-PAGING-CLIENT-REVOKE: forget, as an unmap would, every client mapping
   * whose copies a revoke of `revoked` took. Only frames inside the revoked
   * capability can have lost copies: the frame index yields their mappings in
   * O(log n + k).
   */
  private reconcile(revoked: Region): void {
    if (this.mutant === 'stale-after-revoke') return;
    const end = revoked.base + revoked.bytes;
    const hit: Mapping[] = [];
    for (const n of this.byFrame.between(revoked.base, end)) for (const m of n.value) if (m.frameRegion.base + m.frameRegion.bytes <= end) hit.push(m);
    hit.sort((a, b) => a.vaddr - b.vaddr);
    for (const m of hit) {
      if (m.pieces.every((p) => this.kernel.apply({ op: 'identify', target: p.mapped }).ok)) continue;
      this.unmapMapping(m, true);
      if (m.region.kind === 'frame') this.dropRegion(m.region);
    }
  }

  // --- observation and self-checks --------------------------------------------------

  observe(): PagingState {
    const mappings: VMapping[] = [];
    const regions: VRegion[] = [];
    for (const n of this.regions.entries()) {
      regions.push({ base: n.base, bytes: n.bytes, kind: n.value.kind });
      for (const m of n.value.mappings.values())
        mappings.push({
          vaddr: m.vaddr,
          bytes: m.bytes,
          kind: m.kind,
          phys: m.phys,
          rights: m.rights,
          frame: m.frame,
          ...(m.ram !== undefined ? { ram: m.ram.cap } : {}),
          pieces: m.pieces.map((p) => ({ vaddr: p.vaddr, pages: p.pages, mapped: p.mapped, mapping: p.mapping })),
        });
    }
    const tables: VTable[] = [this.root, ...this.tables.values()].map((t) => ({
      depth: t.depth,
      type: this.levels[t.depth]!.type,
      vaddr: t.vaddr,
      phys: t.phys,
      vnode: t.vnode,
      ...(t.ram !== undefined ? { ram: t.ram } : {}),
      ...(t.mapping !== undefined ? { mapping: t.mapping } : {}),
    }));
    return canonicalPagingState({ regions, mappings, tables, client: [...this.client.values()] });
  }

  /** Checks every data-structure invariant; throws an Error naming the first broken one. */
  checkStructure(): void {
    this.gaps.check();
    this.regions.check();
    // Free ranges and regions tile the window exactly, and free ranges are coalesced.
    const parts = [
      ...[...this.gaps.entries()].map((g) => ({ base: g.base, bytes: g.bytes, free: true })),
      ...[...this.regions.entries()].map((r) => ({ base: r.base, bytes: r.bytes, free: false })),
    ].sort((a, b) => a.base - b.base);
    let cursor = this.mutant === 'null-page-window' ? 0 : this.config.paging.vbase;
    parts.forEach((p, i) => {
      if (p.base !== cursor) throw new Error(`address space: the window is not tiled at 0x${cursor.toString(16)}`);
      if (p.free && parts[i + 1]?.free === true) throw new Error(`address space: free ranges at 0x${p.base.toString(16)} are not coalesced`);
      cursor = p.base + p.bytes;
    });
    if (cursor !== this.config.paging.vlimit) throw new Error('address space: the window is not tiled up to its limit');
    // Every table's count of present entries is what its children and pieces say.
    const used = new Map<Table, number>();
    for (const t of this.tables.values()) if (t.parent !== undefined) used.set(t.parent, (used.get(t.parent) ?? 0) + 1);
    for (const r of this.regions.entries())
      for (const m of r.value.mappings.values())
        for (const p of m.pieces) {
          used.set(p.table, (used.get(p.table) ?? 0) + p.pages);
          if (this.tables.get(p.table.key) !== p.table)
            throw new Error(`address space: piece at 0x${p.vaddr.toString(16)} is in a table the index does not hold`);
        }
    // The frame index holds exactly the client mappings, each under its frame's base.
    this.byFrame.check();
    let indexed = 0;
    for (const n of this.byFrame.entries()) {
      if (n.value.size === 0) throw new Error(`address space: the frame index keeps an empty entry at 0x${n.base.toString(16)}`);
      for (const m of n.value) {
        indexed++;
        if (m.frameRegion.base !== n.base || this.clientMappings.get(m.vaddr) !== m)
          throw new Error(
            `address space: the frame index holds the mapping at 0x${m.vaddr.toString(16)} under 0x${n.base.toString(16)}, which is not a live client mapping of a frame there`,
          );
      }
    }
    if (indexed !== this.clientMappings.size)
      throw new Error(`address space: the frame index holds ${indexed} mappings, the address space ${this.clientMappings.size}`);
    for (const t of [this.root, ...this.tables.values()]) {
      if ((used.get(t) ?? 0) !== t.used)
        throw new Error(`address space: table at 0x${t.phys.toString(16)} counts ${t.used} entries, holds ${used.get(t) ?? 0}`);
      if (t.present !== undefined && t.present.reduce((a, b) => a + b, 0) !== t.used)
        throw new Error(`address space: leaf at 0x${t.phys.toString(16)} has a bitmap that disagrees with its count`);
    }
  }
}

type PieceSource =
  | { readonly kind: 'copy'; readonly frame: Capref; readonly offset: number; readonly rights: readonly MapRightName[] }
  | { readonly kind: 'lazy'; readonly got: (g: RamGrant) => void };

export const implAddressSpace = (env: PagingEnv, options: ImplAddressSpaceOptions = {}): AddressSpace => new ImplAddressSpace(env, options);
