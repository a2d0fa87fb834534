// Replaying and explaining paging traces: `capref replay` re-runs a trace
// against both stacks with every check of the conformance loop and compares
// each result with the recorded one; `capref explain` tells it as a story.
import type { PagingResult } from '../../spec/paging/address-space.js';
import type { PagingState } from '../../spec/paging/state.js';
import { replayOutcome } from '../step-report.js';
import type { Failure } from '../trace.js';
import { checkPagingStep, checkWorld, worldOf } from './check.js';
import { formatPagingOp, formatPagingResult, pagingWording, type ReplayedPagingStep } from './format.js';
import { defaultPagingFactories, type PagingFactories } from './stacks.js';
import { pagingOpOf, pagingTraceSchema, type PagingTrace } from './trace.js';

export interface PagingReplayResult {
  readonly steps: readonly ReplayedPagingStep[];
  readonly failure?: Failure;
}

/** Replays against the impl variant the trace names (its mutant), or `mutant` if given; null for the unmodified impl. */
export function replayPagingTrace(trace: PagingTrace, stacks: PagingFactories = defaultPagingFactories, mutant?: string | null): PagingReplayResult {
  const m = mutant === null ? undefined : (mutant ?? trace.impl?.mutant);
  const pair = { model: stacks.model(trace.config), impl: stacks.impl(trace.config, m) };
  let pre = worldOf(pair.model, trace.config);
  const steps: ReplayedPagingStep[] = [];
  const boot = checkWorld(pre);
  if (boot !== undefined) return { steps, failure: { step: 0, ...boot, message: `the boot state: ${boot.message}` } };
  for (let i = 0; i < trace.steps.length; i++) {
    const step = trace.steps[i]!;
    const r = checkPagingStep(pair, pre, pagingOpOf(step), step.result);
    steps.push({ index: i, ...(r.modelResult ? { model: r.modelResult } : {}), ...(r.implResult ? { impl: r.implResult } : {}) });
    if (r.failure !== undefined) return { steps, failure: { step: i, ...r.failure } };
    pre = r.post!;
  }
  return { steps };
}

function changes(before: PagingState, after: PagingState): string[] {
  const out: string[] = [];
  const key = (x: { vaddr?: number; base?: number }) => x.vaddr ?? x.base;
  const hex = (n: number) => `0x${n.toString(16)}`;
  for (const r of after.regions) if (!before.regions.some((o) => o.base === r.base)) out.push(`+ ${r.kind} region ${hex(r.base)}..${hex(r.base + r.bytes)}`);
  for (const r of before.regions) if (!after.regions.some((o) => o.base === r.base)) out.push(`- ${r.kind} region ${hex(r.base)}`);
  for (const m of after.mappings)
    if (!before.mappings.some((o) => key(o) === key(m)))
      out.push(
        `+ ${m.kind} mapping ${hex(m.vaddr)}..${hex(m.vaddr + m.bytes)} → ${hex(m.phys)} in ${m.pieces.length} piece${m.pieces.length === 1 ? '' : 's'}`,
      );
  for (const m of before.mappings) if (!after.mappings.some((o) => key(o) === key(m))) out.push(`- ${m.kind} mapping ${hex(m.vaddr)}`);
  for (const t of after.tables) if (!before.tables.some((o) => o.phys === t.phys)) out.push(`+ ${t.type} for ${hex(t.vaddr)} at ${hex(t.phys)}`);
  for (const t of before.tables) if (!after.tables.some((o) => o.phys === t.phys)) out.push(`- ${t.type} for ${hex(t.vaddr)} (freed)`);
  return out;
}

/**
 * Tells a trace as a story: each step, its result, and what it changed in the
 * address space (on the model stack). A counterexample says that it is one,
 * names the impl mutant it was recorded against, marks the failing step and
 * ends with what went wrong there.
 */
export function explainPagingTrace(trace: PagingTrace, stacks: PagingFactories = defaultPagingFactories): string {
  const stack = stacks.model(trace.config);
  const lines = [
    `A paging trace on ${trace.config.kernel.arch}, window 0x${trace.config.paging.vbase.toString(16)}..0x${trace.config.paging.vlimit.toString(16)}, ${trace.steps.length} steps.`,
  ];
  if (trace.impl?.mutant !== undefined) lines.push(`(The trace was recorded against the impl with mutant "${trace.impl.mutant}" switched on.)`);
  if (trace.failure !== undefined) lines.push(`It is a counterexample: ${trace.failure.kind} at step ${trace.failure.step}.`);
  let before = stack.space.observe();
  trace.steps.forEach((s, i) => {
    const op = pagingOpOf(s);
    const mark = trace.failure?.step === i ? '  ← the failure' : '';
    let r: PagingResult;
    try {
      r = stack.space.apply(op);
    } catch (e) {
      lines.push(`${i}. ${formatPagingOp(op)}`, `   the model threw: ${e instanceof Error ? e.message : String(e)}${mark}`);
      return;
    }
    const after = stack.space.observe();
    lines.push(`${i}. ${formatPagingOp(op)}`, `   → ${formatPagingResult(op, r)}${mark}`, ...changes(before, after).map((c) => `   ${c}`));
    before = after;
  });
  if (trace.failure !== undefined) lines.push('', `What went wrong at step ${trace.failure.step}: ${trace.failure.message}`);
  return lines.join('\n') + '\n';
}

/** The handler `capref replay` and `capref explain` use for files whose subsystem is "paging". */
export const pagingTraceHandler = {
  schema: pagingTraceSchema,
  replay: (t: unknown) => replayOutcome(pagingWording, t as PagingTrace, replayPagingTrace(t as PagingTrace)),
  explain: (t: unknown) => explainPagingTrace(t as PagingTrace),
};
