// The abstract state of an address space: what `observe()` returns for model
// and impl alike. Plain JSON, canonically sorted, nothing implementation
// specific: no list nodes, no tree nodes, no hash tables — the regions, the
// mappings with the capability slots that back them, the page tables with the
// slots that hold them, and the slots the client holds. Two address spaces
// that make the same decisions (which free address, which slot, when a table
// is created or freed) produce identical observations.
import { z } from 'zod';
import { caprefSchema, type Capref } from '../kernel/capref.js';
import { mapRightNames, type MapRightName } from '../kernel/rights.js';
import { addrSchema } from '../kernel/state.js';
import { memoryTypes, type VNodeType } from '../kernel/types.js';
import { compareCapref } from '../mm/state.js';

/**
 * A region of the address space. `reserved`: reserved by `reserve`, filled by
 * fixed maps; `frame`: made by a map for exactly that mapping, gone with it;
 * `lazy`: a heap, whose pages are backed when they fault.
 */
export const regionKinds = ['reserved', 'frame', 'lazy'] as const;
export type RegionKind = (typeof regionKinds)[number];

export interface VRegion {
  readonly base: number;
  readonly bytes: number;
  readonly kind: RegionKind;
}

/** The part of a mapping inside one leaf table: one capability copy, one Mapping capability. */
export interface Piece {
  readonly vaddr: number;
  readonly pages: number;
  /** The slot whose capability is mapped (the address space's own copy of the frame). */
  readonly mapped: Capref;
  /** The slot of the Mapping capability vnode_map created. */
  readonly mapping: Capref;
}

/**
 * A mapping the address space made: a client's frame (`client`), or one page
 * a fault backed in a lazy region (`lazy`: the address space allocated its
 * RAM and Frame itself).
 */
export interface VMapping {
  readonly vaddr: number;
  readonly bytes: number;
  readonly kind: 'client' | 'lazy';
  /** Physical address `vaddr` translates to. */
  readonly phys: number;
  readonly rights: readonly MapRightName[];
  /** client: the capref the client passed to map; lazy: the address space's Frame. */
  readonly frame: Capref;
  /** lazy: the RAM capability the page's Frame was retyped from. */
  readonly ram?: Capref;
  readonly pieces: readonly Piece[];
}

/** A page table of the address space. The root has neither `ram` nor `mapping`: boot made it. */
export interface VTable {
  readonly depth: number;
  readonly type: VNodeType;
  /** The first virtual address the table translates. */
  readonly vaddr: number;
  /** The table object's physical address (the VNode's base). */
  readonly phys: number;
  readonly vnode: Capref;
  readonly ram?: Capref;
  /** The Mapping capability of the table's entry in its parent. */
  readonly mapping?: Capref;
}

export interface PagingState {
  /** Sorted by base; pairwise disjoint. */
  readonly regions: readonly VRegion[];
  /** Sorted by vaddr; pairwise disjoint. */
  readonly mappings: readonly VMapping[];
  /** Sorted by (depth, vaddr). */
  readonly tables: readonly VTable[];
  /** The slots the client holds, sorted. */
  readonly client: readonly Capref[];
}

const vnodeTypes = memoryTypes.filter((t) => t.startsWith('VNode_')) as [VNodeType, ...VNodeType[]];
export const pagingStateSchema = z.strictObject({
  regions: z.array(z.strictObject({ base: addrSchema, bytes: addrSchema, kind: z.enum(regionKinds) })),
  mappings: z.array(
    z.strictObject({
      vaddr: addrSchema,
      bytes: addrSchema,
      kind: z.enum(['client', 'lazy']),
      phys: addrSchema,
      rights: z.array(z.enum(mapRightNames)),
      frame: caprefSchema,
      ram: caprefSchema.optional(),
      pieces: z.array(z.strictObject({ vaddr: addrSchema, pages: z.number().int().min(1), mapped: caprefSchema, mapping: caprefSchema })),
    }),
  ),
  tables: z.array(
    z.strictObject({
      depth: z.number().int().min(0),
      type: z.enum(vnodeTypes),
      vaddr: addrSchema,
      phys: addrSchema,
      vnode: caprefSchema,
      ram: caprefSchema.optional(),
      mapping: caprefSchema.optional(),
    }),
  ),
  client: z.array(caprefSchema),
});

// --- canonical form -----------------------------------------------------------

const cref = (c: Capref): Capref => ({ root: c.root, cptr: c.cptr, level: c.level });

/** Fixed key order and array order, so observations compare as JSON. */
export function canonicalPagingState(s: PagingState): PagingState {
  return {
    regions: s.regions.map((r) => ({ base: r.base, bytes: r.bytes, kind: r.kind })).sort((a, b) => a.base - b.base),
    mappings: s.mappings
      .map((m) => ({
        vaddr: m.vaddr,
        bytes: m.bytes,
        kind: m.kind,
        phys: m.phys,
        rights: mapRightNames.filter((n) => m.rights.includes(n)),
        frame: cref(m.frame),
        ...(m.ram !== undefined ? { ram: cref(m.ram) } : {}),
        pieces: m.pieces.map((p) => ({ vaddr: p.vaddr, pages: p.pages, mapped: cref(p.mapped), mapping: cref(p.mapping) })).sort((a, b) => a.vaddr - b.vaddr),
      }))
      .sort((a, b) => a.vaddr - b.vaddr),
    tables: s.tables
      .map((t) => ({
        depth: t.depth,
        type: t.type,
        vaddr: t.vaddr,
        phys: t.phys,
        vnode: cref(t.vnode),
        ...(t.ram !== undefined ? { ram: cref(t.ram) } : {}),
        ...(t.mapping !== undefined ? { mapping: cref(t.mapping) } : {}),
      }))
      .sort((a, b) => a.depth - b.depth || a.vaddr - b.vaddr),
    client: s.client.map(cref).sort(compareCapref),
  };
}

export const regionEndOf = (r: { readonly base: number; readonly bytes: number }): number => r.base + r.bytes;
export const mappingEnd = (m: VMapping): number => m.vaddr + m.bytes;
