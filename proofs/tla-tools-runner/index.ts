// tla-tools-runner: check TLA+ specs with TLC when it is installed, with an embedded
// TypeScript model checker otherwise; TLC-style results and exit codes either way; ITF traces.
// Self-contained: imports nothing outside this folder (see README.md).
export { checkSpec, resolveEngine, writeItf, defaultConfigPath, EngineUnavailableError } from './check-spec.js';
export type { CheckSpecOptions, EngineChoice, EngineDecision } from './check-spec.js';
export type { CheckResult, ResultKind, TraceState, Engine } from './result.js';
export { renderResult, renderTrace, tlcDuration } from './report.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { TlaError, TlaParseError, ConfigError, EvalError, UnsupportedError, RunnerUsageError, AssertionFailure, type SourceLoc } from './errors.js';

// The embedded checker's parts, for callers that want them directly.
export { checkEmbedded, type EmbeddedOptions } from './embedded.js';
export { loadSpec, type LoadedSpec } from './syntax/loader.js';
export { parseConfig, type ModelConfig, type CfgValue } from './cfg/config.js';
export { buildModel, type CheckModel } from './check/model.js';
export { Explorer, type ExploreResult, type ExploreOptions, type Outcome, type TraceStep } from './check/explorer.js';
export { collisionProbability, formatProbability } from './check/fpset.js';

// Values.
export { printValue } from './values/print.js';
export { type Value, Str, ModelValue, SetValue, FcnValue, str, modelValue, setOf, tuple, record, eq, cmp } from './values/value.js';

// TLC's output.
export { parseTlcResult, splitTlcOutput, type TlcMessage } from './tlc/output-parser.js';
export { parseTlcValue, parseTlcState, TlcValueSyntaxError } from './tlc/value-parser.js';
export { runTlc, findJava, checkJar, tlcArguments, type TlcEnvironment } from './tlc/run-tlc.js';

// ITF.
export { readItf, decodeItfValue, itfToValue, valueToItf, traceToItf, itfTraceSchema, ItfError } from './itf/itf.js';
export type { ItfTrace, ItfState, ItfValue, ItfJson, ItfParam } from './itf/itf.js';
