// `capref explain FILE`: a trace told as a readable story.
import { readTrace } from '../../conformance/traces.js';
import { EXIT_OK } from '../exit-codes.js';
import type { RegisterCommand } from '../program.js';

export const registerExplain: RegisterCommand = (program, ctx) => {
  program
    .command('explain')
    .description('tell a trace as a story: each step, its result, the capabilities it created or removed')
    .argument('<file>', 'a trace file, or an ITF trace of a TLA+ model with a trace bridge')
    .action((file: string) => {
      const { handler, trace, about } = readTrace(file);
      for (const l of about ?? []) ctx.io.out(`${l}\n`);
      ctx.io.out(handler.explain(trace));
      ctx.finish(EXIT_OK);
    });
};
