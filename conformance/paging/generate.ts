// The paging step generator. It looks at the current observations (the
// address space's and the kernel's) and builds one step from them: frames the
// client holds, regions and their free pages, lazy regions and their unbacked
// pages, client mappings — plus deliberate misuse at low rates (misaligned or
// NULL addresses, foreign slots, overlaps, faults outside lazy regions) and the
// client throwing away what it mapped (delete, revoke, ram_free). Weights
// favour the states where address spaces go wrong: mappings that cross
// leaf-table boundaries, exact holes for first fit, tables emptied and
// refilled, pages right past a lazy region's end.
import { archProfiles } from '../../spec/kernel/arch.js';
import type { Capref } from '../../spec/kernel/capref.js';
import { lookupCap } from '../../spec/kernel/lookup.js';
import { coreOf } from '../../spec/kernel/query.js';
import { maskToRights, type MapRightName, type RightName } from '../../spec/kernel/rights.js';
import { isMappingCap, type CoreState, type MemoryCap } from '../../spec/kernel/state.js';
import type { PagingWorld } from '../../spec/paging/invariants.js';
import { PAGE_SIZE, pagingLevels } from '../../spec/paging/layout.js';
import type { PagingClientCall, PagingOp, PagingOpName } from '../../spec/paging/ops.js';
import { addressSpaceSlots, freeRanges, type Range } from '../../spec/paging/query.js';
import type { VMapping, VRegion } from '../../spec/paging/state.js';
import { drawMakers, type Chooser } from '../chooser.js';

export type PagingMakerName = Exclude<PagingOpName, 'map' | 'client'> | 'map_free' | 'map_fixed' | 'revoke' | 'delete' | 'copy' | 'identify' | 'misuse';
export type PagingWeights = Readonly<Record<PagingMakerName, number>>;

export const defaultPagingWeights: PagingWeights = {
  frame_alloc: 12,
  map_free: 14,
  map_fixed: 12,
  reserve: 9,
  fault: 14,
  unmap: 9,
  release: 5,
  revoke: 4,
  delete: 4,
  copy: 3,
  identify: 1,
  slot_alloc: 2,
  ram_free: 4,
  misuse: 3,
};

interface Held {
  readonly ref: Capref;
  readonly cap?: MemoryCap;
}

/** What the generator needs to know about one moment of a trace. */
export class PagingIndex {
  readonly held: readonly Held[];
  readonly frames: readonly Held[];
  readonly rams: readonly Held[];
  readonly empty: readonly Held[];
  readonly regions: readonly VRegion[];
  readonly lazy: readonly VRegion[];
  readonly reserved: readonly VRegion[];
  readonly clientMappings: readonly VMapping[];
  readonly free: readonly Range[];
  readonly leafSpan: number;
  readonly vbase: number;
  readonly vlimit: number;
  readonly ownSlots: readonly Capref[];
  private readonly mappedPages = new Set<number>();
  private readonly mappedFrames = new Set<number>();

  constructor(readonly world: PagingWorld) {
    const core: CoreState = coreOf(world.kernel, 0) ?? { core: 0, ctes: [], ptes: [] };
    this.held = world.paging.client.map((ref) => {
      const r = lookupCap(core, ref, 'src', 'read');
      return r.ok && !isMappingCap(r.value.cap) ? { ref, cap: r.value.cap } : { ref };
    });
    this.frames = this.held.filter((h) => h.cap?.type === 'Frame');
    this.rams = this.held.filter((h) => h.cap?.type === 'RAM');
    this.empty = this.held.filter((h) => h.cap === undefined);
    this.regions = world.paging.regions;
    this.lazy = this.regions.filter((r) => r.kind === 'lazy');
    this.reserved = this.regions.filter((r) => r.kind === 'reserved');
    this.clientMappings = world.paging.mappings.filter((m) => m.kind === 'client');
    for (const m of world.paging.mappings) for (let off = 0; off < m.bytes; off += PAGE_SIZE) this.mappedPages.add(m.vaddr + off);
    for (const m of this.clientMappings) this.mappedFrames.add(m.phys);
    this.free = freeRanges(world.paging, world.config.paging);
    this.leafSpan = pagingLevels(archProfiles[world.kernel.arch]).at(-1)!.tableSpan;
    this.vbase = world.config.paging.vbase;
    this.vlimit = world.config.paging.vlimit;
    this.ownSlots = addressSpaceSlots(world.paging);
  }

  isMapped(va: number): boolean {
    return this.mappedPages.has(va);
  }

  /** A frame some client mapping maps (by physical base), so that deleting or revoking it matters. */
  isMappedFrame(h: Held): boolean {
    return h.cap !== undefined && [...this.mappedFrames].some((p) => p >= h.cap!.base && p < h.cap!.base + h.cap!.bytes);
  }
}

type Maker = (ix: PagingIndex, c: Chooser) => PagingOp | undefined;

const pages = (n: number) => n * PAGE_SIZE;
const pickWeighted = <T>(c: Chooser, xs: readonly T[], w: (x: T) => number): T | undefined => {
  if (xs.length === 0) return undefined;
  const ws = xs.map(w);
  return ws.every((x) => x === 0) ? undefined : xs[c.weighted(ws)];
};

function frameBytes(c: Chooser): number {
  switch (c.weighted([45, 33, 8, 4, 4, 2])) {
    case 0:
      return pages(1);
    case 1:
      return pages(c.int(2, 16));
    case 2:
      return pages(100);
    case 3:
      return pages(c.int(500, 1100)); // crosses one or two leaf tables
    case 4:
      return c.pick([0, PAGE_SIZE + 1]);
    default:
      return 2 ** 40; // more than any memory: the allocator refuses
  }
}

function mapRights(c: Chooser, have: readonly RightName[]): MapRightName[] {
  if (c.chance(0.03)) return ['READ', 'WRITE', 'EXECUTE'];
  const want: MapRightName[] = c.chance(0.7) ? ['READ', 'WRITE'] : (['READ', 'WRITE', 'EXECUTE'] as const).filter(() => c.chance(0.5));
  return want.filter((r) => have.includes(r));
}

/** A frame to map, with the part of it to map; sometimes something that is not a frame or not the client's. */
function mapSource(ix: PagingIndex, c: Chooser): { frame: Capref; offset: number; bytes?: number; rights: MapRightName[]; size: number } | undefined {
  const roll = c.int(0, 99);
  if (roll < 3 && ix.ownSlots.length > 0) return { frame: c.pick(ix.ownSlots), offset: 0, rights: ['READ'], size: PAGE_SIZE };
  if (roll < 7 && ix.held.length > 0) {
    const h = c.pick(ix.held);
    return { frame: h.ref, offset: 0, rights: ['READ'], size: h.cap?.bytes ?? PAGE_SIZE };
  }
  const h = pickWeighted(c, ix.frames, (x) => (ix.isMappedFrame(x) ? 1 : 3));
  if (h === undefined) return undefined;
  const total = h.cap!.bytes / PAGE_SIZE;
  const rights = mapRights(c, h.cap!.rights);
  if (c.chance(0.6)) return { frame: h.ref, offset: 0, rights, size: h.cap!.bytes };
  const first = c.int(0, total - 1);
  const n = c.int(1, total - first);
  let offset = pages(first);
  let bytes = pages(n);
  if (c.chance(0.04)) offset += 512;
  if (c.chance(0.04)) bytes = c.pick([0, bytes + PAGE_SIZE, bytes + 100]);
  return { frame: h.ref, offset, bytes, rights, size: pages(n) };
}

/** A fixed address for a range of `size` bytes: inside a reserved region, next to a region, at a leaf-table boundary, or somewhere wrong. */
function fixedAddress(ix: PagingIndex, c: Chooser, size: number): number {
  const roll = c.int(0, 99);
  if (roll < 40 && ix.reserved.length > 0) {
    const r = c.pick(ix.reserved);
    const room = Math.max(1, (r.bytes - size) / PAGE_SIZE + 1);
    return r.base + pages(c.int(0, Math.max(0, Math.floor(room) - 1)));
  }
  if (roll < 55 && ix.regions.length > 0) {
    const r = c.pick(ix.regions);
    return c.chance(0.7) ? r.base + r.bytes : Math.max(ix.vbase, r.base - pages(c.int(1, 4)));
  }
  if (roll < 72) {
    const k = c.int(1, 3);
    return Math.max(ix.vbase, k * ix.leafSpan - pages(c.int(0, 8)));
  }
  if (roll < 78 && ix.regions.length > 0) {
    const r = c.pick(ix.regions);
    return r.base + pages(c.int(0, r.bytes / PAGE_SIZE - 1));
  }
  if (roll < 81) return 0;
  if (roll < 84) return ix.vlimit - pages(c.int(0, 2));
  if (roll < 87) return ix.vbase + pages(c.int(0, 64)) + c.pick([1, 512, 2048]);
  const g = ix.free.length > 0 ? c.pick(ix.free) : { base: ix.vbase, bytes: PAGE_SIZE };
  return g.base + pages(c.int(0, Math.max(0, Math.min(64, g.bytes / PAGE_SIZE - 1))));
}

const makers: Readonly<Record<Exclude<PagingMakerName, 'misuse'>, Maker>> = {
  frame_alloc: (_ix, c) => ({ op: 'frame_alloc', bytes: frameBytes(c) }),
  map_free: (ix, c) => {
    const s = mapSource(ix, c);
    if (s === undefined) return undefined;
    return { op: 'map', frame: s.frame, offset: s.offset, ...(s.bytes !== undefined ? { bytes: s.bytes } : {}), rights: s.rights };
  },
  map_fixed: (ix, c) => {
    const s = mapSource(ix, c);
    if (s === undefined) return undefined;
    return {
      op: 'map',
      frame: s.frame,
      offset: s.offset,
      ...(s.bytes !== undefined ? { bytes: s.bytes } : {}),
      vaddr: fixedAddress(ix, c, s.size),
      rights: s.rights,
    };
  },
  reserve: (ix, c) => {
    // Now and then almost all of the largest hole, so that the window runs out and a map finds no free address (map.fit).
    const largest = ix.free.reduce<Range | undefined>((best, g) => (best === undefined || g.bytes > best.bytes ? g : best), undefined);
    if (largest !== undefined && largest.bytes > pages(8) && c.chance(0.02)) return { op: 'reserve', bytes: largest.bytes - pages(c.int(0, 4)), lazy: false };
    const lazy = c.chance(0.55);
    let bytes = pages(c.weighted([50, 30, 20]) === 0 ? c.int(1, 8) : c.int(9, 64));
    if (c.chance(0.05)) bytes = pages(c.int(500, 600));
    if (c.chance(0.03)) bytes = c.pick([0, 100, ix.vlimit]);
    const fixed = c.chance(0.3);
    return { op: 'reserve', bytes, ...(fixed ? { vaddr: fixedAddress(ix, c, bytes) } : {}), lazy };
  },
  fault: (ix, c) => {
    const roll = c.int(0, 99);
    if (roll < 80 && ix.lazy.length > 0) {
      const r = c.pick(ix.lazy);
      const n = r.bytes / PAGE_SIZE;
      const unbacked = Array.from({ length: n }, (_, i) => r.base + pages(i)).filter((va) => !ix.isMapped(va));
      const within = c.int(0, PAGE_SIZE - 1);
      if (roll < 62 && unbacked.length > 0) return { op: 'fault', vaddr: c.pick(unbacked) + within };
      if (roll < 70) return { op: 'fault', vaddr: r.base + r.bytes + (c.chance(0.5) ? 0 : within) }; // right past the end
      if (roll < 74) return { op: 'fault', vaddr: r.base - 1 };
      return { op: 'fault', vaddr: r.base + pages(c.int(0, n - 1)) + within };
    }
    if (roll < 90 && ix.regions.length > 0) {
      const r = c.pick(ix.regions);
      return { op: 'fault', vaddr: r.base + c.int(0, r.bytes - 1) };
    }
    if (roll < 94) return { op: 'fault', vaddr: c.int(0, PAGE_SIZE - 1) };
    const g = ix.free.length > 0 ? c.pick(ix.free) : { base: ix.vbase, bytes: PAGE_SIZE };
    return { op: 'fault', vaddr: g.base + c.int(0, Math.min(g.bytes, pages(16)) - 1) };
  },
  unmap: (ix, c) => {
    if (ix.clientMappings.length > 0 && c.chance(0.88)) return { op: 'unmap', vaddr: c.pick(ix.clientMappings).vaddr };
    const any = ix.world.paging.mappings;
    if (any.length > 0 && c.chance(0.6)) {
      const m = c.pick(any);
      return { op: 'unmap', vaddr: m.vaddr + (m.bytes > PAGE_SIZE && c.chance(0.5) ? PAGE_SIZE : 0) };
    }
    return { op: 'unmap', vaddr: ix.vbase + pages(c.int(0, 64)) };
  },
  release: (ix, c) => {
    if (ix.regions.length > 0 && c.chance(0.9)) return { op: 'release', vaddr: c.pick(ix.regions).base };
    return { op: 'release', vaddr: ix.vbase + pages(c.int(0, 64)) };
  },
  revoke: (ix, c) => clientTarget(ix, c, 'revoke'),
  delete: (ix, c) => clientTarget(ix, c, 'delete'),
  identify: (ix, c) => (ix.held.length === 0 ? undefined : { op: 'client', call: { op: 'identify', target: c.pick(ix.held).ref } }),
  copy: (ix, c) => {
    const src = pickWeighted(c, ix.held, (h) => (h.cap?.type === 'Frame' ? 4 : 1));
    if (src === undefined) return undefined;
    const dest = ix.empty.length > 0 && !c.chance(0.1) ? c.pick(ix.empty).ref : c.pick(ix.held).ref;
    const call: PagingClientCall = c.chance(0.5) ? { op: 'copy', src: src.ref, dest } : { op: 'mint', src: src.ref, dest, rights: maskToRights(c.int(0, 31)) };
    return { op: 'client', call };
  },
  slot_alloc: () => ({ op: 'slot_alloc' }),
  ram_free: (ix, c) => {
    if (ix.held.length === 0) return undefined;
    const h = c.chance(0.85) ? pickWeighted(c, ix.rams, (x) => (ix.isMappedFrame(x) ? 3 : 1)) : c.pick(ix.held);
    return h === undefined ? undefined : { op: 'ram_free', cap: h.ref };
  },
};

function clientTarget(ix: PagingIndex, c: Chooser, op: 'delete' | 'revoke'): PagingOp | undefined {
  const h = pickWeighted(c, ix.held, (x) => (ix.isMappedFrame(x) ? (x.cap?.type === 'Frame' ? 8 : 4) : x.cap === undefined ? 1 : 2));
  return h === undefined ? undefined : { op: 'client', call: { op, target: h.ref } };
}

/** Misuse: a client call on a slot the address space keeps, an unmap or release where nothing starts. */
const misuse: Maker = (ix, c) => {
  switch (c.int(0, 3)) {
    case 0:
      return ix.ownSlots.length === 0 ? undefined : { op: 'client', call: { op: c.pick(['delete', 'revoke'] as const), target: c.pick(ix.ownSlots) } };
    case 1:
      return ix.ownSlots.length === 0 || ix.empty.length === 0
        ? undefined
        : { op: 'client', call: { op: 'copy', src: c.pick(ix.ownSlots), dest: c.pick(ix.empty).ref } };
    case 2:
      return { op: 'unmap', vaddr: c.int(0, 2 ** 22) };
    default:
      return { op: 'ram_free', cap: ix.ownSlots.length > 0 ? c.pick(ix.ownSlots) : { root: 0, cptr: 0, level: 2 } };
  }
};

const applicable: Readonly<Record<PagingMakerName, (ix: PagingIndex) => boolean>> = {
  frame_alloc: () => true,
  map_free: (ix) => ix.frames.length > 0,
  map_fixed: (ix) => ix.frames.length > 0,
  reserve: () => true,
  fault: () => true,
  unmap: (ix) => ix.world.paging.mappings.length > 0,
  release: (ix) => ix.regions.length > 0,
  revoke: (ix) => ix.held.length > 0,
  delete: (ix) => ix.held.length > 0,
  copy: (ix) => ix.held.length > 0,
  identify: (ix) => ix.held.length > 0,
  slot_alloc: () => true,
  ram_free: (ix) => ix.held.length > 0,
  misuse: () => true,
};

export interface GeneratedPagingStep {
  readonly op: PagingOp;
  readonly maker: PagingMakerName;
  readonly rejected: readonly PagingMakerName[];
}

export const MAX_ATTEMPTS = 8;

/** Builds one step for the current state, or undefined when nothing at all can be built. */
export function generatePagingOp(ix: PagingIndex, c: Chooser, weights: PagingWeights = defaultPagingWeights): GeneratedPagingStep | undefined {
  const names = Object.keys(weights) as PagingMakerName[];
  const ws = names.map((n) => (applicable[n](ix) ? weights[n] : 0));
  if (ws.every((w) => w === 0)) return undefined;
  const d = drawMakers(c, names, ws, MAX_ATTEMPTS, (maker) => (maker === 'misuse' ? misuse(ix, c) : makers[maker](ix, c)));
  return d.made === undefined ? undefined : { op: d.made, maker: d.maker, rejected: d.rejected };
}
