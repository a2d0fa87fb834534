// Prints a CheckResult the way TLC prints its results, whichever engine produced it, so users
// (and scripts that grep TLC output) see one format.
import type { CheckResult, TraceState } from './result.js';
import { printValue } from './values/print.js';

/** TLC's "Finished in" duration: 07s, 02min 03s, 01h 02min. */
export function tlcDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${pad(s)}s`;
  if (s < 3600) return `${pad(Math.floor(s / 60))}min ${pad(s % 60)}s`;
  return `${pad(Math.floor(s / 3600))}h ${pad(Math.floor((s % 3600) / 60))}min`;
}

export function renderState(vars: readonly string[], s: TraceState): string[] {
  const lines: string[] = [];
  if (vars.length === 1) lines.push(`${vars[0]} = ${printValue(s.values[0]!)}`);
  else vars.forEach((v, i) => lines.push(`/\\ ${v} = ${printValue(s.values[i]!)}`));
  return lines;
}

export function renderTrace(r: CheckResult): string[] {
  const lines: string[] = [];
  for (const s of r.trace) {
    if (s.label === 'Stuttering') {
      lines.push(`State ${s.index}: Stuttering`);
      continue;
    }
    lines.push(`State ${s.index}: <${s.label}>`);
    lines.push(...renderState(r.variables, s));
    lines.push('');
  }
  if (r.loopBackTo !== undefined) lines.push(`Back to state ${r.loopBackTo}.`, '');
  return lines;
}

function stats(r: CheckResult): string[] {
  if (r.statesGenerated === null) return [];
  const lines = [`${r.statesGenerated} states generated, ${r.distinctStates} distinct states found, ${r.statesLeftOnQueue} states left on queue.`];
  if (r.depth !== null) lines.push(`The depth of the complete state graph search is ${r.depth}.`);
  return lines;
}

/** The result as TLC-style text lines (without the engine banner). */
export function renderResult(r: CheckResult, now: Date = new Date()): string[] {
  const lines: string[] = [];
  for (const n of r.notes) lines.push(`Note: ${n}`);
  for (const p of r.printed) lines.push(p);
  if (r.initialStates !== null) lines.push(`Finished computing initial states: ${r.initialStates} distinct state${r.initialStates === 1 ? '' : 's'} generated.`);
  switch (r.kind) {
    case 'success':
      lines.push('Model checking completed. No error has been found.');
      lines.push('  Estimates of the probability that TLC did not check all reachable states');
      lines.push('  because two distinct states had the same fingerprint:');
      lines.push(`  calculated (optimistic):  val = ${r.collisionProbability ?? '0.0'}`);
      lines.push(...stats(r));
      break;
    case 'invariant':
      if (r.initialStateViolation === true) {
        lines.push(`Error: Invariant ${r.violatedInvariant} is violated by the initial state:`);
        if (r.trace[0] !== undefined) lines.push(...renderState(r.variables, r.trace[0]), '');
      } else {
        lines.push(`Error: Invariant ${r.violatedInvariant} is violated.`);
        lines.push('Error: The behavior up to this point is:');
        lines.push(...renderTrace(r));
        lines.push(...stats(r));
      }
      break;
    case 'deadlock':
      lines.push('Error: Deadlock reached.');
      lines.push('Error: The behavior up to this point is:');
      lines.push(...renderTrace(r));
      lines.push(...stats(r));
      break;
    case 'assumption':
      lines.push(`Error: ${r.message ?? 'An assumption is false.'}`);
      break;
    case 'property':
      lines.push(`Error: ${r.message ?? 'Temporal properties were violated.'}`);
      lines.push('Error: The following behavior constitutes a counter-example:');
      lines.push(...renderTrace(r));
      lines.push(...stats(r));
      break;
    case 'limit':
      lines.push(`Stopped: ${r.message ?? 'the state limit was reached'}; the state space was NOT fully explored.`);
      lines.push(...stats(r));
      break;
    case 'error':
      lines.push(...`Error: ${r.message ?? 'TLC failed'}`.split('\n'));
      if (r.trace.length > 0) {
        lines.push('Error: The behavior up to this point is:');
        lines.push(...renderTrace(r));
      }
      lines.push(...stats(r));
      break;
  }
  const stamp = now.toISOString().replace('T', ' ').slice(0, 19);
  lines.push(`Finished in ${tlcDuration(r.durationMs)} at (${stamp})`);
  return lines;
}
