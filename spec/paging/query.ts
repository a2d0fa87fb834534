// Questions about an address space's abstract state, written as full scans:
// the spec, its invariants and the reference model use them; they are
// obviously right and slow on purpose.
import type { Capref } from '../kernel/capref.js';
import { sameCapref } from '../mm/state.js';
import type { PagingParams } from './config.js';
import { regionEndOf, type PagingState, type VMapping, type VRegion } from './state.js';

export interface Range {
  readonly base: number;
  readonly bytes: number;
}

export const rangesOverlap = (a: Range, b: Range): boolean => a.base < b.base + b.bytes && b.base < a.base + a.bytes;
export const rangeWithin = (inner: Range, outer: Range): boolean => outer.base <= inner.base && inner.base + inner.bytes <= outer.base + outer.bytes;

export const holds = (s: PagingState, ref: Capref): boolean => s.client.some((c) => sameCapref(c, ref));

export const regionStartingAt = (s: PagingState, va: number): VRegion | undefined => s.regions.find((r) => r.base === va);
export const regionContaining = (s: PagingState, va: number): VRegion | undefined => s.regions.find((r) => r.base <= va && va < regionEndOf(r));
export const regionsOverlapping = (s: PagingState, range: Range): VRegion[] => s.regions.filter((r) => rangesOverlap(r, range));

export const mappingsOverlapping = (s: PagingState, range: Range): VMapping[] => s.mappings.filter((m) => rangesOverlap({ base: m.vaddr, bytes: m.bytes }, range));
export const clientMappingAt = (s: PagingState, va: number): VMapping | undefined => s.mappings.find((m) => m.kind === 'client' && m.vaddr === va);
export const mappingContaining = (s: PagingState, va: number): VMapping | undefined => s.mappings.find((m) => m.vaddr <= va && va < m.vaddr + m.bytes);

/** The free ranges of the window between the regions, in ascending address. */
export function freeRanges(s: PagingState, window: PagingParams): Range[] {
  const out: Range[] = [];
  let cursor = window.vbase;
  for (const r of [...s.regions].sort((a, b) => a.base - b.base)) {
    if (r.base > cursor) out.push({ base: cursor, bytes: r.base - cursor });
    cursor = Math.max(cursor, regionEndOf(r));
  }
  if (window.vlimit > cursor) out.push({ base: cursor, bytes: window.vlimit - cursor });
  return out;
}

/** First fit (DEC-PAGING-FIRST-FIT): the start of the lowest free range that holds `bytes`, if any. */
export function firstFit(s: PagingState, window: PagingParams, bytes: number): number | undefined {
  return freeRanges(s, window).find((g) => g.bytes >= bytes)?.base;
}

/** Where a fixed range may go (DEC-PAGING-FIXED-PLACEMENT): free space, inside one reserved region, or nowhere. */
export function fixedPlacement(s: PagingState, range: Range): { kind: 'free' } | { kind: 'reserved'; region: VRegion } | { kind: 'overlap' } {
  const over = regionsOverlapping(s, range);
  if (over.length === 0) return { kind: 'free' };
  const r = over[0]!;
  if (over.length === 1 && r.kind === 'reserved' && rangeWithin(range, r)) return { kind: 'reserved', region: r };
  return { kind: 'overlap' };
}

/** Every capref the address space itself holds (its tables', copies', Mappings', lazy pages'). */
export function addressSpaceSlots(s: PagingState): Capref[] {
  const out: Capref[] = [];
  for (const t of s.tables) {
    if (t.ram !== undefined) out.push(t.ram);
    if (t.mapping !== undefined) out.push(t.mapping);
    if (t.depth > 0) out.push(t.vnode);
  }
  for (const m of s.mappings) {
    if (m.kind === 'lazy') {
      out.push(m.frame);
      if (m.ram !== undefined) out.push(m.ram);
    }
    for (const p of m.pieces) {
      if (m.kind === 'client') out.push(p.mapped);
      out.push(p.mapping);
    }
  }
  return out;
}
