// What a user sees when the kernel conformance finds a counterexample: the
// failing steps with both results, the field-level diff, the violated
// invariants, and the commands that reproduce it.
import { formatDiff } from '../diff.js';
import type { Failure } from '../trace.js';
import { formatOp, formatResult } from './format.js';
import type { ReplayedStep } from './replay.js';
import { opOf, type KernelTrace } from './trace.js';

export function formatFailure(trace: KernelTrace, failure: Failure, replayed?: readonly ReplayedStep[]): string {
  const lines: string[] = [];
  lines.push(`${failure.kind} at step ${failure.step} of ${trace.steps.length}${trace.impl?.mutant ? ` (impl mutant: ${trace.impl.mutant})` : ''}`);
  lines.push(...failure.message.split('\n').map((l) => `  ${l}`));
  lines.push('', 'Steps:');
  trace.steps.forEach((s, i) => {
    const r = replayed?.[i];
    const model = r?.model ?? s.result;
    const impl = r?.impl;
    const same = impl === undefined || JSON.stringify(model) === JSON.stringify(impl);
    const res = same ? formatResult(model) : `model ${formatResult(model)} | impl ${formatResult(impl)}`;
    lines.push(`  ${String(i).padStart(2)}${i === failure.step ? '*' : ' '} ${formatOp(opOf(s))}`);
    lines.push(`       → ${res}`);
  });
  if (failure.diff !== undefined && failure.diff.length > 0) lines.push('', 'Differences (model vs impl):', formatDiff(failure.diff));
  if (failure.violated !== undefined) lines.push('', `Violated: ${failure.violated.join(', ')} (see docs/kernel-reference.md)`);
  return lines.join('\n') + '\n';
}
