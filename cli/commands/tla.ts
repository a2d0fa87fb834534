// `capref tla check SPEC`: model-check a TLA+ spec with TLC (when TLA2TOOLS_JAR and java are
// there) or the embedded checker, print TLC-style results, exit with TLC's exit codes.
import { InvalidArgumentError, Option } from 'commander';
import { checkSpec, EngineUnavailableError, renderResult, resolveEngine, RunnerUsageError, type EngineChoice } from '../../proofs/tla-tools-runner/index.js';
import { UsageError } from '../io.js';
import type { RegisterCommand } from '../program.js';

function positiveInt(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
    return n;
  };
}

interface CheckFlags {
  readonly config?: string;
  readonly engine: EngineChoice;
  readonly workers: number;
  readonly itf?: string;
  readonly maxStates?: number;
}

export const registerTla: RegisterCommand = (program, ctx) => {
  const tla = program.command('tla').description('TLA+ model checking (TLC when available, else the embedded checker)');
  tla
    .command('check')
    .description('model-check SPEC with its configuration; exit codes are TLC\'s (0 ok, 10 assumption, 11 deadlock, 12 invariant, 13 property, 75 evaluation error, 150 parse error, 151 config error, 152 --max-states reached, 153 TLC unavailable, 255 unsupported construct; 2 bad usage)')
    .argument('<spec>', 'the .tla file')
    .option('--config <cfg>', 'the TLC model configuration (default: SPEC with .cfg)')
    .addOption(new Option('--engine <engine>', 'which checker runs').choices(['auto', 'tlc', 'embedded']).default('auto'))
    .option('--workers <n>', 'TLC worker threads (the embedded checker runs one)', positiveInt('--workers'), 1)
    .option('--itf <file>', 'write a counterexample as ITF JSON (Informal Trace Format)')
    .option('--max-states <n>', 'embedded checker: stop after N distinct states', positiveInt('--max-states'))
    .action(async (spec: string, flags: CheckFlags) => {
      const io = ctx.io;
      let decision;
      try {
        decision = await resolveEngine(flags.engine, process.env);
      } catch (e) {
        if (e instanceof EngineUnavailableError) {
          io.err(`capref: ${e.message}\n`);
          ctx.finish(e.exitCode);
          return;
        }
        throw e;
      }
      io.out(
        decision.engine === 'tlc'
          ? `Engine: TLC (${decision.java} -cp ${decision.jar} tlc2.TLC, ${flags.workers} worker${flags.workers === 1 ? '' : 's'})\n`
          : `Engine: embedded checker${decision.note === undefined ? '' : ` (${decision.note})`}\n`,
      );
      try {
        const result = await checkSpec({
          specPath: spec,
          engine: decision.engine,
          workers: flags.workers,
          ...(flags.config !== undefined && { configPath: flags.config }),
          ...(flags.itf !== undefined && { itfPath: flags.itf }),
          ...(flags.maxStates !== undefined && { maxStates: flags.maxStates }),
          onLine: (line) => io.out(`${line}\n`),
        });
        // Print output was already streamed.
        io.out(`${renderResult({ ...result, printed: [] }).join('\n')}\n`);
        if (flags.itf !== undefined && result.trace.length > 0) io.out(`The counterexample was written as ITF to ${flags.itf}\n`);
        ctx.finish(result.exitCode);
      } catch (e) {
        if (e instanceof RunnerUsageError) throw new UsageError(e.message);
        if (e instanceof EngineUnavailableError) {
          io.err(`capref: ${e.message}\n`);
          ctx.finish(e.exitCode);
          return;
        }
        throw e;
      }
    });
};
