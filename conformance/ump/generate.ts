// Random interleavings for fast-check. A scenario is a channel configuration,
// the messages each sender will be handed, and a schedule: which process takes
// its next atomic step, how many times in a row, and rare closes. The driver
// turns a scenario into an explicit step list (recorded, replayable without
// fast-check); fast-check shrinks the scenario.
import fc from 'fast-check';
import type { Hex, UmpDir, UmpStep } from '../../spec/ump/index.js';
import { bytesToHex } from '../../spec/ump/index.js';
import type { UmpDriverOptions, UmpProcess, UmpReplayResult } from './driver.js';
import { UMP_PROCESSES, UmpStepDriver } from './driver.js';
import type { UmpTraceConfig } from './trace.js';

export type UmpPick = { readonly proc: UmpProcess; readonly burst: number } | { readonly close: 'A' | 'B' };

export interface UmpScenario {
  readonly config: UmpTraceConfig;
  readonly workload: Readonly<Record<UmpDir, readonly Hex[]>>;
  readonly schedule: readonly UmpPick[];
}

export interface UmpGenerationLimits {
  /** Ring sizes to try (small rings fill and wrap often). */
  readonly minSlots: number;
  readonly maxSlots: number;
  /** Payload bytes per slot (multiples of 4, at least 8 so a slot has two words to tear). */
  readonly payloadBytes: readonly number[];
  /** Messages per direction. */
  readonly maxMessages: number;
  /** Longest message, in slots' worth of payload (more than 1 exercises chunking). */
  readonly maxMessageSlots: number;
  /** Picks in a schedule. */
  readonly maxPicks: number;
  /** Longest run of one process. */
  readonly maxBurst: number;
}

export const DEFAULT_UMP_LIMITS: UmpGenerationLimits = {
  minSlots: 1,
  maxSlots: 4,
  payloadBytes: [8, 12],
  maxMessages: 12,
  maxMessageSlots: 3,
  maxPicks: 80,
  maxBurst: 8,
};

export function umpScenarioArbitrary(limits: UmpGenerationLimits = DEFAULT_UMP_LIMITS): fc.Arbitrary<UmpScenario> {
  // No chain from the configuration to the messages: fast-check shrinks a
  // chained arbitrary poorly, and a smaller ring is often the point of a counterexample.
  const minPayload = Math.min(...limits.payloadBytes);
  const maxLen = Math.max(...limits.payloadBytes) * limits.maxMessageSlots;
  // Mostly messages that fit one slot of any size tried, some longer (chunked).
  const message = fc
    .oneof(
      { weight: 3, arbitrary: fc.uint8Array({ minLength: 0, maxLength: minPayload }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: minPayload + 1, maxLength: Math.max(maxLen, minPayload + 1) }) },
    )
    .map(bytesToHex);
  const pick: fc.Arbitrary<UmpPick> = fc.oneof(
    { weight: 80, arbitrary: fc.record({ proc: fc.constantFrom(...UMP_PROCESSES), burst: fc.integer({ min: 1, max: limits.maxBurst }) }) },
    { weight: 1, arbitrary: fc.record({ close: fc.constantFrom('A' as const, 'B' as const) }) },
  );
  return fc.record({
    config: fc.record({
      slots: fc.integer({ min: limits.minSlots, max: limits.maxSlots }),
      payloadBytes: fc.constantFrom(...limits.payloadBytes),
      maxMessageBytes: fc.constant(maxLen),
    }),
    workload: fc.record({
      AtoB: fc.array(message, { maxLength: limits.maxMessages, size: 'max' }),
      BtoA: fc.array(message, { maxLength: limits.maxMessages, size: 'max' }),
    }),
    schedule: fc.array(pick, { maxLength: limits.maxPicks, size: 'max' }),
  });
}

/**
 * Runs a scenario through the driver: each pick lets its process take up to
 * `burst` steps; an idle sender is first handed its next message (a Submit
 * step). Stops at the first failed check or after maxSteps steps.
 */
export function runUmpScenario(s: UmpScenario, options: UmpDriverOptions & { readonly maxSteps?: number } = {}): UmpReplayResult {
  const driver = new UmpStepDriver(s.config, options);
  const maxSteps = options.maxSteps ?? 400;
  const queue: Record<UmpDir, Hex[]> = { AtoB: [...s.workload.AtoB], BtoA: [...s.workload.BtoA] };
  const done = (failure?: ReturnType<UmpStepDriver['apply']>): UmpReplayResult =>
    failure === undefined
      ? { ok: true, steps: driver.recorded, maxInFlight: driver.maxInFlight }
      : { ok: false, steps: driver.recorded, failure, maxInFlight: driver.maxInFlight };
  for (const pick of s.schedule) {
    if ('close' in pick) {
      const f = driver.apply({ action: 'Close', side: pick.close });
      if (f !== undefined) return done(f);
      continue;
    }
    const dir = pick.proc.slice(0, 4) as UmpDir;
    for (let r = 0; r < pick.burst; r++) {
      if (driver.recorded.length >= maxSteps) return done();
      let step: UmpStep | undefined = driver.nextStep(pick.proc);
      if (step === undefined) {
        const next = queue[dir].shift();
        if (next === undefined) break;
        const f = driver.apply({ action: 'Submit', dir, payload: next });
        if (f !== undefined) return done(f);
        step = driver.nextStep(pick.proc)!;
      }
      const f = driver.apply(step);
      if (f !== undefined) return done(f);
    }
  }
  return done();
}
