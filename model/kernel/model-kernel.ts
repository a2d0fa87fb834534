// The reference kernel: the oracle the optimized implementation is compared
// against. Its state is the abstract state itself — flat arrays of slots and
// page-table entries — and every question is a full scan. The spec decides
// which error an operation returns (its preconditions, in order); the model
// only carries out what a successful operation does. Slow on purpose, short,
// obviously right.
import { archProfiles, type ArchProfile } from '../../spec/kernel/arch.js';
import { bootState } from '../../spec/kernel/boot.js';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel, KernelResult, ResultOf } from '../../spec/kernel/kernel.js';
import type {
  CopyOp,
  DeleteOp,
  KernelOp,
  LockOp,
  MintOp,
  RemoteRelationsOp,
  RetypeOp,
  RevokeOp,
  UnlockOp,
  VNodeMapOp,
  VNodeUnmapOp,
  IdentifyOp,
} from '../../spec/kernel/ops.js';
import { copyPreconditions, type CopyContext } from '../../spec/kernel/preconditions/copy.js';
import { firstFailure, type Precondition } from '../../spec/kernel/preconditions/framework.js';
import {
  identifyPreconditions,
  isRetypeablePreconditions,
  lockPreconditions,
  remoteRelationsPreconditions,
  unlockPreconditions,
  type IsRetypeableContext,
  type TargetContext,
} from '../../spec/kernel/preconditions/monitor.js';
import { deletePreconditions, revokePreconditions, type RemovalContext } from '../../spec/kernel/preconditions/removal.js';
import { retypePreconditions, retypeRegion, type RetypeContext } from '../../spec/kernel/preconditions/retype.js';
import { mapKind, vnodeMapPreconditions, vnodeUnmapPreconditions, type MapContext, type UnmapContext } from '../../spec/kernel/preconditions/vnode.js';
import { isCopy } from '../../spec/kernel/relations.js';
import { canonicalRights, intersectRights } from '../../spec/kernel/rights.js';
import type { Removal } from '../../spec/kernel/removal.js';
import { err, ok } from '../../spec/result.js';
import {
  canonicalCap,
  canonicalState,
  isMappingCap,
  NO_REMOTE,
  sameSlot,
  type Capability,
  type CoreState,
  type Cte,
  type KernelState,
  type MappingCap,
  type MemoryCap,
  type MemoryRegionConfig,
  type Pte,
  type SlotAddr,
} from '../../spec/kernel/state.js';
import { mappingTypeFor, type MemoryType } from '../../spec/kernel/types.js';

interface ModelCore {
  readonly core: number;
  ctes: Cte[];
  ptes: Pte[];
}

export class ModelKernel implements Kernel {
  private arch!: ArchProfile;
  private memory!: readonly MemoryRegionConfig[];
  private cores!: ModelCore[];

  constructor(config: KernelConfig) {
    this.load(bootState(config));
  }

  /** A model holding a given state (for benchmarks and tools that start from a snapshot). */
  static fromState(state: KernelState): ModelKernel {
    const k = Object.create(ModelKernel.prototype) as ModelKernel;
    k.load(state);
    return k;
  }

  private load(s: KernelState): void {
    this.arch = archProfiles[s.arch];
    this.memory = s.memory;
    this.cores = s.cores.map((c) => ({ core: c.core, ctes: [...c.ctes], ptes: [...c.ptes] }));
  }

  observe(): KernelState {
    return canonicalState({ arch: this.arch.name, memory: this.memory, cores: this.cores });
  }

  apply<O extends KernelOp>(op: O): ResultOf<O> {
    const core = this.cores.find((c) => c.core === (op.core ?? 0));
    if (core === undefined) return err('SYS_ERR_CORE_NOT_FOUND', 'core') as ResultOf<O>;
    return this.dispatch(core, op) as ResultOf<O>;
  }

  private dispatch(core: ModelCore, op: KernelOp): KernelResult {
    const base = { core: core as CoreState, arch: this.arch, memory: this.memory };
    switch (op.op) {
      case 'retype':
        return this.retype(core, { ...base, op });
      case 'copy':
      case 'mint':
        return this.copy(core, { ...base, op });
      case 'delete':
        return this.remove(core, { ...base, op }, deletePreconditions);
      case 'revoke':
        return this.remove(core, { ...base, op }, revokePreconditions);
      case 'vnode_map':
        return this.map(core, { ...base, op });
      case 'vnode_unmap':
        return this.unmap(core, { ...base, op });
      case 'identify': {
        const c: TargetContext<IdentifyOp> = { ...base, op };
        const e = firstFailure(identifyPreconditions, c);
        // A copy: the caller must not be able to change the model's state through the result.
        return e.ok ? ok({ cap: canonicalCap(c.target!.cap) }) : e;
      }
      case 'lock':
      case 'unlock': {
        const c: TargetContext<LockOp | UnlockOp> = { ...base, op };
        const checks = (op.op === 'lock' ? lockPreconditions : unlockPreconditions) as readonly Precondition<TargetContext<LockOp | UnlockOp>>[];
        const e = firstFailure(checks, c);
        if (!e.ok) return e;
        this.updateCopies(core, c.target!.cap, (k) => ({ ...k, locked: op.op === 'lock' }));
        return ok({});
      }
      case 'remote_relations':
        return this.remoteRelations(core, { ...base, op });
      case 'is_retypeable': {
        const e = firstFailure(isRetypeablePreconditions, { ...base, op } as IsRetypeableContext);
        return e.ok ? ok({}) : e;
      }
    }
  }

  private retype(core: ModelCore, c: RetypeContext & { op: RetypeOp }): KernelResult {
    const e = firstFailure(retypePreconditions, c);
    if (!e.ok) return e;
    const src = c.src!.cap as MemoryCap;
    const region = retypeRegion(src, c.op);
    const type = c.op.type as MemoryType;
    for (let i = 0; i < c.op.count; i++) {
      const endpoint = type === 'EndPointLMP';
      const fresh: MemoryCap = {
        type,
        base: endpoint ? src.base : region.base + i * c.op.objsize,
        bytes: endpoint ? src.bytes : c.op.objsize,
        rights: src.rights, // DEC-RETYPE-RIGHTS
        owner: core.core,
        locked: false,
        remote: { ...NO_REMOTE, ancs: src.remote.copies },
      };
      // A new object that is a copy of an existing one (DEC-FULL-SIZE-RETYPE,
      // DEC-ENDPOINT-REGION) takes the existing copies' metadata (A.6.1).
      const existing = core.ctes.find((x) => isCopy(x.cap, fresh))?.cap;
      const cap = existing === undefined ? fresh : { ...fresh, owner: existing.owner, locked: existing.locked, remote: existing.remote };
      core.ctes.push({ cnode: c.dest!.addr.cnode, slot: c.dest!.addr.slot + i, cap });
    }
    return ok({});
  }

  private copy(core: ModelCore, c: CopyContext & { op: CopyOp | MintOp }): KernelResult {
    const e = firstFailure(copyPreconditions, c);
    if (!e.ok) return e;
    const src = c.src!.cap;
    const rights = c.op.op === 'mint' ? intersectRights(src.rights, c.op.rights) : src.rights;
    core.ctes.push({ ...c.dest!.addr, cap: { ...src, rights } });
    return ok({});
  }

  private remove(
    core: ModelCore,
    c: RemovalContext & { op: DeleteOp | RevokeOp },
    checks: typeof deletePreconditions,
  ): KernelResult {
    const e = firstFailure(checks, c);
    if (!e.ok) return e;
    const removal: Removal = c.removal!;
    for (const r of removal.ctes) this.removeCte(core, r);
    return ok({ deleted: removal.ctes.length, reclaimed: removal.reclaimed });
  }

  /** Takes a capability out of its slot; a Mapping capability takes its entries with it. */
  private removeCte(core: ModelCore, r: SlotAddr): void {
    const cte = core.ctes.find((x) => sameSlot(x, r));
    if (cte === undefined) return;
    core.ctes = core.ctes.filter((x) => x !== cte);
    const m = cte.cap;
    if (isMappingCap(m)) core.ptes = core.ptes.filter((p) => p.vnode !== m.ptable || p.entry < m.entry || p.entry >= m.entry + m.pteCount);
  }

  private map(core: ModelCore, c: MapContext & { op: VNodeMapOp }): KernelResult {
    const e = firstFailure(vnodeMapPreconditions, c);
    if (!e.ok) return e;
    const src = c.src!.cap as MemoryCap;
    const vnode = c.vnode!.cap;
    const kind = mapKind(c.level!, src)!;
    const rights = canonicalRights(c.op.rights);
    for (let i = 0; i < c.op.pteCount; i++) {
      const target = kind.kind === 'table' ? src.base : src.base + c.op.offset + i * kind.pageSize;
      core.ptes.push({ vnode: vnode.base, entry: c.op.entry + i, target, rights });
    }
    const mapping: MappingCap = {
      type: mappingTypeFor(src.type)!,
      mapped: { cnode: c.src!.cnode, slot: c.src!.slot },
      ptable: vnode.base,
      entry: c.op.entry,
      pteCount: c.op.pteCount,
      offset: c.op.offset,
      rights: src.rights,
      owner: core.core,
      locked: false,
      remote: NO_REMOTE,
    };
    core.ctes.push({ ...c.mapping!.addr, cap: mapping });
    return ok({});
  }

  private unmap(core: ModelCore, c: UnmapContext & { op: VNodeUnmapOp }): KernelResult {
    const e = firstFailure(vnodeUnmapPreconditions, c);
    if (!e.ok) return e;
    this.removeCte(core, c.mapping!); // DEC-UNMAP-DELETES-MAPPING
    return ok({});
  }

  private remoteRelations(core: ModelCore, c: TargetContext<RemoteRelationsOp> & { op: RemoteRelationsOp }): KernelResult {
    const e = firstFailure(remoteRelationsPreconditions, c);
    if (!e.ok) return e;
    // Absent bits stay; `{ copies: undefined }` (which the op schema accepts) is absent too.
    const cur = c.target!.cap.remote;
    const remote = { copies: c.op.set.copies ?? cur.copies, ancs: c.op.set.ancs ?? cur.ancs, descs: c.op.set.descs ?? cur.descs };
    this.updateCopies(core, c.target!.cap, (k) => ({ ...k, remote }));
    return ok({ remote });
  }

  /** Applies `f` to every copy of `cap` on the core: metadata lives on the whole run of copies. */
  private updateCopies(core: ModelCore, cap: Capability, f: (k: Capability) => Capability): void {
    core.ctes = core.ctes.map((x) => (isCopy(x.cap, cap) ? { ...x, cap: f(x.cap) } : x));
  }
}
