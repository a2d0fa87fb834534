// The `capref` command in-process: exit codes (0 passed, 1 counterexample,
// 2 bad usage or input), counterexample files, replay, explain, schema.
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import { bufferIo } from '../../cli/io.js';

async function capref(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const dir = mkdtempSync(join(tmpdir(), 'capref-cli-'));

describe('capref conformance', () => {
  it('passes a short run and prints the summary tables (exit 0)', async () => {
    const r = await capref('conformance', 'kernel', '--runs', '5', '--steps', '40', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kernel: PASSED');
    expect(r.out).toMatch(/operations[\s\S]*results[\s\S]*coverage/);
    expect(r.out).toContain('invariants and postconditions checked');
  });

  it('runs the ARMv7 profile', async () => {
    const r = await capref('conformance', 'kernel', '--runs', '3', '--steps', '40', '--arch', 'armv7');
    expect(r.code).toBe(0);
  });

  it('finds, shrinks and writes a counterexample against a mutant (exit 1), which replay reproduces and explain tells', async () => {
    const out = join(dir, 'cx');
    const r = await capref('conformance', 'kernel', '--mutant', 'copy-into-occupied', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('kernel: FAILED');
    expect(r.out).toContain('Reproduce it:');
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const file = join(out, files[0]!);
    expect(r.out).toContain(`capref replay ${file}`);
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(trace.format).toBe('capref-trace');
    expect(trace.impl.mutant).toBe('copy-into-occupied');
    expect(trace.failure.kind).toBe('divergence');
    expect(trace.steps.length).toBeLessThanOrEqual(12);
    const replay = await capref('replay', file);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('✗');
    const explain = await capref('explain', file);
    expect(explain.code).toBe(0);
    expect(explain.out).toContain('copy');
    // Without the mutant the same steps pass.
    delete trace.impl;
    delete trace.failure;
    const fixed = join(dir, 'fixed.json');
    writeFileSync(fixed, JSON.stringify(trace));
    const ok = await capref('replay', fixed);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('model and impl agree');
  });

  it('still reports a counterexample (exit 1, no stack trace) when --out cannot be written', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const r = await capref('conformance', 'kernel', '--mutant', 'copy-into-occupied', '--out', join(notADir, 'cx'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('kernel: FAILED');
    expect(r.out).toContain('The counterexample could not be written (cannot write');
    expect(r.out).toContain('capref conformance kernel --seed 1');
    expect(r.out).not.toContain('capref replay');
  });

  it.each([
    [['conformance', 'nonsense'], 'unknown subsystem "nonsense"'],
    [['conformance', 'kernel', '--runs', 'abc'], '--runs must be an integer'],
    [['conformance', 'kernel', '--steps', '0'], '--steps must be between 1'],
    [['conformance', 'kernel', '--mutant', 'no-such-bug'], 'unknown kernel mutant "no-such-bug"'],
    [['conformance', 'all', '--mutant', 'copy-into-occupied'], '--mutant needs a subsystem'],
    [['conformance', 'kernel', '--arch', 'x86'], 'unknown architecture "x86"'],
    [['conformance', 'kernel', '--config', '/no/such/config.json'], 'no such file'],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('refuses bad usage %j with exit 2 and says why', async (argv, message) => {
    const r = await capref(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.out).toBe(''); // refused before anything ran
  });
});

describe('a memory map boot cannot lay out is bad input (exit 2, the JSON path, no stack trace)', () => {
  const tiny = { memory: [{ base: 0x8000_0000, bytes: 4096, kind: 'ram' }] };

  it('as conformance --config: refused before any run, never reported as passed', async () => {
    const f = join(dir, 'tiny-config.json');
    writeFileSync(f, JSON.stringify(tiny));
    const r = await capref('conformance', 'kernel', '--config', f, '--runs', '1', '--steps', '3');
    expect(r.code).toBe(2);
    expect(r.out).not.toContain('PASSED');
    expect(r.err).toContain('memory: no ram region can hold the boot objects');
  });

  it('as the configuration of a trace, for replay and explain', async () => {
    const f = join(dir, 'tiny-trace.json');
    writeFileSync(f, JSON.stringify({ format: 'capref-trace', version: 1, subsystem: 'kernel', config: tiny, steps: [] }));
    for (const cmd of ['replay', 'explain']) {
      const r = await capref(cmd, f);
      expect(r.code, cmd).toBe(2);
      expect(r.err, cmd).toContain('config.memory: no ram region can hold the boot objects');
    }
  });
});

describe('capref replay and explain with bad input', () => {
  it('reports a missing file', async () => {
    const r = await capref('replay', join(dir, 'missing.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('no such file');
  });

  it('reports invalid JSON', async () => {
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{"format": ');
    const r = await capref('explain', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('invalid JSON');
  });

  it('reports every schema violation with its JSON path', async () => {
    const f = join(dir, 'bad.json');
    writeFileSync(
      f,
      JSON.stringify({
        format: 'capref-trace',
        version: 1,
        subsystem: 'kernel',
        config: { memory: [{ base: 4097, bytes: 8192, kind: 'ram' }] },
        steps: [{ op: 'copy', src: { root: 1, cptr: 0, level: 1 } }, { op: 'teleport' }, { op: 'delete', target: { root: 1, cptr: 0, level: 1 }, extra: 1 }],
      }),
    );
    const r = await capref('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('config.memory[0].base: must be a multiple of 4096');
    expect(r.err).toContain('steps[0].dest');
    expect(r.err).toContain('steps[1].op');
    expect(r.err).toContain('steps[2]: Unrecognized key: "extra"');
  });

  it.each(['kernel', 'mm', 'paging'])('reports an unknown impl mutant in a %s trace at impl.mutant', async (subsystem) => {
    const f = join(dir, `bogus-mutant-${subsystem}.json`);
    const kernel = { memory: [{ base: 0x8000_0000, bytes: 64 << 20, kind: 'ram' }] };
    writeFileSync(
      f,
      JSON.stringify({
        format: 'capref-trace',
        version: 1,
        subsystem,
        config: subsystem === 'kernel' ? kernel : { kernel },
        impl: { mutant: 'bogus' },
        steps: [],
      }),
    );
    for (const cmd of ['replay', 'explain']) {
      const r = await capref(cmd, f);
      expect(r.code, cmd).toBe(2);
      expect(r.err, cmd).toContain(`impl.mutant: unknown ${subsystem} mutant "bogus"`);
      expect(r.err, cmd).not.toContain('    at ');
    }
  });

  it('reports an unknown subsystem', async () => {
    const f = join(dir, 'other.json');
    writeFileSync(f, JSON.stringify({ subsystem: 'fs' }));
    const r = await capref('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown subsystem "fs"');
  });
});

describe('capref schema trace', () => {
  it('prints the JSON Schema of trace files', async () => {
    const r = await capref('schema', 'trace');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    expect(schema.$schema).toContain('json-schema.org');
    expect(JSON.stringify(schema)).toContain('vnode_map');
  });

  it('refuses an unknown format', async () => {
    const r = await capref('schema', 'widget');
    expect(r.code).toBe(2);
  });
});
