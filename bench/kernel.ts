// `npm run bench -- kernel`: throughput of retype, copy, delete, revoke (of a
// 1,000-capability subtree) and lookup, for the model and the implementation,
// at 10^3, 10^4 and 10^5 live capabilities, in one run.
//
// The state of n capabilities is built through the implementation (building it
// through the model costs O(n^2)); the model then starts from the same
// observed state (ModelKernel.fromState). Every figure is the median over
// batches (setup and teardown of each batch untimed), so a GC pause or a busy
// neighbour moves one sample, not the result; p50Ns/p99Ns are percentiles of
// those per-batch means.
import { ModelKernel } from '../model/kernel/model-kernel.js';
import { ImplKernel } from '../impl/kernel/index.js';
import { bootLayout, ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SUPERCN } from '../spec/kernel/boot.js';
import { capref1, capref2, type Capref } from '../spec/kernel/capref.js';
import type { KernelConfig } from '../spec/kernel/config.js';
import type { Kernel } from '../spec/kernel/kernel.js';
import type { KernelOp } from '../spec/kernel/ops.js';
import type { BenchResult } from './report.js';
import type { Suite } from './suites.js';
import { GIB, MIB, OBJSIZE_L2CNODE } from '../spec/kernel/types.js';

const config: KernelConfig = { arch: 'aarch64', cores: 1, memory: [{ base: 0x1_0000_0000, bytes: 4 * GIB, kind: 'ram' }] };
const PAGE = 4096;

function must(k: Kernel, op: KernelOp): void {
  const r = k.apply(op);
  if (!r.ok) throw new Error(`${op.op} failed: ${r.error} ${JSON.stringify(op)}`);
}

interface World {
  readonly impl: ImplKernel;
  readonly root2: number;
  readonly ram: Capref;
  /** L1 indices of empty L2CNodes for the timed operations. */
  readonly spare: number[];
  /** Caprefs of frames in the populated part. */
  readonly frames: Capref[];
  /** Next free byte offset in the RAM root (past the populated frames). */
  freeOffset: number;
}

/** n live capabilities: frames retyped from the RAM root into L2CNodes of a second CSpace, plus spares. */
function build(n: number): World {
  const info = bootLayout(config);
  const impl = new ImplKernel(config);
  const root = info.rootCNode;
  const ram = capref2(root, ROOTCN_SLOT_SUPERCN, 0);
  const l2 = Math.ceil(n / 256);
  const spareCount = 24;
  const slots = Math.max(256, Math.ceil((l2 + spareCount + 4) / 256) * 256);
  // A second CSpace: an L1CNode with enough slots, in the first slot-allocator CNode.
  must(impl, { op: 'retype', src: ram, offset: 0, type: 'L1CNode', objsize: slots * 64, count: 1, dest: capref2(root, ROOTCN_SLOT_SLOT_ALLOC0, 0) });
  const root2 = info.ramRoots[0]!.base;
  let offset = slots * 64;
  const cnodes = l2 + spareCount;
  for (let i = 0; i < cnodes; i += 256) {
    const count = Math.min(256, cnodes - i);
    must(impl, { op: 'retype', src: ram, offset, type: 'L2CNode', objsize: OBJSIZE_L2CNODE, count, dest: capref1(root2, i) });
    offset += count * OBJSIZE_L2CNODE;
  }
  const frames: Capref[] = [];
  for (let i = 0; i < l2 && frames.length < n; i++) {
    const count = Math.min(256, n - frames.length);
    must(impl, { op: 'retype', src: ram, offset, type: 'Frame', objsize: PAGE, count, dest: capref2(root2, i, 0) });
    for (let j = 0; j < count; j++) frames.push(capref2(root2, i, j));
    offset += count * PAGE;
  }
  const spare = Array.from({ length: spareCount }, (_, i) => l2 + i);
  return { impl, root2, ram, spare, frames, freeOffset: Math.ceil(offset / (4 * MIB)) * 4 * MIB };
}

const now = () => Number(process.hrtime.bigint());

type Batch = { setup: KernelOp[]; timed: KernelOp[]; teardown: KernelOp[] };

/** Nanoseconds per timed operation in each batch, sorted. */
function time(k: Kernel, batches: readonly Batch[]): number[] {
  const samples: number[] = [];
  for (const b of batches) {
    for (const op of b.setup) must(k, op);
    const t0 = now();
    for (const op of b.timed) must(k, op);
    samples.push((now() - t0) / b.timed.length);
    for (const op of b.teardown) must(k, op);
  }
  return samples.sort((a, b) => a - b);
}

const at = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** `batches` batches of `size` operations each (revoke: one revoke of a 1,000-capability subtree per batch). */
function workloads(w: World, size: number, batches: number, revokes: number): Record<string, Batch[]> {
  const dst = (i: number) => capref2(w.root2, w.spare[2 + (Math.floor(i / 256) % (w.spare.length - 2))]!, i % 256);
  const src = (b: number, i: number) => w.frames[((b * size + i) * 7919) % w.frames.length]!;
  const copies = (b: number) => Array.from({ length: size }, (_, i) => ({ op: 'copy', src: src(b, i), dest: dst(i) }) as KernelOp);
  const deletes = () => Array.from({ length: size }, (_, i) => ({ op: 'delete', target: dst(i) }) as KernelOp);
  const retypes = (b: number) =>
    Array.from(
      { length: size },
      (_, i) =>
        ({ op: 'retype', src: w.ram, offset: w.freeOffset + ((b * size + i) % 4096) * PAGE, type: 'Frame', objsize: PAGE, count: 1, dest: dst(i) }) as KernelOp,
    );
  const lookups = (b: number) => Array.from({ length: size }, (_, i) => ({ op: 'identify', target: src(b, i) }) as KernelOp);
  // Revoke of a 1,000-capability subtree: a 4 MiB RAM child holding 1,000 frames, revoked through the child.
  const sub = (r: number): Batch => {
    const off = w.freeOffset + 16 * MIB + (r % 8) * 4 * MIB;
    const child = capref2(w.root2, w.spare[0]!, 255);
    const setup: KernelOp[] = [{ op: 'retype', src: w.ram, offset: off, type: 'RAM', objsize: 4 * MIB, count: 1, dest: child }];
    for (let k = 0; k < 4; k++)
      setup.push({ op: 'retype', src: child, offset: k * 250 * PAGE, type: 'Frame', objsize: PAGE, count: 250, dest: capref2(w.root2, w.spare[1 + k]!, 0) });
    return { setup, timed: [{ op: 'revoke', target: child }], teardown: [{ op: 'delete', target: child }] };
  };
  const each = (f: (b: number) => Batch) => Array.from({ length: batches }, (_, b) => f(b));
  return {
    copy: each((b) => ({ setup: [], timed: copies(b), teardown: deletes() })),
    delete: each((b) => ({ setup: copies(b), timed: deletes(), teardown: [] })),
    retype: each((b) => ({ setup: [], timed: retypes(b), teardown: deletes() })),
    lookup: each((b) => ({ setup: [], timed: lookups(b), teardown: [] })),
    'revoke-1000': Array.from({ length: revokes }, (_, r) => sub(r)),
  };
}

export const kernelBench: Suite = async ({ quick }) => {
  const sizes = quick ? [1000, 10000] : [1000, 10000, 100000];
  const results: BenchResult[] = [];
  for (const n of sizes) {
    const w = build(n);
    const model = ModelKernel.fromState(w.impl.observe());
    const live = w.impl.observe().cores[0]!.ctes.length;
    const implLoads = quick ? workloads(w, 50, 9, 5) : workloads(w, 200, 41, 21);
    const modelLoads = n >= 100000 ? workloads(w, 2, 5, 3) : n >= 10000 ? workloads(w, 5, 9, 3) : workloads(w, 20, 9, 5);
    for (const op of Object.keys(implLoads)) {
      time(w.impl, implLoads[op]!); // warm-up
      const impl = time(w.impl, implLoads[op]!);
      const mod = time(model, modelLoads[op]!);
      const implNs = at(impl, 0.5);
      const modelNs = at(mod, 0.5);
      results.push({ op, variant: 'model', n: live, opsPerSec: 1e9 / modelNs, p50Ns: modelNs, p99Ns: at(mod, 0.99) });
      results.push({ op, variant: 'impl', n: live, opsPerSec: 1e9 / implNs, p50Ns: implNs, p99Ns: at(impl, 0.99), extra: { speedup: modelNs / implNs } });
      process.stderr.write(`kernel ${op} n=${live}: impl ${implNs.toFixed(0)} ns, model ${modelNs.toFixed(0)} ns\n`);
    }
  }
  return results;
};
