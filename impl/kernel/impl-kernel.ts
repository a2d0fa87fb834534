// The optimized kernel: the same results and observations as the reference
// model (model/kernel/model-kernel.ts) for every operation sequence, with
// indexed structures instead of full scans. One CoreKernel per core.
import { archProfiles } from '../../spec/kernel/arch.js';
import { bootState } from '../../spec/kernel/boot.js';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel, KernelResult, ResultOf } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { canonicalState, type KernelState, type MemoryRegionConfig } from '../../spec/kernel/state.js';
import { err } from '../../spec/result.js';
import { checkCore } from './debug-check.js';
import { CoreKernel } from './kernel-core.js';
import type { KernelMutant } from './mutants.js';

export interface ImplKernelOptions {
  /** Check every data-structure invariant after every operation (O(n) each; also on with CAPREF_DEBUG=1). */
  readonly debug?: boolean;
  /** Switch on one deliberate bug by name (mutants.ts). */
  readonly mutant?: KernelMutant;
}

const debugFromEnv = (): boolean => typeof process !== 'undefined' && process.env.CAPREF_DEBUG === '1';

export class ImplKernel implements Kernel {
  private readonly cores: readonly CoreKernel[];
  private readonly memory: readonly MemoryRegionConfig[];
  private readonly arch: KernelState['arch'];
  private readonly debug: boolean;

  constructor(config: KernelConfig, options: ImplKernelOptions = {}) {
    const boot = bootState(config);
    const arch = archProfiles[boot.arch];
    this.arch = boot.arch;
    this.memory = boot.memory;
    const ram = boot.memory.filter((m) => m.kind === 'ram');
    this.cores = boot.cores.map((c) => new CoreKernel(c.core, arch, c, options.mutant, ram));
    this.debug = options.debug ?? debugFromEnv();
    if (this.debug) this.checkInvariants();
  }

  apply<O extends KernelOp>(op: O): ResultOf<O> {
    const id = op.core ?? 0;
    const core = this.cores.find((c) => c.core === id);
    if (core === undefined) return err('SYS_ERR_CORE_NOT_FOUND', 'core') as ResultOf<O>;
    const r = dispatch(core, op);
    if (this.debug) this.checkInvariants();
    return r as ResultOf<O>;
  }

  observe(): KernelState {
    return canonicalState({ arch: this.arch, memory: this.memory, cores: this.cores.map((c) => c.observe()) });
  }

  /** Checks every data-structure invariant of every core; throws an Error naming the first broken one. */
  checkInvariants(): void {
    for (const c of this.cores) checkCore(c);
  }
}

function dispatch(core: CoreKernel, op: KernelOp): KernelResult {
  switch (op.op) {
    case 'retype':
      return core.retype(op);
    case 'copy':
    case 'mint':
      return core.copy(op);
    case 'delete':
    case 'revoke':
      return core.remove(op);
    case 'vnode_map':
      return core.map(op);
    case 'vnode_unmap':
      return core.unmap(op);
    case 'identify':
      return core.identify(op);
    case 'lock':
    case 'unlock':
      return core.lock(op);
    case 'remote_relations':
      return core.remoteRelations(op);
    case 'is_retypeable':
      return core.isRetypeable(op);
  }
}
