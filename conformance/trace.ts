// The trace format every subsystem shares (DESIGN.md "Traces"): a JSON
// document with the format name and version, the subsystem, its
// configuration, the seed it was generated from, the steps, and — for a
// counterexample — what went wrong at which step. Plain JSON, replayable
// without fast-check, validated with zod on load; `capref schema trace`
// exports its JSON Schema for tools in other languages.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export const TRACE_FORMAT = 'capref-trace';
export const TRACE_VERSION = 1;

/** What was found at the failing step of a counterexample. */
export const failureSchema = z.strictObject({
  /** 0-based index of the failing step. */
  step: z.number().int().min(0),
  kind: z.enum(['divergence', 'spec-mismatch', 'invariant', 'postcondition', 'exception', 'recorded-mismatch']),
  message: z.string(),
  /** Invariant or postcondition ids violated, when kind is invariant or postcondition. */
  violated: z.array(z.string()).optional(),
  /** Field-level differences between model and impl observations, when kind is divergence. */
  diff: z
    .array(z.strictObject({ path: z.string(), model: z.unknown().optional(), impl: z.unknown().optional() }))
    .optional()
    .describe('an absent side means the field exists only on the other'),
});
export type Failure = z.infer<typeof failureSchema>;

/** How a trace came about: enough to regenerate it with the same command. */
export const originSchema = z.strictObject({
  command: z.string().describe('the command that generated this trace'),
  seed: z.number().int(),
  run: z.number().int().min(0).optional().describe('the index of the generated run that failed'),
  runs: z.number().int().min(1).optional(),
  steps: z.number().int().min(1).optional(),
  shrunkFrom: z.number().int().min(0).optional().describe('the length of the trace before shrinking'),
});

/** `originSchema` as the runners build it. */
export interface TraceOrigin {
  readonly command: string;
  readonly seed: number;
  readonly run?: number;
  readonly runs?: number;
  readonly steps?: number;
  readonly shrunkFrom?: number;
}

/**
 * A subsystem's trace as its runner builds and its replay reads it: what
 * `traceSchema(subsystem, config, step)` accepts, with the subsystem's own
 * configuration and step types.
 */
export interface CaprefTrace<Sub extends string, Config, Step> {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly subsystem: Sub;
  readonly config: Config;
  readonly impl?: { readonly mutant?: string };
  readonly origin?: TraceOrigin;
  readonly steps: readonly Step[];
  readonly failure?: Failure;
}

/** The operation of a step, without the result the trace recorded for it. */
export function opOfStep<Op>(step: Op & { readonly result?: unknown }): Op {
  const { result: _result, ...op } = step as Op & Record<string, unknown>;
  return op as unknown as Op;
}

export interface TraceSchemaOptions {
  /**
   * The implementation variants (mutants) a trace may name in `impl.mutant`.
   * Given, the field is an enum, so the exported JSON Schema lists them; an
   * unknown name is reported as such. Omitted, any string passes here.
   */
  readonly mutants?: readonly [string, ...string[]];
  /**
   * Whether `failure.step` may equal the number of steps: a failure found
   * outside every step (in the state before the first step, or in the runner
   * after the last). Otherwise it must be the index of one of the steps.
   */
  readonly failureAfterLastStep?: boolean;
}

export function traceSchema<C extends z.ZodType, S extends z.ZodType>(subsystem: string, config: C, step: S, options: TraceSchemaOptions = {}) {
  const mutants = options.mutants;
  const mutant =
    mutants === undefined
      ? z.string()
      : z.enum(mutants as [string, ...string[]], { error: (i) => `unknown ${subsystem} mutant ${JSON.stringify(i.input)}; known: ${mutants.join(', ')}` });
  return z
    .strictObject({
      format: z.literal(TRACE_FORMAT),
      version: z.literal(TRACE_VERSION),
      subsystem: z.literal(subsystem),
      config,
      /** Which implementation variant ran: a mutant name when a deliberately broken impl was tested. */
      impl: z.strictObject({ mutant: mutant.optional() }).optional(),
      origin: originSchema.optional(),
      steps: z.array(step),
      failure: failureSchema.optional(),
    })
    .superRefine(
      (t, ctx) => {
        // A failure names a step of this trace (or, where allowed, the end of it): replay and the reports point at it.
        if (t.failure === undefined) return;
        const n = t.steps.length;
        const last = options.failureAfterLastStep === true ? n : n - 1;
        if (t.failure.step > last)
          ctx.addIssue({
            code: 'custom',
            path: ['failure', 'step'],
            message:
              n === 0 && last < 0
                ? `step ${t.failure.step} of a trace without steps`
                : `step ${t.failure.step} is beyond the ${options.failureAfterLastStep === true ? `end of the trace (${n} steps; ${n} means after the last one)` : `last step of the trace (${n - 1})`}`,
          });
      },
      // Checked even when another field is bad, as long as the two it compares are well-formed.
      {
        when: (p) =>
          Array.isArray((p.value as { steps?: unknown } | undefined)?.steps) &&
          typeof (p.value as { failure?: { step?: unknown } } | undefined)?.failure?.step === 'number',
      },
    );
}

/** A problem with an input file: reported as one line per problem, with the JSON path of the field. */
export class TraceInputError extends Error {
  override readonly name = 'TraceInputError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

/** Renders a zod path like `steps[3].src.level`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Reads and validates a JSON file against a schema; every failure is a TraceInputError naming the field. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceInputError(file, [code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TraceInputError(file, [`invalid JSON: ${(e as Error).message}`]);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new TraceInputError(file, zodProblems(r.error));
  return r.data;
}

export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}
