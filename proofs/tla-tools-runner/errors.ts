// Every failure the runner reports carries TLC's exit code, so a caller (or CI)
// can treat the embedded checker and TLC alike. Errors that point at the spec
// carry a source location, printed as file:line:col.
import { EXIT } from './exit-codes.js';

export interface SourceLoc {
  readonly file: string;
  readonly module: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export function formatLoc(loc: SourceLoc | undefined): string {
  return loc === undefined ? '<unknown location>' : `${loc.file}:${loc.line}:${loc.col}`;
}

/** TLC's own way of naming a span: "line 7, col 12 to line 10, col 35 of module Demo". */
export function tlcSpan(loc: SourceLoc): string {
  return `line ${loc.line}, col ${loc.col} to line ${loc.endLine}, col ${loc.endCol} of module ${loc.module}`;
}

export class TlaError extends Error {
  override name = 'TlaError';
  constructor(
    message: string,
    readonly exitCode: number,
    readonly loc?: SourceLoc,
  ) {
    super(loc === undefined ? message : `${message} (at ${formatLoc(loc)})`);
  }
  /** The message without the location suffix. */
  get bare(): string {
    const suffix = this.loc === undefined ? '' : ` (at ${formatLoc(this.loc)})`;
    return this.message.slice(0, this.message.length - suffix.length);
  }
}

/** A TLA+ syntax or semantic error (unknown operator, missing module): TLC's exit code 150. */
export class TlaParseError extends TlaError {
  override name = 'TlaParseError';
  constructor(message: string, loc?: SourceLoc) {
    super(message, EXIT.PARSE_ERROR, loc);
  }
}

/** A bad TLC configuration file: TLC's exit code 151. */
export class ConfigError extends TlaError {
  override name = 'ConfigError';
  constructor(message: string, file?: string, line?: number) {
    super(file === undefined ? message : `${file}${line === undefined ? '' : `:${line}`}: ${message}`, EXIT.CONFIG_ERROR);
  }
}

/** Evaluating the spec failed (a function applied outside its domain, overflow, ...): TLC's exit code 75. */
export class EvalError extends TlaError {
  override name = 'EvalError';
  constructor(message: string, loc?: SourceLoc) {
    super(message, EXIT.EVAL_ERROR, loc);
  }
}

/**
 * A construct the embedded checker does not implement. It fails loudly, naming the construct and its
 * location, rather than giving an answer that might be wrong. Exit code 255 ("other error"), the code
 * TLC uses for failures that are neither a violation nor a spec error.
 */
export class UnsupportedError extends TlaError {
  override name = 'UnsupportedError';
  constructor(construct: string, loc?: SourceLoc) {
    super(`unsupported by the embedded checker: ${construct} (run TLC with --engine tlc)`, EXIT.OTHER_ERROR, loc);
  }
}

/** A usage problem (missing spec file, unreadable config, bad engine name): exit code 2. */
export class RunnerUsageError extends TlaError {
  override name = 'RunnerUsageError';
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/** TLC's Assert(FALSE, msg) failed. */
export class AssertionFailure extends TlaError {
  override name = 'AssertionFailure';
  constructor(message: string, loc?: SourceLoc) {
    super(message, EXIT.ASSERT_FAILED, loc);
  }
}
