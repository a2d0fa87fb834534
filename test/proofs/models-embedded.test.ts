// issue 5, "Done when": npm test model-checks the project's own TLA+ models
// with the embedded checker and asserts TLC's recorded results
// (proofs/expected.json): the same distinct-state count and depth where every
// invariant holds, and where the buggy variants fail, the same violated
// invariant with a counterexample of the same (shortest) length. Distinct-state
// counts at a violation are not compared: both checkers stop at the first bad
// state, and how many states they had found by then depends on the order
// they explore a level in.
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpected } from '../../proofs/expected.js';
import { checkSpec } from '../../proofs/tla-tools-runner/index.js';

const proofs = resolve(dirname(new URL(import.meta.url).pathname), '../../proofs');
const expected = loadExpected(join(proofs, 'expected.json'));
const inNpmTest = expected.runs.filter((r) => r.embedded && (r.role === 'test' || r.role === 'counterexample'));

describe("the embedded checker reproduces TLC on the project's models", () => {
  it('has something to check', () => {
    expect(inNpmTest.map((r) => `${r.module}:${r.config}`)).toEqual(
      expect.arrayContaining([
        'DistCap.tla:DistCap_small.cfg',
        'UmpChannel.tla:UmpChannel.cfg',
        'UmpChannelBuggy.tla:UmpChannelBuggy.cfg',
        'DistCap.tla:DistCap_nolocks.cfg',
      ]),
    );
  });

  for (const run of inNpmTest)
    it(`${run.module} with ${run.config}: ${run.tlc.result === 'ok' ? `${run.tlc.distinctStates} distinct states, depth ${run.tlc.depth}` : `${run.tlc.violated} violated in ${run.tlc.counterexampleLength} states`}`, async () => {
      const r = await checkSpec({ specPath: join(proofs, run.module), configPath: join(proofs, run.config), engine: 'embedded', env: {} });
      expect(r.engine).toBe('embedded');
      if (run.tlc.result === 'ok') {
        expect(r.kind).toBe('success');
        expect(r.exitCode).toBe(0);
        expect(r.distinctStates).toBe(run.tlc.distinctStates);
        expect(r.depth).toBe(run.tlc.depth);
      } else {
        expect(r.kind).toBe(run.tlc.result);
        expect(r.exitCode).toBe(run.tlc.exitCode);
        expect(r.violatedInvariant).toBe(run.tlc.violated);
        expect(r.trace.length).toBe(run.tlc.counterexampleLength);
      }
    });
});
