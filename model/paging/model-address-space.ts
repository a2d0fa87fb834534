// The reference address space: the oracle impl/paging is compared against.
// It follows the seeds' own design (seeds/001 §3): the regions are a linked
// list sorted by address, searched first fit; the page tables are a tree
// found by walking from the root, each table holding a list of its children.
// The spec decides which error a step returns (its preconditions, in order);
// the model only carries out what a successful step does, in the order
// spec/paging/decisions.ts prescribes. Slow on purpose, short, obviously right.
import { archProfiles } from '../../spec/kernel/arch.js';
import type { Capref } from '../../spec/kernel/capref.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import type { MapRightName } from '../../spec/kernel/rights.js';
import type { MemoryCap } from '../../spec/kernel/state.js';
import type { RamAllocator, SlotAllocator } from '../../spec/mm/mm.js';
import type { RamGrant } from '../../spec/mm/ops.js';
import { sameCapref } from '../../spec/mm/state.js';
import { pagingBoot, type AddressSpace, type PagingEnv, type PagingResult, type PagingResultOf } from '../../spec/paging/address-space.js';
import type { PagingConfig } from '../../spec/paging/config.js';
import {
  entryIndex,
  LAZY_RIGHTS,
  leafPieces,
  TABLE_RIGHTS,
  PAGE_SIZE,
  pageOf,
  pagingLevels,
  tableBase,
  type LeafPiece,
  type PagingLevel,
} from '../../spec/paging/layout.js';
import type { MapOp, PagingOp } from '../../spec/paging/ops.js';
import { expectedPagingResult, mapBytes } from '../../spec/paging/preconditions.js';
import { canonicalPagingState, type PagingState, type Piece, type RegionKind, type VMapping, type VRegion } from '../../spec/paging/state.js';
import { ok } from '../../spec/result.js';
import { Acquisition, must, type Fail } from '../../spec/paging/acquisition.js';

interface Table {
  readonly depth: number;
  readonly vaddr: number;
  readonly phys: number;
  readonly vnode: Capref;
  readonly ram?: Capref;
  readonly mapping?: Capref;
  readonly parent?: Table;
  /** The next-level tables installed in this one (a plain list, searched by walking). */
  children: Table[];
}

interface Mapping extends VMapping {
  readonly pieces: Piece[];
}

/** A built piece; a lazy page's also names the RAM its Frame came from. */
type Built = Piece & { readonly ram?: RamGrant };

export class ModelAddressSpace implements AddressSpace {
  private readonly kernel: Kernel;
  private readonly memory: RamAllocator & SlotAllocator;
  private readonly config: PagingConfig;
  private readonly levels: readonly PagingLevel[];
  private readonly root: Table;
  /** The region list, sorted by base. */
  private regions: VRegion[] = [];
  private mappings: Mapping[] = [];
  private client: Capref[] = [];

  constructor(env: PagingEnv) {
    this.kernel = env.kernel;
    this.memory = env.memory;
    this.config = env.config;
    this.levels = pagingLevels(archProfiles[env.config.kernel.arch]);
    const boot = pagingBoot(env.config);
    this.root = { depth: 0, vaddr: 0, phys: boot.rootPhys, vnode: boot.rootVNode, children: [] };
  }

  observe(): PagingState {
    const tables: Table[] = [];
    const collect = (t: Table) => {
      tables.push(t);
      t.children.forEach(collect);
    };
    collect(this.root);
    return canonicalPagingState({
      regions: this.regions,
      mappings: this.mappings,
      tables: tables.map((t) => ({
        depth: t.depth,
        type: this.levels[t.depth]!.type,
        vaddr: t.vaddr,
        phys: t.phys,
        vnode: t.vnode,
        ...(t.ram !== undefined ? { ram: t.ram } : {}),
        ...(t.mapping !== undefined ? { mapping: t.mapping } : {}),
      })),
      client: this.client,
    });
  }

  apply<O extends PagingOp>(op: O): PagingResultOf<O> {
    const e = expectedPagingResult(this.observe(), () => this.kernel.observe(), this.config, op);
    if (!e.ok) return e as PagingResultOf<O>;
    return this.run(op) as PagingResultOf<O>;
  }

  private run(op: PagingOp): PagingResult {
    switch (op.op) {
      case 'reserve': {
        const vaddr = op.vaddr ?? this.firstFit(op.bytes)!;
        this.addRegion({ base: vaddr, bytes: op.bytes, kind: op.lazy === true ? 'lazy' : 'reserved' });
        return ok({ vaddr });
      }
      case 'map':
        return this.map(op);
      case 'unmap': {
        const m = this.mappings.find((x) => x.kind === 'client' && x.vaddr === op.vaddr)!;
        this.unmapMapping(m);
        this.regions = this.regions.filter((r) => !(r.kind === 'frame' && r.base === m.vaddr));
        return ok({});
      }
      case 'release': {
        const region = this.regions.find((r) => r.base === op.vaddr)!;
        for (const m of this.mappingsIn(region)) this.unmapMapping(m);
        this.regions = this.regions.filter((r) => r !== region);
        return ok({});
      }
      case 'fault':
        return this.fault(op.vaddr);
      case 'frame_alloc': {
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
        this.client.push(ram.value.cap, slot.value.slot);
        return ok({ frame: slot.value.slot, ram: ram.value.cap, base: ram.value.base, bytes: ram.value.bytes });
      }
      case 'slot_alloc': {
        const slot = this.memory.allocSlot();
        if (slot.ok) this.client.push(slot.value.slot);
        return slot;
      }
      case 'ram_free': {
        const r = this.memory.freeRam(op.cap);
        if (!r.ok) return r;
        this.client = this.client.filter((c) => !sameCapref(c, op.cap));
        this.reconcile();
        return ok({});
      }
      case 'client': {
        const r = this.kernel.apply(op.call as KernelOp);
        if (r.ok) this.reconcile();
        return r;
      }
    }
  }

  // --- regions: a sorted list, first fit ------------------------------------------

  private firstFit(bytes: number): number | undefined {
    let cursor = this.config.paging.vbase;
    for (const r of this.regions) {
      if (r.base - cursor >= bytes) return cursor;
      cursor = r.base + r.bytes;
    }
    return this.config.paging.vlimit - cursor >= bytes ? cursor : undefined;
  }

  private addRegion(r: VRegion): void {
    const i = this.regions.findIndex((x) => x.base > r.base);
    this.regions.splice(i < 0 ? this.regions.length : i, 0, r);
  }

  private mappingsIn(r: VRegion): Mapping[] {
    return this.mappings.filter((m) => m.vaddr >= r.base && m.vaddr < r.base + r.bytes).sort((a, b) => a.vaddr - b.vaddr);
  }

  // --- page tables: a tree, found by walking --------------------------------------

  /** The table of `depth` that translates `va`, walking down from the root. */
  private findTable(depth: number, va: number): Table | undefined {
    let t: Table | undefined = this.root;
    for (let d = 1; d <= depth && t !== undefined; d++) t = t.children.find((c) => c.vaddr === tableBase(this.levels[d]!, va));
    return t;
  }

  private leafOf(va: number): Table {
    return this.findTable(this.levels.length - 1, va)!;
  }

  private isEmpty(t: Table): boolean {
    if (t.depth < this.levels.length - 1) return t.children.length === 0;
    const leaf = this.levels[t.depth]!;
    return !this.mappings.some((m) => m.pieces.some((p) => tableBase(leaf, p.vaddr) === t.vaddr));
  }

  // --- map ----------------------------------------------------------------------

  private map(op: MapOp): PagingResult {
    const id = this.kernel.apply({ op: 'identify', target: op.frame });
    must(id, 'identify of the frame');
    const frame = (id.ok ? id.value.cap : undefined) as MemoryCap;
    const bytes = mapBytes(op, frame);
    const vaddr = op.vaddr ?? this.firstFit(bytes)!;
    const inReserved = this.regions.some((r) => r.kind === 'reserved' && r.base <= vaddr && vaddr < r.base + r.bytes);
    const offset = op.offset ?? 0;
    const pieces = this.build(vaddr, bytes, (p) => ({ kind: 'copy', frame: op.frame, offset: offset + (p.vaddr - vaddr), rights: op.rights }));
    if (!Array.isArray(pieces)) return pieces;
    this.mappings.push({ vaddr, bytes, kind: 'client', phys: frame.base + offset, rights: op.rights, frame: op.frame, pieces: pieces.map(pieceOf) });
    if (!inReserved) this.addRegion({ base: vaddr, bytes, kind: 'frame' satisfies RegionKind });
    return ok({ vaddr });
  }

  private fault(va: number): PagingResult {
    const page = pageOf(va);
    const pieces = this.build(page, PAGE_SIZE, () => ({ kind: 'lazy' }));
    if (!Array.isArray(pieces)) return pieces;
    const piece = pieces[0]!;
    this.mappings.push({
      vaddr: page,
      bytes: PAGE_SIZE,
      kind: 'lazy',
      phys: piece.ram!.base,
      rights: LAZY_RIGHTS,
      frame: piece.mapped,
      ram: piece.ram!.cap,
      pieces: pieces.map(pieceOf),
    });
    return ok({ vaddr: page });
  }

  /**
   * Maps [vaddr, vaddr + bytes) piece by piece (one piece per leaf table):
   * first acquires every table, slot and RAM capability the pieces need, in
   * order, then builds. Returns the pieces, or the allocator's error with
   * everything given back.
   */
  private build(vaddr: number, bytes: number, source: (p: LeafPiece) => PieceSource): Built[] | Fail {
    type Plan =
      | { what: 'table'; depth: number; vaddr: number; ram: RamGrant; vnode: Capref; mapping: Capref }
      | { what: 'piece'; piece: LeafPiece; src: PieceSource; ram?: RamGrant; mapped: Capref; mapping: Capref };
    const acq = new Acquisition(this.memory);
    const plans: Plan[] = [];
    const planned = new Set<string>();
    for (const piece of leafPieces(this.levels.at(-1)!, vaddr, bytes)) {
      for (let d = 1; d < this.levels.length; d++) {
        const level = this.levels[d]!;
        const tv = tableBase(level, piece.vaddr);
        if (this.findTable(d, piece.vaddr) !== undefined || planned.has(`${d}:${tv}`)) continue;
        planned.add(`${d}:${tv}`);
        const ram = acq.ram(level.ramBytes, level.ramAlignment);
        const vnode = acq.slot();
        const mapping = acq.slot();
        if (acq.failure !== undefined) return acq.abort();
        plans.push({ what: 'table', depth: d, vaddr: tv, ram, vnode, mapping });
      }
      const src = source(piece);
      const ram = src.kind === 'lazy' ? acq.ram(PAGE_SIZE, PAGE_SIZE) : undefined;
      const mapped = acq.slot();
      const mapping = acq.slot();
      if (acq.failure !== undefined) return acq.abort();
      plans.push({ what: 'piece', piece, src, mapped, mapping, ...(ram !== undefined ? { ram } : {}) });
    }

    const pieces: Built[] = [];
    const leaf = this.levels.at(-1)!;
    for (const p of plans) {
      if (p.what === 'table') {
        const level = this.levels[p.depth]!;
        const parentLevel = this.levels[p.depth - 1]!;
        const parent = this.findTable(p.depth - 1, p.vaddr)!;
        must(
          this.kernel.apply({ op: 'retype', src: p.ram.cap, offset: 0, type: level.type, objsize: level.tableBytes, count: 1, dest: p.vnode }),
          'retype of a page table',
        );
        must(
          this.kernel.apply({
            op: 'vnode_map',
            vnode: parent.vnode,
            src: p.vnode,
            entry: entryIndex(parentLevel, p.vaddr),
            offset: 0,
            pteCount: 1,
            rights: TABLE_RIGHTS,
            mapping: p.mapping,
          }),
          'vnode_map of a page table',
        );
        parent.children.push({ depth: p.depth, vaddr: p.vaddr, phys: p.ram.base, vnode: p.vnode, ram: p.ram.cap, mapping: p.mapping, parent, children: [] });
      } else {
        const table = this.leafOf(p.piece.vaddr);
        const entry = entryIndex(leaf, p.piece.vaddr);
        if (p.src.kind === 'copy') {
          must(this.kernel.apply({ op: 'copy', src: p.src.frame, dest: p.mapped }), 'copy of the frame');
          must(
            this.kernel.apply({
              op: 'vnode_map',
              vnode: table.vnode,
              src: p.mapped,
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
        }
        pieces.push({ vaddr: p.piece.vaddr, pages: p.piece.pages, mapped: p.mapped, mapping: p.mapping, ...(p.ram !== undefined ? { ram: p.ram } : {}) });
      }
    }
    return pieces;
  }

  // --- unmap ----------------------------------------------------------------------

  /** Unmaps a mapping piece by piece, then frees the leaf tables it leaves empty (DEC-PAGING-TABLE-LIFETIME). */
  private unmapMapping(m: Mapping): void {
    for (const p of m.pieces) {
      const alive = this.kernel.apply({ op: 'identify', target: p.mapped }).ok; // DEC-PAGING-CLIENT-REVOKE: a revoke may have taken it
      if (alive) must(this.kernel.apply({ op: 'vnode_unmap', vnode: this.leafOf(p.vaddr).vnode, mapping: p.mapping }), 'vnode_unmap of a piece');
      must(this.memory.freeSlot(p.mapping), "freeSlot of a piece's Mapping");
      if (alive) must(this.kernel.apply({ op: 'delete', target: p.mapped }), 'delete of a mapped copy');
      must(this.memory.freeSlot(p.mapped), "freeSlot of a piece's copy");
      if (m.kind === 'lazy') must(this.memory.freeRam(m.ram!), "freeRam of a lazy page's RAM");
    }
    this.mappings = this.mappings.filter((x) => x !== m);
    for (const p of m.pieces) {
      const leaf = this.findTable(this.levels.length - 1, p.vaddr);
      if (leaf !== undefined) this.freeIfEmpty(leaf);
    }
  }

  private freeIfEmpty(t: Table): void {
    if (t.depth === 0 || !this.isEmpty(t)) return;
    const parent = t.parent!;
    must(this.kernel.apply({ op: 'vnode_unmap', vnode: parent.vnode, mapping: t.mapping! }), 'vnode_unmap of a page table');
    must(this.memory.freeSlot(t.mapping!), "freeSlot of a table's Mapping");
    must(this.kernel.apply({ op: 'delete', target: t.vnode }), 'delete of a page table');
    must(this.memory.freeSlot(t.vnode), "freeSlot of a table's VNode");
    must(this.memory.freeRam(t.ram!), "freeRam of a table's RAM");
    parent.children = parent.children.filter((c) => c !== t);
    this.freeIfEmpty(parent);
  }

  /** DEC-PAGING-CLIENT-REVOKE: forget every client mapping a client step took a copy of, as an unmap would. */
  private reconcile(): void {
    for (const m of [...this.mappings].sort((a, b) => a.vaddr - b.vaddr)) {
      if (m.kind !== 'client' || m.pieces.every((p) => this.kernel.apply({ op: 'identify', target: p.mapped }).ok)) continue;
      this.unmapMapping(m);
      this.regions = this.regions.filter((r) => !(r.kind === 'frame' && r.base === m.vaddr));
    }
  }
}

type PieceSource =
  { readonly kind: 'copy'; readonly frame: Capref; readonly offset: number; readonly rights: readonly MapRightName[] } | { readonly kind: 'lazy' };

const pieceOf = (b: Built): Piece => ({ vaddr: b.vaddr, pages: b.pages, mapped: b.mapped, mapping: b.mapping });

export const modelAddressSpace = (env: PagingEnv): AddressSpace => new ModelAddressSpace(env);
