// The UMP counterexample/replay trace: plain JSON, validated with zod on load,
// replayable without fast-check, in the envelope every capref subsystem shares
// (../trace.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MAX_PAYLOAD_BYTES, UMP_MAX_SLOTS, UmpStepSchema } from '../../spec/ump/index.js';
import { UMP_MUTANTS, type UmpMutant } from '../../impl/ump/index.js';
import { traceSchema } from '../trace.js';

export const UmpTraceConfigSchema = z
  .object({
    slots: z.number().int().min(1).max(UMP_MAX_SLOTS),
    payloadBytes: z.number().int().min(4).max(MAX_PAYLOAD_BYTES).multipleOf(4),
    /** Bounded so that a trace file cannot make the driver allocate without limit. */
    maxMessageBytes: z
      .number()
      .int()
      .min(0)
      .max(1 << 20),
  })
  .strict()
  .refine((c) => c.maxMessageBytes >= c.payloadBytes, { message: 'maxMessageBytes must be at least payloadBytes', path: ['maxMessageBytes'] });
export type UmpTraceConfig = z.infer<typeof UmpTraceConfigSchema>;

// The shared envelope (../trace.ts): where the trace came from in `origin`,
// the implementation variant in `impl.mutant` (one of UMP_MUTANTS, listed in
// the JSON Schema), and what failed in `failure` (an invariant's id in
// `violated`; `step` is the index of one of the steps).
export const UmpTraceSchema = traceSchema('ump', UmpTraceConfigSchema, UmpStepSchema, { mutants: UMP_MUTANTS });
export type UmpTrace = z.infer<typeof UmpTraceSchema>;

/** The trace's impl mutant, typed. */
export const traceMutant = (t: UmpTrace): UmpMutant | undefined => t.impl?.mutant as UmpMutant | undefined;

/** JSON Schema of the trace format, for tools in other languages. */
export function umpTraceJsonSchema(): unknown {
  return z.toJSONSchema(UmpTraceSchema, { io: 'input', unrepresentable: 'any' });
}

/** A zod error as lines naming the JSON path of each bad field. */
export function formatUmpTraceIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : `${acc}.${String(seg)}`), '$');
    return `${path}: ${i.message}`;
  });
}

export type UmpParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: string[] };

/** Validates a parsed JSON value as a UMP trace. */
export function parseUmpTrace(value: unknown): UmpParseResult<UmpTrace> {
  const r = UmpTraceSchema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: formatUmpTraceIssues(r.error) };
}

/** Reads and validates a trace file; never throws for a missing file, bad JSON or a schema violation. */
export function loadUmpTrace(path: string): UmpParseResult<UmpTrace> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${path} is not valid JSON: ${(e as Error).message}`] };
  }
  return parseUmpTrace(json);
}

export function writeUmpTrace(path: string, trace: UmpTrace): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(trace, null, 2) + '\n');
}
