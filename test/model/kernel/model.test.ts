// The reference model as a whole: it never throws on a schema-valid
// operation, its result is always what the spec prescribes, every invariant
// and postcondition holds after every step, and observe() is canonical,
// deterministic and detached from the model's own state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelKernel } from '../../../model/kernel/model-kernel.js';
import { capref1, capref2, type Capref } from '../../../spec/kernel/capref.js';
import { defaultKernelConfig, type KernelConfig } from '../../../spec/kernel/config.js';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import { kernelOpSchema, type KernelOp } from '../../../spec/kernel/ops.js';
import { checkPostconditions } from '../../../spec/kernel/postconditions.js';
import { expectedResult } from '../../../spec/kernel/preconditions/index.js';
import { rightNames } from '../../../spec/kernel/rights.js';
import { canonicalState, isMappingCap, type Capability, type KernelState, type MemoryCap } from '../../../spec/kernel/state.js';
import { isCNodeType, isMappingType, isRetypeEdge, isVNodeType, memoryTypes, objTypes, typeTable, type MemoryType } from '../../../spec/kernel/types.js';
import { archProfiles, isTypeInArch, type ArchProfile } from '../../../spec/kernel/arch.js';
import { armv7World, KIB, MIB, summary, World } from '../../spec/kernel/fixtures.js';

interface Named {
  readonly ref: Capref;
  readonly cap?: Capability;
}

/** Caprefs worth trying in a state: every occupied slot reachable from a live L1CNode, some empty ones, and some bad ones. */
function caprefs(s: KernelState): Named[] {
  const ctes = s.cores[0]!.ctes;
  const roots = [...new Set(ctes.filter((e) => !isMappingCap(e.cap) && e.cap.type === 'L1CNode').map((e) => (e.cap as MemoryCap).base))];
  const out: Named[] = [];
  for (const root of roots)
    for (const e of ctes.filter((x) => x.cnode === root)) {
      out.push({ ref: capref1(root, e.slot), cap: e.cap });
      if (e.cap.type === 'L2CNode') {
        const base = (e.cap as MemoryCap).base;
        for (const f of ctes.filter((x) => x.cnode === base)) out.push({ ref: capref2(root, e.slot, f.slot), cap: f.cap });
        for (const slot of [200, 201, 202]) if (!ctes.some((x) => x.cnode === base && x.slot === slot)) out.push({ ref: capref2(root, e.slot, slot) });
      }
    }
  const root = roots[0] ?? 0;
  for (const ref of [capref1(root, 20), capref1(root, 300), capref2(root, 20, 0), { root, cptr: 0, level: 3 }, capref1(0x1000, 0)]) out.push({ ref });
  return out;
}

/** One step of a trace: indices and small numbers, interpreted against the current state (so shrinking keeps steps meaningful). */
const stepArb = fc.record({
  kind: fc.nat(99),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  n: fc.nat(7),
  m: fc.nat(600),
  t: fc.nat(objTypes.length - 1),
  r: fc.nat(31),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

const sizes = [KIB, 4 * KIB, 16 * KIB, 64 * KIB, 2 * MIB, 100, 0];
const isVNode = (c?: Capability) => c !== undefined && !isMappingCap(c) && isVNodeType(c.type);

function opOf(s: KernelState, arch: ArchProfile, x: Step): KernelOp {
  const refs = caprefs(s);
  /** Mostly a capref whose slot satisfies `want` (when there is one), sometimes any. */
  const pick = (i: number, want: (c?: Capability) => boolean): Capref => {
    const good = refs.filter((r) => want(r.cap));
    const from = good.length > 0 && i % 5 !== 0 ? good : refs;
    return from[i % from.length]!.ref;
  };
  const empty = (c?: Capability) => c === undefined;
  const notCNode = (c?: Capability) => c !== undefined && !isCNodeType(c.type);
  const rights = rightNames.filter((_, i) => (x.r >> i) & 1);
  const k = x.kind;
  if (k < 30) {
    const src = pick(x.a, (c) => c !== undefined && !isMappingCap(c) && memoryTypes.some((t) => isRetypeEdge(c.type as MemoryType, t)));
    const srcCap = refs.find((r) => r.ref === src)?.cap;
    const legal = srcCap === undefined || isMappingCap(srcCap) ? [] : memoryTypes.filter((t) => isRetypeEdge(srcCap.type, t) && isTypeInArch(arch, t));
    const type = legal.length > 0 && x.t % 4 !== 0 ? legal[x.t % legal.length]! : objTypes[x.t]!;
    const fixed = isMappingType(type) ? undefined : typeTable[type].fixedSize;
    const objsize = x.n === 7 ? sizes[x.m % sizes.length]! : (fixed ?? sizes[1 + (x.m % 3)]!);
    // Mostly an offset at an object boundary inside the source; sometimes anywhere.
    const bytes = srcCap !== undefined && !isMappingCap(srcCap) ? srcCap.bytes : 64 * KIB;
    const slots = Math.max(1, Math.floor(bytes / Math.max(objsize, 1)));
    const offset = x.n === 6 ? (x.m % 64) * KIB : (x.c % Math.min(slots, 64)) * objsize;
    return { op: 'retype', src, offset, type, objsize, count: 1 + (x.r % 3), dest: pick(x.b, empty) };
  }
  if (k < 42) return { op: 'copy', src: pick(x.a, (c) => c !== undefined), dest: pick(x.b, empty) };
  if (k < 50) return { op: 'mint', src: pick(x.a, (c) => c !== undefined), dest: pick(x.b, empty), rights };
  if (k < 58) return { op: 'delete', target: pick(x.a, notCNode) };
  if (k < 63) return { op: 'revoke', target: pick(x.a, notCNode) };
  if (k < 80) {
    const vnode = pick(x.a, isVNode);
    const v = refs.find((r) => r.ref === vnode)?.cap;
    const level = v !== undefined && !isMappingCap(v) && isVNodeType(v.type) ? arch.levels[v.type] : undefined;
    // Mostly a source this table can hold: its next-level table, or a frame where it maps pages.
    const fits = (c?: Capability) =>
      c !== undefined && !isMappingCap(c) && (level === undefined || c.type === level.childTable || (level.pageSize !== undefined && (c.type === 'Frame' || c.type === 'DevFrame')));
    return {
      op: 'vnode_map',
      vnode,
      src: pick(x.b, fits),
      entry: x.m % 2 === 0 ? x.m % 16 : x.m,
      offset: x.n === 6 ? x.m : (x.c % 4) * 4 * KIB,
      pteCount: x.n === 7 ? 0 : 1 + (x.n % 3),
      rights: rights.filter((r): r is 'READ' | 'WRITE' | 'EXECUTE' => r === 'READ' || r === 'WRITE' || r === 'EXECUTE'),
      mapping: pick(x.c, empty),
    };
  }
  if (k < 86) return { op: 'vnode_unmap', vnode: pick(x.a, isVNode), mapping: pick(x.b, (c) => c !== undefined && isMappingCap(c)) };
  if (k < 90) return { op: 'lock', target: pick(x.a, notCNode) };
  if (k < 94) return { op: 'unlock', target: pick(x.a, notCNode) };
  if (k < 95) return { op: 'remote_relations', target: pick(x.a, notCNode), set: { copies: (x.r & 1) === 1, descs: (x.r & 2) === 2 } };
  if (k < 97) return { op: 'is_retypeable', src: pick(x.a, (c) => c !== undefined && !isMappingCap(c)), offset: (x.m % 32) * 4 * KIB, objsize: sizes[x.n % sizes.length]!, count: x.c % 3 };
  return { op: 'identify', target: pick(x.a, () => true), core: x.n === 7 ? 1 : 0 };
}

/** Runs a trace on a fresh model, checking the spec after every step; returns how many steps succeeded. */
function runTrace(config: KernelConfig, setup: (w: World) => void, steps: readonly Step[]): number {
  const w = new World(config);
  setup(w);
  let succeeded = 0;
  for (const x of steps) {
    const pre = w.state();
    const op = opOf(pre, archProfiles[config.arch], x);
    expect(kernelOpSchema.safeParse(op).success, 'generated operations are schema-valid').toBe(true);
    const expected = expectedResult(pre, op);
    const result = w.k.apply(op);
    const post = w.state();
    expect(summary(result)).toEqual(summary(expected));
    expect(checkInvariants(post)).toEqual([]);
    expect(checkPostconditions(pre, op, result, post)).toEqual([]);
    if (result.ok) succeeded++;
  }
  return succeeded;
}

/** Gives the random steps something to work with: tables, frames, RAM pieces, a dispatcher. */
function aarch64Setup(w: World): void {
  w.retype(w.ram, 'VNode_AARCH64_l1', 0, 4 * KIB, w.slot(0));
  w.retype(w.ram, 'VNode_AARCH64_l2', 4 * KIB, 4 * KIB, w.slot(1));
  w.retype(w.ram, 'VNode_AARCH64_l3', 8 * KIB, 4 * KIB, w.slot(2));
  w.retype(w.ram, 'Frame', 16 * KIB, 16 * KIB, w.slot(3), 2);
  w.retype(w.ram, 'RAM', 64 * KIB, 64 * KIB, w.slot(5), 3);
  w.retype(w.ram, 'Dispatcher', 12 * KIB, KIB, w.slot(8));
  w.map(w.vroot, w.slot(0), 0, w.slot(10), { rights: ['READ'] });
  w.map(w.slot(0), w.slot(1), 0, w.slot(11), { rights: ['READ'] });
}

describe('the reference model against the spec, on random traces', () => {
  it('AArch64: never throws, returns what the preconditions prescribe, and keeps every invariant and postcondition', () => {
    let succeeded = 0;
    let steps = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 40 }), (trace) => {
        succeeded += runTrace(defaultKernelConfig, aarch64Setup, trace);
        steps += trace.length;
      }),
      { seed: 20261121, numRuns: 120 },
    );
    // The traces are not all refusals: a good share of the steps succeed.
    expect(succeeded / steps).toBeGreaterThan(0.3);
  });

  it('ARMv7: the same, on the second profile', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 30 }), (steps) => {
        const w = armv7World();
        runTrace(w.config, (v) => {
          v.retype(v.c2(3, 1), 'VNode_ARM_l2', 0, KIB, v.slot(0));
          v.retype(v.c2(3, 1), 'Frame', 4 * KIB, 16 * KIB, v.slot(1));
          v.map(v.vroot, v.slot(0), 0, v.slot(10), { rights: ['READ'] });
        }, steps);
      }),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('observe()', () => {
  it('is canonical, plain JSON, and identical for two models given the same operations', () => {
    const a = new World();
    const b = new World();
    for (const w of [a, b]) aarch64Setup(w);
    const s = a.state();
    expect(canonicalState(s)).toEqual(s);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(JSON.stringify(b.state())).toBe(JSON.stringify(s));
  });
  it('is detached: changing an observation does not change the model', () => {
    const w = new World();
    const s = w.state();
    (s.cores[0]!.ctes as unknown[]).length = 0;
    expect(w.state().cores[0]!.ctes.length).toBeGreaterThan(0);
  });
  it('ModelKernel.fromState holds exactly the state it was given, and carries on like the model that reached it', () => {
    const a = new World();
    aarch64Setup(a);
    const b = ModelKernel.fromState(a.state());
    expect(b.observe()).toEqual(a.state());
    const op: KernelOp = { op: 'revoke', target: a.ram };
    expect(b.apply(op)).toEqual(a.k.apply(op));
    expect(b.observe()).toEqual(a.state());
  });
  it('has one entry per configured core, and the configured memory map', () => {
    const k = new ModelKernel(defaultKernelConfig);
    const s = k.observe();
    expect(s.arch).toBe('aarch64');
    expect(s.cores.map((c) => c.core)).toEqual([0]);
    expect(s.memory).toEqual([...defaultKernelConfig.memory].sort((x, y) => x.base - y.base));
  });
});
