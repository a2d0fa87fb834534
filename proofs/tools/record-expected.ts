// Runs TLC on every model and configuration of the plan below, with one worker,
// and writes proofs/expected.json; for each violation it also writes TLC's
// output to proofs/expected/<config>.out. The embedded checker's tests assert
// these numbers, so they come from real TLC runs only.
//
//   npm run build
//   TLA2TOOLS_JAR=/path/to/tla2tools.jar node dist/proofs/tools/record-expected.js [CONFIG.cfg ...]
//
// Run it from the repository root. With configuration names it re-records
// only those entries and keeps the others. It never downloads anything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ExpectedFile, type ExpectedRun, type RunRole, loadExpected } from '../expected.js';
import { summariseTlc } from './tlc-summary.js';

interface PlannedRun {
  readonly module: string;
  readonly config: string;
  readonly role: RunRole;
  readonly embedded: boolean;
  readonly about: string;
}

const plan: readonly PlannedRun[] = [
  { module: 'DistCap.tla', config: 'DistCap_small.cfg', role: 'test', embedded: true,
    about: 'distributed capability protocol, 2 cores, 3 capabilities: all invariants hold' },
  { module: 'DistCap.tla', config: 'DistCap_medium.cfg', role: 'benchmark', embedded: true,
    about: 'distributed capability protocol, 2 cores, 4 capabilities: all invariants hold' },
  { module: 'DistCap.tla', config: 'DistCap_3cores.cfg', role: 'long', embedded: true,
    about: 'distributed capability protocol, 3 cores, one copy per core: all invariants hold' },
  { module: 'DistCap.tla', config: 'DistCap_nolocks.cfg', role: 'counterexample', embedded: true,
    about: 'no locks at all: a revoke completes while a copy made during it survives' },
  { module: 'DistCap.tla', config: 'DistCap_nosendlock.cfg', role: 'counterexample', embedded: true,
    about: 'no transfer lock: a copy in transit survives a revoke' },
  { module: 'DistCap.tla', config: 'DistCap_nodeletelock.cfg', role: 'counterexample', embedded: true,
    about: 'no delete lock: two crossing ownership moves leave the owner without a copy' },
  { module: 'DistCap.tla', config: 'DistCap_norevokelock.cfg', role: 'counterexample', embedded: true,
    about: 'no revoke lock: a copy made during a revoke survives it' },
  { module: 'DistCap.tla', config: 'DistCap_noretypelock.cfg', role: 'counterexample', embedded: true,
    about: 'no retype lock: two cores both create the same object, with two owners' },
  { module: 'DistCap.tla', config: 'DistCap_liveness.cfg', role: 'liveness', embedded: false,
    about: 'every protocol a monitor starts completes (weak fairness)' },
  { module: 'UmpChannel.tla', config: 'UmpChannel.cfg', role: 'test', embedded: true,
    about: 'UMP ring, 3 slots, 2 words, 7 messages: FIFO, exactly once, no torn read, no overwrite' },
  { module: 'UmpChannelBuggy.tla', config: 'UmpChannelBuggy.cfg', role: 'counterexample', embedded: true,
    about: 'UMP ring with the used bit written before the payload: a torn read' },
  { module: 'UmpChannel.tla', config: 'UmpChannel_liveness.cfg', role: 'liveness', embedded: false,
    about: 'every UMP message is delivered (weak fairness)' },
  { module: 'UmpChannel.tla', config: 'UmpChannel_witness.cfg', role: 'counterexample', embedded: true,
    about: 'UMP ring, a witness: NotAllDelivered fails on the shortest behavior delivering all 7 messages (replayed by the trace bridge)' },
];

function tlcCommand(jar: string, config: string, module: string, metadir: string): string[] {
  return ['-XX:+UseParallelGC', '-cp', jar, 'tlc2.TLC', '-workers', '1', '-noGenerateSpecTE',
    '-metadir', metadir, '-config', config, module];
}

function record(proofs: string, jar: string, run: PlannedRun): { entry: ExpectedRun; version: string } {
  const metadir = mkdtempSync(join(tmpdir(), 'capref-tlc-'));
  try {
    const started = performance.now();
    const child = spawnSync('java', tlcCommand(jar, run.config, run.module, metadir), {
      cwd: proofs, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    });
    const wallSeconds = Math.round((performance.now() - started) / 10) / 100;
    if (child.error) throw new Error(`cannot run java: ${child.error.message}`);
    const output = child.stdout;
    const summary = summariseTlc(output, child.status ?? -1);
    let fixture: string | null = null;
    if (summary.result !== 'ok') {
      fixture = `expected/${run.config.replace(/\.cfg$/, '')}.out`;
      mkdirSync(join(proofs, 'expected'), { recursive: true });
      writeFileSync(join(proofs, fixture), output);
    }
    const { version, ...outcome } = summary;
    return {
      version,
      entry: { ...run, tlc: { ...outcome, exitCode: child.status ?? -1, wallSeconds, fixture } },
    };
  } finally {
    rmSync(metadir, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): number {
  const jar = process.env['TLA2TOOLS_JAR'];
  if (!jar || !existsSync(jar)) {
    process.stderr.write('set TLA2TOOLS_JAR to the path of tla2tools.jar (this script does not fetch it)\n');
    return 2;
  }
  const proofs = resolve('proofs');
  const target = join(proofs, 'expected.json');
  const only = new Set(argv);
  const unknown = [...only].filter((c) => !plan.some((r) => r.config === c));
  if (unknown.length > 0) {
    process.stderr.write(`not in the plan: ${unknown.join(', ')}\n`);
    return 2;
  }
  const previous: ExpectedFile | undefined = only.size > 0 ? loadExpected(target) : undefined;
  const runs: ExpectedRun[] = [];
  let version = previous?.tlc.version ?? 'unknown';
  for (const run of plan) {
    const kept = previous?.runs.find((r) => r.config === run.config);
    if (only.size > 0 && !only.has(run.config) && kept) {
      runs.push(kept);
      continue;
    }
    process.stderr.write(`TLC ${run.module} ${run.config} ... `);
    const recorded = record(proofs, jar, run);
    version = recorded.version;
    const t = recorded.entry.tlc;
    process.stderr.write(`${t.result}${t.violated ? ` (${t.violated})` : ''}, ${t.distinctStates} distinct, ` +
      `depth ${t.depth}${t.counterexampleLength ? `, trace ${t.counterexampleLength}` : ''}, ${t.wallSeconds} s\n`);
    runs.push(recorded.entry);
  }
  const file: ExpectedFile = {
    format: 'capref-tla-expected/1',
    tlc: {
      version,
      command: `java ${tlcCommand('$TLA2TOOLS_JAR', '<config>', '<module>', '<tmpdir>').join(' ')}  (run in proofs/)`,
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Java via PATH`,
    },
    runs,
  };
  writeFileSync(target, JSON.stringify(file, null, 2) + '\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
