// The spec's answer to "what must this operation return in this state":
// the first failing precondition of the operation's ordered list, or success.
import { err } from '../../result.js';
import { archProfiles } from '../arch.js';
import type { KernelOp, KernelOpName } from '../ops.js';
import { coreOf } from '../query.js';
import type { CoreState, KernelState } from '../state.js';
import { copyPreconditions } from './copy.js';
import { firstFailure, type Expectation, type Precondition } from './framework.js';
import { identifyPreconditions, isRetypeablePreconditions, lockPreconditions, remoteRelationsPreconditions, unlockPreconditions } from './monitor.js';
import { deletePreconditions, revokePreconditions } from './removal.js';
import { retypePreconditions } from './retype.js';
import { vnodeMapPreconditions, vnodeUnmapPreconditions } from './vnode.js';

export type { Expectation, KernelErr, Precondition } from './framework.js';

/** Every operation's preconditions, in checking order (for docs and tests). */
export const preconditionsByOp: Readonly<Record<KernelOpName, readonly Precondition<never>[]>> = {
  retype: retypePreconditions,
  copy: copyPreconditions,
  mint: copyPreconditions.map((p) => ({ ...p, id: p.id.replace(/^copy\./, 'mint.') })),
  delete: deletePreconditions,
  revoke: revokePreconditions,
  vnode_map: vnodeMapPreconditions,
  vnode_unmap: vnodeUnmapPreconditions,
  identify: identifyPreconditions,
  lock: lockPreconditions,
  unlock: unlockPreconditions,
  remote_relations: remoteRelationsPreconditions,
  is_retypeable: isRetypeablePreconditions,
};

/** The operation's core exists (every operation, before anything else). */
export const CORE_PRECONDITION_ID = 'core';

/** What the spec says `op` must return in `state`. Pure; never throws for a schema-valid op. */
export function expectedResult(state: KernelState, op: KernelOp): Expectation {
  const core: CoreState | undefined = coreOf(state, op.core ?? 0);
  if (core === undefined) return err('SYS_ERR_CORE_NOT_FOUND', 'core');
  const arch = archProfiles[state.arch];
  const ctx = { core, arch, memory: state.memory, op };
  switch (op.op) {
    case 'retype':
      return firstFailure(retypePreconditions, { ...ctx, op });
    case 'copy':
    case 'mint':
      return firstFailure(copyPreconditions, { ...ctx, op });
    case 'delete':
      return firstFailure(deletePreconditions, { ...ctx, op });
    case 'revoke':
      return firstFailure(revokePreconditions, { ...ctx, op });
    case 'vnode_map':
      return firstFailure(vnodeMapPreconditions, { ...ctx, op });
    case 'vnode_unmap':
      return firstFailure(vnodeUnmapPreconditions, { ...ctx, op });
    case 'identify':
      return firstFailure(identifyPreconditions, { ...ctx, op });
    case 'lock':
      return firstFailure(lockPreconditions, { ...ctx, op });
    case 'unlock':
      return firstFailure(unlockPreconditions, { ...ctx, op });
    case 'remote_relations':
      return firstFailure(remoteRelationsPreconditions, { ...ctx, op });
    case 'is_retypeable':
      return firstFailure(isRetypeablePreconditions, { ...ctx, op });
  }
}
