// Capability rights (Barrelfish include/barrelfish_kpi/capabilities.h:
// CAPRIGHTS_READ, _WRITE, _EXECUTE, _GRANT, _IDENTIFY). In traces and
// observations a right set is a list of names in this canonical order; the
// implementation may keep bit masks.
import { z } from 'zod';

export const rightNames = ['READ', 'WRITE', 'EXECUTE', 'GRANT', 'IDENTIFY'] as const;
export type RightName = (typeof rightNames)[number];
export type Rights = readonly RightName[];

export const ALL_RIGHTS: Rights = rightNames;
/** Rights a page-table entry can carry (vnode_map's `attr`). */
export const mapRightNames = ['READ', 'WRITE', 'EXECUTE'] as const;
export type MapRightName = (typeof mapRightNames)[number];

const bit: Readonly<Record<RightName, number>> = { READ: 1, WRITE: 2, EXECUTE: 4, GRANT: 8, IDENTIFY: 16 };

export const rightsSchema = z
  .array(z.enum(rightNames))
  .refine((r) => new Set(r).size === r.length, { message: 'a right is listed twice' })
  .describe('a set of capability rights');

export const mapRightsSchema = z
  .array(z.enum(mapRightNames))
  .refine((r) => new Set(r).size === r.length, { message: 'a right is listed twice' })
  .describe('page-table entry rights: a subset of READ, WRITE, EXECUTE');

export function rightsToMask(r: Rights): number {
  let m = 0;
  for (const n of r) m |= bit[n];
  return m;
}

export function maskToRights(mask: number): Rights {
  return rightNames.filter((n) => (mask & bit[n]) !== 0);
}

/** Canonical form: the canonical order, no duplicates. */
export const canonicalRights = (r: Rights): Rights => maskToRights(rightsToMask(r));

export const hasRights = (have: Rights, need: Rights): boolean => (rightsToMask(need) & ~rightsToMask(have)) === 0;

/** Rights only shrink: mint's result is the intersection (A.4.15). */
export const intersectRights = (a: Rights, b: Rights): Rights => maskToRights(rightsToMask(a) & rightsToMask(b));
