// Agreement with TLC on the tlaplus/Examples repository: for every model its
// specifications/*/manifest.json records (TLC's result and distinct-state count), run the
// embedded checker and compare. Models it cannot or should not run are listed with the reason.
//
//   npm run tla:examples -- DIR [--max-runtime SECONDS] [--max-states N] [--only TEXT] [--tlc] [--safety-of-temporal]
//
// DIR is a local checkout of https://github.com/tlaplus/Examples; this script reads it and
// fetches nothing. --tlc also runs TLC (TLA2TOOLS_JAR and java) on the same models, for timings;
// --safety-of-temporal also compares successful models with PROPERTYs on their safety part.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { parseConfig } from './cfg/config.js';
import { checkSpec } from './check-spec.js';
import { TlaError } from './errors.js';
import type { CheckResult } from './result.js';

const modelSchema = z.object({
  path: z.string(),
  runtime: z.string(),
  mode: z.union([z.string(), z.object({}).passthrough()]),
  result: z.string(),
  distinctStates: z.number().int().optional(),
  totalStates: z.number().int().optional(),
  stateDepth: z.number().int().optional(),
});
const manifestSchema = z.object({
  modules: z.array(z.object({ path: z.string(), models: z.array(modelSchema) })),
});

export interface AgreementOptions {
  /** Skip models TLC needed longer than this for (the manifest's runtime), in seconds. */
  readonly maxRuntimeSeconds: number;
  readonly maxStates: number;
  /** Only models whose path contains this. */
  readonly only?: string;
  /** Also run TLC for timings. */
  readonly withTlc: boolean;
  /**
   * Also compare models with temporal properties whose recorded result is success, on their
   * safety part: the distinct-state count does not depend on the properties.
   */
  readonly safetyOfTemporal?: boolean;
}

export interface AgreementRow {
  readonly model: string;
  readonly expected: string;
  readonly ours: string;
  readonly agree: boolean;
  readonly ms: number;
  readonly tlc?: string;
  readonly tlcMs?: number;
  /** Compared on its safety part only (its PROPERTYs ignored). */
  readonly safetyPart?: boolean;
}

export interface AgreementReport {
  readonly rows: readonly AgreementRow[];
  readonly skipped: readonly { readonly model: string; readonly reason: string }[];
}

const RESULT_KIND: Record<string, CheckResult['kind']> = {
  success: 'success',
  'safety failure': 'invariant',
  'deadlock failure': 'deadlock',
  'assumption failure': 'assumption',
  'liveness failure': 'property',
};

function seconds(runtime: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)$/.exec(runtime);
  return m === null ? Infinity : Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function describe(r: CheckResult): string {
  const n = r.distinctStates === null ? '' : ` ${r.distinctStates}`;
  return `${r.kind}${n}`;
}

export async function runAgreement(dir: string, opts: AgreementOptions, log: (line: string) => void = () => {}): Promise<AgreementReport> {
  const specs = join(dir, 'specifications');
  const rows: AgreementRow[] = [];
  const skipped: { model: string; reason: string }[] = [];
  const entries = (await readdir(specs, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const name of entries) {
    let manifest: z.infer<typeof manifestSchema>;
    try {
      manifest = manifestSchema.parse(JSON.parse(await readFile(join(specs, name, 'manifest.json'), 'utf8')));
    } catch {
      continue; // no manifest (or not one of the Examples' format)
    }
    for (const mod of manifest.modules) {
      for (const m of mod.models) {
        const model = m.path.replace(/^specifications\//, '');
        if (opts.only !== undefined && !model.includes(opts.only)) continue;
        const skip = (reason: string): void => void skipped.push({ model, reason });
        if (m.mode !== 'exhaustive search') {
          skip(`mode ${typeof m.mode === 'string' ? m.mode : 'simulation'} (only exhaustive search is compared)`);
          continue;
        }
        const kind = RESULT_KIND[m.result];
        if (kind === undefined) {
          skip(`the manifest records no result ("${m.result}")`);
          continue;
        }
        if (seconds(m.runtime) > opts.maxRuntimeSeconds) {
          skip(`large: TLC's recorded runtime ${m.runtime} exceeds ${opts.maxRuntimeSeconds}s`);
          continue;
        }
        const cfgPath = join(dir, m.path);
        let properties: readonly string[] = [];
        try {
          properties = parseConfig(await readFile(cfgPath, 'utf8'), cfgPath).properties;
        } catch (e) {
          skip(`configuration unreadable: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        const safetyPart = properties.length > 0 && opts.safetyOfTemporal === true && kind === 'success' && m.distinctStates !== undefined;
        if ((properties.length > 0 || kind === 'property') && !safetyPart) {
          skip(`temporal properties (PROPERTY ${properties.join(', ')})`);
          continue;
        }
        const specPath = join(dir, mod.path);
        let ours: CheckResult;
        try {
          ours = await checkSpec({ specPath, configPath: cfgPath, engine: 'embedded', maxStates: opts.maxStates, ignoreProperties: safetyPart });
        } catch (e) {
          skip(`cannot run: ${e instanceof TlaError ? e.message : String(e)}`);
          continue;
        }
        if (ours.exitCode === 255 || (ours.exitCode === 150 && /module/.test(ours.message ?? ''))) {
          skip(`unsupported: ${(ours.message ?? '').split('\n')[0]!.replace(/ \(run TLC with --engine tlc\)/, '')}`);
          continue;
        }
        const expected = `${kind}${m.distinctStates === undefined ? '' : ` ${m.distinctStates}`}`;
        const agree = ours.kind === kind && (m.distinctStates === undefined || kind !== 'success' || ours.distinctStates === m.distinctStates);
        let row: AgreementRow = {
          model,
          expected,
          ours: ours.kind === 'error' ? `error: ${(ours.message ?? '').split('\n')[0]}` : describe(ours),
          agree,
          ms: ours.durationMs,
          ...(safetyPart && { safetyPart }),
        };
        if (opts.withTlc) {
          try {
            const tlc = await checkSpec({ specPath, configPath: cfgPath, engine: 'tlc' });
            row = { ...row, tlc: describe(tlc), tlcMs: tlc.durationMs };
          } catch (e) {
            row = { ...row, tlc: `not run: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
          }
        }
        rows.push(row);
        log(`${row.agree ? 'agree   ' : 'DISAGREE'} ${model}: TLC ${expected}, embedded ${row.ours} (${(row.ms / 1000).toFixed(1)}s)`);
      }
    }
  }
  return { rows, skipped };
}

export function formatReport(r: AgreementReport, dir: string): string[] {
  const withTlc = r.rows.some((x) => x.tlc !== undefined);
  const lines = [
    `Agreement with TLC on ${relative(process.cwd(), dir) || dir}: ${r.rows.filter((x) => x.agree).length} of ${r.rows.length} models run agree (result and distinct states); ${r.skipped.length} skipped.`,
    ...(r.rows.some((x) => x.safetyPart === true)
      ? [`(${r.rows.filter((x) => x.safetyPart === true).length} of them models with temporal properties, compared on their safety part: PROPERTY ignored.)`]
      : []),
    '',
    withTlc ? '| model | TLC (manifest) | embedded | agree | embedded time | TLC now | TLC time |' : '| model | TLC (manifest) | embedded | agree | time |',
    withTlc ? '|---|---|---|---|---|---|---|' : '|---|---|---|---|---|',
  ];
  for (const x of r.rows) {
    const base = `| ${x.model}${x.safetyPart === true ? ' (safety part)' : ''} | ${x.expected} | ${x.ours} | ${x.agree ? 'yes' : 'NO'} | ${(x.ms / 1000).toFixed(2)}s |`;
    lines.push(withTlc ? `${base} ${x.tlc ?? ''} | ${x.tlcMs === undefined ? '' : `${(x.tlcMs / 1000).toFixed(2)}s`} |` : base);
  }
  lines.push('', 'Skipped:');
  for (const s of r.skipped) lines.push(`- ${s.model}: ${s.reason}`);
  return lines;
}

export function parseArgs(argv: readonly string[]): { dir: string; opts: AgreementOptions } {
  let dir: string | undefined;
  let maxRuntimeSeconds = 10;
  let maxStates = 2_000_000;
  let only: string | undefined;
  let withTlc = false;
  let safetyOfTemporal = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--max-runtime') maxRuntimeSeconds = num();
    else if (a === '--max-states') maxStates = num();
    else if (a === '--only') only = argv[++i];
    else if (a === '--tlc') withTlc = true;
    else if (a === '--safety-of-temporal') safetyOfTemporal = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else dir = a;
  }
  if (dir === undefined) throw new Error('usage: tla:examples -- DIR [--max-runtime SECONDS] [--max-states N] [--only TEXT] [--tlc] [--safety-of-temporal]  (DIR: a checkout of tlaplus/Examples)');
  return { dir, opts: { maxRuntimeSeconds, maxStates, withTlc, ...(only !== undefined && { only }), ...(safetyOfTemporal && { safetyOfTemporal }) } };
}

export async function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 2;
  }
  try {
    await readdir(join(parsed.dir, 'specifications'));
  } catch {
    err(`${parsed.dir} has no specifications/ folder: give a checkout of tlaplus/Examples\n`);
    return 2;
  }
  const report = await runAgreement(parsed.dir, parsed.opts, (l) => err(`${l}\n`));
  out(`${formatReport(report, parsed.dir).join('\n')}\n`);
  return report.rows.every((r) => r.agree) ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then((code) => (process.exitCode = code));
}
