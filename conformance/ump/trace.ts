// The UMP counterexample/replay trace: plain JSON, validated with zod on load,
// replayable without fast-check. It uses the envelope every capref subsystem
// shares ({ format: "capref-trace", version: 1, subsystem, seed, config,
// steps }), so it can move onto the shared trace module unchanged.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MAX_PAYLOAD_BYTES, UMP_MAX_SLOTS, UmpStepSchema } from '../../spec/ump/index.js';
import { UMP_MUTANTS } from '../../impl/ump/index.js';

export const UmpTraceConfigSchema = z
  .object({
    slots: z.number().int().min(1).max(UMP_MAX_SLOTS),
    payloadBytes: z.number().int().min(4).max(MAX_PAYLOAD_BYTES).multipleOf(4),
    /** Bounded so that a trace file cannot make the driver allocate without limit. */
    maxMessageBytes: z.number().int().min(0).max(1 << 20),
  })
  .strict()
  .refine((c) => c.maxMessageBytes >= c.payloadBytes, { message: 'maxMessageBytes must be at least payloadBytes', path: ['maxMessageBytes'] });
export type UmpTraceConfig = z.infer<typeof UmpTraceConfigSchema>;

export const UmpCounterexampleSchema = z
  .object({
    /** Index into steps of the step at which the check failed. */
    step: z.number().int().min(0),
    /** The invariant or rule id (spec/ump/invariants.ts), or a harness-level kind. */
    check: z.string(),
    message: z.string(),
    /** Field-level differences between model and implementation, one per line. */
    diff: z.array(z.string()),
  })
  .strict();
export type UmpCounterexample = z.infer<typeof UmpCounterexampleSchema>;

export const UmpTraceSchema = z
  .object({
    format: z.literal('capref-trace'),
    version: z.literal(1),
    subsystem: z.literal('ump'),
    /** The fast-check seed the trace was generated from (null for a hand-written or imported trace). */
    seed: z.number().int().nullable(),
    config: UmpTraceConfigSchema,
    /** The implementation variant the trace was found against: a mutant's name, or absent for the real one. */
    mutant: z.enum(UMP_MUTANTS).optional(),
    steps: z.array(UmpStepSchema),
    counterexample: UmpCounterexampleSchema.optional(),
  })
  .strict();
export type UmpTrace = z.infer<typeof UmpTraceSchema>;

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
