// Caprefs: how an operation names a slot (Barrelfish's `struct capref`).
//
// A capref is (root, cptr, level). `root` names the CSpace by its root L1CNode
// object (the CNode's base address; see DEC-ROOT-BY-OBJECT in decisions.ts).
// At both levels cptr's upper 24 bits index the L1CNode, as in Barrelfish
// (caps_lookup_slot computes l1index = cptr >> 8 whatever the level, and
// ROOTCN_SLOT_ADDR(slot) is slot << 8):
//   level 1: the lookup stops at that L1 slot (the low 8 bits are ignored);
//   level 2: that L1 slot must hold an L2CNode, and cptr's low 8 bits index it.
// Source: Barrelfish kernel/capabilities.c caps_lookup_slot, include/barrelfish_kpi/capabilities_arch.h.
import { z } from 'zod';
import { CPTR_BITS, L2_CNODE_BITS } from './limits.js';
import { addrSchema } from './state.js';

export interface Capref {
  readonly root: number;
  readonly cptr: number;
  readonly level: number;
}

// `level` is any small integer here, not just 1 or 2: a wrong level is a
// kernel error (SYS_ERR_CAP_LOOKUP_DEPTH) the conformance harness exercises,
// not a malformed trace.
export const caprefSchema = z.strictObject({
  root: addrSchema.describe('base address of the root L1CNode of the CSpace'),
  cptr: z
    .number()
    .int()
    .min(0)
    .max(2 ** CPTR_BITS - 1),
  level: z.number().int().min(0).max(8),
});

/** The L1 index (at either level) and the L2 slot (at level 2) a cptr encodes. */
// cptrs are 32-bit unsigned (the schema bounds them), so shifts and masks are
// exact; they are on every lookup's path.
export const l1IndexOf = (cptr: number): number => cptr >>> L2_CNODE_BITS;
export const l2SlotOf = (cptr: number): number => cptr & (2 ** L2_CNODE_BITS - 1);
export const level2Cptr = (l1Index: number, l2Slot: number): number => l1Index * 2 ** L2_CNODE_BITS + l2Slot;

/** A level-1 capref naming slot `l1Index` of the root L1CNode (Barrelfish's ROOTCN_SLOT_ADDR). */
export const capref1 = (root: number, l1Index: number): Capref => ({ root, cptr: level2Cptr(l1Index, 0), level: 1 });
export const capref2 = (root: number, l1Index: number, l2Slot: number): Capref => ({ root, cptr: level2Cptr(l1Index, l2Slot), level: 2 });

export function formatCapref(c: Capref): string {
  const root = `0x${c.root.toString(16)}`;
  if (c.level === 2) return `${root}:${l1IndexOf(c.cptr)}/${l2SlotOf(c.cptr)}`;
  if (c.level === 1) return `${root}:${l1IndexOf(c.cptr)}${l2SlotOf(c.cptr) === 0 ? '' : `(+${l2SlotOf(c.cptr)})`}`;
  return `${root}:cptr=${c.cptr}@level${c.level}`;
}
