// `capref replay FILE`: re-runs a trace against model and impl step by step.
// Exit 0 when every step agrees, 1 at the first failure, 2 for a bad file.
import { readTrace } from '../../conformance/traces.js';
import { EXIT_COUNTEREXAMPLE, EXIT_OK } from '../exit-codes.js';
import type { RegisterCommand } from '../program.js';

export const registerReplay: RegisterCommand = (program, ctx) => {
  program
    .command('replay')
    .description('re-run a trace file against model and impl, step by step, with every check')
    .argument('<file>', 'a trace (for example a counterexample written by capref conformance), or an ITF trace of a TLA+ model with a trace bridge (capref tla check --itf)')
    .action((file: string) => {
      const loaded = readTrace(file);
      for (const l of loaded.about ?? []) ctx.io.out(`${l}\n`);
      const r = loaded.handler.replay(loaded.trace);
      for (const l of r.lines) ctx.io.out(`${l}\n`);
      if (r.passed) {
        if (r.report !== undefined) ctx.io.out(r.report);
        ctx.io.out(`${file}: ${r.lines.length} steps replayed; model and impl agree, every check holds\n`);
        ctx.finish(EXIT_OK);
      } else {
        ctx.io.out(`\n${r.report}`);
        ctx.finish(EXIT_COUNTEREXAMPLE);
      }
    });
};
