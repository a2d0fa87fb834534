// Human-readable paging steps, results and failures, for failure reports,
// `capref replay` and `capref explain`.
import { formatCapref } from '../../spec/kernel/capref.js';
import type { PagingResult } from '../../spec/paging/address-space.js';
import type { PagingOp } from '../../spec/paging/ops.js';
import type { PagingExpectation } from '../../spec/paging/preconditions.js';
import { formatBytes, formatOp as formatKernelOp, formatResult as formatKernelResult, hex } from '../kernel/format.js';
import { formatCounterexample, type StepWording } from '../step-report.js';
import type { Failure } from '../trace.js';
import { pagingOpOf, type PagingStep, type PagingTrace } from './trace.js';

export function formatPagingOp(op: PagingOp): string {
  switch (op.op) {
    case 'reserve':
      return `reserve ${formatBytes(op.bytes)}${op.lazy === true ? ' lazily backed' : ''}${op.vaddr !== undefined ? ` at ${hex(op.vaddr)}` : ''}`;
    case 'map': {
      const part =
        op.bytes !== undefined || (op.offset ?? 0) !== 0
          ? ` (${op.bytes !== undefined ? formatBytes(op.bytes) : 'the rest'} from offset ${formatBytes(op.offset ?? 0)})`
          : '';
      return `map frame ${formatCapref(op.frame)}${part} ${op.vaddr !== undefined ? `at ${hex(op.vaddr)}` : 'at a free address'} rights=${op.rights.join('|') || 'none'}`;
    }
    case 'unmap':
      return `unmap the mapping at ${hex(op.vaddr)}`;
    case 'release':
      return `release the region at ${hex(op.vaddr)}`;
    case 'fault':
      return `page fault at ${hex(op.vaddr)}`;
    case 'frame_alloc':
      return `frame_alloc ${formatBytes(op.bytes)}`;
    case 'slot_alloc':
      return 'slot_alloc';
    case 'ram_free':
      return `ram_free ${formatCapref(op.cap)}`;
    case 'client':
      return `client: ${formatKernelOp(op.call)}`;
  }
}

export function formatPagingResult(op: PagingOp | undefined, r: PagingResult | PagingExpectation | undefined): string {
  if (r === undefined) return '(no result)';
  if (!r.ok) return `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;
  if (!('value' in r)) return 'ok';
  if (op?.op === 'client') return formatKernelResult(r as never);
  const v = r.value as { vaddr?: number; frame?: never; ram?: never; base?: number; bytes?: number; slot?: never };
  if (v.frame !== undefined) return `ok: Frame in ${formatCapref(v.frame)} (RAM in ${formatCapref(v.ram!)}), ${hex(v.base!)}+${formatBytes(v.bytes!)}`;
  if (v.slot !== undefined) return `ok: slot ${formatCapref(v.slot)}`;
  if (v.vaddr !== undefined) return `ok: ${hex(v.vaddr)}`;
  return 'ok';
}

export interface ReplayedPagingStep {
  readonly index: number;
  readonly model?: PagingResult;
  readonly impl?: PagingResult;
}

export const pagingWording: StepWording<PagingStep, PagingOp, PagingResult> = {
  opOf: pagingOpOf,
  op: formatPagingOp,
  result: formatPagingResult,
  doc: 'docs/paging.md',
};

export function formatPagingFailure(trace: PagingTrace, failure: Failure, replayed?: readonly ReplayedPagingStep[]): string {
  return formatCounterexample(pagingWording, trace, failure, replayed);
}
