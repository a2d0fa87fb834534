// `npm run bench -- mm`: the memory manager, model stack against impl stack.
//
// alloc+free: with n live allocations of mixed sizes (1 to 16 pages, one in
// eight aligned to 16 KiB or more), repeatedly free a random live allocation
// and allocate a new one of a random size, so n stays constant; report pairs
// per second and the latency of each pair, alloc and free (median, p99). The
// model stack is the model manager (sorted list, first fit) on the model
// kernel; the impl stack the impl manager (augmented tree) on the impl
// kernel. Both start from the same state: it is built through the impl
// stack (building it through the model costs O(n^2)) and the model stack is
// loaded from its observation.
//
// A third row per n runs the model manager on the impl kernel: the list
// against the tree with the kernel's cost the same on both sides.
//
// fragmentation: fill a 64 MiB region with mixed sizes, free a random half,
// and report the largest block that can still be allocated against the ideal
// (all free memory in one piece), and how many free ranges it is split into.
import { ModelKernel } from '../model/kernel/model-kernel.js';
import { ModelMm } from '../model/mm/model-mm.js';
import { ImplMm } from '../impl/mm/index.js';
import { implKernelFor } from '../conformance/mm/stack.js';
import { seededChooser, type Chooser } from '../conformance/chooser.js';
import { bootLayout, ROOTCN_SLOT_SUPERCN } from '../spec/kernel/boot.js';
import { capref2 } from '../spec/kernel/capref.js';
import { GIB, KIB, MIB } from '../spec/kernel/types.js';
import { mmConfigSchema, type MmConfig } from '../spec/mm/config.js';
import type { MemoryManager } from '../spec/mm/mm.js';
import type { RamGrant } from '../spec/mm/ops.js';
import type { Kernel } from '../spec/kernel/kernel.js';
import { percentiles, settleHeap, type BenchResult } from './report.js';

const PAGE = 4 * KIB;

function configOf(ramBytes: number): MmConfig {
  return mmConfigSchema.parse({ kernel: { arch: 'aarch64', cores: 1, memory: [{ base: 0x1_0000_0000, bytes: ramBytes, kind: 'ram' }] } });
}

interface Stack {
  readonly kernel: Kernel;
  readonly mm: MemoryManager;
}

function request(c: Chooser): { bytes: number; alignment: number } {
  return { bytes: c.int(1, 16) * PAGE, alignment: c.chance(0.125) ? 2 ** c.int(14, 16) : PAGE };
}

function allocOrThrow(mm: MemoryManager, c: Chooser): RamGrant {
  const r = mm.allocRam(request(c));
  if (!r.ok) throw new Error(`bench: allocation failed: ${r.error}`);
  return r.value;
}

/** An impl stack with n live allocations (and its list of grants). */
function populate(n: number, config: MmConfig, c: Chooser): { stack: Stack; live: RamGrant[] } {
  const kernel = implKernelFor(config);
  const mm = new ImplMm(kernel, config);
  const root = bootLayout(config.kernel).rootCNode;
  const added = mm.apply({ op: 'add', cap: capref2(root, ROOTCN_SLOT_SUPERCN, 0) });
  if (!added.ok) throw new Error(`bench: add failed: ${added.error}`);
  const live: RamGrant[] = [];
  for (let i = 0; i < n; i++) live.push(allocOrThrow(mm, c));
  return { stack: { kernel, mm }, live };
}

const now = () => process.hrtime.bigint();

interface Timing {
  readonly pairs: number;
  readonly seconds: number;
  readonly pair: number[];
  readonly alloc: number[];
  readonly free: number[];
}

/** Free a random live allocation, allocate a new one; `pairs` times. */
function churn(stack: Stack, live: RamGrant[], pairs: number, c: Chooser): Timing {
  const pair: number[] = [];
  const alloc: number[] = [];
  const free: number[] = [];
  const start = now();
  for (let i = 0; i < pairs; i++) {
    const k = c.int(0, live.length - 1);
    const victim = live[k]!;
    const t0 = now();
    const f = stack.mm.freeRam(victim.cap);
    const t1 = now();
    if (!f.ok) throw new Error(`bench: free failed: ${f.error}`);
    live[k] = allocOrThrow(stack.mm, c);
    const t2 = now();
    free.push(Number(t1 - t0));
    alloc.push(Number(t2 - t1));
    pair.push(Number(t2 - t0));
  }
  return { pairs, seconds: Number(now() - start) / 1e9, pair, alloc, free };
}

function rows(variant: string, n: number, t: Timing): BenchResult[] {
  const p = percentiles(t.pair);
  const a = percentiles(t.alloc);
  const f = percentiles(t.free);
  return [
    { op: 'alloc+free', variant, n, opsPerSec: t.pairs / t.seconds, p50Ns: p.p50, p99Ns: p.p99, extra: { pairs: t.pairs } },
    { op: 'alloc', variant, n, p50Ns: a.p50, p99Ns: a.p99 },
    { op: 'free', variant, n, p50Ns: f.p50, p99Ns: f.p99 },
  ];
}

function fragmentation(c: Chooser): BenchResult {
  const config = configOf(64 * MIB);
  const kernel = implKernelFor(config);
  const mm = new ImplMm(kernel, config);
  mm.apply({ op: 'add', cap: capref2(bootLayout(config.kernel).rootCNode, ROOTCN_SLOT_SUPERCN, 0) });
  const live: RamGrant[] = [];
  for (;;) {
    const r = mm.allocRam(request(c));
    if (!r.ok) break;
    live.push(r.value);
  }
  let freed = 0;
  for (const g of live) if (c.chance(0.5)) freed += mm.freeRam(g.cap).ok ? 1 : 0;
  const s = mm.observe();
  const totalFree = s.free.reduce((n, f) => n + f.bytes, 0);
  const largest = Math.max(0, ...s.free.map((f) => f.bytes));
  return {
    op: 'fragmentation',
    variant: 'impl',
    n: live.length,
    extra: { freed, largestFreeKiB: largest / KIB, idealKiB: totalFree / KIB, largestOverIdeal: largest / totalFree, freeRanges: s.free.length },
  };
}

export async function mmBench(options: { readonly quick: boolean }): Promise<readonly BenchResult[]> {
  const sizes = options.quick ? [1000] : [1000, 10_000, 100_000];
  const out: BenchResult[] = [];
  // Warm up both stacks' code paths first, so the first measured size is not the one the JIT compiles on.
  {
    const w = populate(1000, configOf(GIB), seededChooser(99));
    churn(w.stack, w.live, options.quick ? 2000 : 20_000, seededChooser(98));
    const mk = ModelKernel.fromState(w.stack.kernel.observe());
    churn({ kernel: mk, mm: ModelMm.fromState(mk, configOf(GIB), w.stack.mm.observe()) }, w.live, 20, seededChooser(97));
  }
  for (const n of sizes) {
    const c = seededChooser(n);
    const config = configOf(8 * GIB);
    const { stack, live } = populate(n, config, c);
    const implPairs = options.quick ? 2000 : 20_000;
    churn(stack, live, Math.min(2000, implPairs), c); // warm-up
    settleHeap();
    // The impl is timed before the model stack exists: at 10^5 the model's
    // copy of the state is a large object graph whose garbage collection
    // would otherwise run during the impl's timing, and only at large n.
    out.push(...rows('impl', n, churn(stack, live, implPairs, c)));
    // The model stack starts from the impl stack's state.
    const modelKernel = ModelKernel.fromState(stack.kernel.observe());
    const model: Stack = { kernel: modelKernel, mm: ModelMm.fromState(modelKernel, config, stack.mm.observe()) };
    const modelLive = [...live];
    // The model's pair costs O(n) kernel scans: fewer pairs at larger n keep the run short.
    const modelPairs = options.quick ? 50 : Math.max(30, Math.round(2e6 / n));
    out.push(...rows('model', n, churn(model, modelLive, modelPairs, seededChooser(n + 1))));
    // The managers alone: the model's list on the impl kernel (a second, identical impl stack provides the kernel state).
    const twin = populate(n, config, seededChooser(n));
    const listOnImplKernel: Stack = { kernel: twin.stack.kernel, mm: ModelMm.fromState(twin.stack.kernel, config, twin.stack.mm.observe()) };
    const listPairs = options.quick ? 100 : Math.max(50, Math.round(5e6 / n));
    const t = churn(listOnImplKernel, twin.live, listPairs, seededChooser(n + 2));
    const lp = percentiles(t.pair);
    out.push({
      op: 'alloc+free, model mm on impl kernel',
      variant: 'model',
      n,
      opsPerSec: t.pairs / t.seconds,
      p50Ns: lp.p50,
      p99Ns: lp.p99,
      extra: { pairs: t.pairs },
    });
    process.stderr.write(`mm bench: n=${n} done\n`);
  }
  out.push(fragmentation(seededChooser(7)));
  const at = (variant: string, n: number) => out.find((r) => r.op === 'alloc+free' && r.variant === variant && r.n === n);
  for (const n of sizes) {
    const i = at('impl', n);
    const m = at('model', n);
    if (i?.opsPerSec !== undefined && m?.opsPerSec !== undefined)
      out.push({ op: 'speedup (impl/model pairs/s)', variant: 'impl', n, extra: { ratio: i.opsPerSec / m.opsPerSec } });
  }
  const small = at('impl', sizes[0]!);
  const large = at('impl', sizes[sizes.length - 1]!);
  if (small?.p50Ns !== undefined && large?.p50Ns !== undefined && sizes.length > 1)
    out.push({ op: 'impl median growth', variant: 'impl', extra: { from: sizes[0]!, to: sizes[sizes.length - 1]!, ratio: large.p50Ns / small.p50Ns } });
  return out;
}
