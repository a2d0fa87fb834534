// Caprefs: how an operation names a slot (Barrelfish's `struct capref`).
//
// A capref is (root, cptr, level). `root` names the CSpace by its root L1CNode
// object (the CNode's base address; see DEC-ROOT-BY-OBJECT in decisions.ts).
//   level 1: cptr is an index into the root L1CNode;
//   level 2: cptr's upper 24 bits index the L1CNode, whose slot must hold an
//            L2CNode, and its low 8 bits index that L2CNode.
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
  cptr: z.number().int().min(0).max(2 ** CPTR_BITS - 1),
  level: z.number().int().min(0).max(8),
});

/** The L1 index and L2 slot a level-2 cptr encodes. */
export const l1IndexOf = (cptr: number): number => Math.floor(cptr / 2 ** L2_CNODE_BITS);
export const l2SlotOf = (cptr: number): number => cptr % 2 ** L2_CNODE_BITS;
export const level2Cptr = (l1Index: number, l2Slot: number): number => l1Index * 2 ** L2_CNODE_BITS + l2Slot;

export const capref1 = (root: number, l1Index: number): Capref => ({ root, cptr: l1Index, level: 1 });
export const capref2 = (root: number, l1Index: number, l2Slot: number): Capref => ({ root, cptr: level2Cptr(l1Index, l2Slot), level: 2 });

export function formatCapref(c: Capref): string {
  const root = `0x${c.root.toString(16)}`;
  if (c.level === 2) return `${root}:${l1IndexOf(c.cptr)}/${l2SlotOf(c.cptr)}`;
  if (c.level === 1) return `${root}:${c.cptr}`;
  return `${root}:cptr=${c.cptr}@level${c.level}`;
}
