// What a user sees when mm conformance finds a counterexample: the failing
// steps with both results, the field-level diff, the violated invariants.
import { formatDiff } from '../diff.js';
import type { Failure } from '../trace.js';
import { formatMmOp, formatMmResult } from './format.js';
import type { MmReplayedStep } from './replay.js';
import { mmOpOf, type MmTrace } from './trace.js';

export function formatMmFailure(trace: MmTrace, failure: Failure, replayed?: readonly MmReplayedStep[]): string {
  const lines: string[] = [];
  lines.push(`${failure.kind} at step ${failure.step} of ${trace.steps.length}${trace.impl?.mutant ? ` (impl mutant: ${trace.impl.mutant})` : ''}`);
  lines.push(...failure.message.split('\n').map((l) => `  ${l}`));
  lines.push('', 'Steps:');
  trace.steps.forEach((s, i) => {
    const op = mmOpOf(s);
    const r = replayed?.[i];
    const model = r?.model ?? s.result;
    const impl = r?.impl;
    const same = impl === undefined || JSON.stringify(model) === JSON.stringify(impl);
    const res = same ? formatMmResult(op, model) : `model ${formatMmResult(op, model)} | impl ${formatMmResult(op, impl)}`;
    lines.push(`  ${String(i).padStart(2)}${i === failure.step ? '*' : ' '} ${formatMmOp(op)}`);
    lines.push(`       → ${res}`);
  });
  if (failure.diff !== undefined && failure.diff.length > 0) lines.push('', 'Differences (model vs impl):', formatDiff(failure.diff));
  if (failure.violated !== undefined) lines.push('', `Violated: ${failure.violated.join(', ')} (see docs/mm.md)`);
  return lines.join('\n') + '\n';
}
