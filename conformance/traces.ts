// Trace files of every subsystem: how to validate, replay and explain each.
// `capref replay` and `capref explain` look at a file's `subsystem` field and
// hand it to the matching entry.
import { z } from 'zod';
import { explainKernelTrace } from './kernel/explain.js';
import { defaultKernelFactories } from './kernel/kernels.js';
import { replayKernelTrace } from './kernel/replay.js';
import { kernelWording } from './kernel/report.js';
import { kernelTraceSchema, type KernelTrace } from './kernel/trace.js';
import { replayOutcome } from './step-report.js';
import { readJsonFile, TraceInputError, zodProblems } from './trace.js';
import { looksLikeItf } from './itf/bridge.js';
import { bridgeItfDocument } from './itf/registry.js';
import { mmTraceHandler } from './mm/handler.js';
import { pagingTraceHandler } from './paging/replay.js';
import { umpTraceHandler } from './ump/handler.js';

export interface ReplayOutcome {
  readonly passed: boolean;
  /** One line per step that ran. */
  readonly lines: readonly string[];
  /** The failure report, when a step failed; notes on a passing replay (printed before the summary line). */
  readonly report?: string;
}

export interface TraceHandler {
  readonly schema: z.ZodType;
  readonly replay: (trace: unknown) => ReplayOutcome;
  readonly explain: (trace: unknown) => string;
}

export const traceHandlers: Readonly<Record<string, TraceHandler>> = {
  mm: mmTraceHandler,
  paging: pagingTraceHandler,
  ump: umpTraceHandler,
  kernel: {
    schema: kernelTraceSchema,
    replay: (t) => replayOutcome(kernelWording, t as KernelTrace, replayKernelTrace(t as KernelTrace, defaultKernelFactories)),
    explain: (t) => explainKernelTrace(t as KernelTrace, defaultKernelFactories.model),
  },
};

/** The JSON Schema of trace files: one alternative per subsystem. */
export function traceJsonSchema(subsystem?: string): unknown {
  const schemas = Object.entries(traceHandlers)
    .filter(([name]) => subsystem === undefined || name === subsystem)
    .map(([, h]) => h.schema);
  const schema = schemas.length === 1 ? schemas[0]! : z.union(schemas as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return { ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object), title: 'capref trace' };
}

/**
 * Reads a trace file of any subsystem; errors name the file and the JSON path
 * of each bad field. An ITF file (a TLA+ trace) of a model with a trace bridge
 * is bridged to its subsystem's trace (itf/registry.ts); `about` then says
 * which model and which steps.
 */
export function readTrace(file: string): { handler: TraceHandler; trace: unknown; about?: readonly string[] } {
  const json = readJsonFile(file, z.unknown());
  if (looksLikeItf(json)) return bridgeItfDocument(file, json);
  const head = validate(file, json, z.looseObject({ subsystem: z.string() }));
  const handler = traceHandlers[head.subsystem];
  if (handler === undefined)
    throw new TraceInputError(file, [`subsystem: unknown subsystem "${head.subsystem}"; known: ${Object.keys(traceHandlers).join(', ')}`]);
  return { handler, trace: validate(file, json, handler.schema) };
}

function validate<S extends z.ZodType>(file: string, json: unknown, schema: S): z.output<S> {
  const r = schema.safeParse(json);
  if (!r.success) throw new TraceInputError(file, zodProblems(r.error));
  return r.data;
}
