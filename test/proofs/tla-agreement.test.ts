// The embedded checker agrees with TLC on every fixture: same result, exit code, distinct and
// generated state counts, depth, violated invariant and counterexample. TLC's side is its
// recorded -tool output (fixtures/tlc-output, made by fixtures/record-tlc-output.sh with a real
// tla2tools.jar), so this test needs no Java.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec, parseTlcResult, printValue, type CheckResult } from '../../proofs/tla-tools-runner/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const recordings = readFileSync(join(fixtures, 'tlc-output', 'exit-codes.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => {
    const [name, spec, cfg, code] = l.split(' ') as [string, string, string, string];
    return { name, spec, cfg, code: Number(code) };
  });

function tlcResult(name: string, code: number): CheckResult {
  return parseTlcResult(readFileSync(join(fixtures, 'tlc-output', `${name}.txt`), 'utf8'), code, 0);
}

async function embedded(spec: string, cfg: string): Promise<CheckResult> {
  return checkSpec({ specPath: join(fixtures, spec), configPath: join(fixtures, cfg), engine: 'embedded' });
}

function traceText(r: CheckResult): string[] {
  return r.trace.map((s) => `${s.label} | ${r.variables.map((v, i) => `${v}=${printValue(s.values[i]!)}`).sort().join(' ')}`);
}

// Temporal properties are TLC's alone: the embedded checker refuses them loudly (exit 255).
const temporal = new Set(['liveness']);

describe('embedded checker agrees with TLC on the fixtures (recorded TLC output)', () => {
  for (const rec of recordings) {
    it(`${rec.name}: ${rec.spec} with ${rec.cfg} (TLC exit ${rec.code})`, async () => {
      const tlc = tlcResult(rec.name, rec.code);
      const ours = await embedded(rec.spec, rec.cfg);
      if (temporal.has(rec.name)) {
        expect(ours.exitCode).toBe(255);
        expect(ours.message).toMatch(/PROPERTY Reach/);
        return;
      }
      expect(ours.exitCode).toBe(tlc.exitCode);
      expect(ours.kind).toBe(tlc.kind);
      expect(ours.distinctStates).toBe(tlc.distinctStates);
      expect(ours.statesGenerated).toBe(tlc.statesGenerated);
      expect(ours.depth).toBe(tlc.depth);
      expect(ours.violatedInvariant).toBe(tlc.violatedInvariant);
      expect(traceText(ours)).toEqual(traceText(tlc));
      if (tlc.kind === 'success') expect(ours.collisionProbability).toBe(tlc.collisionProbability);
    });
  }
});
