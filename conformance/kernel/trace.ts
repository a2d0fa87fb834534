// The kernel trace: the shared envelope (../trace.ts) with the kernel's
// configuration and its operations as steps. A step is an operation and,
// once run, the result the reference (the model) returned.
import { z } from 'zod';
import { isKernelMutant, kernelMutants } from '../../impl/kernel/mutants.js';
import { kernelConfigSchema, type KernelConfig } from '../../spec/kernel/config.js';
import { argNames, kernelErrorSchema } from '../../spec/kernel/errors.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import { kernelOpSchemas, type KernelOp } from '../../spec/kernel/ops.js';
import { traceSchema, type Failure } from '../trace.js';

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

export interface KernelTrace {
  readonly format: 'capref-trace';
  readonly version: 1;
  readonly subsystem: 'kernel';
  readonly config: KernelConfig;
  readonly impl?: { readonly mutant?: string };
  readonly origin?: {
    readonly command: string;
    readonly seed: number;
    readonly run?: number;
    readonly runs?: number;
    readonly steps?: number;
    readonly shrunkFrom?: number;
  };
  readonly steps: readonly KernelStep[];
  readonly failure?: Failure;
}

/** The operation of a step, without its recorded result. */
export function opOf(step: KernelStep): KernelOp {
  const { result: _result, ...op } = step as KernelStep & Record<string, unknown>;
  return op as unknown as KernelOp;
}
