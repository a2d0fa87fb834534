// proofs/expected.json records what TLC reports for each of the project's TLA+
// models and configurations; the embedded checker's tests assert those numbers.
// These tests check the record itself: it is well-formed and complete, it names
// files that exist, what the embedded checker must run stays inside its TLA+
// subset, and every committed counterexample says what the record says.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpected } from '../../proofs/expected.js';
import { summariseTlc } from '../../proofs/tools/tlc-summary.js';

const proofs = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', 'proofs');
const expected = loadExpected(join(proofs, 'expected.json'));
const read = (name: string): string => readFileSync(join(proofs, name), 'utf8');

/** A .cfg file's keywords, with TLC's comments (\* to end of line, (* *)) removed. */
function cfgKeywords(text: string): string[] {
  const code = text.replace(/\(\*[\s\S]*?\*\)/g, ' ').replace(/\\\*.*$/gm, ' ');
  return [...code.matchAll(/^\s*([A-Z_]+)\b/gm)].map((m) => m[1]!);
}

describe('proofs/expected.json (the record of TLC results)', () => {
  it('lists every configuration in proofs/ exactly once', () => {
    const cfgs = readdirSync(proofs).filter((f) => f.endsWith('.cfg')).sort();
    expect(expected.runs.map((r) => r.config).sort()).toEqual(cfgs);
  });

  it('names modules and configurations that exist', () => {
    for (const run of expected.runs) {
      expect(existsSync(join(proofs, run.module)), run.module).toBe(true);
      expect(existsSync(join(proofs, run.config)), run.config).toBe(true);
    }
  });

  it('gives the embedded checker only safety checks: INIT/NEXT, no PROPERTY, no temporal SPECIFICATION', () => {
    for (const run of expected.runs.filter((r) => r.embedded)) {
      const keywords = cfgKeywords(read(run.config));
      expect(keywords, run.config).toEqual(expect.arrayContaining(['INIT', 'NEXT']));
      for (const temporal of ['PROPERTY', 'PROPERTIES', 'SPECIFICATION']) {
        expect(keywords, `${run.config} uses ${temporal}`).not.toContain(temporal);
      }
    }
  });

  it('keeps liveness checks for TLC: a run with a PROPERTY is not an embedded run', () => {
    for (const run of expected.runs) {
      const keywords = cfgKeywords(read(run.config));
      if (keywords.includes('PROPERTY') || keywords.includes('PROPERTIES')) expect(run.embedded, run.config).toBe(false);
    }
  });

  it('has a committed TLC output and a counterexample length exactly for the runs that fail', () => {
    for (const { config, tlc } of expected.runs) {
      const fails = tlc.result !== 'ok';
      expect(tlc.fixture !== null, config).toBe(fails);
      expect(tlc.counterexampleLength !== null, config).toBe(fails);
      expect(tlc.violated !== null, config).toBe(tlc.result === 'invariant');
      expect(tlc.exitCode, config).toBe({ ok: 0, deadlock: 11, invariant: 12, property: 13 }[tlc.result]);
    }
  });

  it('agrees with each committed TLC output: violated invariant, trace length, state counts, depth', () => {
    for (const { config, tlc } of expected.runs) {
      if (tlc.fixture === null) continue;
      const summary = summariseTlc(read(tlc.fixture), tlc.exitCode);
      expect(
        {
          result: summary.result,
          violated: summary.violated,
          counterexampleLength: summary.counterexampleLength,
          distinctStates: summary.distinctStates,
          statesGenerated: summary.statesGenerated,
          depth: summary.depth,
        },
        config,
      ).toEqual({
        result: tlc.result,
        violated: tlc.violated,
        counterexampleLength: tlc.counterexampleLength,
        distinctStates: tlc.distinctStates,
        statesGenerated: tlc.statesGenerated,
        depth: tlc.depth,
      });
    }
  });

  it('gives each role the result it promises: tests pass, counterexamples fail, liveness is TLC-only', () => {
    for (const { config, role, embedded, tlc } of expected.runs) {
      if (role === 'counterexample') expect(tlc.result, config).not.toBe('ok');
      else expect(tlc.result, config).toBe('ok');
      expect(embedded, config).toBe(role !== 'liveness');
    }
  });

  it('keeps the sizes the tests rely on: small configurations small, the benchmark 200k to 2M states', () => {
    const run = (cfg: string) => expected.runs.find((r) => r.config === cfg)!.tlc;
    expect(run('DistCap_small.cfg').distinctStates).toBeGreaterThanOrEqual(2_000);
    expect(run('DistCap_small.cfg').distinctStates).toBeLessThanOrEqual(50_000);
    expect(run('DistCap_medium.cfg').distinctStates).toBeGreaterThanOrEqual(200_000);
    expect(run('DistCap_medium.cfg').distinctStates).toBeLessThanOrEqual(2_000_000);
  });
});

describe('the TLA+ models in proofs/', () => {
  const modules = readdirSync(proofs).filter((f) => f.endsWith('.tla'));
  const standard = new Set(['Naturals', 'Integers', 'Sequences', 'FiniteSets', 'TLC']);
  const siblings = new Set(modules.map((m) => m.replace(/\.tla$/, '')));

  it('use only the standard modules and each other (no CommunityModules)', () => {
    for (const file of modules) {
      const text = read(file);
      const used = [
        ...[...text.matchAll(/^EXTENDS\s+([^\n]+)$/gm)].flatMap((m) => m[1]!.split(',').map((s) => s.trim())),
        ...[...text.matchAll(/\bINSTANCE\s+(\w+)/g)].map((m) => m[1]!),
      ];
      for (const name of used) expect(standard.has(name) || siblings.has(name), `${file} uses ${name}`).toBe(true);
    }
  });

  it('are each checked by at least one configuration', () => {
    for (const file of modules) expect(expected.runs.some((r) => r.module === file), file).toBe(true);
  });
});
