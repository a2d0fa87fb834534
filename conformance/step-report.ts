// How a trace whose steps are checked one by one (kernel, mm, paging) is told
// to a user, the same way for each: a counterexample's report (the failing
// step marked, both results where they differ, the field diff, the violated
// ids and the page that explains them) and `capref replay`'s line per step.
import { formatDiff } from './diff.js';
import type { Failure } from './trace.js';
import type { ReplayOutcome } from './traces.js';

/** How a subsystem words its steps and their results. */
export interface StepWording<Step, Op, R> {
  readonly opOf: (step: Step) => Op;
  readonly op: (op: Op) => string;
  readonly result: (op: Op, r: R | undefined) => string;
  /** Where the subsystem's invariants and checks are explained, e.g. docs/mm.md. */
  readonly doc: string;
}

interface Told<Step> {
  readonly steps: readonly Step[];
  readonly impl?: { readonly mutant?: string };
}

/** A replayed step's results. */
interface Results<R> {
  readonly model?: R;
  readonly impl?: R;
}

/** A counterexample as a user reads it; `replayed` (one entry per step, from the start) adds the impl's results. */
export function formatCounterexample<Step extends { readonly result?: R }, Op, R>(
  w: StepWording<Step, Op, R>,
  trace: Told<Step>,
  failure: Failure,
  replayed?: readonly Results<R>[],
): string {
  const lines: string[] = [];
  lines.push(`${failure.kind} at step ${failure.step} of ${trace.steps.length}${trace.impl?.mutant ? ` (impl mutant: ${trace.impl.mutant})` : ''}`);
  lines.push(...failure.message.split('\n').map((l) => `  ${l}`));
  lines.push('', 'Steps:');
  trace.steps.forEach((s, i) => {
    const op = w.opOf(s);
    const r = replayed?.[i];
    const model = r?.model ?? s.result;
    const impl = r?.impl;
    const same = impl === undefined || JSON.stringify(model) === JSON.stringify(impl);
    lines.push(`  ${String(i).padStart(2)}${i === failure.step ? '*' : ' '} ${w.op(op)}`);
    lines.push(`       → ${same ? w.result(op, model) : `model ${w.result(op, model)} | impl ${w.result(op, impl)}`}`);
  });
  if (failure.diff !== undefined && failure.diff.length > 0) lines.push('', 'Differences (model vs impl):', formatDiff(failure.diff));
  if (failure.violated !== undefined) lines.push('', `Violated: ${failure.violated.join(', ')} (see ${w.doc})`);
  return lines.join('\n') + '\n';
}

/** `capref replay`'s outcome: a line per replayed step (✗ on the failing one) and, on a failure, the counterexample's report. */
export function replayOutcome<Step extends { readonly result?: R }, Op, R>(
  w: StepWording<Step, Op, R>,
  trace: Told<Step>,
  r: { readonly steps: readonly (Results<R> & { readonly index: number })[]; readonly failure?: Failure },
): ReplayOutcome {
  const lines = r.steps.map((s) => {
    const op = w.opOf(trace.steps[s.index]!);
    const same = JSON.stringify(s.model) === JSON.stringify(s.impl);
    const res = same ? w.result(op, s.model) : `model ${w.result(op, s.model)} | impl ${w.result(op, s.impl)}`;
    return `${r.failure?.step === s.index ? '✗' : '✓'} ${String(s.index).padStart(3)} ${w.op(op)} → ${res}`;
  });
  return r.failure === undefined ? { passed: true, lines } : { passed: false, lines, report: formatCounterexample(w, trace, r.failure, r.steps) };
}
