// The mm trace: the shared envelope (../trace.ts) with the manager's
// configuration (platform and parameters) and mm operations as steps; a step
// is an operation and, once run, the result the reference returned.
import { z } from 'zod';
import { isMmMutant, mmMutantNames } from '../../impl/mm/mutants.js';
import { argNames, kernelErrorSchema } from '../../spec/kernel/errors.js';
import { mmConfigSchema, type MmConfig } from '../../spec/mm/config.js';
import { mmArgNames, mmErrorSchema } from '../../spec/mm/errors.js';
import type { MmResult } from '../../spec/mm/mm.js';
import { mmOpSchemas, type MmOp } from '../../spec/mm/ops.js';
import { opOfStep, traceSchema, type CaprefTrace } from '../trace.js';

export const mmResultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.union([mmErrorSchema, kernelErrorSchema]), arg: z.enum([...mmArgNames, ...argNames]).optional() }),
]);

const stepSchemas = mmOpSchemas.map((s) => s.extend({ result: mmResultSchema.optional() }));
export const mmStepSchema = z.discriminatedUnion('op', stepSchemas as unknown as [(typeof stepSchemas)[0], ...(typeof stepSchemas)[number][]]);

// A mutant the impl does not have is a bad field of the file, not a crash when the impl is built.
export const mmTraceSchema = traceSchema('mm', mmConfigSchema, mmStepSchema).superRefine((t, ctx) => {
  const m = t.impl?.mutant;
  if (m !== undefined && !isMmMutant(m))
    ctx.addIssue({ code: 'custom', path: ['impl', 'mutant'], message: `unknown mm mutant "${m}"; known: ${mmMutantNames.join(', ')}` });
});

export type MmStep = MmOp & { readonly result?: MmResult };

export type MmTrace = CaprefTrace<'mm', MmConfig, MmStep>;

/** The operation of a step, without its recorded result. */
export const mmOpOf = (step: MmStep): MmOp => opOfStep<MmOp>(step);
