// `capref explain` for mm traces: the trace told as a story — each step, what
// it returned, and how the manager's memory changed (ranges allocated and
// freed, metadata the refills took, slots handed out), as the model sees it.
import { formatCapref } from '../../spec/kernel/capref.js';
import type { MmState } from '../../spec/mm/state.js';
import { formatBytes, hex } from '../kernel/format.js';
import { formatMmOp, formatMmResult } from './format.js';
import { defaultMmStacks, type MmStackFactories } from './stack.js';
import { mmOpOf, type MmTrace } from './trace.js';

const key = (a: { base: number; bytes: number; use?: string }) => `${a.use ?? 'free'}@${a.base}+${a.bytes}`;

function changes(before: MmState, after: MmState): string[] {
  const out: string[] = [];
  const b = new Set(before.allocations.map(key));
  const a = new Set(after.allocations.map(key));
  for (const x of after.allocations)
    if (!b.has(key(x))) out.push(`+ ${x.use} ${hex(x.base)}+${formatBytes(x.bytes)}${x.cap !== undefined ? ` in ${formatCapref(x.cap)}` : ''}`);
  for (const x of before.allocations) if (!a.has(key(x))) out.push(`- ${x.use} ${hex(x.base)}+${formatBytes(x.bytes)}`);
  for (const p of after.parents)
    if (!before.parents.some((q) => q.base === p.base)) out.push(`+ parent ${hex(p.base)}+${formatBytes(p.bytes)} (${formatCapref(p.cap)})`);
  if (before.slab.capacity !== after.slab.capacity) out.push(`  slab: ${before.slab.capacity} → ${after.slab.capacity} nodes`);
  if (before.slots.cnodes.length !== after.slots.cnodes.length)
    out.push(`  slot allocator: ${before.slots.cnodes.length} → ${after.slots.cnodes.length} CNodes`);
  return out;
}

export function explainMmTrace(trace: MmTrace, stacks: MmStackFactories = defaultMmStacks): string {
  const s = stacks.model(trace.config);
  let before = s.mm.observe();
  const lines: string[] = [];
  const ram = trace.config.kernel.memory.filter((r) => r.kind === 'ram');
  lines.push(
    `A memory manager starts on a ${trace.config.kernel.arch} kernel with ${ram.length} RAM region(s) and ${before.slots.free} free slots; it manages no memory until RAM capabilities are added.`,
  );
  if (trace.impl?.mutant !== undefined) lines.push(`(The trace was recorded against the impl with mutant "${trace.impl.mutant}" switched on.)`);
  if (trace.failure !== undefined) lines.push(`It is a counterexample: ${trace.failure.kind} at step ${trace.failure.step}.`);
  lines.push('');
  trace.steps.forEach((step, i) => {
    const op = mmOpOf(step);
    let result: string;
    try {
      result = formatMmResult(op, s.mm.apply(op));
    } catch (e) {
      result = `the model threw: ${(e as Error).message}`;
    }
    const after = s.mm.observe();
    lines.push(`${i}. ${formatMmOp(op)}`);
    lines.push(`   → ${result}${trace.failure?.step === i ? '  ← the failure' : ''}`);
    for (const ch of changes(before, after)) lines.push(`     ${ch}`);
    before = after;
  });
  if (trace.failure !== undefined) lines.push('', `What went wrong at step ${trace.failure.step}: ${trace.failure.message}`);
  return lines.join('\n') + '\n';
}
