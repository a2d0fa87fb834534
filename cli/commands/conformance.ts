// `capref conformance [subsystem] [--seed N] [--runs N] [--steps N] [--out DIR]`:
// random traces against model and impl; exit 0 when every suite passes, 1 when
// a counterexample was found (written to --out), 2 on bad usage.
import { suiteByName, suites } from '../../conformance/suites.js';
import type { SuiteOutcome } from '../../conformance/subsystems.js';
import { EXIT_COUNTEREXAMPLE, EXIT_OK } from '../exit-codes.js';
import { UsageError } from '../io.js';
import { intOption } from '../options.js';
import type { RegisterCommand } from '../program.js';

export const DEFAULT_SEED = 1;
export const DEFAULT_RUNS = 1000;
export const DEFAULT_STEPS = 100;

interface Flags {
  seed: number;
  runs?: number;
  steps?: number;
  out: string;
  mutant?: string;
  config?: string;
  arch?: string;
}

export const registerConformance: RegisterCommand = (program, ctx) => {
  program
    .command('conformance')
    .description('run random operation traces against the reference model and the implementation, checking every invariant')
    .argument('[subsystem]', `one of: ${suites.map((s) => s.name).join(', ')}, or all`, 'all')
    .option('--seed <n>', 'seed of the random traces (runs are reproducible from it)', intOption('--seed', 0, 2 ** 31 - 1), DEFAULT_SEED)
    .option('--runs <n>', `number of random traces (default: each subsystem's own; the kernel's is ${DEFAULT_RUNS})`, intOption('--runs', 1, 10_000_000))
    .option('--steps <n>', `operations per trace (default: each subsystem's own; the kernel's is ${DEFAULT_STEPS})`, intOption('--steps', 1, 100_000))
    .option('--out <dir>', 'where counterexample traces are written', 'capref-out')
    .option('--mutant <name>', 'run against a deliberately broken implementation (to see what a counterexample looks like)')
    .option('--config <file>', "the subsystem's configuration as JSON (default: the embedded one)")
    .option('--arch <name>', 'page-table profile: aarch64 or armv7')
    .action((subsystem: string, flags: Flags) => {
      const { io } = ctx;
      const chosen = subsystem === 'all' ? suites : [suiteByName(subsystem)];
      if (chosen.some((s) => s === undefined)) throw new UsageError(`unknown subsystem "${subsystem}"; known: ${suites.map((s) => s.name).join(', ')}, all`);
      if (flags.mutant !== undefined) {
        if (subsystem === 'all') throw new UsageError('--mutant needs a subsystem (mutants belong to one implementation)');
        const known = chosen[0]!.mutants;
        if (!known.includes(flags.mutant)) throw new UsageError(`unknown ${subsystem} mutant "${flags.mutant}"; known: ${known.join(', ')}`);
      }
      for (const suite of chosen as typeof suites)
        suite.validate?.({ ...(flags.config !== undefined ? { configFile: flags.config } : {}), ...(flags.arch !== undefined ? { arch: flags.arch } : {}) });
      const outcomes: SuiteOutcome[] = [];
      for (const suite of chosen as typeof suites) {
        const runs = flags.runs ?? suite.defaultRuns;
        const steps = flags.steps ?? suite.defaultSteps ?? DEFAULT_STEPS;
        io.out(`capref conformance ${suite.name}: seed ${flags.seed}, ${runs} runs × ${steps} steps${flags.mutant ? `, impl mutant ${flags.mutant}` : ''}\n`);
        const started = performance.now();
        const outcome = suite.run({
          seed: flags.seed,
          runs,
          steps,
          outDir: flags.out,
          ...(flags.mutant !== undefined ? { mutant: flags.mutant } : {}),
          ...(flags.config !== undefined ? { configFile: flags.config } : {}),
          ...(flags.arch !== undefined ? { arch: flags.arch } : {}),
          onProgress: io.isTty
            ? (done, total, steps) => {
                if (done % 10 === 0 || done === total) io.err(`\r  run ${done}/${total} · ${steps.toLocaleString('en-US')} steps`);
              }
            : undefined,
        });
        if (io.isTty) io.err('\r\x1b[K');
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        outcomes.push(outcome);
        io.out(`\n${outcome.summary}\n`);
        if (outcome.passed)
          io.out(
            `${suite.name}: PASSED — ${outcome.runs} runs, ${outcome.steps.toLocaleString('en-US')} steps, model and impl agree and every invariant holds (${secs} s)\n\n`,
          );
        else {
          io.out(`${suite.name}: FAILED — ${outcome.report}\n`);
          if (outcome.counterexampleFile !== undefined) io.out(`Counterexample written to ${outcome.counterexampleFile}\n`);
          else io.out(`The counterexample could not be written (${outcome.writeError ?? 'no file'})\n`);
          io.out(`Reproduce it:\n${(outcome.reproduce ?? []).map((c) => `  ${c}`).join('\n')}\n\n`);
        }
      }
      ctx.finish(outcomes.every((o) => o.passed) ? EXIT_OK : EXIT_COUNTEREXAMPLE);
    });
};
