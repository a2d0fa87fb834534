// Replaying and explaining a UMP trace bridged from an ITF trace of
// proofs/UmpChannel.tla (itf-bridge.ts), for `capref replay` and `capref
// explain`, and the bridge's entry in the registry (conformance/itf/registry.ts).
//
// A failing replay is run twice: with every check, as any trace, and without
// the comparison of the ring's memory with the reference, which is what the
// model's own invariants speak of (delivered messages, completed sends). The
// memory check can see a bug steps before the model's invariant fails (for
// UmpChannelBuggy at the premature SendPublish); the second run shows the
// implementation failing where the model does. A passing replay must also
// deliver, message for message, what the TLA+ model delivers.

import type { Hex, UmpStep } from '../../spec/ump/index.js';
import { formatUmpStep } from '../../spec/ump/index.js';
import type { UmpMutant } from '../../impl/ump/index.js';
import { UMP_MUTANT_DESCRIPTIONS } from '../../impl/ump/index.js';
import type { BridgedItf, ItfBridge } from '../itf/bridge.js';
import type { ReplayOutcome, TraceHandler } from '../traces.js';
import { type UmpReplayResult, type UmpStepFailure, replayUmpSteps } from './driver.js';
import { bridgeUmpItf, UMP_ITF_DIR, umpTlaPayload, type UmpItfBridged, type UmpTlaConstants } from './itf-bridge.js';
import { traceMutant, UmpTraceSchema } from './trace.js';

export interface UmpItfReplay {
  /** The implementation variant that ran. */
  readonly mutant: UmpMutant | undefined;
  /** Every check, as for any trace. */
  readonly full: UmpReplayResult;
  /**
   * When the full replay fails: the same steps without the comparison of the
   * ring's memory (results, frames read, invariants: what the model's own
   * invariants speak of), if that fails elsewhere or not at all.
   */
  readonly atModelGranularity?: UmpReplayResult;
  /**
   * A passing replay must also deliver what the TLA+ model delivers, message
   * for message: the first difference, if any.
   */
  readonly deliveredMismatch?: { readonly step: number; readonly message: string };
}

/** The messages the model delivers, as payloads, with the bridged step that delivers each. */
function modelDeliveries(b: UmpItfBridged): { step: number; payload: Hex }[] {
  const out: { step: number; payload: Hex }[] = [];
  b.trace.steps.forEach((s, j) => {
    if (s.action !== 'RecvRelease') return;
    const after = b.states[b.origins[j]!.state]!;
    const words = after.delivered[after.delivered.length - 1]!;
    out.push({ step: j, payload: words.map((w) => umpTlaPayload(w, 1)).join('') });
  });
  return out;
}

/**
 * Replays a bridged trace against the implementation: with the trace's mutant
 * (PublishFirst's used-bit-first), or with `correctImpl` against the real one.
 */
export function replayBridgedUmp(b: UmpItfBridged, options: { correctImpl?: boolean } = {}): UmpItfReplay {
  const mutant = options.correctImpl === true ? undefined : traceMutant(b.trace);
  const { config, steps } = b.trace;
  const full = replayUmpSteps(config, steps, { mutant });
  if (!full.ok) {
    const g = replayUmpSteps(config, steps, { mutant, compareMemory: false });
    const same = !g.ok && g.failure!.stepIndex === full.failure!.stepIndex && g.failure!.check === full.failure!.check;
    return { mutant, full, ...(!same && { atModelGranularity: g }) };
  }
  for (const d of modelDeliveries(b)) {
    const got = full.steps[d.step];
    const ref = got?.action === 'RecvRelease' ? got.delivered : undefined;
    if (ref !== d.payload)
      return { mutant, full, deliveredMismatch: { step: d.step, message: `the TLA+ model delivers ${d.payload}, the reference delivers ${ref ?? 'nothing'}` } };
  }
  return { mutant, full };
}

function formatFailure(f: UmpStepFailure): string[] {
  return [`step ${f.stepIndex} fails ${f.check}: ${f.message}`, ...f.diff.map((d) => `  ${d}`)];
}

/** One line per step: the step as the implementation sees it, and the model state it stands for. */
export function formatBridgedSteps(b: UmpItfBridged, steps: readonly UmpStep[], opts: { from?: number; failing?: number; marks?: boolean } = {}): string[] {
  const from = opts.from ?? 0;
  const width = String(Math.max(0, b.trace.steps.length - 1)).length;
  const body = steps.map((s, i) => `${String(i).padStart(width)}  ${formatUmpStep(s)}`);
  const col = Math.max(0, ...body.map((l) => l.length));
  const out: string[] = [];
  for (let i = from; i < steps.length; i++) {
    const o = b.origins[i]!;
    const mark = opts.marks === false ? ' ' : i === opts.failing ? '✗' : '✓';
    const model = o.label.startsWith('message') ? `(before state ${o.state}: ${o.label})` : `state ${o.state}  ${o.label}`;
    out.push(`${mark} ${body[i]!.padEnd(col)}   ${model}${i === opts.failing ? '   <-- fails here' : ''}`);
  }
  return out;
}

function showConstants(c: UmpTlaConstants): string {
  const pf = `PublishFirst = ${c.PublishFirst ? 'TRUE' : 'FALSE'}${c.publishFirstFrom === 'module' ? ' (UmpChannelBuggy)' : c.publishFirstFrom === 'steps' ? ' (from the step order: the trace has no params)' : ''}`;
  return `N = ${c.N}, W = ${c.W}, MaxMsg = ${c.MaxMsg ?? '? (the trace has no params)'}, ${pf}`;
}

/** Which model, which constants, which steps: the lines printed before a replay or a story. */
export function aboutBridgedUmp(b: UmpItfBridged, file: string): string[] {
  const where = [b.source, b.config].filter((x) => x !== undefined).join(' with ');
  const v = b.violation;
  const counts = new Map<string, number>();
  for (const s of b.trace.steps) counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const mutant = traceMutant(b.trace);
  return [
    `${file}: an ITF trace of the TLA+ model ${b.module}${where === '' ? '' : ` (${where})`}, ${b.states.length} states` +
      (v === undefined ? '' : v.witness ? `, ending where the witness ${v.invariant} fails` : `, ending where ${v.invariant} is violated`),
    `  constants: ${showConstants(b.constants)}`,
    `  bridged to UMP: ${b.constants.N} slot(s) of ${4 * b.constants.W} payload bytes, direction ${UMP_ITF_DIR} only, ` +
      `${b.trace.steps.length} steps (${[...counts].map(([a, n]) => `${a} ${n}`).join(', ')})` +
      (b.stutters > 0 ? `; ${b.stutters} stuttering state(s) skipped` : '') +
      (b.loop !== undefined ? `; the lasso's loop back to state ${b.loop} is replayed once` : ''),
    mutant === undefined
      ? '  implementation: the real one'
      : `  implementation: mutant ${mutant} (${UMP_MUTANT_DESCRIPTIONS[mutant]}), the implementation's counterpart of PublishFirst = TRUE`,
    '',
  ];
}

function violationLine(b: UmpItfBridged): string | undefined {
  const v = b.violation;
  if (v === undefined || v.witness) return undefined;
  if (v.step < 0) return `The TLA+ model violates ${v.invariant} in its initial state: there is nothing to replay.`;
  const step = b.trace.steps[v.step]!;
  return `The TLA+ model violates ${v.invariant} in state ${v.state}, which step ${v.step} (${formatUmpStep(step)}) reaches${v.check === undefined ? '' : `; the implementation's check for it is ${v.check}`}.`;
}

/** The replay report (`capref replay` of an ITF file). */
export function bridgedReplayOutcome(b: UmpItfBridged, r: UmpItfReplay, file: string): ReplayOutcome {
  const f = r.full.failure;
  const lines = formatBridgedSteps(b, r.full.steps, f === undefined ? {} : { failing: f.stepIndex });
  const reproduce = `reproduce: capref replay ${file}`;
  const v = b.violation;
  if (f === undefined && r.deliveredMismatch === undefined) {
    const delivered = r.full.steps.filter((s) => s.action === 'RecvRelease').length;
    const notes = [
      `every check passed: ${delivered} message(s) delivered, the same as the TLA+ model${v?.witness === true ? ` (its witness ${v.invariant})` : ''}`,
      ...(v !== undefined && !v.witness && v.check !== undefined
        ? [`note: ${violationLine(b)} The implementation did not fail: it does not have the model's bug.`]
        : []),
    ];
    return { passed: true, lines, report: notes.join('\n') + '\n' };
  }
  if (f === undefined) {
    const m = r.deliveredMismatch!;
    return {
      passed: false,
      lines,
      report: [`UMP trace bridged from ${b.module}: step ${m.step} delivers another message than the TLA+ model: ${m.message}`, reproduce].join('\n') + '\n',
    };
  }
  const out = [`UMP trace bridged from ${b.module}: ${formatFailure(f)[0]}`, ...formatFailure(f).slice(1)];
  const vl = violationLine(b);
  if (vl !== undefined) out.push(vl);
  const g = r.atModelGranularity;
  if (g !== undefined) {
    const gf = g.failure;
    const earlier = v !== undefined && v.step > f.stepIndex ? `, ${v.step - f.stepIndex} step(s) before the model's violation` : '';
    out.push(
      `Step ${f.stepIndex}'s failing check compares the ring's memory with the reference after every step${earlier}.`,
      "Without that comparison (each step's result, each frame read and the state invariants: what the model's own invariants speak of), the replay goes on:",
      ...formatBridgedSteps(b, g.steps, { from: f.stepIndex, ...(gf === undefined ? {} : { failing: gf.stepIndex }) }).map((l) => `  ${l}`),
      ...(gf === undefined ? ['  and passes'] : formatFailure(gf).map((l) => `  ${l}`)),
    );
    if (gf !== undefined && v !== undefined && gf.stepIndex === v.step && v.check !== undefined && gf.check === v.check)
      out.push(`  as the model does: ${v.invariant} (${v.check}) in state ${v.state}.`);
  }
  out.push(reproduce);
  return { passed: false, lines, report: out.join('\n') + '\n' };
}

/** The story (`capref explain` of an ITF file): each step, with what it does in the model. */
export function explainBridgedUmp(b: UmpItfBridged): string {
  const head = [
    "Each step is one atomic step of the model, in the implementation's step alphabet: the sender's SendCheck, SendWrite of one word",
    "and SendPublish, the receiver's RecvCheck, RecvRead and RecvRelease; before each SendCheck the environment submits the model's next",
    `message. Message k is ${b.constants.W} words that each hold k (${4 * b.constants.W} bytes, one slot); a word never written holds 0.`,
    '',
  ];
  const width = String(Math.max(0, b.trace.steps.length - 1)).length;
  const body = b.trace.steps.map((s, i) => `${String(i).padStart(width)}  ${formatUmpStep(s)}`);
  const col = Math.max(0, ...body.map((l) => l.length));
  const v = b.violation;
  const steps = b.trace.steps.map((_, i) => {
    const o = b.origins[i]!;
    const mark = v !== undefined && !v.witness && i === v.step ? `   <-- ${v.invariant} violated` : '';
    const at = o.label.startsWith('message') ? ''.padEnd(`state ${o.state}  `.length) : `state ${o.state}  `;
    return `  ${body[i]!.padEnd(col)}   ${at}${o.label.startsWith('message') ? '' : `${o.label}: `}${o.story}${mark}`;
  });
  const last = b.states[b.states.length - 1]!;
  const tail = [''];
  if (v?.witness === true)
    tail.push(
      `The trace ends where the witness ${v.invariant} fails: ${last.sent} message(s) sent, ${last.delivered.length} delivered. Replayed, the implementation must pass every check.`,
    );
  else if (v !== undefined) tail.push(violationLine(b)!);
  else tail.push(`The trace ends with ${last.sent} message(s) sent and ${last.delivered.length} delivered.`);
  return [...head, ...steps, ...tail].join('\n') + '\n';
}

/** The TraceHandler `capref replay` and `capref explain` use for a bridged ITF file. */
export function bridgedUmpHandler(b: UmpItfBridged, file: string): TraceHandler {
  return {
    schema: UmpTraceSchema,
    replay: () => bridgedReplayOutcome(b, replayBridgedUmp(b), file),
    explain: () => explainBridgedUmp(b),
  };
}

/** The registry entry (conformance/itf/registry.ts) for UmpChannel and UmpChannelBuggy. */
export const umpItfBridge: ItfBridge = {
  subsystem: 'ump',
  bridge: (itf, module, source): BridgedItf => {
    const b = bridgeUmpItf(itf, module);
    return { about: aboutBridgedUmp(b, source), trace: b.trace, handler: bridgedUmpHandler(b, source) };
  },
};
