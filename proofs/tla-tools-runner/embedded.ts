// The embedded engine: load, compile, explore, and describe the outcome as TLC would.
import { readFile } from 'node:fs/promises';
import { parseConfig } from './cfg/config.js';
import { Explorer, type Outcome, type TraceStep } from './check/explorer.js';
import { collisionProbability, formatProbability } from './check/fpset.js';
import { buildModel, type CheckModel } from './check/model.js';
import { TlaError, tlcSpan } from './errors.js';
import type { CheckResult, TraceState } from './result.js';
import { loadSpec } from './syntax/loader.js';
import { printValue } from './values/print.js';
import { EXIT } from './exit-codes.js';

export interface EmbeddedOptions {
  readonly specPath: string;
  readonly configPath: string;
  readonly maxStates?: number;
  /** Check the safety part of a model that also has temporal PROPERTYs. */
  readonly ignoreProperties?: boolean;
  readonly notes?: readonly string[];
  /** Print/PrintT output, as it happens. */
  readonly onPrint?: (line: string) => void;
  readonly onProgress?: (line: string) => void;
  readonly progressEveryMs?: number;
}

function label(step: TraceStep): string {
  const a = step.action!;
  const args = a.args.length === 0 ? '' : `(${a.args.map(printValue).join(', ')})`;
  return `${a.name}${args} ${tlcSpan(a.loc)}`;
}

function traceStates(trace: readonly TraceStep[], m: CheckModel, nextLabel: string): TraceState[] {
  return trace.map((s, i) => ({
    index: i + 1,
    label: i === 0 ? 'Initial predicate' : s.action === null ? nextLabel : label(s),
    action: i === 0 ? null : (s.action?.name ?? m.next.name),
    values: s.state,
  }));
}

function errorMessage(e: TlaError): string {
  return e.loc === undefined ? e.bare : `${e.bare}\n  at ${tlcSpan(e.loc)} (${e.loc.file}:${e.loc.line}:${e.loc.col})`;
}

export async function checkEmbedded(opts: EmbeddedOptions): Promise<CheckResult> {
  const t0 = performance.now();
  const notes = [...(opts.notes ?? [])];
  const printed: string[] = [];
  const failure = (e: TlaError, variables: readonly string[] = []): CheckResult => ({
    engine: 'embedded',
    kind: 'error',
    exitCode: e.exitCode,
    variables,
    statesGenerated: null,
    distinctStates: null,
    statesLeftOnQueue: null,
    depth: null,
    initialStates: null,
    trace: [],
    message: errorMessage(e),
    durationMs: performance.now() - t0,
    notes,
    printed,
  });

  let model: CheckModel;
  try {
    const spec = await loadSpec(opts.specPath);
    const cfg = parseConfig(await readFile(opts.configPath, 'utf8'), opts.configPath);
    model = buildModel(spec, cfg, { ignoreProperties: opts.ignoreProperties === true });
  } catch (e) {
    if (e instanceof TlaError) return failure(e);
    throw e;
  }
  notes.push(...model.notes);
  model.rt.print = (line) => {
    printed.push(line);
    opts.onPrint?.(line);
  };
  const explorer = new Explorer(model);
  const r = explorer.run({
    ...(opts.maxStates !== undefined && { maxStates: opts.maxStates }),
    ...(opts.onProgress !== undefined && {
      onProgress: (p) =>
        opts.onProgress!(`Progress(${p.depth}): ${p.generated} states generated, ${p.distinct} distinct states found, ${p.queue} states left on queue.`),
    }),
    progressEveryMs: opts.progressEveryMs ?? 60_000,
  });
  const nextLabel = `${model.next.name} ${tlcSpan(model.next.loc)}`;
  const base = {
    engine: 'embedded' as const,
    variables: model.variables,
    statesGenerated: r.generated,
    distinctStates: r.distinct,
    statesLeftOnQueue: r.queueLeft,
    depth: r.depth,
    initialStates: r.initialDistinct,
    durationMs: performance.now() - t0,
    notes,
    printed,
  };
  const o: Outcome = r.outcome;
  switch (o.kind) {
    case 'ok':
      return {
        ...base,
        kind: 'success',
        exitCode: EXIT.SUCCESS,
        trace: [],
        collisionProbability: formatProbability(collisionProbability(r.distinct, r.generated)),
      };
    case 'invariant': {
      const trace = traceStates(o.trace, model, nextLabel);
      return {
        ...base,
        kind: 'invariant',
        exitCode: EXIT.SAFETY,
        violatedInvariant: o.invariant,
        trace,
        depth: Math.max(r.depth, trace.length),
        ...(o.initial && { initialStateViolation: true, statesGenerated: null, distinctStates: null, statesLeftOnQueue: null, depth: null, initialStates: null }),
      };
    }
    case 'deadlock': {
      const trace = traceStates(o.trace, model, nextLabel);
      return { ...base, kind: 'deadlock', exitCode: EXIT.DEADLOCK, trace, depth: Math.max(r.depth, trace.length) };
    }
    case 'assumption':
      return {
        ...base,
        kind: 'assumption',
        exitCode: EXIT.ASSUMPTION,
        trace: [],
        message: `Assumption ${tlcSpan(o.loc)} is false.`,
        statesGenerated: null,
        distinctStates: null,
        statesLeftOnQueue: null,
        depth: null,
        initialStates: null,
      };
    case 'error':
      return {
        ...base,
        kind: 'error',
        exitCode: o.error.exitCode,
        trace: traceStates(o.trace, model, nextLabel),
        message: errorMessage(o.error),
      };
    case 'limit':
      return {
        ...base,
        kind: 'limit',
        exitCode: EXIT.STATE_SPACE_TOO_LARGE,
        trace: [],
        message: `stopped after ${o.limit} distinct states (--max-states)`,
      };
  }
}
