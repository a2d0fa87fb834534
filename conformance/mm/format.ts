// Human-readable forms of mm steps and results, for failure reports,
// `capref replay` and `capref explain` of mm traces.
import { formatCapref } from '../../spec/kernel/capref.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { Region } from '../../spec/kernel/state.js';
import type { MmResult } from '../../spec/mm/mm.js';
import type { MmOp, RamGrant } from '../../spec/mm/ops.js';
import type { MmExpectation } from '../../spec/mm/preconditions.js';
import { formatBytes, formatOp, formatResult, hex } from '../kernel/format.js';

const region = (r: Region) => `${hex(r.base)}+${formatBytes(r.bytes)}`;
const grant = (g: RamGrant) => `${region(g)} in ${formatCapref(g.cap)}`;

export function formatMmOp(op: MmOp): string {
  switch (op.op) {
    case 'add':
      return `add ${formatCapref(op.cap)}`;
    case 'alloc':
      return `alloc ${formatBytes(op.bytes)}${op.alignment !== undefined ? ` aligned ${formatBytes(op.alignment)}` : ''}${op.range !== undefined ? ` within [${hex(op.range.base)}, ${hex(op.range.limit)})` : ''}`;
    case 'free':
      return `free ${formatCapref(op.cap)}${op.range !== undefined ? ` part ${region(op.range)}` : ''}`;
    case 'reclaim':
      return `reclaim ${hex(op.base)}`;
    case 'slot_alloc':
      return 'slot_alloc';
    case 'slot_free':
      return `slot_free ${formatCapref(op.slot)}`;
    case 'client':
      return `client: ${formatOp(op.call)}`;
  }
}

export function formatMmResult(op: MmOp, r: MmResult | MmExpectation | undefined): string {
  if (r === undefined) return '(no result)';
  if (!r.ok) return `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;
  if (!('value' in r) || r.value === undefined) return 'ok';
  switch (op.op) {
    case 'add':
    case 'reclaim':
      return `ok: ${region(r.value as Region)}`;
    case 'alloc':
      return `ok: ${grant(r.value as RamGrant)}`;
    case 'free': {
      const rem = (r.value as { remainders: RamGrant[] }).remainders;
      return rem.length === 0 ? 'ok' : `ok: keeps ${rem.map(grant).join(', ')}`;
    }
    case 'slot_alloc':
      return `ok: ${formatCapref((r.value as { slot: Parameters<typeof formatCapref>[0] }).slot)}`;
    case 'slot_free':
      return 'ok';
    case 'client':
      return formatResult(r as KernelResult);
  }
}
