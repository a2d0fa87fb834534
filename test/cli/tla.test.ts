// `capref tla check`: engine fallback said in one line, TLC's exit codes, usage errors as exit 2
// naming the file, ITF output.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.js';
import { runCli } from '../../cli/program.js';

const fixtures = join(import.meta.dirname, '..', 'proofs', 'fixtures');
const saved = { jar: process.env['TLA2TOOLS_JAR'], path: process.env['PATH'], home: process.env['JAVA_HOME'] };

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runCli(['tla', 'check', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('capref tla check', () => {
  beforeEach(() => {
    delete process.env['TLA2TOOLS_JAR'];
    delete process.env['JAVA_HOME'];
  });
  afterEach(() => {
    for (const [k, v] of [
      ['TLA2TOOLS_JAR', saved.jar],
      ['PATH', saved.path],
      ['JAVA_HOME', saved.home],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('without TLA2TOOLS_JAR uses the embedded checker and says so in one line', async () => {
    const r = await cli(join(fixtures, 'Pipeline.tla'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('Engine: embedded checker (TLA2TOOLS_JAR not set; using the embedded checker)');
    expect(r.out).toMatch(/Model checking completed\. No error has been found\./);
    expect(r.out).toMatch(/calculated \(optimistic\): {2}val = 2\.3E-15/);
    expect(r.out).toMatch(/409 states generated, 196 distinct states found, 0 states left on queue\./);
    expect(r.out).toMatch(/The depth of the complete state graph search is 16\./);
  });

  it('with a bad jar path and auto, falls back and names the problem', async () => {
    process.env['TLA2TOOLS_JAR'] = '/nonexistent/tla2tools.jar';
    const r = await cli(join(fixtures, 'Pipeline.tla'), '--config', join(fixtures, 'Pipeline.cfg'));
    expect(r.out.split('\n')[0]).toBe('Engine: embedded checker (TLA2TOOLS_JAR=/nonexistent/tla2tools.jar does not exist; using the embedded checker)');
    expect(r.code).toBe(0);
  });

  it('--engine tlc with a bad jar path or no java: a clear error, exit 153 (TLC\'s system error)', async () => {
    process.env['TLA2TOOLS_JAR'] = '/nonexistent/tla2tools.jar';
    const r = await cli(join(fixtures, 'Pipeline.tla'), '--engine', 'tlc');
    expect(r.code).toBe(153);
    expect(r.err).toBe('capref: --engine tlc: TLA2TOOLS_JAR=/nonexistent/tla2tools.jar does not exist\n');
    process.env['TLA2TOOLS_JAR'] = join(fixtures, 'Demo.tla');
    expect((await cli(join(fixtures, 'Pipeline.tla'), '--engine', 'tlc')).err).toMatch(/is not a jar \(zip\) file/);
  });

  it('an invariant violation prints the trace in TLC\'s format, exits 12 and writes ITF', async () => {
    const itf = join(mkdtempSync(join(tmpdir(), 'tla-cli-')), 'cex.itf.json');
    const r = await cli(join(fixtures, 'Pipeline.tla'), '--config', join(fixtures, 'PipelineSmall.cfg'), '--engine', 'embedded', '--itf', itf);
    expect(r.code).toBe(12);
    expect(r.out).toMatch(/^Error: Invariant Small is violated\.$/m);
    expect(r.out).toMatch(/^State 1: <Initial predicate>\n\/\\ left = <<>>\n\/\\ right = <<>>\n\/\\ delivered = 0\n$/m);
    expect(r.out).toMatch(/^State 2: <Produce line 17, col 28 to line 17, col 70 of module Pipeline>$/m);
    expect(r.out).toMatch(/The counterexample was written as ITF to/);
    expect(JSON.parse(readFileSync(itf, 'utf8')).states).toHaveLength(10);
  });

  it('a deadlock exits 11; an assumption 10; an evaluation error 75', async () => {
    expect((await cli(join(fixtures, 'Demo.tla'), '--config', join(fixtures, 'DemoDeadlock.cfg'))).code).toBe(11);
    const a = await cli(join(fixtures, 'Errors.tla'), '--config', join(fixtures, 'Errors-assume.cfg'));
    expect(a.code).toBe(10);
    expect(a.out).toMatch(/Error: Assumption line 9, col 8 to line 9, col 22 of module Errors is false\./);
    expect((await cli(join(fixtures, 'Errors.tla'), '--config', join(fixtures, 'Errors-eval.cfg'))).code).toBe(75);
  });

  it('a TLA+ parse error exits 150 naming file:line:col', async () => {
    const r = await cli(join(fixtures, 'Parse.tla'));
    expect(r.code).toBe(150);
    expect(r.out).toMatch(/TLA\+ syntax error: .*\n.*of module Parse \(.*Parse\.tla:\d+:\d+\)/);
  });

  it('a temporal PROPERTY is refused loudly (exit 255)', async () => {
    const r = await cli(join(fixtures, 'Liveness.tla'));
    expect(r.code).toBe(255);
    expect(r.out).toMatch(/unsupported by the embedded checker: PROPERTY Reach/);
  });

  it('--workers N is for TLC: the embedded checker says it runs one worker', async () => {
    const r = await cli(join(fixtures, 'Pipeline.tla'), '--workers', '4');
    expect(r.out).toMatch(/Note: the embedded checker runs one worker \(--workers 4 applies to TLC only\)/);
  });

  it('--max-states stops early with exit 152', async () => {
    const r = await cli(join(fixtures, 'Pipeline.tla'), '--max-states', '10');
    expect(r.code).toBe(152);
    expect(r.out).toMatch(/Stopped: stopped after 10 distinct states \(--max-states\); the state space was NOT fully explored\./);
  });

  it.each([
    [['nonexistent.tla'], /cannot read the spec file nonexistent\.tla/],
    [[join(fixtures, 'Demo.tla'), '--config', 'nope.cfg'], /cannot read the model configuration file nope\.cfg/],
    [[join(fixtures, 'Channel.tla')], /cannot read the model configuration file .*Channel\.cfg/],
    [[join(fixtures, 'Demo.cfg')], /the spec must be a \.tla file/],
  ])('usage errors exit 2 naming the file: %j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--engine', 'fast'], /Allowed choices are auto, tlc, embedded/],
    [['--workers', '0'], /--workers must be a positive integer/],
    [['--max-states', 'x'], /--max-states must be a positive integer/],
  ])('bad flags exit 2: %j', async (flags, message) => {
    const r = await cli(join(fixtures, 'Demo.tla'), ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('writes nothing next to the spec', async () => {
    await cli(join(fixtures, 'Demo.tla'));
    expect(existsSync(join(fixtures, 'states'))).toBe(false);
  });
});
