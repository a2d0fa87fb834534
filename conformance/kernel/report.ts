// What a user sees when the kernel conformance finds a counterexample: the
// failing steps with both results, the field-level diff, the violated
// invariants (../step-report.ts), and the commands that reproduce it.
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp } from '../../spec/kernel/ops.js';
import { formatCounterexample, type StepWording } from '../step-report.js';
import type { Failure } from '../trace.js';
import { formatOp, formatResult } from './format.js';
import type { ReplayedStep } from './replay.js';
import { opOf, type KernelStep, type KernelTrace } from './trace.js';

export const kernelWording: StepWording<KernelStep, KernelOp, KernelResult> = {
  opOf,
  op: formatOp,
  result: (_op, r) => formatResult(r),
  doc: 'docs/kernel-reference.md',
};

export function formatFailure(trace: KernelTrace, failure: Failure, replayed?: readonly ReplayedStep[]): string {
  return formatCounterexample(kernelWording, trace, failure, replayed);
}
