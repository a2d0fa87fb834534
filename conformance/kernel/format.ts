// Human-readable forms of operations, results and capabilities, for failure
// reports, `capref replay` and `capref explain`.
import { formatCapref } from '../../spec/kernel/capref.js';
import type { KernelResult } from '../../spec/kernel/kernel.js';
import type { KernelOp, RemovalValue } from '../../spec/kernel/ops.js';
import type { Expectation } from '../../spec/kernel/preconditions/index.js';
import { isMappingCap, type Capability } from '../../spec/kernel/state.js';

export const hex = (n: number): string => `0x${n.toString(16)}`;

const byteUnits: readonly [number, string][] = [
  [2 ** 60, 'EiB'],
  [2 ** 50, 'PiB'],
  [2 ** 40, 'TiB'],
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];
/** Above this many of a unit, a number is no longer read at a glance: such sizes print in hex. */
const READABLE = 10_000;

/**
 * A size, exactly: in the largest binary unit that divides it (2^52 bytes is
 * "4 PiB"), or in hex bytes when that would take more than four digits
 * (2^40 + 4 KiB is "0x10000001000 B", not "268435457 KiB").
 */
export function formatBytes(n: number): string {
  for (const [u, s] of byteUnits) if (n >= u && n % u === 0) return n / u < READABLE ? `${n / u} ${s}` : `${hex(n)} B`;
  return n < READABLE ? `${n} B` : `${hex(n)} B`;
}

export function formatCap(c: Capability): string {
  const rights = c.rights.length === 5 ? 'all rights' : c.rights.length === 0 ? 'no rights' : c.rights.join('|');
  const flags = [
    c.locked ? 'locked' : '',
    c.remote.copies || c.remote.ancs || c.remote.descs ? `remote{${['copies', 'ancs', 'descs'].filter((b) => c.remote[b as 'copies']).join(',')}}` : '',
  ].filter((x) => x !== '');
  const tail = flags.length > 0 ? `, ${flags.join(', ')}` : '';
  if (isMappingCap(c))
    return `${c.type} of slot ${hex(c.mapped.cnode)}[${c.mapped.slot}] in table ${hex(c.ptable)} entries ${c.entry}..${c.entry + c.pteCount - 1} (offset ${formatBytes(c.offset)}; ${rights}${tail})`;
  return `${c.type} ${hex(c.base)}+${formatBytes(c.bytes)} (${rights}${tail})`;
}

export function formatOp(op: KernelOp): string {
  const core = op.core !== undefined && op.core !== 0 ? ` core=${op.core}` : '';
  switch (op.op) {
    case 'retype':
      return `retype ${formatCapref(op.src)} offset=${formatBytes(op.offset)} → ${op.count} × ${op.type} of ${formatBytes(op.objsize)} into ${formatCapref(op.dest)}${core}`;
    case 'copy':
      return `copy ${formatCapref(op.src)} → ${formatCapref(op.dest)}${core}`;
    case 'mint':
      return `mint ${formatCapref(op.src)} → ${formatCapref(op.dest)} rights=${op.rights.join('|') || 'none'}${core}`;
    case 'delete':
    case 'revoke':
    case 'identify':
    case 'lock':
    case 'unlock':
      return `${op.op} ${formatCapref(op.target)}${core}`;
    case 'remote_relations':
      return `remote_relations ${formatCapref(op.target)} set=${JSON.stringify(op.set)}${core}`;
    case 'vnode_map':
      return `vnode_map ${formatCapref(op.src)} into table ${formatCapref(op.vnode)} entries ${op.entry}+${op.pteCount} offset=${formatBytes(op.offset)} rights=${op.rights.join('|') || 'none'} mapping→${formatCapref(op.mapping)}${core}`;
    case 'is_retypeable':
      return `is_retypeable ${formatCapref(op.src)} offset=${formatBytes(op.offset)} ${op.count} × ${formatBytes(op.objsize)}${core}`;
    case 'vnode_unmap':
      return `vnode_unmap ${formatCapref(op.mapping)} from table ${formatCapref(op.vnode)}${core}`;
  }
}

export function formatResult(r: KernelResult | Expectation | undefined): string {
  if (r === undefined) return '(no result)';
  if (!r.ok) return `${r.error}${r.arg === undefined ? '' : ` (${r.arg})`}`;
  if (!('value' in r)) return 'ok';
  const v = r.value as Partial<RemovalValue> & { cap?: Capability; remote?: unknown };
  if (v.deleted !== undefined)
    return `ok: ${v.deleted} removed${v.reclaimed && v.reclaimed.length > 0 ? `, reclaimed ${v.reclaimed.map((x) => `${hex(x.base)}+${formatBytes(x.bytes)}`).join(', ')}` : ''}`;
  if (v.cap !== undefined) return `ok: ${formatCap(v.cap)}`;
  if (v.remote !== undefined) return `ok: remote=${JSON.stringify(v.remote)}`;
  return 'ok';
}
