// `capref schema trace`: the trace format's JSON Schema, generated from the
// zod schemas, for tools written in other languages.
import { traceHandlers, traceJsonSchema } from '../../conformance/traces.js';
import { EXIT_OK } from '../exit-codes.js';
import { UsageError } from '../io.js';
import type { RegisterCommand } from '../program.js';

export const registerSchema: RegisterCommand = (program, ctx) => {
  program
    .command('schema')
    .description("print a JSON Schema of capref's file formats")
    .argument('<format>', 'trace')
    .option('--subsystem <name>', `only this subsystem's traces (${Object.keys(traceHandlers).join(', ')})`)
    .action((format: string, flags: { subsystem?: string }) => {
      if (format !== 'trace') throw new UsageError(`unknown format "${format}"; known: trace`);
      if (flags.subsystem !== undefined && !(flags.subsystem in traceHandlers))
        throw new UsageError(`unknown subsystem "${flags.subsystem}"; known: ${Object.keys(traceHandlers).join(', ')}`);
      ctx.io.out(JSON.stringify(traceJsonSchema(flags.subsystem), null, 2) + '\n');
      ctx.finish(EXIT_OK);
    });
};
