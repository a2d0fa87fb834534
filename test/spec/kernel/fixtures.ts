// Shared fixtures for the kernel spec and model tests: boot a configuration
// into the reference model, name the init domain's well-known slots, apply
// operations while checking every invariant and postcondition, and ask the
// spec which precondition is the first to fail.
import { expect } from 'vitest';
import { ModelKernel } from '../../../model/kernel/model-kernel.js';
import { archProfiles } from '../../../spec/kernel/arch.js';
import {
  bootLayout,
  ROOTCN_SLOT_PACN,
  ROOTCN_SLOT_PAGECN,
  ROOTCN_SLOT_SLOT_ALLOC0,
  ROOTCN_SLOT_SLOT_ALLOC1,
  ROOTCN_SLOT_SLOT_ALLOC2,
  ROOTCN_SLOT_SUPERCN,
  ROOTCN_SLOT_TASKCN,
  type BootInfo,
} from '../../../spec/kernel/boot.js';
import { capref1, capref2, type Capref } from '../../../spec/kernel/capref.js';
import { defaultKernelConfig, type KernelConfig } from '../../../spec/kernel/config.js';
import type { ArgName, KernelError } from '../../../spec/kernel/errors.js';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import type { KernelResult } from '../../../spec/kernel/kernel.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import { checkPostconditions } from '../../../spec/kernel/postconditions.js';
import { expectedResult, preconditionsByOp, type Expectation } from '../../../spec/kernel/preconditions/index.js';
import { resolveSlot } from '../../../spec/kernel/lookup.js';
import { coreOf } from '../../../spec/kernel/query.js';
import type { Rights } from '../../../spec/kernel/rights.js';
import type { Capability, Cte, KernelState, MemoryCap, Pte, SlotAddr } from '../../../spec/kernel/state.js';
import { KIB, MIB, type MemoryType } from '../../../spec/kernel/types.js';

export { KIB, MIB };

/** The init domain of a booted configuration, with names for its well-known slots. */
export class World {
  readonly k: ModelKernel;
  readonly info: BootInfo;
  readonly root: number;

  constructor(readonly config: KernelConfig = defaultKernelConfig) {
    this.k = new ModelKernel(config);
    this.info = bootLayout(config);
    this.root = this.info.rootCNode;
  }

  /** Level-2 capref: slot `l2` of the L2CNode in root slot `l1`. */
  c2(l1: number, l2: number): Capref {
    return capref2(this.root, l1, l2);
  }
  /** Level-1 capref: slot `l1` of the root L1CNode. */
  c1(l1: number): Capref {
    return capref1(this.root, l1);
  }
  /** The first RAM root capability, in the super CNode. */
  get ram(): Capref {
    return this.c2(ROOTCN_SLOT_SUPERCN, 0);
  }
  get physAddr(): Capref {
    return this.c2(ROOTCN_SLOT_PACN, 0);
  }
  /** The root page table, in slot 0 of the page CNode (the hand-out's `cnode_page`). */
  get vroot(): Capref {
    return this.c2(ROOTCN_SLOT_PAGECN, 0);
  }
  get taskCn(): Capref {
    return this.c1(ROOTCN_SLOT_TASKCN);
  }
  /** Free slots for test objects: the slot allocator's three empty L2CNodes. */
  slot(i: number): Capref {
    const cn = [ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SLOT_ALLOC2][Math.floor(i / 256)]!;
    return this.c2(cn, i % 256);
  }

  state(): KernelState {
    return this.k.observe();
  }
  ctes(): readonly Cte[] {
    return coreOf(this.state(), 0)!.ctes;
  }
  /** The capability a capref names in the current state, by resolving it through the spec. */
  capAt(ref: Capref): Capability | undefined {
    const r = this.k.apply({ op: 'identify', target: ref });
    return r.ok ? r.value.cap : undefined;
  }
  memAt(ref: Capref): MemoryCap {
    const c = this.capAt(ref);
    if (c === undefined || 'mapped' in c) throw new Error(`no memory capability at ${JSON.stringify(ref)}`);
    return c;
  }

  /**
   * Applies one operation and checks everything the spec says about the step:
   * the model's result is what the preconditions prescribe, and afterwards
   * every invariant and every postcondition holds.
   */
  step(op: KernelOp): KernelResult {
    const pre = this.state();
    const expected = expectedResult(pre, op);
    const result = this.k.apply(op);
    const post = this.state();
    expect(summary(result), `result of ${op.op}`).toEqual(summary(expected));
    expect(checkInvariants(post), `invariants after ${op.op}`).toEqual([]);
    expect(checkPostconditions(pre, op, result, post), `postconditions of ${op.op}`).toEqual([]);
    return result;
  }
  /** Applies an operation that must succeed. */
  must(op: KernelOp): KernelResult {
    const r = this.step(op);
    if (!r.ok) throw new Error(`${op.op} failed with ${r.error} (${r.arg ?? ''}): ${JSON.stringify(op)}`);
    return r;
  }

  // --- common operations ------------------------------------------------------
  retype(src: Capref, type: MemoryType, offset: number, objsize: number, dest: Capref, count = 1): KernelResult {
    return this.must({ op: 'retype', src, type, offset, objsize, count, dest });
  }
  copy(src: Capref, dest: Capref): KernelResult {
    return this.must({ op: 'copy', src, dest });
  }
  mint(src: Capref, dest: Capref, rights: Rights): KernelResult {
    return this.must({ op: 'mint', src, dest, rights });
  }
  map(vnode: Capref, src: Capref, entry: number, mapping: Capref, opts: { offset?: number; pteCount?: number; rights?: ('READ' | 'WRITE' | 'EXECUTE')[] } = {}): KernelResult {
    return this.must({
      op: 'vnode_map',
      vnode,
      src,
      entry,
      offset: opts.offset ?? 0,
      pteCount: opts.pteCount ?? 1,
      rights: opts.rights ?? ['READ', 'WRITE'],
      mapping,
    });
  }
}

export const summary = (r: Expectation | KernelResult) => (r.ok ? { ok: true } : { ok: false, error: r.error, arg: r.arg });

/** The id of the first precondition of `op` that fails in `state` ('core' for a missing core), or undefined. */
export function firstFailingId(state: KernelState, op: KernelOp): string | undefined {
  const core = coreOf(state, op.core ?? 0);
  if (core === undefined) return 'core';
  const ctx = { core, arch: archProfiles[state.arch], memory: state.memory, op };
  for (const p of preconditionsByOp[op.op]) if (p.check(ctx as never) !== undefined) return p.id;
  return undefined;
}

/**
 * Asserts that `op` fails in the world's current state with exactly this
 * precondition first, and that spec and model agree on error and argument
 * and the model changes nothing.
 */
export function expectRefusal(w: World, op: KernelOp, id: string, error: KernelError, arg: ArgName): void {
  const pre = w.state();
  expect(firstFailingId(pre, op), 'first failing precondition').toBe(id);
  expectDeclaredError(op, id, error);
  expect(expectedResult(pre, op)).toEqual({ ok: false, error, arg });
  const result = w.k.apply(op);
  expect(result).toEqual({ ok: false, error, arg });
  expect(w.state(), 'a refused operation changes nothing').toEqual(pre);
}

/** Like expectRefusal, for a hand-built state no operation sequence reaches (loaded into a model with fromState). */
export function expectSpecRefusal(state: KernelState, op: KernelOp, id: string, error: KernelError, arg: ArgName): void {
  expect(firstFailingId(state, op), 'first failing precondition').toBe(id);
  expectDeclaredError(op, id, error);
  expect(expectedResult(state, op)).toEqual({ ok: false, error, arg });
  const k = ModelKernel.fromState(state);
  const before = k.observe();
  expect(k.apply(op)).toEqual({ ok: false, error, arg });
  expect(k.observe(), 'a refused operation changes nothing').toEqual(before);
}

/** The errors a capref lookup can return (kernel/capabilities.c caps_lookup_slot). */
export const lookupErrors: readonly KernelError[] = [
  'SYS_ERR_CAP_LOOKUP_DEPTH',
  'SYS_ERR_CNODE_NOT_ROOT',
  'SYS_ERR_L1_CNODE_INDEX',
  'SYS_ERR_CNODE_NOT_FOUND',
  'SYS_ERR_CNODE_TYPE',
  'SYS_ERR_CNODE_RIGHTS',
  'SYS_ERR_CAP_NOT_FOUND',
];

/** A precondition returns the error its registry entry declares (any lookup error for 'lookup'). */
function expectDeclaredError(op: KernelOp, id: string, error: KernelError): void {
  if (id === 'core') return expect(error).toBe('SYS_ERR_CORE_NOT_FOUND');
  const declared = preconditionsByOp[op.op].find((p) => p.id === id)!.error;
  if (declared === 'lookup') expect(lookupErrors, `${id} is a lookup`).toContain(error);
  else expect(error, `${id} declares ${declared}`).toBe(declared);
}

/** A copy of a state with one core's slots and entries replaced. */
export function withCore(s: KernelState, core: number, f: (c: { ctes: Cte[]; ptes: Pte[] }) => void): KernelState {
  const cores = s.cores.map((c) => {
    if (c.core !== core) return c;
    const copy = { ctes: c.ctes.map((e) => ({ ...e, cap: { ...e.cap } })), ptes: c.ptes.map((p) => ({ ...p })) };
    f(copy);
    return { core: c.core, ctes: copy.ctes, ptes: copy.ptes };
  });
  return { ...s, cores };
}

/** Replaces the capability in one slot of core 0. */
export function patchCap(s: KernelState, at: SlotAddr, patch: Partial<Capability>): KernelState {
  return withCore(s, 0, (c) => {
    const i = c.ctes.findIndex((e) => e.cnode === at.cnode && e.slot === at.slot);
    if (i < 0) throw new Error(`no capability at ${at.cnode}:${at.slot}`);
    c.ctes[i] = { ...c.ctes[i]!, cap: { ...c.ctes[i]!.cap, ...patch } as Capability };
  });
}

/** The slot address a capref names (resolved through the spec in the world's state; the slot may be empty). */
export function slotOf(w: World, ref: Capref): SlotAddr {
  const r = resolveSlot(coreOf(w.state(), 0)!, ref, 'target', 'read');
  if (!r.ok) throw new Error(`${JSON.stringify(ref)} does not resolve: ${r.error}`);
  return r.value.addr;
}

/**
 * A world with a page-table hierarchy on AArch64: the root table (l0) maps an
 * l1 table at entry 0, which maps an l2 table at entry 0, which maps an l3
 * table at entry 0. A 16 KiB Frame and a 2 MiB-aligned 2 MiB Frame are ready.
 */
export function pagedWorld(): World & { l1: Capref; l2: Capref; l3: Capref; frame: Capref; big: Capref } {
  const w = new World() as World & { l1: Capref; l2: Capref; l3: Capref; frame: Capref; big: Capref };
  const ramBase = w.info.ramRoots[0]!.base;
  w.l1 = w.slot(0);
  w.l2 = w.slot(1);
  w.l3 = w.slot(2);
  w.frame = w.slot(3);
  w.big = w.slot(4);
  w.retype(w.ram, 'VNode_AARCH64_l1', 0, 4 * KIB, w.l1);
  w.retype(w.ram, 'VNode_AARCH64_l2', 4 * KIB, 4 * KIB, w.l2);
  w.retype(w.ram, 'VNode_AARCH64_l3', 8 * KIB, 4 * KIB, w.l3);
  w.retype(w.ram, 'Frame', 16 * KIB, 16 * KIB, w.frame);
  // The first 2 MiB boundary inside the RAM root.
  const aligned = Math.ceil(ramBase / (2 * MIB)) * 2 * MIB;
  w.retype(w.ram, 'Frame', aligned - ramBase, 2 * MIB, w.big);
  w.map(w.vroot, w.l1, 0, w.slot(10), { rights: ['READ'] });
  w.map(w.l1, w.l2, 0, w.slot(11), { rights: ['READ'] });
  w.map(w.l2, w.l3, 0, w.slot(12), { rights: ['READ'] });
  return w;
}

/**
 * A reachable state with something of every kind: the paged world plus a
 * mapped frame and a mapped copy of it, a minted read-only copy, a DevFrame
 * mapped from the device window, a 2 MiB block, a new L2CNode holding copies,
 * a Dispatcher with two LMP endpoints, nested RAM, and a full-size RAM copy.
 */
export function richWorld(): ReturnType<typeof pagedWorld> & { cnode: Capref; dev: Capref } {
  const w = pagedWorld() as ReturnType<typeof pagedWorld> & { cnode: Capref; dev: Capref };
  w.map(w.l3, w.frame, 5, w.slot(20), { pteCount: 2 });
  w.copy(w.frame, w.slot(21));
  w.map(w.l3, w.slot(21), 7, w.slot(22), { offset: 8 * KIB, pteCount: 2 });
  w.mint(w.frame, w.slot(23), ['READ']);
  w.map(w.l3, w.slot(23), 9, w.slot(24), { rights: ['READ'] });
  w.dev = w.slot(25);
  w.retype(w.physAddr, 'DevFrame', 0, 8 * KIB, w.dev);
  w.map(w.l3, w.dev, 100, w.slot(26), { pteCount: 2 });
  w.map(w.l2, w.big, 1, w.slot(27));
  w.cnode = w.c1(14);
  w.retype(w.ram, 'L2CNode', 32 * KIB, 16 * KIB, w.cnode);
  w.copy(w.frame, w.c2(14, 0));
  w.copy(w.cnode, w.c2(14, 1)); // a CNode that holds a copy of itself
  w.retype(w.ram, 'Dispatcher', 48 * KIB, KIB, w.slot(28));
  w.retype(w.slot(28), 'EndPointLMP', 0, KIB, w.slot(29));
  w.retype(w.slot(28), 'EndPointLMP', 0, KIB, w.slot(30));
  w.retype(w.ram, 'RAM', 64 * KIB, 64 * KIB, w.slot(31));
  w.retype(w.slot(31), 'RAM', 0, 64 * KIB, w.slot(38)); // full-size, same type: a copy
  w.retype(w.slot(31), 'RAM', 0, 16 * KIB, w.slot(32), 2);
  w.retype(w.slot(32), 'Frame', 0, 4 * KIB, w.slot(34), 4);
  return w;
}

/** An ARMv7 world (RAM not 16 KiB-aligned, so boot leaves an alignment gap) with an L2 table mapped into the root L1 table. */
export function armv7World(): World & { l2: Capref; frame: Capref } {
  const w = new World({
    arch: 'armv7',
    cores: 1,
    memory: [
      { base: 0x1000_0000, bytes: 16 * MIB, kind: 'device' },
      { base: 0x8000_1000, bytes: 64 * MIB, kind: 'ram' },
    ],
  }) as World & { l2: Capref; frame: Capref };
  w.l2 = w.slot(0);
  w.frame = w.slot(1);
  // The alignment gap is the first RAM root; the big region is the second.
  const ram = w.c2(3, 1);
  w.retype(ram, 'VNode_ARM_l2', 0, KIB, w.l2);
  w.retype(ram, 'Frame', 4 * KIB, 16 * KIB, w.frame);
  w.map(w.vroot, w.l2, 0, w.slot(10), { rights: ['READ'] });
  return w;
}
