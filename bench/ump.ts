// `npm run bench -- ump`: capref's UMP beside Node's MessagePort and a bare
// shared-memory spin ring (bench/ump-bare.ts, the physical limit of this
// runtime), measured in one run: one-way throughput (messages/s) and
// round-trip latency (median and p99) for 56-byte and 4 KiB messages. The
// main thread sends (or pings); one worker receives (or echoes). Every
// repetition starts a fresh worker; the first repetition of each cell is a
// warm-up and is discarded; reported figures are medians over the rest.
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { BenchResult } from './report.js';
import { percentiles } from './report.js';
import { allocateShared, attachUmpEndpoint, createUmpFrame } from '../impl/ump/index.js';
import type { UmpBenchWorkerData } from './ump-worker.js';
import { AckRing, BareRing, ackRecv, ackSend, bareRecv, bareSend } from './ump-bare.js';

const SLOTS = 64;
type Variant = UmpBenchWorkerData['variant'];
type Mode = UmpBenchWorkerData['mode'];
const VARIANTS: readonly Variant[] = ['bare-ring', 'ump', 'messageport'];
/**
 * The students' report's ACK-slot design (bench/ump-bare.ts), measured beside
 * the bare used-bit ring on 56-byte messages to decide between the two designs.
 */
const ACK_VARIANTS: readonly Variant[] = ['ack-ring', 'ack-ring-batch16'];
const SIZES = [
  { label: '56B', bytes: 56 },
  { label: '4KiB', bytes: 4096 },
] as const;

/** Messages (one-way) or round trips (rtt) per repetition. */
function countFor(mode: Mode, bytes: number, variant: Variant, quick: boolean): number {
  const port = variant === 'messageport';
  if (variant.startsWith('ack')) variant = 'bare-ring';
  const base = mode === 'oneway' ? (bytes === 56 ? (port ? 200_000 : 2_000_000) : port ? 50_000 : 100_000) : bytes === 56 ? (port ? 5_000 : 50_000) : port ? 2_000 : 20_000;
  return quick ? Math.max(500, Math.floor(base / 20)) : base;
}

interface Sample {
  readonly opsPerSec: number;
  readonly p50Ns?: number;
  readonly p99Ns?: number;
}

function startWorker(data: UmpBenchWorkerData, transfer: readonly MessagePort[] = []): Promise<{ worker: Worker; done: Promise<number> }> {
  const worker = new Worker(new URL('./ump-worker.js', import.meta.url), { workerData: data, transferList: [...transfer] as never[] });
  return new Promise((resolve, reject) => {
    let onDone: (sum: number) => void = () => undefined;
    const done = new Promise<number>((r) => (onDone = r));
    worker.on('message', (m: unknown) => {
      if (m === 'ready') resolve({ worker, done });
      else onDone((m as { sum: number }).sum);
    });
    worker.once('error', reject);
  });
}

function expectedSum(count: number): number {
  let s = 0;
  for (let k = 0; k < count; k++) s = (s + k) | 0;
  return s;
}

async function measure(variant: Variant, mode: Mode, bytes: number, count: number): Promise<Sample> {
  const words = (bytes + 3) >> 2;
  const src = new Int32Array(Math.max(16, words));
  for (let i = 0; i < src.length; i++) src[i] = i * 0x9e3779b1;
  const dst = new Int32Array(Math.max(16, words));
  const lat = mode === 'rtt' ? new Float64Array(count) : undefined;
  let t0 = 0;
  let t1 = 0;
  let sum: number;

  if (variant === 'messageport') {
    const { port1, port2 } = new MessageChannel();
    const { worker, done } = await startWorker({ variant, mode, bytes, count, slots: SLOTS, port: port2 }, [port2]);
    const msg = new Uint8Array(bytes);
    const seq = new Int32Array(msg.buffer, 0, 1);
    if (mode === 'oneway') {
      t0 = performance.now();
      for (let k = 0; k < count; k++) {
        seq[0] = k;
        port1.postMessage(msg);
      }
      sum = await done;
      t1 = performance.now();
    } else {
      let k = 0;
      let start = 0;
      const finished = new Promise<void>((resolve) => {
        port1.on('message', () => {
          lat![k] = (performance.now() - start) * 1e6;
          if (++k === count) return resolve();
          seq[0] = k;
          start = performance.now();
          port1.postMessage(msg);
        });
      });
      t0 = performance.now();
      seq[0] = 0;
      start = performance.now();
      port1.postMessage(msg);
      await finished;
      t1 = performance.now();
      sum = await done;
    }
    port1.close();
    await worker.terminate();
  } else if (variant === 'ump') {
    const frame = createUmpFrame({ slots: SLOTS, maxMessageBytes: 1 << 16 });
    const { worker, done } = await startWorker({ variant, mode, bytes, count, slots: SLOTS, frame });
    const r = attachUmpEndpoint(frame, 'A');
    if (r.status !== 'OK') throw new Error(r.status);
    const end = r.endpoint;
    t0 = performance.now();
    if (mode === 'oneway') {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        if (end.send(src, 0, bytes) !== 0) throw new Error('ump: send failed');
      }
    } else {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        const s = performance.now();
        if (end.send(src, 0, bytes) !== 0 || end.recv(dst, 0) !== bytes) throw new Error('ump: round trip failed');
        lat![k] = (performance.now() - s) * 1e6;
      }
    }
    sum = await done;
    t1 = performance.now();
    await worker.terminate();
  } else if (variant === 'ack-ring' || variant === 'ack-ring-batch16') {
    const buffer = allocateShared(2 * (SLOTS + 1) * 64, 'wasm');
    const { worker, done } = await startWorker({ variant, mode, bytes, count, slots: SLOTS, buffer });
    const i32 = new Int32Array(buffer);
    const every = variant === 'ack-ring' ? 1 : 16;
    const outbound = new AckRing(i32, 0, SLOTS, every);
    const inbound = new AckRing(i32, (SLOTS + 1) * 16, SLOTS, every);
    t0 = performance.now();
    if (mode === 'oneway') {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        ackSend(outbound, src, words);
      }
    } else {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        const s = performance.now();
        ackSend(outbound, src, words);
        ackRecv(inbound, dst, words);
        lat![k] = (performance.now() - s) * 1e6;
      }
    }
    sum = await done;
    t1 = performance.now();
    await worker.terminate();
  } else {
    const buffer = allocateShared(2 * SLOTS * 64, 'wasm');
    const { worker, done } = await startWorker({ variant, mode, bytes, count, slots: SLOTS, buffer });
    const i32 = new Int32Array(buffer);
    const outbound = new BareRing(i32, 0, SLOTS);
    const inbound = new BareRing(i32, SLOTS * 16, SLOTS);
    t0 = performance.now();
    if (mode === 'oneway') {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        bareSend(outbound, src, words);
      }
    } else {
      for (let k = 0; k < count; k++) {
        src[0] = k;
        const s = performance.now();
        bareSend(outbound, src, words);
        bareRecv(inbound, dst, words);
        lat![k] = (performance.now() - s) * 1e6;
      }
    }
    sum = await done;
    t1 = performance.now();
    await worker.terminate();
  }
  if (sum !== expectedSum(count)) throw new Error(`${variant} ${mode} ${bytes} B: the receiver saw the wrong messages`);
  const opsPerSec = count / ((t1 - t0) / 1000);
  if (lat === undefined) return { opsPerSec };
  const p = percentiles(lat);
  return { opsPerSec, p50Ns: p.p50, p99Ns: p.p99 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function umpSuite(options: { readonly quick: boolean }): Promise<readonly BenchResult[]> {
  const reps = options.quick ? 2 : 7;
  const results: BenchResult[] = [];
  // UMP_BENCH_ONLY=oneway-56B (comma-separated) restricts the run to some cells, for quick experiments.
  const only = process.env['UMP_BENCH_ONLY']?.split(',');
  for (const mode of ['oneway', 'rtt'] as const)
    for (const size of SIZES) {
      if (only !== undefined && !only.includes(`${mode}-${size.label}`)) continue;
      // Repetitions interleave the variants, so a slow phase of the machine hits all three alike.
      const variants = size.bytes === 56 ? [...VARIANTS, ...ACK_VARIANTS] : VARIANTS;
      const samples = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
      for (let rep = 0; rep <= reps; rep++)
        for (const v of variants) {
          const s = await measure(v, mode, size.bytes, countFor(mode, size.bytes, v, options.quick));
          if (rep > 0) samples.get(v)!.push(s); // rep 0 warms up
        }
      const row = (v: Variant): BenchResult => {
        const ss = samples.get(v)!;
        const ops = ss.map((s) => s.opsPerSec);
        return {
          op: `${mode}-${size.label}`,
          variant: v,
          opsPerSec: median(ops),
          ...(mode === 'rtt' ? { p50Ns: median(ss.map((s) => s.p50Ns!)), p99Ns: median(ss.map((s) => s.p99Ns!)) } : {}),
          extra: { reps, messages: countFor(mode, size.bytes, v, options.quick), minOps: Math.min(...ops), maxOps: Math.max(...ops) },
        };
      };
      const bare = row('bare-ring');
      const ump = row('ump');
      const port = row('messageport');
      const ratios =
        mode === 'oneway'
          ? { vsMessagePort: ump.opsPerSec! / port.opsPerSec!, vsBareRing: ump.opsPerSec! / bare.opsPerSec! }
          : { vsMessagePort: port.p50Ns! / ump.p50Ns!, vsBareRing: bare.p50Ns! / ump.p50Ns! };
      results.push(bare, { ...ump, extra: { ...ump.extra, ...ratios } }, port, ...(size.bytes === 56 ? ACK_VARIANTS.map(row) : []));
    }
  return results;
}
