// identify, and the monitor's kernel interface: lock, unlock, remote_relations.
// Barrelfish's monitor uses these during the distributed protocols
// (kernel/syscall.c sys_identify_cap, sys_lock_cap, sys_unlock_cap,
// sys_monitor_remote_relations); capref exposes them so that busy and
// remotely related capabilities occur in single-core traces too.
import { err } from '../../result.js';

import type { IdentifyOp, IsRetypeableOp, LockOp, RemoteRelationsOp, UnlockOp } from '../ops.js';
import { isMappingCap, type MemoryCap } from '../state.js';
import { overlapsDescendant } from './retype.js';
import type { Cte } from '../state.js';
import { type Precondition, type PreconditionContext } from './framework.js';
import { capabilityLookup } from './lookups.js';

export interface TargetContext<Op extends IdentifyOp | LockOp | UnlockOp | RemoteRelationsOp> extends PreconditionContext<Op> {
  target?: Cte;
}

const target = <Op extends IdentifyOp | LockOp | UnlockOp | RemoteRelationsOp>(id: string, purpose: 'read' | 'write'): Precondition<TargetContext<Op>> =>
  capabilityLookup(id, 'target', purpose);

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

export const remoteRelationsPreconditions: readonly Precondition<TargetContext<RemoteRelationsOp>>[] = [target('remote_relations.target', 'write')];

export interface IsRetypeableContext extends PreconditionContext<IsRetypeableOp> {
  src?: Cte;
}

const srcMem = (c: IsRetypeableContext): MemoryCap => c.src!.cap as MemoryCap;

/**
 * The monitor's is_retypeable query: the retype range checks alone, so that a
 * memory manager that keeps the parent capabilities can tell whether a range it
 * handed out is still in use (capref's mm reclaim path).
 */
export const isRetypeablePreconditions: readonly Precondition<IsRetypeableContext>[] = [
  capabilityLookup('is_retypeable.src', 'src', 'read'),
  {
    id: 'is_retypeable.memory',
    error: 'SYS_ERR_INVALID_RETYPE',
    rule: 'The source is a memory capability (a Mapping capability has no range).',
    source: 'kernel/capabilities.c is_retypeable',
    check: (c) => (isMappingCap(c.src!.cap) ? err('SYS_ERR_INVALID_RETYPE', 'src') : undefined),
  },
  {
    id: 'is_retypeable.size',
    error: 'SYS_ERR_INVALID_SIZE',
    rule: 'objsize is not 0.',
    source: 'kernel/capabilities.c caps_max_numobjs; DEC-OBJSIZE',
    check: (c) => (c.op.objsize === 0 ? err('SYS_ERR_INVALID_SIZE', 'src') : undefined),
  },
  {
    id: 'is_retypeable.count',
    error: 'SYS_ERR_RETYPE_INVALID_COUNT',
    rule: 'count is at least 1.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => (c.op.count < 1 ? err('SYS_ERR_RETYPE_INVALID_COUNT', 'src') : undefined),
  },
  {
    id: 'is_retypeable.range',
    error: 'SYS_ERR_RETYPE_INVALID_OFFSET',
    rule: 'The range lies inside the source: offset + count * objsize <= source size.',
    source: 'kernel/capabilities.c caps_retype',
    check: (c) => (c.op.offset + c.op.count * c.op.objsize <= srcMem(c).bytes ? undefined : err('SYS_ERR_RETYPE_INVALID_OFFSET', 'src')),
  },
  {
    id: 'is_retypeable.no-overlap',
    error: 'SYS_ERR_REVOKE_FIRST',
    rule: 'No capability overlaps the range except copies and ancestors of the source.',
    source: 'kernel/capabilities.c caps_retype (mdb_find_range); include/barrelfish_kpi/capabilities.h KernelCmd_Is_retypeable',
    check: (c) => {
      const s = srcMem(c);
      const region = { base: s.base + c.op.offset, bytes: c.op.count * c.op.objsize };
      return overlapsDescendant(c.core, s, region) ? err('SYS_ERR_REVOKE_FIRST', 'src') : undefined;
    },
  },
];
