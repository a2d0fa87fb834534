// The structural relations between capabilities (DESIGN.md "Relations are
// structural"; Barrelfish capabilities/caps.hl and the generated is_copy /
// is_ancestor of tools/hamlet). Nothing records who was derived from whom:
// copy and descendant are computed from type and region, as in Barrelfish.
import { contains, sameRegion, sameSlot, type Capability, type Cte, type MemoryCap, isMappingCap } from './state.js';
import { isAncestorType, typeTable } from './types.js';

/**
 * Two capabilities are copies when their type and identity are equal: base and
 * bytes for memory types; the mapped slot, table and entry for Mapping
 * capabilities. Rights are not part of a copy's identity (A.4.1), so a
 * rights-reduced copy is still a copy.
 */
export function isCopy(a: Capability, b: Capability): boolean {
  if (a.type !== b.type) return false;
  if (isMappingCap(a) || isMappingCap(b)) {
    if (!isMappingCap(a) || !isMappingCap(b)) return false;
    return sameSlot(a.mapped, b.mapped) && a.ptable === b.ptable && a.entry === b.entry;
  }
  return sameRegion(a, b);
}

/**
 * Memory capability x descends from y when y's type is an ancestor type of x's
 * (along `from`), or both have the same `from_self` type and x's region is
 * strictly smaller; and x's region lies within y's (A.4.2, transitively: E.1).
 */
export function memDescends(x: MemoryCap, y: MemoryCap): boolean {
  if (!contains(y, x)) return false;
  if (x.type === y.type) return typeTable[x.type].fromSelf && !sameRegion(x, y);
  return isAncestorType(y.type, x.type);
}

/**
 * Slot-level descent, which Mapping capabilities need: a Mapping capability
 * descends from the one copy (slot) it maps and from everything that copy
 * descends from (DESIGN.md: "Mapping capabilities descend from the one
 * capability copy (slot) they map"). `capAt` looks a slot up.
 */
export function cteDescends(x: Cte, y: Cte, capAt: (cnode: number, slot: number) => Capability | undefined): boolean {
  if (isMappingCap(y.cap)) return false;
  if (!isMappingCap(x.cap)) return memDescends(x.cap, y.cap);
  if (sameSlot(x.cap.mapped, y)) return true;
  const mapped = capAt(x.cap.mapped.cnode, x.cap.mapped.slot);
  return mapped !== undefined && !isMappingCap(mapped) && memDescends(mapped, y.cap);
}

/** Related: copies, or one descends from the other. */
export const memRelated = (a: MemoryCap, b: MemoryCap): boolean => isCopy(a, b) || memDescends(a, b) || memDescends(b, a);
