// Failing loudly: every construct the embedded checker does not implement, every parse,
// configuration and evaluation error is reported with its name, its location and TLC's exit
// code, never as a wrong answer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec, type CheckResult } from '../../proofs/tla-tools-runner/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tla-errors-'));
let n = 0;

/** Writes a one-off spec (module name M<n>) and its configuration; returns the spec's path. */
function write(body: string, cfg: string, extra: Record<string, string> = {}): string {
  const name = `M${n++}`;
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, `${name}.tla`), `---- MODULE ${name} ----\n${body}\n====\n`);
  writeFileSync(join(dir, `${name}.cfg`), cfg);
  return join(dir, `${name}.tla`);
}

async function check(body: string, cfg: string, extra: Record<string, string> = {}): Promise<CheckResult> {
  return checkSpec({ specPath: write(body, cfg, extra), engine: 'embedded' });
}

const counter = 'EXTENDS Naturals\nVARIABLE x\nInit == x = 0\n';
const initNext = 'INIT Init\nNEXT Next\n';

describe('unsupported constructs fail loudly with their name and location (exit 255)', () => {
  it.each([
    ['a temporal property in the configuration', `${counter}Next == x' = x\nLive == <>(x = 1)`, `${initNext}PROPERTY Live`, /PROPERTY Live \(temporal properties are not checked/],
    ['[]P in SPECIFICATION', `${counter}Next == x' = x\nSpec == Init /\\ [][Next]_x /\\ [](x >= 0)`, 'SPECIFICATION Spec', /temporal conjunct of SPECIFICATION Spec/],
    ['real numbers', `${counter}Next == x' = x\nInv == x < 1.5`, `${initNext}INVARIANT Inv`, /real numbers/],
    ['\\cdot', `${counter}A == x' = x\nNext == A \\cdot A`, initNext, /action composition/],
    ['a subexpression reference', `${counter}Next == x' = x\nD == /\\ x = 0\nInv == D!1`, `${initNext}INVARIANT Inv`, /subexpression reference/],
    ['TLCGet', `EXTENDS Naturals, TLC\nVARIABLE x\nInit == x = 0\nNext == x' = TLCGet("level")`, initNext, /TLCGet/],
    ['POSTCONDITION', `${counter}Next == x' = x\nP == TRUE`, `${initNext}POSTCONDITION P`, /POSTCONDITION P/],
  ])('%s', async (_what, spec, cfg, message) => {
    const r = await check(spec, cfg);
    expect(r.kind).toBe('error');
    expect(r.exitCode).toBe(255);
    expect(r.message).toMatch(message);
    expect(r.message).toMatch(/M\d+\.(tla|cfg)/);
  });
  it('an unsupported standard module is named where it is EXTENDed', async () => {
    const r = await check('EXTENDS Reals\nVARIABLE x\nInit == x = 0\nNext == x\' = x', initNext);
    expect(r.exitCode).toBe(255);
    expect(r.message).toMatch(/unsupported by the embedded checker: the standard module Reals/);
    expect(r.message).toMatch(/M\d+\.tla:2:9/);
  });
});

describe('SPECIFICATION: Init /\\ [][Next]_v with fairness and liveness conjuncts', () => {
  it('ignores WF/SF and liveness conjuncts (they do not change the reachable states) and says so', async () => {
    const r = await check(
      `${counter}Next == x' = (x + 1) % 3\nLive == \\A i \\in {1} : []<>(x = i)\nSpec == Init /\\ [][Next]_x /\\ WF_x(Next) /\\ <>(x = 2) /\\ Live /\\ <>[][Next]_x`,
      'SPECIFICATION Spec',
    );
    expect(r).toMatchObject({ kind: 'success', distinctStates: 3 });
    expect(r.notes).toContain('fairness and liveness conjuncts of Spec are ignored (safety checking only)');
  });
});

describe('parse and semantic errors: exit 150 with file:line:col', () => {
  it('a syntax error', async () => {
    const r = await check('VARIABLE x\nInit == x =\nNext == x\' = x', initNext);
    expect(r.exitCode).toBe(150);
    expect(r.message).toMatch(/TLA\+ syntax error/);
    expect(r.message).toMatch(/M\d+\.tla:\d+:\d+/);
  });
  it('an unknown operator, with a hint at the module that defines it', async () => {
    const r = await check('VARIABLE x\nInit == x = 0\nNext == x\' = x + 1', initNext);
    expect(r.exitCode).toBe(150);
    expect(r.message).toMatch(/Unknown operator: \+ \(EXTENDS Naturals\?\)/);
    expect(r.message).toMatch(/line 4, col 14 to line 4, col 18 of module M\d+ \(.*M\d+\.tla:4:14\)/);
  });
  it('a missing module', async () => {
    const r = await check('EXTENDS Nowhere\nVARIABLE x\nInit == x = 0\nNext == x\' = x', initNext);
    expect(r.exitCode).toBe(150);
    expect(r.message).toMatch(/cannot find module Nowhere \(looked for .*Nowhere\.tla/);
  });
  it('a wrong number of arguments', async () => {
    const r = await check(`${counter}F(a) == a\nNext == x' = F(1, 2)`, initNext);
    expect(r.message).toMatch(/F takes 1 argument\(s\), but is given 2/);
  });
  it('a module whose name does not match its file', async () => {
    writeFileSync(join(dir, 'Wrong.tla'), '---- MODULE Right ----\n====\n');
    writeFileSync(join(dir, 'Wrong.cfg'), '');
    const r = await checkSpec({ specPath: join(dir, 'Wrong.tla'), engine: 'embedded' });
    expect(r.message).toMatch(/contains module Right/);
  });
  it('an INSTANCE missing a substitution', async () => {
    const r = await check(`${counter}I == INSTANCE Inst\nNext == x' = I!C`, initNext, { 'Inst.tla': '---- MODULE Inst ----\nCONSTANT Q\nC == Q\n====\n' });
    expect(r.message).toMatch(/no substitution for constant Q/);
  });
});

describe('configuration errors: exit 151', () => {
  it.each([
    ['an undefined NEXT', 'CONSTANT C = 1\nINIT Init\nNEXT Nope', /Nope is not defined/],
    ['a constant without a value', 'INIT Init\nNEXT Next', /The constant parameter C is not assigned a value/],
    ['neither INIT/NEXT nor SPECIFICATION but an invariant', 'CONSTANT C = 1\nINVARIANT Inv', /names no INIT/],
    ['a temporal formula as an invariant', 'CONSTANT C = 1\nINIT Init NEXT Next INVARIANT Live', /the invariant Live is not a state predicate/],
    ['a replacement of an unknown name', 'CONSTANT C = 1 Q <- Init\nINIT Init NEXT Next', /Q <- Init: Q is not a constant or definition/],
    ['an action as an invariant', 'CONSTANT C = 1\nINIT Init NEXT Next INVARIANT Next', /the invariant Next is not a state predicate/],
  ])('%s', async (_what, cfg, message) => {
    const r = await check(`EXTENDS Naturals\nCONSTANT C\nVARIABLE x\nInit == x = 0\nNext == x' = x\nInv == TRUE\nLive == <>(x = 0)`, cfg);
    expect(r.exitCode).toBe(151);
    expect(r.message).toMatch(message);
  });
});

describe('evaluation errors: exit 75, with the behavior that led there', () => {
  it.each([
    ['a function applied outside its domain', `Next == x' = <<1>>[x + 2]`, /not in the domain of the function/],
    ['TLC integer overflow', `Next == x' = 2147483647 + x + 1`, /Overflow/],
    ['a CASE with no true guard', `Next == x' = CASE x > 5 -> 1`, /CASE with no conditions true/],
    ['a CHOOSE with no witness', `Next == x' = CHOOSE y \\in {1} : y > 1`, /no element of S satisfied P/],
    ['an unbounded CHOOSE', `Next == x' = CHOOSE y : y > 1`, /unbounded CHOOSE/],
    ['an unbounded quantifier', `Next == x' = x /\\ \\E y : y = 1`, /unbounded \\E/],
    ['a non-boolean guard', `Next == x /\\ x' = x`, /not a boolean/],
    ['equality of an integer with a string', `Next == x = "a" /\\ x' = x`, /Attempted to check equality of integer 0 with string "a"/],
    ['enumerating an infinite set', `Next == x' \\in Nat`, /cannot enumerate the infinite set Nat/],
    ['a prime inside a prime', `Next == x' = (x')'`, /primed again/],
  ])('%s', async (_what, next, message) => {
    const r = await check(`${counter}${next}`, initNext);
    expect(r.kind).toBe('error');
    expect([75, 150]).toContain(r.exitCode);
    expect(r.message).toMatch(message);
  });
  it('a successor that leaves a variable unassigned', async () => {
    const r = await check("VARIABLES x, z\nInit == x = 0 /\\ z = 0\nNext == x' = x", initNext);
    expect(r.exitCode).toBe(75);
    expect(r.message).toMatch(/not completely specified by action Next: the variable z is not assigned/);
  });
  it('Assert failing is exit 14', async () => {
    const r = await check(`EXTENDS Naturals, TLC\nVARIABLE x\nInit == x = 0\nNext == Assert(x < 0, "x is not negative") /\\ x' = x`, initNext);
    expect(r.exitCode).toBe(14);
    expect(r.message).toMatch(/"x is not negative"/);
  });
  it('an Init that reads a variable before assigning it', async () => {
    const r = await check('EXTENDS Naturals\nVARIABLES x, y\nInit == y = x /\\ x = 0\nNext == UNCHANGED <<x, y>>', initNext);
    expect(r.message).toMatch(/the variable x is read before it is assigned/);
  });
  it('an Init that leaves a variable unassigned', async () => {
    const r = await check('VARIABLES x, y\nInit == x = 0\nNext == UNCHANGED <<x, y>>', initNext);
    expect(r.message).toMatch(/does not assign a value to the variable y/);
  });
  it('an ASSUME that is not a boolean', async () => {
    const r = await check(`${counter}ASSUME 3\nNext == x' = x`, initNext);
    expect(r.message).toMatch(/assumption evaluated to 3/);
  });
});

describe('limits', () => {
  it('--max-states stops with exit 152 and says the state space was not fully explored', async () => {
    const spec = write(`${counter}Next == x' = x + 1`, initNext);
    const limited = await checkSpec({ specPath: spec, engine: 'embedded', maxStates: 50 });
    expect(limited).toMatchObject({ kind: 'limit', exitCode: 152, distinctStates: 50 });
  }, 60_000);
});
