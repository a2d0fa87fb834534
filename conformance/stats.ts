// Counters a conformance run reports in its summary table.
import type { Verdict } from './step-check.js';

export class Counter {
  private readonly m = new Map<string, number>();
  add(key: string, n = 1): void {
    this.m.set(key, (this.m.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.m.get(key) ?? 0;
  }
  /** The sum of every count. */
  total(): number {
    let n = 0;
    for (const v of this.m.values()) n += v;
    return n;
  }
  entries(): [string, number][] {
    return [...this.m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.entries());
  }
}

/** Two-column tables side by side, for terminals. */
export function renderTable(title: string, rows: readonly [string, string | number][]): string[] {
  const w = Math.max(title.length, ...rows.map(([k]) => k.length));
  const v = Math.max(0, ...rows.map(([, x]) => String(typeof x === 'number' ? x.toLocaleString('en-US') : x).length));
  return [
    `${title.padEnd(w)}  ${''.padStart(v)}`,
    `${'-'.repeat(w)}  ${'-'.repeat(v)}`,
    ...rows.map(([k, x]) => `${k.padEnd(w)}  ${String(typeof x === 'number' ? x.toLocaleString('en-US') : x).padStart(v)}`),
  ];
}

export function sideBySide(blocks: readonly string[][], gap = 4): string {
  const widths = blocks.map((b) => Math.max(0, ...b.map((l) => l.length)));
  const h = Math.max(...blocks.map((b) => b.length));
  const lines: string[] = [];
  for (let i = 0; i < h; i++)
    lines.push(
      blocks
        .map((b, j) => (b[i] ?? '').padEnd(widths[j]!))
        .join(' '.repeat(gap))
        .trimEnd(),
    );
  return lines.join('\n') + '\n';
}

/** Draws a generator rejected, with their share of all draws. */
export function rejectedDraws(rejected: number, generated: number): string {
  return `${rejected} (${((100 * rejected) / Math.max(1, generated + rejected)).toFixed(2)}%)`;
}

/**
 * How many of the spec's preconditions decided a refusal in a run: the row of
 * the coverage table, and a line naming those that never did ('' if none).
 */
export function preconditionCoverage(ids: readonly string[], decided: Counter): { readonly row: [string, string]; readonly never: string } {
  const never = ids.filter((id) => decided.get(id) === 0);
  return {
    row: ['preconditions that decided a refusal', `${ids.length - never.length} of ${ids.length}`],
    never: never.length > 0 ? `never decisive in this run: ${never.join(', ')}\n` : '',
  };
}

/** The counters every runner keeps of its runs and the steps it generated and checked. */
export interface RunCounters {
  runs: number;
  steps: number;
  /** Steps by name. */
  readonly ops: Counter;
  /** Results: ok, or the error. */
  readonly results: Counter;
  /** Successful steps by name. */
  readonly succeeded: Counter;
  /** Refused steps by the id of the precondition that decided the refusal. */
  readonly decided: Counter;
  invariantChecks: number;
  /** Steps generated. */
  generated: number;
  /** Generation attempts that found nothing to build from, by maker. */
  readonly rejected: Counter;
}

/** Counts one checked step under `name`, with the invariants and transition checks it ran. */
export function countStep(
  stats: Omit<RunCounters, 'runs' | 'generated' | 'rejected'>,
  name: string,
  checks: number,
  r: { readonly modelResult?: Verdict; readonly decidedBy?: string },
): void {
  stats.steps++;
  stats.ops.add(name);
  stats.invariantChecks += checks;
  if (r.modelResult === undefined) return;
  stats.results.add(r.modelResult.ok ? 'ok' : r.modelResult.error);
  if (r.modelResult.ok) stats.succeeded.add(name);
  if (r.decidedBy !== undefined) stats.decided.add(r.decidedBy);
}
