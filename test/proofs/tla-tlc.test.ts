// The TLC engine: reading TLC's -tool output (recorded from a real tla2tools.jar in
// fixtures/tlc-output) and running it. The runner is exercised end to end with a stand-in `java`
// that replays a recording, so no Java is needed.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkJar,
  checkSpec,
  EngineUnavailableError,
  findJava,
  parseTlcResult,
  parseTlcState,
  parseTlcValue,
  printValue,
  resolveEngine,
  splitTlcOutput,
  tlcArguments,
  TlcValueSyntaxError,
} from '../../proofs/tla-tools-runner/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const recording = (name: string): string => readFileSync(join(fixtures, 'tlc-output', `${name}.txt`), 'utf8');

describe("TLC's value syntax", () => {
  it.each([
    ['TRUE', 'TRUE'],
    ['-12', '-12'],
    ['"a \\"q\\""', '"a \\"q\\""'],
    ['p1', 'p1'],
    ['{3, 1}', '{1, 3}'],
    ['<<1, <<>>, {}>>', '<<1, <<>>, {}>>'],
    ['[type |-> "req", n |-> 0]', '[type |-> "req", n |-> 0]'],
    ['(p1 :> "idle" @@ p2 :> 3)', '(p1 :> "idle" @@ p2 :> 3)'],
    ['(1 :> 5 @@ 2 :> 6)', '<<5, 6>>'],
    ['1..3', '{1, 2, 3}'],
    ['( <<1, 1>> :> FALSE @@\n  <<1, 2>> :> TRUE )', '(<<1, 1>> :> FALSE @@ <<1, 2>> :> TRUE)'],
  ])('parses %j', (text, printed) => {
    expect(printValue(parseTlcValue(text))).toBe(printed);
  });
  it.each(['{1, 2', '<<1 2>>', '[a 1]', '"open', '1 2', '@'])('refuses %j', (text) => {
    expect(() => parseTlcValue(text)).toThrow(TlcValueSyntaxError);
  });
  it('reads a state: /\\ lines, or a bare assignment for a single variable', () => {
    expect(parseTlcState('/\\ x = 1\n/\\ y = {p1}\n').map((a) => [a.name, printValue(a.value)])).toEqual([
      ['x', '1'],
      ['y', '{p1}'],
    ]);
    expect(parseTlcState('m = <<1>>').map((a) => a.name)).toEqual(['m']);
    expect(() => parseTlcState('/\\ = 3')).toThrow(/cannot read/);
  });
});

describe("TLC's -tool output", () => {
  it('frames messages by code and class', () => {
    const { messages, loose } = splitTlcOutput(recording('demo'));
    expect(messages.find((m) => m.code === 2110)?.text).toBe('Invariant NotAllDone is violated.');
    expect(messages.filter((m) => m.code === 2217)).toHaveLength(5);
    expect(loose.some((l) => l.startsWith('Parsing file'))).toBe(true);
  });
  it('reads an invariant violation: counts, depth, trace with action labels', () => {
    const r = parseTlcResult(recording('demo'), 12, 1);
    expect(r).toMatchObject({ engine: 'tlc', kind: 'invariant', exitCode: 12, violatedInvariant: 'NotAllDone', statesGenerated: 14, distinctStates: 12, statesLeftOnQueue: 3, depth: 5, initialStates: 1 });
    expect(r.variables).toEqual(['msgs', 'st', 'log']);
    expect(r.trace.map((s) => s.action)).toEqual([null, 'Send', 'Done', 'Send', 'Done']);
    expect(r.trace[1]!.label).toBe('Send(p1) line 18, col 12 to line 21, col 35 of module Demo');
    expect(printValue(r.trace[4]!.values[1]!)).toBe('(p1 :> "done" @@ p2 :> "done")');
  });
  it('reads success with the collision estimate', () => {
    expect(parseTlcResult(recording('demo-ok'), 0, 1)).toMatchObject({ kind: 'success', distinctStates: 79, statesGenerated: 139, depth: 7, collisionProbability: '2.6E-16' });
  });
  it('reads deadlock, assumption, initial-state violation, evaluation, parse and configuration errors', () => {
    expect(parseTlcResult(recording('demo-deadlock'), 11, 1)).toMatchObject({ kind: 'deadlock', distinctStates: 13 });
    expect(parseTlcResult(recording('errors-assume'), 10, 1)).toMatchObject({ kind: 'assumption', message: 'Assumption line 9, col 8 to line 9, col 22 of module Errors is false.' });
    const init = parseTlcResult(recording('errors-init'), 12, 1);
    expect(init).toMatchObject({ kind: 'invariant', initialStateViolation: true, violatedInvariant: 'Small' });
    expect(init.trace).toHaveLength(1);
    const ev = parseTlcResult(recording('errors-eval'), 75, 1);
    expect(ev.kind).toBe('error');
    expect(ev.message).toMatch(/not in the domain of the function/);
    expect(ev.trace).toHaveLength(3);
    const parse = parseTlcResult(recording('parse'), 150, 1);
    expect(parse.message).toMatch(/Encountered "Beginning of definition" at line 3, column 9/);
    expect(parseTlcResult(recording('bad-config'), 151, 1).message).toMatch(/The next state action Nxt/);
  });
  it('reads a temporal counterexample ending in stuttering', () => {
    const r = parseTlcResult(recording('liveness'), 13, 1);
    expect(r.kind).toBe('property');
    expect(r.trace.map((s) => s.label)).toEqual(['Initial predicate', 'Stuttering']);
  });
  it('reads values TLC wrapped over several lines', () => {
    const r = parseTlcResult(recording('wide'), 12, 1);
    expect(r.variables).toEqual(['m']);
    expect(printValue(r.trace[0]!.values[0]!)).toMatch(/^\(<<1, 1>> :> FALSE @@ <<1, 2>> :> FALSE/);
  });
  it('collects Print output', () => {
    expect(parseTlcResult(recording('constructs'), 0, 1).printed).toEqual(['"printed"  TRUE', '<<"set", {1, 2}>>']);
  });
});

describe('running TLC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tla-tlc-test-'));
  const jar = join(dir, 'tla2tools.jar');
  writeFileSync(jar, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
  const notJar = join(dir, 'not.jar');
  writeFileSync(notJar, 'hello');
  // A stand-in java that prints a recorded TLC run and exits with TLC's code.
  const fakeJava = (name: string, code: number): string => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const java = join(bin, 'java');
    writeFileSync(java, `#!/bin/sh\necho "$@" > "${bin}/args"\ncat "${join(fixtures, 'tlc-output', `${name}.txt`)}"\nexit ${code}\n`);
    chmodSync(java, 0o755);
    return bin;
  };

  it('finds java in JAVA_HOME or on PATH, and says when there is none', async () => {
    const bin = fakeJava('demo', 12);
    expect(await findJava({ PATH: `/nonexistent:${bin}` })).toBe(join(bin, 'java'));
    expect(await findJava({ JAVA_HOME: join(bin, '..'), PATH: '' })).toBeNull();
    expect(await findJava({ PATH: '' })).toBeNull();
  });
  it('checks that TLA2TOOLS_JAR names a jar', async () => {
    expect(await checkJar(jar)).toBeNull();
    expect(await checkJar(join(dir, 'missing.jar'))).toMatch(/does not exist/);
    expect(await checkJar(notJar)).toMatch(/is not a jar/);
    expect(await checkJar(dir)).toMatch(/is not a file/);
  });
  it('auto falls back to the embedded checker and says why; tlc refuses with exit code 153', async () => {
    expect(await resolveEngine('auto', { PATH: '' })).toEqual({ engine: 'embedded', note: 'TLA2TOOLS_JAR not set; using the embedded checker' });
    expect((await resolveEngine('auto', { TLA2TOOLS_JAR: jar, PATH: '' })).note).toMatch(/^java not found/);
    expect((await resolveEngine('auto', { TLA2TOOLS_JAR: '/no/such.jar', PATH: '' })).note).toBe('TLA2TOOLS_JAR=/no/such.jar does not exist; using the embedded checker');
    await expect(resolveEngine('tlc', { TLA2TOOLS_JAR: '/no/such.jar' })).rejects.toThrow(EngineUnavailableError);
    await expect(resolveEngine('tlc', {})).rejects.toMatchObject({ exitCode: 153, message: '--engine tlc: TLA2TOOLS_JAR not set' });
    expect(await resolveEngine('embedded', {})).toEqual({ engine: 'embedded' });
    const bin = fakeJava('demo', 12);
    expect(await resolveEngine('auto', { TLA2TOOLS_JAR: jar, PATH: bin })).toEqual({ engine: 'tlc', java: join(bin, 'java'), jar });
  });
  it('runs TLC in -tool mode with a temporary -metadir and no trace spec, and reads its result', async () => {
    const bin = fakeJava('demo', 12);
    const lines: string[] = [];
    const r = await checkSpec({
      specPath: join(fixtures, 'Demo.tla'),
      engine: 'tlc',
      env: { TLA2TOOLS_JAR: jar, PATH: bin },
      workers: 2,
      onLine: (l) => lines.push(l),
    });
    expect(r).toMatchObject({ engine: 'tlc', kind: 'invariant', exitCode: 12, distinctStates: 12, violatedInvariant: 'NotAllDone' });
    const args = readFileSync(join(bin, 'args'), 'utf8');
    expect(args).toMatch(/-cp \S+tla2tools\.jar tlc2\.TLC -tool -workers 2 -noGenerateSpecTE -metadir \S+ -config \S+Demo\.cfg Demo\.tla/);
    expect(lines.some((l) => l.startsWith('Progress('))).toBe(true);
  });
  it('reports a jar that does not start TLC as the engine being unavailable', async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'java'), '#!/bin/sh\necho "Error: Could not find or load main class tlc2.TLC"\nexit 1\n');
    chmodSync(join(bin, 'java'), 0o755);
    await expect(checkSpec({ specPath: join(fixtures, 'Demo.tla'), engine: 'tlc', env: { TLA2TOOLS_JAR: jar, PATH: bin } })).rejects.toThrow(/TLC did not start.*\n.*Could not find or load main class/);
  });
  it('builds the TLC command line', () => {
    expect(tlcArguments({ jar: '/j/tla2tools.jar', specPath: '/s/A.tla', configPath: '/s/B.cfg', workers: 3 }, '/tmp/m')).toEqual([
      '-XX:+UseParallelGC',
      '-cp',
      '/j/tla2tools.jar',
      'tlc2.TLC',
      '-tool',
      '-workers',
      '3',
      '-noGenerateSpecTE',
      '-metadir',
      '/tmp/m',
      '-config',
      '/s/B.cfg',
      'A.tla',
    ]);
  });
});
