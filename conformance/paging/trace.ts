// The paging trace: the shared envelope (../trace.ts) with the paging
// configuration and the paging steps. A step is an operation and, once run,
// the result the reference (the model stack) returned.
import { z } from 'zod';
import { isPagingMutant, pagingMutantNames } from '../../impl/paging/mutants.js';
import { argNames, kernelErrors } from '../../spec/kernel/errors.js';
import { mmArgNames, mmErrors } from '../../spec/mm/errors.js';
import type { PagingResult } from '../../spec/paging/address-space.js';
import { pagingConfigSchema, type PagingConfig } from '../../spec/paging/config.js';
import { pagingArgNames, pagingErrors, type PagingAnyError } from '../../spec/paging/errors.js';
import { pagingOpSchemas, type PagingOp } from '../../spec/paging/ops.js';
import { opOfStep, traceSchema, type CaprefTrace } from '../trace.js';

const allErrors = [...Object.keys(pagingErrors), ...Object.keys(mmErrors), ...Object.keys(kernelErrors)] as [PagingAnyError, ...PagingAnyError[]];
const allArgs = [...new Set<string>([...pagingArgNames, ...mmArgNames, ...argNames])] as [string, ...string[]];

export const pagingResultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.enum(allErrors), arg: z.enum(allArgs).optional() }),
]);

const stepSchemas = pagingOpSchemas.map((s) => s.extend({ result: pagingResultSchema.optional() }));
export const pagingStepSchema = z.discriminatedUnion('op', stepSchemas as unknown as [(typeof stepSchemas)[0], ...(typeof stepSchemas)[number][]]);

// A mutant the impl does not have is a bad field of the file, not a crash when the impl is built.
export const pagingTraceSchema = traceSchema('paging', pagingConfigSchema, pagingStepSchema, { failureAfterLastStep: true }).superRefine((t, ctx) => {
  const m = t.impl?.mutant;
  if (m !== undefined && !isPagingMutant(m))
    ctx.addIssue({ code: 'custom', path: ['impl', 'mutant'], message: `unknown paging mutant "${m}"; known: ${pagingMutantNames.join(', ')}` });
});

export type PagingStep = PagingOp & { readonly result?: PagingResult };

export type PagingTrace = CaprefTrace<'paging', PagingConfig, PagingStep>;

/** The operation of a step, without its recorded result. */
export const pagingOpOf = (step: PagingStep): PagingOp => opOfStep<PagingOp>(step);
