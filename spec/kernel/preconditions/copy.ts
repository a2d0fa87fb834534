// copy(src, dest) and mint(src, dest, rights): put a copy of the source in an
// empty slot; mint may only remove rights. Order: Barrelfish's
// sys_copy_or_mint → caps_copy_to_cnode (cap-invariants.md B.2, B.3).
import { err } from '../../result.js';
import { type ResolvedSlot } from '../lookup.js';
import type { CopyOp, MintOp } from '../ops.js';
import { cteAt } from '../query.js';
import { isMappingCap, type Cte } from '../state.js';
import { LOOKUP_SOURCE, type Precondition, type PreconditionContext } from './framework.js';
import { capabilityLookup, slotLookup } from './lookups.js';

export interface CopyContext extends PreconditionContext<CopyOp | MintOp> {
  src?: Cte;
  dest?: ResolvedSlot;
}

export const copyPreconditions: readonly Precondition<CopyContext>[] = [
  capabilityLookup('copy.src', 'src', 'read'),
  slotLookup('copy.dest', 'dest', 'write', '; a slot index beyond the CNode is refused here', `${LOOKUP_SOURCE}; cap-invariants.md E.4; DEC-COPY-SLOT-BOUNDS`),
  {
    id: 'copy.src-not-mapping',
    error: 'SYS_ERR_INVALID_SOURCE_TYPE',
    rule: 'A Mapping capability cannot be copied or minted: each mapping has exactly one Mapping capability.',
    source: 'DEC-NO-COPY-MAPPING',
    check: (c) => (isMappingCap(c.src!.cap) ? err('SYS_ERR_INVALID_SOURCE_TYPE', 'src') : undefined),
  },
  {
    id: 'copy.dest-type',
    error: 'SYS_ERR_DEST_TYPE_INVALID',
    rule: 'Slots of an L1CNode hold only L2CNodes.',
    source: 'kernel/capabilities.c caps_copy_to_cnode; cap-invariants.md A.4.11',
    check: (c) => (c.dest!.cnodeType === 'L1CNode' && c.src!.cap.type !== 'L2CNode' ? err('SYS_ERR_DEST_TYPE_INVALID', 'dest') : undefined),
  },
  {
    id: 'copy.dest-empty',
    error: 'SYS_ERR_SLOT_IN_USE',
    rule: 'The destination slot is empty.',
    source: 'kernel/capabilities.c caps_copy_to_cte',
    check: (c) => (cteAt(c.core, c.dest!.addr) !== undefined ? err('SYS_ERR_SLOT_IN_USE', 'dest') : undefined),
  },
];
