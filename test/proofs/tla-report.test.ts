// TLC's text format for results, whichever engine produced them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTlcResult, renderResult, tlcDuration, type CheckResult } from '../../proofs/tla-tools-runner/index.js';

const recording = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'tlc-output', `${name}.txt`), 'utf8');
const at = new Date('2026-01-02T03:04:05Z');

describe('TLC-style result text', () => {
  it('prints TLC durations as TLC does', () => {
    expect([tlcDuration(999), tlcDuration(7_400), tlcDuration(123_000), tlcDuration(3_723_000)]).toEqual(['00s', '07s', '02min 03s', '01h 02min']);
  });
  it('a temporal counterexample: the behavior, then stuttering', () => {
    const text = renderResult(parseTlcResult(recording('liveness'), 13, 500), at).join('\n');
    expect(text).toContain('Error: Temporal properties were violated.');
    expect(text).toContain('Error: The following behavior constitutes a counter-example:\nState 1: <Initial predicate>\nx = 0\n\nState 2: Stuttering');
    expect(text).toMatch(/Finished in 00s at \(2026-01-02 03:04:05\)$/);
  });
  it('a lasso ends with Back to state', () => {
    const r: CheckResult = { ...parseTlcResult(recording('liveness'), 13, 0), loopBackTo: 1 };
    expect(renderResult(r, at)).toContain('Back to state 1.');
  });
  it('an initial-state violation prints the state without State headers or statistics', () => {
    const text = renderResult(parseTlcResult(recording('errors-init'), 12, 0), at).join('\n');
    expect(text).toContain('Error: Invariant Small is violated by the initial state:\n/\\ f = <<0, 0>>\n/\\ x = 0\n');
    expect(text).not.toContain('states generated');
  });
  it('a stopped search says the state space was not fully explored', () => {
    const r: CheckResult = { ...parseTlcResult(recording('errors-ok'), 0, 0), kind: 'limit', exitCode: 152, message: 'stopped after 3 distinct states (--max-states)' };
    expect(renderResult(r, at)).toContain('Stopped: stopped after 3 distinct states (--max-states); the state space was NOT fully explored.');
  });
  it('notes and Print output come first', () => {
    const r: CheckResult = { ...parseTlcResult(recording('errors-ok'), 0, 0), notes: ['one worker'], printed: ['"hi"'] };
    expect(renderResult(r, at).slice(0, 2)).toEqual(['Note: one worker', '"hi"']);
  });
});
