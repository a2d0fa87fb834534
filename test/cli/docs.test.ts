// `capref docs kernel` and the committed docs/kernel-reference.md: the file is
// what the generator writes from the spec today, so the course reference can
// never drift from the spec. When this test fails, run `npm run docs` and
// commit the result.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelReferenceMarkdown, LOOKUP_ERRORS } from '../../cli/docs/kernel-reference.js';
import { bufferIo } from '../../cli/io.js';
import { runCli } from '../../cli/program.js';
import { decisions } from '../../spec/kernel/decisions.js';
import { kernelErrors } from '../../spec/kernel/errors.js';
import { kernelInvariants } from '../../spec/kernel/invariants/index.js';
import { kernelPostconditions } from '../../spec/kernel/postconditions.js';
import { preconditionsByOp } from '../../spec/kernel/preconditions/index.js';
import { lookupErrors } from '../spec/kernel/fixtures.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const committed = join(root, 'docs/kernel-reference.md');

describe('capref docs kernel', () => {
  it('docs/kernel-reference.md is up to date with the spec (if not: npm run docs, and commit it)', async () => {
    const io = bufferIo();
    expect(await runCli(['docs', 'kernel'], io)).toBe(0);
    expect(io.stdout() === readFileSync(committed, 'utf8'), 'docs/kernel-reference.md is stale: run `npm run docs` and commit the result').toBe(true);
  });

  it('--out writes the file and says so on stderr', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'capref-docs-')), 'sub', 'ref.md');
    const io = bufferIo();
    expect(await runCli(['docs', 'kernel', '--out', out], io)).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(kernelReferenceMarkdown());
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe(`wrote ${out}\n`);
  });

  it('an unknown subject, a missing subject and an unwritable --out are usage errors (exit 2, one line, no stack trace)', async () => {
    const io = bufferIo();
    expect(await runCli(['docs', 'mm'], io)).toBe(2);
    expect(io.stderr()).toBe("capref: unknown docs subject 'mm' (known: kernel)\n");
    expect(await runCli(['docs'], bufferIo())).toBe(2);
    const file = join(mkdtempSync(join(tmpdir(), 'capref-docs-')), 'a-file');
    writeFileSync(file, 'x');
    const io2 = bufferIo();
    expect(await runCli(['docs', 'kernel', '--out', join(file, 'ref.md')], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/^capref: cannot write .*ref\.md: .*\n$/);
    expect(io2.stderr().split('\n').length).toBe(2);
  });

  it('is deterministic and names every precondition, invariant, postcondition, decision and error code', () => {
    const md = kernelReferenceMarkdown();
    expect(kernelReferenceMarkdown()).toBe(md);
    const ids = [
      ...Object.values(preconditionsByOp).flatMap((ps) => ps.map((p) => p.id)),
      ...kernelInvariants.map((i) => i.id),
      ...kernelPostconditions.map((p) => p.id),
      ...decisions.map((d) => d.id),
      ...Object.keys(kernelErrors),
    ];
    expect(ids.filter((id) => !md.includes(id))).toEqual([]);
  });

  it('lists preconditions in checking order, and lookup errors in the order the spec checks them', () => {
    const md = kernelReferenceMarkdown();
    for (const ps of Object.values(preconditionsByOp)) {
      const at = ps.map((p) => md.indexOf(`| \`${p.id}\` |`));
      expect(at.every((x) => x > 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    }
    expect(LOOKUP_ERRORS.map(([e]) => e)).toEqual(lookupErrors);
  });

  it('tells students how to read it, and calls out the seL4-vs-Barrelfish difference on revoke', () => {
    const md = kernelReferenceMarkdown();
    expect(md).toContain('top to bottom; the first that fails is the answer');
    expect(md).toContain('## Revoke: Barrelfish is not seL4');
    expect(md).toContain('rights are not part of a copy\'s identity');
  });
});
