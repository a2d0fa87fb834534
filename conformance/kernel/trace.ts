// The kernel trace: the shared envelope (../trace.ts) with the kernel's
// configuration and its operations as steps. A step is an operation and,
// once run, the result the reference (the model) returned.
import { z } from 'zod';
import { isKernelMutant, kernelMutants } from '../../impl/kernel/mutants.js';
import { kernelConfigSchema, type KernelConfig } from '../../spec/kernel/config.js';
import { argNames, kernelErrorSchema } from '../../spec/kernel/errors.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import { kernelOpSchemas, type KernelOp } from '../../spec/kernel/ops.js';
import { opOfStep, traceSchema, type CaprefTrace } from '../trace.js';

export const kernelResultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: kernelErrorSchema, arg: z.enum(argNames).optional() }),
]);

const stepSchemas = kernelOpSchemas.map((s) => s.extend({ result: kernelResultSchema.optional() }));
export const kernelStepSchema = z.discriminatedUnion('op', stepSchemas as unknown as [(typeof stepSchemas)[0], ...(typeof stepSchemas)[number][]]);

// A mutant the impl does not have is a bad field of the file, not a crash when the impl is built.
export const kernelTraceSchema = traceSchema('kernel', kernelConfigSchema, kernelStepSchema, { failureAfterLastStep: true }).superRefine((t, ctx) => {
  const m = t.impl?.mutant;
  if (m !== undefined && !isKernelMutant(m))
    ctx.addIssue({ code: 'custom', path: ['impl', 'mutant'], message: `unknown kernel mutant "${m}"; known: ${kernelMutants.map((k) => k.name).join(', ')}` });
});

export type KernelStep = KernelOp & { readonly result?: KernelResult };

export type KernelTrace = CaprefTrace<'kernel', KernelConfig, KernelStep>;

/** The operation of a step, without its recorded result. */
export const opOf = (step: KernelStep): KernelOp => opOfStep<KernelOp>(step);
