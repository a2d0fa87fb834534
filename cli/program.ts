// Builds the `capref` command tree. Every subcommand lives in its own file under
// cli/commands/ and registers itself here; a command's action returns its exit
// code instead of calling process.exit, so the whole CLI runs in-process in tests.
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import { type CliIo, UsageError } from './io.js';
import { commands } from './commands/index.js';
import { TraceInputError } from '../conformance/trace.js';

export type CommandAction = (io: CliIo) => Promise<number> | number;

export interface CommandContext {
  readonly io: CliIo;
  /** Records the exit code of the action that ran. */
  readonly finish: (code: number) => void;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number | undefined;
  const ctx: CommandContext = { io, finish: (code) => void (exitCode = code) };
  const program = new Command('capref')
    .description('capref: an executable reference of a Barrelfish-style capability kernel, its memory manager and UMP')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run capref --help for usage)');
  for (const register of commands) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.err(`capref: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof TraceInputError) {
      io.err(
        `capref: ${e.file}: ${e.problems.length === 1 ? e.problems[0] : `${e.problems.length} problems`}\n${e.problems.length === 1 ? '' : e.problems.map((p) => `  ${p}\n`).join('')}`,
      );
      return EXIT_USAGE;
    }
    throw e;
  }
  return exitCode ?? 0;
}
