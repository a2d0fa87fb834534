// Capref resolution: from (root, cptr, level) to a slot, with Barrelfish's
// errors in Barrelfish's order (kernel/capabilities.c caps_lookup_slot; the
// order is in cap-invariants.md, section B, first paragraph).
import { err, ok, type Result } from '../result.js';
import { type Capref, l1IndexOf, l2SlotOf } from './capref.js';
import type { ArgName, KernelError } from './errors.js';
import { cnodeObject, cnodeSlotCount, cteAt } from './query.js';
import { hasRights, type Rights } from './rights.js';
import { isMappingCap, type CoreState, type Cte, type SlotAddr } from './state.js';
import type { CNodeType } from './types.js';

/** Source lookups need READ on the CNodes they pass; destination and delete lookups READ and WRITE. */
export type LookupPurpose = 'read' | 'write';
const needed: Readonly<Record<LookupPurpose, Rights>> = { read: ['READ'], write: ['READ', 'WRITE'] };

export interface ResolvedSlot {
  readonly addr: SlotAddr;
  /** The type of the CNode the slot belongs to. */
  readonly cnodeType: CNodeType;
}

export type LookupResult<T> = Result<T, KernelError, ArgName>;

/**
 * Resolves a capref to a slot without looking at what the slot holds.
 * The root is named by its object and its rights are not checked (DEC-ROOT-BY-OBJECT).
 */
export function resolveSlot(core: CoreState, ref: Capref, arg: ArgName, purpose: LookupPurpose): LookupResult<ResolvedSlot> {
  if (ref.level !== 1 && ref.level !== 2) return err('SYS_ERR_CAP_LOOKUP_DEPTH', arg);
  const root = cnodeObject(core, ref.root, 'L1CNode');
  if (root === undefined) return err('SYS_ERR_CNODE_NOT_ROOT', arg);
  const l1Index = l1IndexOf(ref.cptr);
  if (l1Index >= cnodeSlotCount(root)) return err('SYS_ERR_L1_CNODE_INDEX', arg);
  if (ref.level === 1) return ok({ addr: { cnode: root.base, slot: l1Index }, cnodeType: 'L1CNode' });
  const l1 = cteAt(core, { cnode: root.base, slot: l1Index });
  if (l1 === undefined) return err('SYS_ERR_CNODE_NOT_FOUND', arg);
  if (isMappingCap(l1.cap) || l1.cap.type !== 'L2CNode') return err('SYS_ERR_CNODE_TYPE', arg);
  if (!hasRights(l1.cap.rights, needed[purpose])) return err('SYS_ERR_CNODE_RIGHTS', arg);
  return ok({ addr: { cnode: l1.cap.base, slot: l2SlotOf(ref.cptr) }, cnodeType: 'L2CNode' });
}

/** Resolves a capref to the capability in its slot; an empty slot is SYS_ERR_CAP_NOT_FOUND. */
export function lookupCap(core: CoreState, ref: Capref, arg: ArgName, purpose: LookupPurpose): LookupResult<Cte> {
  const r = resolveSlot(core, ref, arg, purpose);
  if (!r.ok) return r;
  const cte = cteAt(core, r.value.addr);
  return cte === undefined ? err('SYS_ERR_CAP_NOT_FOUND', arg) : ok(cte);
}
