// Shrinks an explicit step list, whatever produced it (a fast-check run, a
// trace file, a TLA+ counterexample): removes runs of steps, halving the run
// length down to single steps, and keeps a removal when the shorter list still
// fails the same check. Removing a step can leave a later step not enabled;
// such a list simply does not reproduce the failure and is not kept.
// Results recorded in the steps are dropped first (they were the reference's
// answers for the longer list) and filled in again by the final replay.
import type { UmpStep } from '../../spec/ump/index.js';
import type { UmpDriverOptions, UmpReplayResult } from './driver.js';
import { replayUmpSteps } from './driver.js';
import type { UmpTraceConfig } from './trace.js';

/** The step without the reference's recorded results. */
export function stripResults(step: UmpStep): UmpStep {
  if (step.action === 'SendCheck' || step.action === 'RecvCheck') return { action: step.action, dir: step.dir };
  if (step.action === 'RecvRelease') return { action: 'RecvRelease', dir: step.dir };
  return step;
}

/** Configurations to try instead of `c`, smallest first. */
function smallerConfigs(c: UmpTraceConfig): UmpTraceConfig[] {
  const out: UmpTraceConfig[] = [];
  for (let slots = 1; slots <= c.slots; slots++)
    for (let p = 8; p <= c.payloadBytes; p += 4) if (slots < c.slots || p < c.payloadBytes) out.push({ ...c, slots, payloadBytes: p });
  return out;
}

export interface ShrinkOutcome {
  /** The configuration the shrunk steps fail with (possibly smaller than the original). */
  readonly config: UmpTraceConfig;
  readonly replay: UmpReplayResult;
  /** Replays tried. */
  readonly attempts: number;
}

/**
 * Shrinks `steps`, which must fail `check` when replayed. Returns the replay
 * of the shortest list found (failing the same check), within `maxAttempts` replays.
 */
export function shrinkUmpSteps(
  config: UmpTraceConfig,
  steps: readonly UmpStep[],
  check: string,
  options: UmpDriverOptions = {},
  maxAttempts = 2000,
): ShrinkOutcome {
  let attempts = 0;
  let cfg = config;
  const replayWith = (c: UmpTraceConfig, candidate: readonly UmpStep[]): UmpReplayResult | undefined => {
    attempts++;
    const r = replayUmpSteps(c, candidate, { ...options, skipDisabled: true });
    return !r.ok && r.failure?.check === check ? r : undefined;
  };
  const fails = (candidate: readonly UmpStep[]) => replayWith(cfg, candidate);
  let best = fails(steps.map(stripResults));
  if (best === undefined) throw new Error(`capref bug: the trace to shrink does not fail ${check}`);
  let current = best.steps.map(stripResults);
  // Smaller rings and slots first: they often let whole messages go.
  for (const c of smallerConfigs(cfg)) {
    const r = replayWith(c, current);
    if (r !== undefined) {
      cfg = c;
      best = r;
      current = r.steps.map(stripResults);
      break;
    }
  }
  for (let size = Math.max(1, current.length >> 1); size >= 1 && attempts < maxAttempts; size = size === 1 ? 0 : size >> 1) {
    let i = 0;
    while (i < current.length && attempts < maxAttempts) {
      const candidate = [...current.slice(0, i), ...current.slice(i + size)];
      const r = candidate.length > 0 ? fails(candidate) : undefined;
      if (r !== undefined) {
        best = r;
        current = r.steps.map(stripResults); // the failing prefix only
      } else i += size;
    }
  }
  return { config: cfg, replay: best, attempts };
}
