// `npm run bench -- paging`: the report's Figure 4 and 5 workloads (seeds/001
// §3.5) — mapping series of 1-page and of 100-page frames — for the model
// stack and the impl stack. At each size n (live mapped frames) the address
// space maps K more frames at free addresses, each timed on its own, then
// unmaps K live mappings chosen at random (seeded), each timed, which brings
// it back to n and leaves holes that the next maps must find (first fit).
// Between sizes it grows, untimed. Frames are allocated beforehand (untimed):
// the figures are the address space's map and unmap, with every kernel call
// and allocator call they make.
//
// The impl stack is ImplKernel + ImplMm (the project's memory manager, self-
// checks off) + ImplAddressSpace, at n = 10^3, 10^4, 10^5. The model stack
// (ModelKernel, ModelMm and the reference address space, which observes the
// whole kernel on every step) is O(n) per kernel call by design: it runs at
// n = 10^3 only, with fewer timed operations (K = 100). Both managers start
// with every boot RAM capability added, as init's does.
import { seededChooser } from '../conformance/chooser.js';
import { addRoots } from '../conformance/paging/stacks.js';
import { ImplKernel } from '../impl/kernel/index.js';
import { ImplMm } from '../impl/mm/index.js';
import { ImplAddressSpace } from '../impl/paging/index.js';
import { ModelKernel } from '../model/kernel/model-kernel.js';
import { ModelMm } from '../model/mm/model-mm.js';
import { ModelAddressSpace } from '../model/paging/model-address-space.js';
import type { Capref } from '../spec/kernel/capref.js';
import type { Kernel } from '../spec/kernel/kernel.js';
import { GIB } from '../spec/kernel/types.js';
import { mmConfigOf } from '../spec/mm/config.js';
import type { AddressSpace } from '../spec/paging/address-space.js';
import type { PagingConfig } from '../spec/paging/config.js';
import type { FrameGrant, PagingOp } from '../spec/paging/ops.js';
import { percentiles, settleHeap, type BenchResult } from './report.js';
import type { Suite } from './suites.js';

const PAGE = 4096;

/** 64 GiB of RAM (10^5 frames of 100 pages need 40 GiB) and a 1 TiB window. */
const config: PagingConfig = {
  kernel: { arch: 'aarch64', cores: 1, memory: [{ base: 64 * GIB, bytes: 64 * GIB, kind: 'ram' }] },
  paging: { vbase: PAGE, vlimit: 2 ** 40 },
};

type Variant = 'model' | 'impl';

function stack(variant: Variant): { kernel: Kernel; space: AddressSpace } {
  const kernel = variant === 'impl' ? new ImplKernel(config.kernel) : new ModelKernel(config.kernel);
  const mmConfig = mmConfigOf(config.kernel);
  const memory = addRoots(variant === 'impl' ? new ImplMm(kernel, mmConfig) : new ModelMm(kernel, mmConfig), config.kernel);
  const space = variant === 'impl' ? new ImplAddressSpace({ kernel, memory, config }) : new ModelAddressSpace({ kernel, memory, config });
  return { kernel, space };
}

function must<T>(space: AddressSpace, op: PagingOp): T {
  const r = space.apply(op);
  if (!r.ok) throw new Error(`${op.op} failed: ${r.error}`);
  return r.value as T;
}

const now = () => Number(process.hrtime.bigint());

interface Workload {
  readonly variant: Variant;
  readonly pages: number;
  readonly sizes: readonly number[];
  readonly timed: number;
}

function run(w: Workload): BenchResult[] {
  const { space } = stack(w.variant);
  const max = Math.max(...w.sizes) + w.timed;
  const pool: Capref[] = [];
  for (let i = 0; i < max; i++) pool.push(must<FrameGrant>(space, { op: 'frame_alloc', bytes: w.pages * PAGE }).frame);
  const live: { vaddr: number; frame: Capref }[] = [];
  const map = () => {
    const frame = pool.pop()!;
    const vaddr = must<{ vaddr: number }>(space, { op: 'map', frame, rights: ['READ', 'WRITE'] }).vaddr;
    live.push({ vaddr, frame });
  };
  const pick = seededChooser(w.pages * 1000 + w.timed);
  const out: BenchResult[] = [];
  for (const n of w.sizes) {
    while (live.length < n) map();
    settleHeap();
    const maps: number[] = [];
    for (let i = 0; i < w.timed; i++) {
      const t0 = now();
      map();
      maps.push(now() - t0);
    }
    const unmaps: number[] = [];
    for (let i = 0; i < w.timed; i++) {
      const j = pick.int(0, live.length - 1);
      const victim = live[j]!;
      live[j] = live.at(-1)!;
      live.pop();
      const t0 = now();
      must(space, { op: 'unmap', vaddr: victim.vaddr });
      unmaps.push(now() - t0);
      pool.push(victim.frame);
    }
    for (const [op, samples] of [
      [`map-${w.pages}p`, maps],
      [`unmap-${w.pages}p`, unmaps],
    ] as const) {
      const { p50, p99 } = percentiles(samples);
      const total = samples.reduce((a, b) => a + b, 0);
      out.push({ op, variant: w.variant, n, opsPerSec: (samples.length * 1e9) / total, p50Ns: p50, p99Ns: p99, extra: { timed: samples.length } });
    }
  }
  return out;
}

export const pagingBench: Suite = async ({ quick }) => {
  const implSizes = quick ? [100, 1000] : [1000, 10_000, 100_000];
  const modelSizes = quick ? [100] : [1000];
  const results: BenchResult[] = [];
  // Warm the JIT on a throwaway stack, so that the smallest size is not measured cold.
  run({ variant: 'impl', pages: 1, sizes: [quick ? 100 : 2000], timed: 500 });
  for (const pages of [1, 100]) {
    results.push(...run({ variant: 'impl', pages, sizes: implSizes, timed: quick ? 200 : 1000 }));
    results.push(...run({ variant: 'model', pages, sizes: modelSizes, timed: quick ? 20 : 100 }));
  }
  // Issue 3's target: impl's map latency grows at most 2x from the smallest size to the largest.
  for (const pages of [1, 100]) {
    const at = (n: number) => results.find((r) => r.op === `map-${pages}p` && r.variant === 'impl' && r.n === n)!;
    const lo = at(implSizes[0]!);
    const hi = at(implSizes.at(-1)!);
    const growth = hi.p50Ns! / lo.p50Ns!;
    results.push({ op: `map-${pages}p growth`, variant: 'impl', n: hi.n!, extra: { p50Ratio: Number(growth.toFixed(2)), from: lo.n!, target: '<= 2' } });
  }
  return results;
};
