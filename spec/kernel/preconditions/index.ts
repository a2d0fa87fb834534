// The spec's answer to "what must this operation return in this state":
// the first failing precondition of the operation's ordered list, or success.
import { err } from '../../result.js';
import { archProfiles } from '../arch.js';
import type { KernelOp, KernelOpName } from '../ops.js';
import { coreOf } from '../query.js';
import type { CoreState, KernelState } from '../state.js';
import { copyPreconditions } from './copy.js';
import { judge, type Expectation, type Judgement, type Precondition } from './framework.js';
import { identifyPreconditions, isRetypeablePreconditions, lockPreconditions, remoteRelationsPreconditions, unlockPreconditions } from './monitor.js';
import { deletePreconditions, revokePreconditions } from './removal.js';
import { retypePreconditions } from './retype.js';
import { vnodeMapPreconditions, vnodeUnmapPreconditions } from './vnode.js';

export type { Expectation, Judgement, KernelErr, Precondition } from './framework.js';

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

/**
 * What the spec says `op` must return in `state`, and the id of the
 * precondition that decided it. Pure; never throws for a schema-valid op.
 */
export function judgeOp(state: KernelState, op: KernelOp): Judgement {
  const core: CoreState | undefined = coreOf(state, op.core ?? 0);
  if (core === undefined) return { expected: err('SYS_ERR_CORE_NOT_FOUND', 'core'), decidedBy: CORE_PRECONDITION_ID };
  const arch = archProfiles[state.arch];
  const ctx = { core, arch, memory: state.memory, op };
  switch (op.op) {
    case 'retype':
      return judge(retypePreconditions, { ...ctx, op });
    case 'copy':
      return judge(copyPreconditions, { ...ctx, op });
    case 'mint': {
      const j = judge(copyPreconditions, { ...ctx, op });
      return j.decidedBy === undefined ? j : { ...j, decidedBy: j.decidedBy.replace(/^copy\./, 'mint.') };
    }
    case 'delete':
      return judge(deletePreconditions, { ...ctx, op });
    case 'revoke':
      return judge(revokePreconditions, { ...ctx, op });
    case 'vnode_map':
      return judge(vnodeMapPreconditions, { ...ctx, op });
    case 'vnode_unmap':
      return judge(vnodeUnmapPreconditions, { ...ctx, op });
    case 'identify':
      return judge(identifyPreconditions, { ...ctx, op });
    case 'lock':
      return judge(lockPreconditions, { ...ctx, op });
    case 'unlock':
      return judge(unlockPreconditions, { ...ctx, op });
    case 'remote_relations':
      return judge(remoteRelationsPreconditions, { ...ctx, op });
    case 'is_retypeable':
      return judge(isRetypeablePreconditions, { ...ctx, op });
  }
}

/** What the spec says `op` must return in `state`. */
export const expectedResult = (state: KernelState, op: KernelOp): Expectation => judgeOp(state, op).expected;
