import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { traceSchema, zodProblems } from '../../conformance/trace.js';
import { traceHandlers } from '../../conformance/traces.js';
import { UmpTraceSchema } from '../../conformance/ump/index.js';
import { UMP_MUTANTS } from '../../impl/ump/index.js';

const toy = traceSchema('toy', z.strictObject({}), z.strictObject({ n: z.number() }));
const toyAfter = traceSchema('toy', z.strictObject({}), z.strictObject({ n: z.number() }), { failureAfterLastStep: true });
const envelope = (steps: number, failStep: number) => ({
  format: 'capref-trace',
  version: 1,
  subsystem: 'toy',
  config: {},
  steps: Array.from({ length: steps }, (_, n) => ({ n })),
  failure: { step: failStep, kind: 'divergence', message: 'x' },
});
const problems = (schema: z.ZodType, v: unknown) => {
  const r = schema.safeParse(v);
  return r.success ? [] : zodProblems(r.error);
};

describe('the shared trace envelope (conformance/trace.ts)', () => {
  it('failure.step must name one of the steps', () => {
    expect(problems(toy, envelope(3, 2))).toEqual([]);
    expect(problems(toy, envelope(3, 3))).toEqual(['failure.step: step 3 is beyond the last step of the trace (2)']);
    expect(problems(toy, envelope(3, 7))).toEqual(['failure.step: step 7 is beyond the last step of the trace (2)']);
    expect(problems(toy, envelope(0, 0))).toEqual(['failure.step: step 0 of a trace without steps']);
  });

  it('or, where a subsystem can fail outside every step (boot state, the runner), the end of the trace', () => {
    expect(problems(toyAfter, envelope(3, 3))).toEqual([]);
    expect(problems(toyAfter, envelope(0, 0))).toEqual([]);
    expect(problems(toyAfter, envelope(3, 4))).toEqual(['failure.step: step 4 is beyond the end of the trace (3 steps; 3 means after the last one)']);
  });

  it("every subsystem's trace schema applies the rule", () => {
    for (const [name, h] of Object.entries(traceHandlers)) {
      const bad = { format: 'capref-trace', version: 1, subsystem: name, steps: [], failure: { step: 5, kind: 'divergence', message: 'x' } };
      const r = h.schema.safeParse(bad);
      expect(r.success).toBe(false);
      if (!r.success) expect(zodProblems(r.error).some((p) => p.startsWith('failure.step: step 5'))).toBe(true);
    }
  });

  it('a subsystem that lists its mutants gets an enum in the JSON Schema and a plain message for an unknown one', () => {
    const json = z.toJSONSchema(UmpTraceSchema, { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { impl: { properties: { mutant: { enum: string[] } } } };
    };
    expect(json.properties.impl.properties.mutant.enum).toEqual([...UMP_MUTANTS]);
    const r = UmpTraceSchema.safeParse({
      format: 'capref-trace',
      version: 1,
      subsystem: 'ump',
      config: { slots: 1, payloadBytes: 8, maxMessageBytes: 8 },
      impl: { mutant: 'nope' },
      steps: [],
    });
    expect(r.success).toBe(false);
    if (!r.success) expect(zodProblems(r.error)).toEqual([`impl.mutant: unknown ump mutant "nope"; known: ${UMP_MUTANTS.join(', ')}`]);
  });
});
