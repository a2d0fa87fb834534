// Test fixtures for the paging parts: a stack (kernel, memory manager,
// address space) driven step by step, with helpers that assert success.
import { expect } from 'vitest';
import { implStack, modelStack, type PagingStack } from '../../../conformance/paging/stacks.js';
import { pagingSuiteConfig } from '../../../conformance/paging/suite.js';
import type { Capref } from '../../../spec/kernel/capref.js';
import type { ArchName } from '../../../spec/kernel/arch.js';
import type { PagingResult } from '../../../spec/paging/address-space.js';
import { defaultPagingConfig, type PagingConfig } from '../../../spec/paging/config.js';
import type { PagingWorld } from '../../../spec/paging/invariants.js';
import type { FrameGrant, PagingOp } from '../../../spec/paging/ops.js';
import { checkPagingInvariants } from '../../../spec/paging/invariants.js';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';

export const PAGE = 4096;
export const MIB = 1024 * 1024;

export type Variant = 'model' | 'impl';
export const variants: readonly Variant[] = ['model', 'impl'];

export class Space {
  readonly stack: PagingStack;
  constructor(
    readonly variant: Variant = 'model',
    readonly config: PagingConfig = defaultPagingConfig,
  ) {
    this.stack = variant === 'model' ? modelStack(config) : implStack(config, undefined, true);
  }

  apply(op: PagingOp): PagingResult {
    return this.stack.space.apply(op);
  }

  /** Applies a step that must succeed; returns its value. */
  must<T = unknown>(op: PagingOp): T {
    const r = this.apply(op);
    if (!r.ok) throw new Error(`${JSON.stringify(op)} failed with ${r.error}`);
    return r.value as T;
  }

  frame(bytes: number): FrameGrant {
    return this.must<FrameGrant>({ op: 'frame_alloc', bytes });
  }

  map(frame: Capref, extra: Partial<Extract<PagingOp, { op: 'map' }>> = {}): number {
    return this.must<{ vaddr: number }>({ op: 'map', frame, rights: ['READ', 'WRITE'], ...extra }).vaddr;
  }

  world(): PagingWorld {
    return { paging: this.stack.space.observe(), kernel: this.stack.kernel.observe(), memory: this.stack.memory.observe(), config: this.config };
  }

  /** What the memory manager has handed out to the paging layer: its client allocations and slots. */
  handedOut(): { allocations: readonly unknown[]; slots: readonly unknown[] } {
    const m = this.stack.memory.observe();
    return { allocations: m.allocations.filter((a) => a.use === 'client'), slots: m.slots.client };
  }

  /** Bytes the memory manager has free. */
  freeBytes(): number {
    return this.stack.memory.observe().free.reduce((n, r) => n + r.bytes, 0);
  }

  /** Every paging and kernel invariant holds. */
  sound(): void {
    const w = this.world();
    expect(checkPagingInvariants(w)).toEqual([]);
    expect(checkInvariants(w.kernel)).toEqual([]);
  }
}

export const configFor = (arch: ArchName, vbase?: number): PagingConfig => {
  const c = pagingSuiteConfig(arch);
  return vbase === undefined ? c : { ...c, paging: { ...c.paging, vbase } };
};

/** A configuration with little RAM, so that allocators refuse mid-step. */
export function smallMemory(bytes: number, arch: ArchName = 'aarch64'): PagingConfig {
  const c = configFor(arch);
  return { ...c, kernel: { ...c.kernel, memory: [{ base: 0x8000_0000, bytes, kind: 'ram' }] } };
}
