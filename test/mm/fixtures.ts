// Shared helpers for the mm tests: stacks over the two kernels, the boot RAM
// capabilities as caprefs, and a runner that applies steps and returns results.
import { defaultMmStacks, modelStack, worldOf, type MmStack } from '../../conformance/mm/stack.js';
import { conformanceMmConfig } from '../../conformance/mm/config.js';
import { bootLayout, ROOTCN_SLOT_PACN, ROOTCN_SLOT_SUPERCN } from '../../spec/kernel/boot.js';
import { capref2, type Capref } from '../../spec/kernel/capref.js';
import { KIB } from '../../spec/kernel/types.js';
import { mmConfigSchema, type MmConfig, type MmConfigInput } from '../../spec/mm/config.js';
import type { MmResult } from '../../spec/mm/mm.js';
import type { MmOp, RamGrant } from '../../spec/mm/ops.js';
import type { MmWorld } from '../../spec/mm/invariants.js';

export { conformanceMmConfig };

/** One 1 MiB RAM region (boot takes 132 KiB of it) and a second, adjacent 256 KiB one. */
export const smallConfig: MmConfig = mmConfigSchema.parse({
  kernel: {
    memory: [
      { base: 0x8000_0000, bytes: 1024 * KIB, kind: 'ram' },
      { base: 0x8010_0000, bytes: 256 * KIB, kind: 'ram' },
      { base: 0x1000_0000, bytes: 64 * KIB, kind: 'device' },
    ],
  },
} satisfies MmConfigInput);

export const configWith = (mm: Partial<MmConfig['mm']>, base: MmConfig = smallConfig): MmConfig => mmConfigSchema.parse({ kernel: base.kernel, mm: { ...base.mm, ...mm } });

export function ramRoot(config: MmConfig, i: number): Capref {
  return capref2(bootLayout(config.kernel).rootCNode, ROOTCN_SLOT_SUPERCN, i);
}
export function deviceRoot(config: MmConfig, i: number): Capref {
  return capref2(bootLayout(config.kernel).rootCNode, ROOTCN_SLOT_PACN, i);
}

export const stacks = {
  model: (c: MmConfig) => modelStack(c),
  impl: (c: MmConfig) => defaultMmStacks.impl(c),
};

export class Driver {
  readonly stack: MmStack;
  constructor(
    readonly config: MmConfig,
    kind: 'model' | 'impl' = 'model',
  ) {
    this.stack = stacks[kind](config);
  }
  do(op: MmOp): MmResult {
    return this.stack.mm.apply(op);
  }
  /** Applies a step that must succeed and returns its value. */
  ok<V = unknown>(op: MmOp): V {
    const r = this.do(op);
    if (!r.ok) throw new Error(`${op.op} failed: ${r.error}`);
    return r.value as V;
  }
  grant(bytes: number, alignment?: number, range?: { base: number; limit: number }): RamGrant {
    return this.ok<RamGrant>({ op: 'alloc', bytes, ...(alignment !== undefined ? { alignment } : {}), ...(range !== undefined ? { range } : {}) });
  }
  world(): MmWorld {
    return worldOf(this.stack, this.config);
  }
}
