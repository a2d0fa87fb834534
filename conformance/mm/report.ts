// What a user sees when mm conformance finds a counterexample: the failing
// steps with both results, the field-level diff, the violated invariants
// (../step-report.ts).
import type { MmResult } from '../../spec/mm/mm.js';
import type { MmOp } from '../../spec/mm/ops.js';
import { formatCounterexample, type StepWording } from '../step-report.js';
import type { Failure } from '../trace.js';
import { formatMmOp, formatMmResult } from './format.js';
import type { MmReplayedStep } from './replay.js';
import { mmOpOf, type MmStep, type MmTrace } from './trace.js';

export const mmWording: StepWording<MmStep, MmOp, MmResult> = { opOf: mmOpOf, op: formatMmOp, result: formatMmResult, doc: 'docs/mm.md' };

export function formatMmFailure(trace: MmTrace, failure: Failure, replayed?: readonly MmReplayedStep[]): string {
  return formatCounterexample(mmWording, trace, failure, replayed);
}
