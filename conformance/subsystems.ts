// The conformance suites by subsystem, behind one shape so that
// `capref conformance all` runs each in turn and reports them alike.
export interface SuiteOptions {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly outDir: string;
  readonly mutant?: string;
  /** A subsystem configuration file (validated by the subsystem's schema). */
  readonly configFile?: string;
  readonly arch?: string;
  /** Progress after each run. */
  readonly onProgress?: (done: number, total: number, steps: number) => void;
}

export interface SuiteOutcome {
  readonly subsystem: string;
  readonly passed: boolean;
  readonly runs: number;
  readonly steps: number;
  /** The summary tables, ready to print. */
  readonly summary: string;
  /** The failure report and where the counterexample was written. */
  readonly report?: string;
  readonly counterexampleFile?: string;
  /** Why the counterexample file could not be written (then only the regenerating command reproduces it). */
  readonly writeError?: string;
  /** The commands that reproduce the failure. */
  readonly reproduce?: readonly string[];
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** Names of the deliberately broken implementations the suite can run against. */
  readonly mutants: readonly string[];
  /** Runs when --runs is not given (the suite's share of `npm start`): enough to catch every mutant of it. */
  readonly defaultRuns: number;
  /** Steps per run when --steps is not given (default: 100). */
  readonly defaultSteps?: number;
  /** Checks the options (configuration files, flags) before anything runs; throws TraceInputError naming the problem. */
  readonly validate?: (options: Pick<SuiteOptions, 'configFile' | 'arch'>) => void;
  readonly run: (options: SuiteOptions) => SuiteOutcome;
}
