// `capref docs kernel [--out FILE]`: writes the generated course reference
// (docs/kernel-reference.md) to stdout or to FILE. `npm run docs` regenerates
// the committed copy; test/cli/docs.test.ts fails when it is out of date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { kernelReferenceMarkdown } from '../docs/kernel-reference.js';
import { EXIT_OK } from '../exit-codes.js';
import { UsageError } from '../io.js';
import type { RegisterCommand } from '../program.js';

/** The references `capref docs` can generate, by subject. */
export const references: Readonly<Record<string, () => string>> = {
  kernel: kernelReferenceMarkdown,
};

export const registerDocs: RegisterCommand = (program, ctx) => {
  program
    .command('docs')
    .description('generate a course reference from the spec (subjects: kernel)')
    .argument('<subject>', `what to document: ${Object.keys(references).join(', ')}`)
    .option('--out <file>', 'write to FILE instead of stdout')
    .action((subject: string, opts: { out?: string }) => {
      const generate = references[subject];
      if (generate === undefined) throw new UsageError(`unknown docs subject '${subject}' (known: ${Object.keys(references).join(', ')})`);
      const text = generate();
      if (opts.out === undefined) ctx.io.out(text);
      else {
        try {
          mkdirSync(dirname(opts.out), { recursive: true });
          writeFileSync(opts.out, text);
        } catch (e) {
          throw new UsageError(`cannot write ${opts.out}: ${e instanceof Error ? e.message : String(e)}`);
        }
        ctx.io.err(`wrote ${opts.out}\n`);
      }
      ctx.finish(EXIT_OK);
    });
};
