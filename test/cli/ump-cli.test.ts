// `capref conformance ump` and `capref replay` of a UMP counterexample, in-process.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

describe('capref conformance ump / capref replay of its counterexample', () => {
  it('reports the unshrunk length of the first failing run, and replay prints each step once', async () => {
    const out = mkdtempSync(join(tmpdir(), 'capref-ump-cli-'));
    const r = await capref('conformance', 'ump', '--mutant', 'clear-before-read', '--out', out);
    expect(r.code).toBe(1);
    const file = join(out, readdirSync(out)[0]!);
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(r.out).toContain(`(shrunk from ${trace.origin.shrunkFrom} to ${trace.steps.length} steps)`);
    expect(trace.origin.shrunkFrom).toBeGreaterThan(trace.steps.length);

    const replay = await capref('replay', file);
    expect(replay.code).toBe(1);
    expect(replay.out.match(/<-- fails here/g)).toHaveLength(1);
    const first = replay.out.split('\n').find((l) => l.includes('Submit'))!;
    expect(replay.out.split('\n').filter((l) => l.includes(first.slice(1).trim()))).toHaveLength(1);
    expect(replay.out).toContain(`fails ${trace.failure.violated[0]}`);
  });
});
