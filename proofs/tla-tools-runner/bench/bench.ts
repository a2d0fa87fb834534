// States per second of the embedded checker (one worker) on a message-passing spec in the shape
// of a distributed capability protocol (bench/Courier.tla), and, with --tlc, of TLC on the same
// models. Wall time and CPU time are both reported: on a shared machine CPU time is the steadier.
//
//   npm run tla:bench [-- --quick] [-- --tlc]
//
// Writes bench/results/tla.json in the shape of capref's other benchmarks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSpec } from '../check-spec.js';
import type { CheckResult } from '../result.js';

const here = dirname(fileURLToPath(import.meta.url));
// The .tla/.cfg files live next to this file in the sources; dist/ has only the JavaScript.
const specDir = here.includes(`${join('dist', 'proofs')}`) ? here.replace(`${join('dist', 'proofs')}`, 'proofs') : here;

export interface BenchRow {
  readonly op: string;
  readonly variant: 'embedded' | 'tlc';
  readonly n: number;
  readonly opsPerSec: number;
  readonly extra: { readonly generated: number; readonly depth: number; readonly wallMs: number; readonly cpuMs: number; readonly statesPerCpuSec: number };
}

async function measure(cfg: string, engine: 'embedded' | 'tlc'): Promise<{ r: CheckResult; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await checkSpec({ specPath: join(specDir, 'Courier.tla'), configPath: join(specDir, cfg), engine });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { r, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

export async function runBench(opts: { quick: boolean; tlc: boolean }, log: (s: string) => void): Promise<BenchRow[]> {
  const models = opts.quick ? ['CourierSmall.cfg'] : ['CourierSmall.cfg', 'CourierMedium.cfg'];
  const rows: BenchRow[] = [];
  for (const cfg of models) {
    for (const engine of opts.tlc ? (['embedded', 'tlc'] as const) : (['embedded'] as const)) {
      const { r, wallMs, cpuMs } = await measure(cfg, engine);
      if (r.kind !== 'success' || r.distinctStates === null) throw new Error(`${cfg} (${engine}): ${r.kind} ${r.message ?? ''}`);
      // TLC runs in a child process: its CPU time is not ours, so only wall time counts for it.
      const cpu = engine === 'tlc' ? wallMs : cpuMs;
      const row: BenchRow = {
        op: `Courier ${cfg.replace(/^Courier|\.cfg$/g, '')}`,
        variant: engine,
        n: r.distinctStates,
        opsPerSec: Math.round(r.distinctStates / (wallMs / 1000)),
        extra: { generated: r.statesGenerated ?? 0, depth: r.depth ?? 0, wallMs: Math.round(wallMs), cpuMs: Math.round(cpu), statesPerCpuSec: Math.round(r.distinctStates / (cpu / 1000)) },
      };
      rows.push(row);
      log(`${row.op.padEnd(18)} ${engine.padEnd(9)} ${String(row.n).padStart(9)} distinct ${String(row.extra.generated).padStart(10)} generated  ${(wallMs / 1000).toFixed(2)}s wall  ${row.opsPerSec} states/s  ${row.extra.statesPerCpuSec} states/CPU-s`);
    }
  }
  return rows;
}

async function main(argv: readonly string[]): Promise<number> {
  const rows = await runBench({ quick: argv.includes('--quick'), tlc: argv.includes('--tlc') }, (s) => process.stdout.write(`${s}\n`));
  const out = join(specDir, '..', '..', '..', 'bench', 'results', 'tla.json');
  mkdirSync(dirname(out), { recursive: true });
  const c = cpus();
  writeFileSync(out, `${JSON.stringify({ suite: 'tla', results: rows, environment: { node: process.version, cpus: c.length, cpuModel: c[0]?.model ?? 'unknown' } }, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
