// `capref explain`: a trace told as a story — each step, what it returned,
// and the capabilities and page-table entries it created or removed (as the
// reference model sees them).
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { CoreState, Cte, KernelState } from '../../spec/kernel/state.js';
import { formatCap, formatOp, formatResult, hex } from './format.js';
import { opOf, type KernelTrace } from './trace.js';

const MAX_CHANGE_LINES = 8;

const slotKey = (c: { cnode: number; slot: number }) => `${c.cnode}:${c.slot}`;

function changes(before: CoreState, after: CoreState): string[] {
  const out: string[] = [];
  const b = new Map(before.ctes.map((c) => [slotKey(c), c] as const));
  const a = new Map(after.ctes.map((c) => [slotKey(c), c] as const));
  const at = (c: Cte) => `${hex(c.cnode)}[${c.slot}]`;
  for (const [k, c] of a) {
    const old = b.get(k);
    if (old === undefined) out.push(`+ ${at(c)}: ${formatCap(c.cap)}`);
    else if (JSON.stringify(old.cap) !== JSON.stringify(c.cap)) out.push(`~ ${at(c)}: ${formatCap(old.cap)}  ⇒  ${formatCap(c.cap)}`);
  }
  for (const [k, c] of b) if (!a.has(k)) out.push(`- ${at(c)}: ${formatCap(c.cap)}`);
  const pb = new Set(before.ptes.map((p) => `${p.vnode}:${p.entry}:${p.target}`));
  const pa = new Set(after.ptes.map((p) => `${p.vnode}:${p.entry}:${p.target}`));
  const added = after.ptes.filter((p) => !pb.has(`${p.vnode}:${p.entry}:${p.target}`));
  const removed = before.ptes.filter((p) => !pa.has(`${p.vnode}:${p.entry}:${p.target}`));
  if (added.length > 0)
    out.push(
      `+ ${added.length} page-table entr${added.length === 1 ? 'y' : 'ies'}: ${added
        .slice(0, 4)
        .map((p) => `${hex(p.vnode)}[${p.entry}]→${hex(p.target)}`)
        .join(', ')}${added.length > 4 ? ', …' : ''}`,
    );
  if (removed.length > 0)
    out.push(
      `- ${removed.length} page-table entr${removed.length === 1 ? 'y' : 'ies'}: ${removed
        .slice(0, 4)
        .map((p) => `${hex(p.vnode)}[${p.entry}]`)
        .join(', ')}${removed.length > 4 ? ', …' : ''}`,
    );
  return out;
}

export function explainKernelTrace(trace: KernelTrace, model: (c: KernelConfig) => Kernel): string {
  const k = model(trace.config);
  let before: KernelState = k.observe();
  const lines: string[] = [];
  const core0 = before.cores[0]!;
  lines.push(`A ${trace.config.arch} kernel with ${trace.config.memory.length} memory region(s) boots with ${core0.ctes.length} capabilities.`);
  if (trace.impl?.mutant !== undefined) lines.push(`(The trace was recorded against the impl with mutant "${trace.impl.mutant}" switched on.)`);
  if (trace.failure !== undefined) lines.push(`It is a counterexample: ${trace.failure.kind} at step ${trace.failure.step}.`);
  lines.push('');
  trace.steps.forEach((step, i) => {
    const op = opOf(step);
    const r = k.apply(op);
    const after = k.observe();
    const marker = trace.failure?.step === i ? '  ← the failure' : '';
    lines.push(`${i}. ${formatOp(op)}`);
    lines.push(`   → ${formatResult(r)}${marker}`);
    const core = op.core ?? 0;
    const b = before.cores.find((c) => c.core === core);
    const a = after.cores.find((c) => c.core === core);
    if (b !== undefined && a !== undefined) {
      const chs = changes(b, a);
      // A retype of 200 objects is one story line, not 200: show the first few.
      const shown = chs.length > MAX_CHANGE_LINES ? [...chs.slice(0, MAX_CHANGE_LINES - 1), `… and ${chs.length - MAX_CHANGE_LINES + 1} more changes`] : chs;
      for (const ch of shown) lines.push(`     ${ch}`);
    }
    before = after;
  });
  if (trace.failure !== undefined) {
    lines.push('');
    lines.push(`What went wrong at step ${trace.failure.step}: ${trace.failure.message}`);
  }
  return lines.join('\n') + '\n';
}
