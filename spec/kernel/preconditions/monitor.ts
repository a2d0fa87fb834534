// identify, and the monitor's kernel interface: lock, unlock, remote_relations.
// Barrelfish's monitor uses these during the distributed protocols
// (kernel/syscall.c sys_identify_cap, sys_lock_cap, sys_unlock_cap,
// sys_monitor_remote_relations); capref exposes them so that busy and
// remotely related capabilities occur in single-core traces too.
import { err } from '../../result.js';
import { lookupCap } from '../lookup.js';
import type { IdentifyOp, LockOp, RemoteRelationsOp, UnlockOp } from '../ops.js';
import type { Cte } from '../state.js';
import { LOOKUP_SOURCE, type Precondition, type PreconditionContext } from './framework.js';

export interface TargetContext<Op extends IdentifyOp | LockOp | UnlockOp | RemoteRelationsOp> extends PreconditionContext<Op> {
  target?: Cte;
}

const target = <Op extends IdentifyOp | LockOp | UnlockOp | RemoteRelationsOp>(
  id: string,
  purpose: 'read' | 'write',
): Precondition<TargetContext<Op>> => ({
  id,
  error: 'lookup',
  rule: `The target capref resolves to a capability (${purpose === 'read' ? 'READ' : 'READ and WRITE'} on the CNodes it passes).`,
  source: LOOKUP_SOURCE,
  check: (c) => {
    const r = lookupCap(c.core, c.op.target, 'target', purpose);
    if (!r.ok) return r;
    c.target = r.value;
    return undefined;
  },
});

export const identifyPreconditions: readonly Precondition<TargetContext<IdentifyOp>>[] = [target('identify.target', 'read')];

export const lockPreconditions: readonly Precondition<TargetContext<LockOp>>[] = [
  target('lock.target', 'write'),
  {
    id: 'lock.not-locked',
    error: 'SYS_ERR_CAP_LOCKED',
    rule: 'The capability is not locked already (one protocol at a time per capability).',
    source: 'kernel/syscall.c sys_lock_cap ("The cap has already been locked")',
    check: (c) => (c.target!.cap.locked ? err('SYS_ERR_CAP_LOCKED', 'target') : undefined),
  },
];

export const unlockPreconditions: readonly Precondition<TargetContext<UnlockOp>>[] = [target('unlock.target', 'write')];

export const remoteRelationsPreconditions: readonly Precondition<TargetContext<RemoteRelationsOp>>[] = [
  target('remote_relations.target', 'write'),
];
