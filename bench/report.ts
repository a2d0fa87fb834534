// Shared output of every benchmark suite: a table on stdout and a JSON file in
// bench/results/<suite>.json shaped { suite, results: [{ op, variant, n, ... }] }.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

export interface BenchResult {
  /** The operation measured, e.g. "copy", "alloc+free", "oneway-56B". */
  readonly op: string;
  /** Which implementation: "model", "impl", or a suite-specific name ("ump", "messageport", "bare-ring"). */
  readonly variant: string;
  /** The size parameter (live capabilities, live allocations, mappings); absent when it does not apply. */
  readonly n?: number;
  readonly opsPerSec?: number;
  readonly p50Ns?: number;
  readonly p99Ns?: number;
  /** Anything else a suite measures (fragmentation ratios, message sizes), by name. */
  readonly extra?: Readonly<Record<string, number | string>>;
}

export interface BenchReport {
  readonly suite: string;
  readonly results: readonly BenchResult[];
  readonly environment: { readonly node: string; readonly cpus: number; readonly cpuModel: string };
}

export function environment(): BenchReport['environment'] {
  const c = cpus();
  return { node: process.version, cpus: c.length, cpuModel: c[0]?.model ?? 'unknown' };
}

function fmt(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(3);
}

/** Renders results as an aligned text table. */
export function table(results: readonly BenchResult[]): string {
  const extraKeys = [...new Set(results.flatMap((r) => Object.keys(r.extra ?? {})))];
  const header = ['op', 'variant', 'n', 'ops/s', 'p50 ns', 'p99 ns', ...extraKeys];
  const rows = results.map((r) => [
    r.op,
    r.variant,
    r.n === undefined ? '-' : r.n.toLocaleString('en-US'),
    fmt(r.opsPerSec),
    fmt(r.p50Ns),
    fmt(r.p99Ns),
    ...extraKeys.map((k) => {
      const v = r.extra?.[k];
      return typeof v === 'number' ? fmt(v) : (v ?? '-');
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** Prints the table and writes bench/results/<suite>.json (or into `dir`). Returns the path written. */
export function writeReport(suite: string, results: readonly BenchResult[], dir = defaultResultsDir()): string {
  const report: BenchReport = { suite, results, environment: environment() };
  const path = join(dir, `${suite}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\n${suite}\n` + table(results) + `wrote ${path}\n`);
  return path;
}

function defaultResultsDir(): string {
  // Compiled to dist/bench/report.js; results live in the source tree's bench/results.
  const here = dirname(new URL(import.meta.url).pathname);
  return join(here, '..', '..', 'bench', 'results');
}

/**
 * Collects garbage before a timed section when the runtime allows it (`npm
 * run bench` starts node with --expose-gc): a previous size's structures,
 * freed but not yet collected, would otherwise be marked and swept during the
 * next size's timing, and only there.
 */
export function settleHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/** Median and p99 of a sample of latencies, in the sample's unit. */
export function percentiles(samples: Float64Array | number[]): { p50: number; p99: number } {
  const s = Float64Array.from(samples).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
