// The tlaplus/Examples agreement script, on a miniature Examples tree made of our fixtures:
// it runs what it supports, compares with the manifest, and says why it skipped the rest.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport, main, parseArgs, runAgreement } from '../../proofs/tla-tools-runner/examples-agreement.js';
import { runBench } from '../../proofs/tla-tools-runner/bench/bench.js';

const fixtures = join(import.meta.dirname, 'fixtures');

function examplesTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'tla-examples-'));
  const dir = join(root, 'specifications', 'pipeline');
  mkdirSync(dir, { recursive: true });
  for (const f of ['Pipeline.tla', 'PipelineDefs.tla', 'Channel.tla', 'Pipeline.cfg', 'PipelineSmall.cfg', 'Liveness.tla', 'Liveness.cfg']) copyFileSync(join(fixtures, f), join(dir, f));
  writeFileSync(join(dir, 'Wrong.cfg'), 'CONSTANTS Msgs = {m1}\nCap = 1\nINIT Init\nNEXT Next\n');
  writeFileSync(join(dir, 'WithProperty.cfg'), 'CONSTANTS Msgs = {m1, m2}\nCap = 2\nINIT Init\nNEXT Next\nPROPERTY Small\n');
  writeFileSync(join(dir, 'Reals.tla'), '---- MODULE Reals ----\n====\n');
  writeFileSync(join(dir, 'UsesReal.tla'), '---- MODULE UsesReal ----\nVARIABLE x\nInit == x = 1.5\nNext == x\' = x\n====\n');
  writeFileSync(join(dir, 'UsesReal.cfg'), 'INIT Init\nNEXT Next\n');
  const model = (path: string, extra: object) => ({ path: `specifications/pipeline/${path}`, runtime: '00:00:01', mode: 'exhaustive search', ...extra });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      modules: [
        {
          path: 'specifications/pipeline/Pipeline.tla',
          models: [
            model('Pipeline.cfg', { result: 'success', distinctStates: 196 }),
            model('PipelineSmall.cfg', { result: 'safety failure' }),
            model('Wrong.cfg', { result: 'success', distinctStates: 999 }),
            model('Pipeline.cfg', { result: 'success', mode: 'symbolic' }),
            model('Pipeline.cfg', { result: 'success', runtime: '00:05:00' }),
            model('Pipeline.cfg', { result: 'unknown' }),
            model('WithProperty.cfg', { result: 'success', distinctStates: 196 }),
          ],
        },
        { path: 'specifications/pipeline/Liveness.tla', models: [model('Liveness.cfg', { result: 'liveness failure' })] },
        { path: 'specifications/pipeline/UsesReal.tla', models: [model('UsesReal.cfg', { result: 'success' })] },
      ],
    }),
  );
  mkdirSync(join(root, 'specifications', 'no-manifest'));
  return root;
}

describe('tla:examples (agreement with the manifests of tlaplus/Examples)', () => {
  it('compares result and distinct states, and lists every skipped model with its reason', async () => {
    const root = examplesTree();
    const log: string[] = [];
    const report = await runAgreement(root, { maxRuntimeSeconds: 10, maxStates: 10_000, withTlc: false }, (l) => log.push(l));
    expect(report.rows.map((r) => [r.model, r.expected, r.ours, r.agree])).toEqual([
      ['pipeline/Pipeline.cfg', 'success 196', 'success 196', true],
      ['pipeline/PipelineSmall.cfg', 'invariant', 'invariant 13', true],
      ['pipeline/Wrong.cfg', 'success 999', 'success 16', false],
    ]);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'mode symbolic (only exhaustive search is compared)',
      "large: TLC's recorded runtime 00:05:00 exceeds 10s",
      'the manifest records no result ("unknown")',
      'temporal properties (PROPERTY Small)',
      'temporal properties (PROPERTY Reach)',
      expect.stringMatching(/^unsupported: unsupported by the embedded checker: real numbers/),
    ]);
    expect(log[2]).toMatch(/^DISAGREE pipeline\/Wrong\.cfg/);
    const text = formatReport(report, root).join('\n');
    expect(text).toMatch(/2 of 3 models run agree/);
    expect(text).toMatch(/\| pipeline\/Pipeline\.cfg \| success 196 \| success 196 \| yes \|/);
    expect(text).toMatch(/- pipeline\/Liveness\.cfg: temporal properties/);
  });

  it('--safety-of-temporal compares successful models with PROPERTYs on their safety part', async () => {
    const report = await runAgreement(examplesTree(), { maxRuntimeSeconds: 10, maxStates: 10_000, withTlc: false, safetyOfTemporal: true, only: 'WithProperty' });
    expect(report.rows).toMatchObject([{ model: 'pipeline/WithProperty.cfg', expected: 'success 196', ours: 'success 196', agree: true, safetyPart: true }]);
    const text = formatReport(report, '.').join('\n');
    expect(text).toMatch(/1 of them models with temporal properties, compared on their safety part/);
    expect(text).toMatch(/\| pipeline\/WithProperty\.cfg \(safety part\) \|/);
  });

  it('--tlc without TLC notes that TLC was not run', async () => {
    const saved = process.env['TLA2TOOLS_JAR'];
    delete process.env['TLA2TOOLS_JAR'];
    try {
      const report = await runAgreement(examplesTree(), { maxRuntimeSeconds: 10, maxStates: 10_000, withTlc: true, only: 'PipelineSmall' });
      expect(report.rows[0]!.tlc).toBe('not run: --engine tlc: TLA2TOOLS_JAR not set');
      expect(formatReport(report, '.').join('\n')).toMatch(/TLC now \| TLC time/);
    } finally {
      if (saved !== undefined) process.env['TLA2TOOLS_JAR'] = saved;
    }
  });

  it('reads its arguments and refuses a directory that is not an Examples checkout', async () => {
    expect(parseArgs(['/x', '--max-runtime', '30', '--max-states', '5', '--only', 'Paxos', '--tlc', '--safety-of-temporal'])).toEqual({
      dir: '/x',
      opts: { maxRuntimeSeconds: 30, maxStates: 5, withTlc: true, only: 'Paxos', safetyOfTemporal: true },
    });
    expect(() => parseArgs([])).toThrow(/usage/);
    expect(() => parseArgs(['/x', '--frob'])).toThrow(/unknown option/);
    expect(() => parseArgs(['/x', '--max-states', '-1'])).toThrow(/positive number/);
    const err: string[] = [];
    expect(await main([tmpdir()], () => {}, (s) => err.push(s))).toBe(2);
    expect(err.join('')).toMatch(/has no specifications\/ folder/);
    expect(await main([], () => {}, (s) => err.push(s))).toBe(2);
    const out: string[] = [];
    expect(await main([examplesTree(), '--only', 'Pipeline.cfg'], (s) => out.push(s), () => {})).toBe(0);
    expect(out.join('')).toMatch(/1 of 1 models run agree/);
  });
});

describe('tla:bench', () => {
  it('measures states per second on the Courier benchmark and agrees on its state count', async () => {
    const rows = await runBench({ quick: true, tlc: false }, () => {});
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ op: 'Courier Small', variant: 'embedded', n: 23824, extra: { generated: 83417, depth: 26 } });
    expect(rows[0]!.opsPerSec).toBeGreaterThan(0);
  });
});
