// delete(target) and revoke(target). Both remove a set of capabilities computed
// by removal.ts; both refuse, changing nothing, when a capability they would
// remove is locked or still has remote copies the monitor must deal with.
// Order: Barrelfish's caps_delete / caps_revoke (cap-invariants.md B.4, B.5):
// the lock check comes before the retry-through-monitor check.
import { err } from '../../result.js';

import type { DeleteOp, RevokeOp } from '../ops.js';
import { cteDescends, isCopy } from '../relations.js';
import { removalClosure, type Removal } from '../removal.js';
import { sameSlot, type CoreState, type Cte, type SlotAddr } from '../state.js';
import { type Precondition, type PreconditionContext } from './framework.js';
import { capabilityLookup } from './lookups.js';
import { capAt } from '../query.js';

export interface RemovalContext extends PreconditionContext<DeleteOp | RevokeOp> {
  target?: Cte;
  removal?: Removal;
}

/** The slots revoke starts from: every other copy of the target and every descendant, in this core (DEC-TRANSITIVE-REVOKE). */
export function revokeRoots(core: CoreState, target: Cte): SlotAddr[] {
  const at = (cnode: number, slot: number) => capAt(core, { cnode, slot });
  return core.ctes.filter((o) => !sameSlot(o, target) && (isCopy(o.cap, target.cap) || cteDescends(o, target, at)));
}

/** True when the removal takes the last local copy of a capability that has remote copies. */
function needsMonitor(core: CoreState, removal: Removal): boolean {
  const removed = new Set(removal.ctes.map((c) => `${c.cnode}:${c.slot}`));
  return removal.ctes.some((c) => c.cap.remote.copies && core.ctes.every((o) => !isCopy(o.cap, c.cap) || removed.has(`${o.cnode}:${o.slot}`)));
}

const lookup = capabilityLookup<RemovalContext>('target', 'target', 'write');
/** The target lookup, which also computes what the operation would remove (the checks after it need it). */
const targetLookup: Precondition<RemovalContext> = {
  ...lookup,
  check: (c) => {
    const failed = lookup.check(c);
    if (failed !== undefined) return failed;
    const roots = c.op.op === 'delete' ? [c.target!] : revokeRoots(c.core, c.target!);
    c.removal = removalClosure(c.core, roots, c.memory);
    return undefined;
  },
};

const notLocked: Precondition<RemovalContext> = {
  id: 'not-locked',
  error: 'SYS_ERR_CAP_LOCKED',
  rule: 'Neither the target nor anything the operation would remove is locked by a protocol in progress.',
  source: 'kernel/cap_delete.c caps_try_delete; cap-invariants.md E.9; DEC-BUSY',
  check: (c) => (c.target!.cap.locked || c.removal!.ctes.some((x) => x.cap.locked) ? err('SYS_ERR_CAP_LOCKED', 'target') : undefined),
};

export const deletePreconditions: readonly Precondition<RemovalContext>[] = [
  { ...targetLookup, id: 'delete.target' },
  { ...notLocked, id: 'delete.not-locked' },
  {
    id: 'delete.local',
    error: 'SYS_ERR_RETRY_THROUGH_MONITOR',
    rule: 'The delete does not remove the last local copy of a capability with remote copies (the monitor must move ownership or delete everywhere).',
    source: 'kernel/cap_delete.c caps_try_delete (SYS_ERR_DELETE_LAST_OWNED); usr/monitor/capops/delete.c',
    check: (c) => (needsMonitor(c.core, c.removal!) ? err('SYS_ERR_RETRY_THROUGH_MONITOR', 'target') : undefined),
  },
];

export const revokePreconditions: readonly Precondition<RemovalContext>[] = [
  { ...targetLookup, id: 'revoke.target' },
  { ...notLocked, id: 'revoke.not-locked' },
  {
    id: 'revoke.local',
    error: 'SYS_ERR_RETRY_THROUGH_MONITOR',
    rule: 'The target has no remote copies or descendants, and the revoke removes no last local copy of a capability with remote copies; otherwise the monitors run the distributed revoke.',
    source: 'kernel/capabilities.c caps_revoke; usr/monitor/capops/revoke.c',
    check: (c) => {
      const t = c.target!.cap;
      return t.remote.copies || t.remote.descs || needsMonitor(c.core, c.removal!) ? err('SYS_ERR_RETRY_THROUGH_MONITOR', 'target') : undefined;
    },
  },
];
