// The geometry of an address space: which page-table levels a profile has,
// how much virtual memory one entry and one table of each level cover, and
// how a virtual range splits into pieces that each fit one leaf table.
// Model and impl both take their geometry from here, so they split mappings
// at the same boundaries (and so need the same capability copies).
//
// Source: the profiles in ../kernel/arch.ts (AArch64: four levels of 512
// entries over 4 KiB pages, a 48-bit address space; ARMv7: a 4096-entry L1
// over 256-entry L2 tables, a 32-bit address space).
import type { ArchProfile } from '../kernel/arch.js';
import type { MapRightName } from '../kernel/rights.js';
import { BASE_PAGE_SIZE, typeTable, type VNodeType } from '../kernel/types.js';

export const PAGE_SIZE = BASE_PAGE_SIZE;

export interface PagingLevel {
  /** 0 for the root table, then one more per level down to the leaf. */
  readonly depth: number;
  readonly type: VNodeType;
  readonly entries: number;
  /** Virtual bytes one entry of this level covers. */
  readonly entrySpan: number;
  /** Virtual bytes one table of this level covers (entries × entrySpan). */
  readonly tableSpan: number;
  /** Bytes of the table object and the RAM a new table is retyped from (at least a page: RAM comes in pages). */
  readonly tableBytes: number;
  readonly ramBytes: number;
  readonly ramAlignment: number;
}

/**
 * The levels from the root down to the leaf (the level whose entries map
 * 4 KiB pages). The address space maps every frame with 4 KiB pages: it never
 * uses block entries, so every mapping ends in a leaf table.
 */
export function pagingLevels(arch: ArchProfile): readonly PagingLevel[] {
  const types: VNodeType[] = [];
  for (let t: VNodeType | undefined = arch.rootVNode; t !== undefined; t = arch.levels[t]?.childTable) types.push(t);
  const out: PagingLevel[] = [];
  let span = PAGE_SIZE;
  for (let d = types.length - 1; d >= 0; d--) {
    const type = types[d]!;
    const entries = arch.levels[type]!.entries;
    const info = typeTable[type];
    const tableBytes = info.fixedSize!;
    const ramBytes = Math.ceil(tableBytes / PAGE_SIZE) * PAGE_SIZE;
    out.unshift({ depth: d, type, entries, entrySpan: span, tableSpan: span * entries, tableBytes, ramBytes, ramAlignment: Math.max(PAGE_SIZE, info.align) });
    span *= entries;
  }
  return out;
}

/** Size of the virtual address space a profile's root table covers: 2^48 on AArch64, 2^32 on ARMv7. */
export const vspaceBytes = (arch: ArchProfile): number => pagingLevels(arch)[0]!.tableSpan;

/** The entry of a table of `level` that translates `va`. */
export const entryIndex = (level: PagingLevel, va: number): number => Math.floor(va / level.entrySpan) % level.entries;

/** The first virtual address the table of `level` that translates `va` covers. */
export const tableBase = (level: PagingLevel, va: number): number => Math.floor(va / level.tableSpan) * level.tableSpan;

/** One part of a virtual range that lies within one leaf table. */
export interface LeafPiece {
  readonly vaddr: number;
  readonly pages: number;
}

/** Splits [vaddr, vaddr + bytes) at leaf-table boundaries, in ascending order. */
export function leafPieces(leaf: PagingLevel, vaddr: number, bytes: number): LeafPiece[] {
  const out: LeafPiece[] = [];
  const end = vaddr + bytes;
  for (let va = vaddr; va < end;) {
    const next = Math.min(end, tableBase(leaf, va) + leaf.tableSpan);
    out.push({ vaddr: va, pages: (next - va) / PAGE_SIZE });
    va = next;
  }
  return out;
}

export const isPageAligned = (x: number): boolean => x % PAGE_SIZE === 0;
export const pageOf = (va: number): number => Math.floor(va / PAGE_SIZE) * PAGE_SIZE;

/** The rights of the entries the address space writes on its own: a page table in its parent, and a page of a lazily backed heap. */
export const TABLE_RIGHTS: readonly MapRightName[] = ['READ', 'WRITE'];
export const LAZY_RIGHTS: readonly MapRightName[] = ['READ', 'WRITE'];
