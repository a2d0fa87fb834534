// checkSpec: the one entry point. Picks the engine (TLC when TLA2TOOLS_JAR and java are there,
// else the embedded checker, saying so), runs it, and writes a counterexample as ITF on request.
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type CfgValue, parseConfig } from './cfg/config.js';
import { checkEmbedded } from './embedded.js';
import { RunnerUsageError, TlaError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { type ItfJson, type ItfParam, modelNameToItf, traceToItf } from './itf/itf.js';
import type { CheckResult, Engine } from './result.js';
import { parseTlcResult } from './tlc/output-parser.js';
import { checkJar, findJava, runTlc, type TlcEnvironment } from './tlc/run-tlc.js';

export type EngineChoice = 'auto' | 'tlc' | 'embedded';

export interface CheckSpecOptions {
  readonly specPath: string;
  /** Defaults to the spec's path with .cfg instead of .tla. */
  readonly configPath?: string;
  readonly engine?: EngineChoice;
  /** TLC's -workers; the embedded checker always runs one worker (and says so). */
  readonly workers?: number;
  /** Embedded checker only: stop after this many distinct states (result kind 'limit'). */
  readonly maxStates?: number;
  /** Embedded checker only: check the safety part of a model with temporal PROPERTYs. */
  readonly ignoreProperties?: boolean;
  /** Write a counterexample (if any) here as ITF JSON. */
  readonly itfPath?: string;
  /** Where TLA2TOOLS_JAR, JAVA_HOME and PATH come from (default: process.env). */
  readonly env?: TlcEnvironment;
  /** Progress and Print output while the check runs. */
  readonly onLine?: (line: string) => void;
}

/** The engine that runs cannot be used: TLC was asked for but java or the jar is missing or broken. */
export class EngineUnavailableError extends TlaError {
  override name = 'EngineUnavailableError';
  constructor(message: string) {
    super(message, EXIT.SYSTEM_ERROR);
  }
}

export interface EngineDecision {
  readonly engine: Engine;
  readonly java?: string;
  readonly jar?: string;
  /** One line for the user when `auto` fell back to the embedded checker. */
  readonly note?: string;
}

/**
 * auto: TLC if TLA2TOOLS_JAR names a jar and java is found, else the embedded checker with a note
 * saying why. tlc: TLC or an EngineUnavailableError (exit code 153, TLC's "system error") naming
 * the problem. embedded: the embedded checker.
 */
export async function resolveEngine(choice: EngineChoice, env: TlcEnvironment): Promise<EngineDecision> {
  if (choice === 'embedded') return { engine: 'embedded' };
  const jar = env.TLA2TOOLS_JAR;
  const jarProblem = jar === undefined || jar === '' ? 'TLA2TOOLS_JAR not set' : await checkJar(jar);
  const java = jarProblem === null ? await findJava(env) : null;
  const problem = jarProblem ?? (java === null ? 'java not found (looked in $JAVA_HOME/bin and on PATH)' : null);
  if (problem === null) return { engine: 'tlc', java: java!, jar: jar! };
  if (choice === 'tlc') throw new EngineUnavailableError(`--engine tlc: ${problem}`);
  return { engine: 'embedded', note: `${problem}; using the embedded checker` };
}

async function mustRead(path: string, what: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new RunnerUsageError(`cannot read the ${what} ${path}`);
  }
}

export function defaultConfigPath(specPath: string): string {
  return specPath.replace(/\.tla$/, '') + '.cfg';
}

export async function checkSpec(opts: CheckSpecOptions): Promise<CheckResult> {
  if (!opts.specPath.endsWith('.tla')) throw new RunnerUsageError(`the spec must be a .tla file: ${opts.specPath}`);
  await mustRead(opts.specPath, 'spec file');
  const configPath = opts.configPath ?? defaultConfigPath(opts.specPath);
  await mustRead(configPath, 'model configuration file');
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RunnerUsageError(`--workers must be a positive integer, not ${workers}`);
  const env = opts.env ?? process.env;
  const decision = await resolveEngine(opts.engine ?? 'auto', env);
  const notes: string[] = [];
  if (decision.note !== undefined) notes.push(decision.note);

  let result: CheckResult;
  if (decision.engine === 'tlc') {
    const run = await runTlc({
      java: decision.java!,
      jar: decision.jar!,
      specPath: opts.specPath,
      configPath,
      workers,
      ...(opts.onLine !== undefined && {
        onLine: (line: string) => {
          if (line.startsWith('Progress(')) opts.onLine!(line);
        },
      }),
    });
    if (!run.output.includes('@!@!@STARTMSG')) {
      // TLC never started (a jar without tlc2.TLC, a JVM that cannot run it).
      throw new EngineUnavailableError(`TLC did not start (${run.command.slice(0, 4).join(' ')} ... exited with ${run.exitCode}):\n${run.output.trim()}`);
    }
    result = parseTlcResult(run.output, run.exitCode, run.durationMs, notes);
  } else {
    if (workers > 1) notes.push(`the embedded checker runs one worker (--workers ${workers} applies to TLC only)`);
    result = await checkEmbedded({
      specPath: opts.specPath,
      configPath,
      notes,
      ...(opts.maxStates !== undefined && { maxStates: opts.maxStates }),
      ...(opts.ignoreProperties === true && { ignoreProperties: true }),
      ...(opts.onLine !== undefined && { onPrint: opts.onLine, onProgress: opts.onLine }),
    });
  }
  if (opts.itfPath !== undefined && result.trace.length > 0) await writeItf(opts.itfPath, result, opts.specPath, configPath);
  return result;
}

function cfgValueToItf(v: CfgValue): ItfJson {
  switch (v.k) {
    case 'int':
    case 'str':
    case 'bool':
      return v.v;
    case 'model':
      return modelNameToItf(v.name);
    case 'set':
      return { '#set': v.elems.map(cfgValueToItf) };
  }
}

/**
 * The root module's constants that the configuration gives a value (`N = 3`), as ITF parameters.
 * Overrides (`Op <- Def`) and constants of instantiated modules (`N = [M]3`) are not values of
 * the root module and are left out; so is everything when the configuration cannot be read (the
 * trace is still a valid ITF trace, only without `params`).
 */
async function configParams(configPath: string): Promise<ItfParam[]> {
  try {
    const cfg = parseConfig(await readFile(configPath, 'utf8'), configPath);
    return cfg.constants.filter((c) => c.module === undefined).map((c) => ({ name: c.name, value: cfgValueToItf(c.value) }));
  } catch {
    return [];
  }
}

/**
 * Writes the result's trace as ITF JSON (https://apalache-mc.org/docs/adr/015adr-trace.html).
 * `#meta` names the spec file (`source`), its root module (`module`: TLA+ requires the file to be
 * named after it) and the configuration (`config`), so that a reader can tell which model the
 * trace belongs to; the configuration's constants become the trace's `params`.
 */
export async function writeItf(path: string, result: CheckResult, source: string, configPath?: string): Promise<void> {
  const itf = traceToItf({
    variables: result.variables,
    states: result.trace.map((s) => ({ values: s.values, action: s.action ?? (s.index === 1 ? 'Init' : undefined) })),
    params: configPath === undefined ? [] : await configParams(configPath),
    meta: {
      source,
      module: basename(source).replace(/\.tla$/, ''),
      ...(configPath !== undefined && { config: configPath }),
      description: `Created by tla-tools-runner (${result.engine} engine)`,
      result: result.kind,
      ...(result.violatedInvariant !== undefined && { invariant: result.violatedInvariant }),
      ...(result.loopBackTo !== undefined && { loopBackTo: result.loopBackTo }),
    },
  });
  if (result.loopBackTo !== undefined) itf['loop'] = result.loopBackTo - 1;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(itf, null, 2)}\n`);
}
