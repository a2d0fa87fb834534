// Bounded exhaustive checking: for a small channel and a fixed workload, every
// interleaving of the four processes' atomic steps (and of one optional
// close), each step checked exactly as the random mode checks it (driver.ts).
//
// The explorer is a depth-first search over the driver's enabled steps. In
// every state it reached, it executes every enabled step once, with all the
// checks, and looks at the state that step leads to:
//  - the same state (a poll that found nothing: RecvCheck on an empty ring,
//    SendCheck on a full one): checked, not followed; repeating such a poll
//    changes nothing, so it adds no new interleaving;
//  - a state seen before (its fingerprint, driver.fingerprint(), is known):
//    not explored again. The fingerprint holds everything that decides the
//    future, histories included, so every continuation from there was checked
//    the first time;
//  - otherwise: explored.
// So every step of every interleaving is checked at least once, and the count
// of interleavings (paths from the start to a final state, repeated empty polls
// not counted) comes out of the same search.
//
// The driver cannot be copied, so a state is re-entered by replaying, on a fresh
// driver and with the checks off, the path that first reached it (those steps
// were checked on the way there): simple and obviously faithful, at the cost
// of one replay per branch.
import { join } from 'node:path';
import type { Hex, UmpDir, UmpSide, UmpStep } from '../../spec/ump/index.js';
import { UMP_DIRS } from '../../spec/ump/index.js';
import type { UmpMutant } from '../../impl/ump/index.js';
import type { UmpStepFailure } from './driver.js';
import { UmpStepDriver } from './driver.js';
import { formatUmpSteps, umpFailure } from './run.js';
import { shrinkUmpSteps } from './shrink.js';
import type { UmpTrace, UmpTraceConfig } from './trace.js';
import { writeUmpTrace } from './trace.js';

export interface UmpExhaustiveBounds {
  readonly config: UmpTraceConfig;
  /** The messages each sender is handed, in order (a Submit step when the sender is idle). */
  readonly workload: Readonly<Record<UmpDir, readonly Hex[]>>;
  /** Ends that may close the channel; a close can happen between any two steps, at most one per interleaving. */
  readonly closes?: readonly UmpSide[];
}

export interface UmpExhaustiveOptions {
  readonly mutant?: UmpMutant | undefined;
  /** Give up (complete: false) after this many distinct states. */
  readonly maxStates?: number;
}

export interface UmpExhaustiveResult {
  readonly ok: boolean;
  /** Every reachable state was explored (false only when maxStates stopped the search). */
  readonly complete: boolean;
  /** Distinct states reached. */
  readonly states: number;
  /** Steps executed with every check (one per state and enabled step). */
  readonly checkedSteps: number;
  /** Final states: nothing but empty polls left. */
  readonly finalStates: number;
  /** Interleavings from the start to a final state, repeated empty polls not counted. */
  readonly interleavings: bigint;
  /** The longest interleaving, in steps. */
  readonly maxDepth: number;
  /** The first failure found, and the steps leading to it (with the reference's results). */
  readonly failure?: UmpStepFailure;
  readonly steps?: readonly UmpStep[];
  /**
   * The failure is the final-state check (every message delivered once nothing
   * can move), not a step's: replaying the steps passes every step check.
   */
  readonly atFinalState?: boolean;
}

class Found extends Error {
  constructor(
    readonly failure: UmpStepFailure,
    readonly steps: readonly UmpStep[],
    readonly atFinalState = false,
  ) {
    super(failure.message);
  }
}
class Exhausted extends Error {}

/** The steps enabled in the driver's state under these bounds. */
export function enabledUmpSteps(d: UmpStepDriver, b: UmpExhaustiveBounds): UmpStep[] {
  const out: UmpStep[] = [];
  for (const dir of UMP_DIRS) {
    const send = d.nextStep(`${dir}.send`);
    if (send !== undefined) out.push(send);
    else {
      const next = b.workload[dir][d.submits[dir]];
      if (next !== undefined) out.push({ action: 'Submit', dir, payload: next });
    }
    out.push(d.nextStep(`${dir}.recv`)!);
  }
  const closed = d.modelState().closed;
  if (!closed.A && !closed.B) for (const side of b.closes ?? []) out.push({ action: 'Close', side });
  return out;
}

/** Every interleaving of the bounded workload, each step checked; stops at the first failure. */
export function exploreUmpExhaustively(bounds: UmpExhaustiveBounds, options: UmpExhaustiveOptions = {}): UmpExhaustiveResult {
  const maxStates = options.maxStates ?? 1_000_000;
  const driverOptions = { mutant: options.mutant };
  /** Interleavings from each fully explored state to a final state; undefined while it is being explored. */
  const paths = new Map<string, bigint | undefined>();
  let checkedSteps = 0;
  let finalStates = 0;
  let maxDepth = 0;

  const replay = (path: readonly UmpStep[]): UmpStepDriver => {
    const d = new UmpStepDriver(bounds.config, { ...driverOptions, checks: false });
    for (const s of path) {
      const f = d.apply(s);
      if (f !== undefined) throw new Error(`capref bug: replaying a checked path failed at step ${f.stepIndex}: ${f.message}`);
    }
    return d.withChecks();
  };

  // Depth-first; `d` is in the state `path` leads to, whose fingerprint is `fp`.
  const explore = (d: UmpStepDriver, path: UmpStep[], fp: string): bigint => {
    paths.set(fp, undefined);
    if (paths.size > maxStates) throw new Exhausted();
    maxDepth = Math.max(maxDepth, path.length);
    const enabled = enabledUmpSteps(d, bounds);
    let total = 0n;
    let progress = false;
    for (let i = 0; i < enabled.length; i++) {
      const step = enabled[i]!;
      // The last branch may use this driver; the others start from a replay.
      const here = i === enabled.length - 1 ? d : replay(path);
      const failure = here.apply(step);
      checkedSteps++;
      if (failure !== undefined) throw new Found(failure, here.recorded);
      const next = here.fingerprint();
      if (next === fp) continue; // an empty poll
      progress = true;
      const known = paths.get(next);
      if (known !== undefined) total += known;
      else if (paths.has(next)) throw new Error('capref bug: a cycle of UMP states that is not an empty poll');
      else total += explore(here, [...path, step], next);
    }
    if (!progress) {
      finalStates++;
      const f = umpFinalStateFailure(d, bounds, path.length);
      if (f !== undefined) throw new Found(f, d.recorded, true);
      total = 1n;
    }
    paths.set(fp, total);
    return total;
  };

  const counts = () => ({ states: paths.size, checkedSteps, finalStates, maxDepth });
  const root = new UmpStepDriver(bounds.config, driverOptions);
  try {
    const interleavings = explore(root, [], root.fingerprint());
    return { ok: true, complete: true, ...counts(), interleavings };
  } catch (e) {
    if (e instanceof Found)
      return {
        ok: false,
        complete: false,
        ...counts(),
        interleavings: 0n,
        failure: e.failure,
        steps: e.steps,
        ...(e.atFinalState ? { atFinalState: true } : {}),
      };
    if (e instanceof Exhausted) return { ok: true, complete: false, ...counts(), interleavings: 0n };
    throw e;
  }
}

/**
 * At a final state, with no close, every message handed to a sender has been
 * delivered and nothing is left in a ring: the channel cannot stop short.
 */
export function umpFinalStateFailure(d: UmpStepDriver, b: UmpExhaustiveBounds, at: number): UmpStepFailure | undefined {
  const s = d.modelState();
  if (s.closed.A || s.closed.B) return undefined;
  for (const dir of UMP_DIRS) {
    const want = b.workload[dir];
    if (s[dir].delivered.length !== want.length || s[dir].inFlight.length > 0 || d.implState()[dir].delivered.length !== want.length)
      return {
        stepIndex: Math.max(0, at - 1),
        step: d.recorded[at - 1] ?? { action: 'RecvCheck', dir },
        check: 'UMP-NO-LOSS',
        message: `${dir}: the channel stopped with ${s[dir].delivered.length} of ${want.length} messages delivered and ${s[dir].inFlight.length} frame(s) in the ring`,
        diff: [],
      };
  }
  return undefined;
}

/** A named bound: the configuration, the workload and the closes explored. */
export interface UmpExhaustiveBound extends UmpExhaustiveBounds {
  readonly name: string;
}

// Payloads: every byte distinct and non-zero, so that a frame read torn,
// early, twice or from the wrong slot differs from the one published (fresh
// shared memory is zero). With 8 payload bytes per slot every message below
// is one or two words in one frame, or two frames (9 bytes: FIRST + LAST).
const TWO_WORDS = '0102030405';
const CHUNKED = '060708090a0b0c0d0e';
const ONE_WORD = '0f';
const BACK_ONE = '10';
const BACK_TWO = '1112131415';
const config = (slots: number): UmpTraceConfig => ({ slots, payloadBytes: 8, maxMessageBytes: 16 });

/**
 * The bounds `npm test` explores exhaustively (about 3 s in all): a full ring
 * of one slot, wrap-around in two, a chunked message in each, both directions
 * at once, and a close by either end between any two steps.
 */
export const UMP_EXHAUSTIVE_BOUNDS: readonly UmpExhaustiveBound[] = [
  { name: '1 slot, 2+2 messages, a close', config: config(1), workload: { AtoB: [TWO_WORDS, CHUNKED], BtoA: [BACK_ONE, BACK_TWO] }, closes: ['A', 'B'] },
  { name: '2 slots, 2+2 messages, a close', config: config(2), workload: { AtoB: [TWO_WORDS, CHUNKED], BtoA: [BACK_ONE, BACK_TWO] }, closes: ['A', 'B'] },
  { name: '2 slots, 3+1 messages, a close', config: config(2), workload: { AtoB: [TWO_WORDS, CHUNKED, ONE_WORD], BtoA: [BACK_TWO] }, closes: ['A', 'B'] },
];

/** One line per bound: what was explored. */
export function describeUmpBound(b: UmpExhaustiveBounds): string {
  const msgs = (dir: UmpDir) => (b.workload[dir].length === 0 ? 'none' : b.workload[dir].map((m) => `${m.length / 2} B`).join(', '));
  return `${b.config.slots} slot(s) of ${b.config.payloadBytes} B; A->B ${msgs('AtoB')}; B->A ${msgs('BtoA')}; closes: ${(b.closes ?? []).join(' or ') || 'none'}`;
}

export interface UmpExhaustiveRun {
  readonly ok: boolean;
  readonly results: ReadonlyArray<{ readonly bound: UmpExhaustiveBound; readonly result: UmpExhaustiveResult }>;
  readonly counterexample?: {
    readonly bound: UmpExhaustiveBound;
    readonly check: string;
    readonly message: string;
    readonly trace: UmpTrace;
    readonly tracePath?: string;
    readonly originalSteps: number;
  };
  readonly report: string;
}

/**
 * Explores each bound in turn (default UMP_EXHAUSTIVE_BOUNDS); stops at the
 * first failure, shrinks it, writes the trace (unless outDir is null) and
 * reports it with the command that replays it.
 */
export function runUmpExhaustive(
  options: UmpExhaustiveOptions & { readonly bounds?: readonly UmpExhaustiveBound[]; readonly outDir?: string | null } = {},
): UmpExhaustiveRun {
  const bounds = options.bounds ?? UMP_EXHAUSTIVE_BOUNDS;
  const mutant = options.mutant;
  const results: Array<{ bound: UmpExhaustiveBound; result: UmpExhaustiveResult }> = [];
  const lines = [
    `UMP exhaustive${mutant === undefined ? '' : `, mutant ${mutant}`}: every interleaving of the four processes' steps (and of the close) in each bound, every step checked`,
  ];
  for (const bound of bounds) {
    const result = exploreUmpExhaustively(bound, options);
    results.push({ bound, result });
    if (result.ok) {
      lines.push(
        `  ${bound.name}: ${result.complete ? '' : 'INCOMPLETE (maxStates reached): '}${result.states} states, ${result.checkedSteps} steps checked, ` +
          `${result.interleavings.toLocaleString('en-US')} interleavings of up to ${result.maxDepth} steps`,
        `    (${describeUmpBound(bound)})`,
      );
      continue;
    }
    // A step's failure is shrunk like a random run's; the final-state check
    // cannot be (a shorter list is not a final state), so it is kept whole.
    const shrunk = result.atFinalState === true ? undefined : shrinkUmpSteps(bound.config, result.steps!, result.failure!.check, { mutant });
    const failure = shrunk?.replay.failure ?? result.failure!;
    const trace: UmpTrace = {
      format: 'capref-trace',
      version: 1,
      subsystem: 'ump',
      config: shrunk?.config ?? bound.config,
      ...(mutant === undefined ? {} : { impl: { mutant } }),
      steps: shrunk?.replay.steps ?? [...result.steps!],
      failure: umpFailure(failure),
    };
    let tracePath: string | undefined;
    if (options.outDir !== null) {
      tracePath = join(options.outDir ?? 'capref-out', `ump-exhaustive${mutant === undefined ? '' : `-${mutant}`}.json`);
      writeUmpTrace(tracePath, trace);
    }
    lines.push(
      `  ${bound.name}: counterexample after ${result.states} states; shrunk from ${result.steps!.length} to ${trace.steps.length} steps`,
      `violated ${failure.check}: ${failure.message}`,
      ...failure.diff.map((d) => `  ${d}`),
      ...(result.atFinalState === true ? ['(found at a final state: replaying the steps passes every step check, and then nothing more can happen)'] : []),
      `config: ${trace.config.slots} slot(s) per direction, ${trace.config.payloadBytes} payload bytes per slot`,
      "steps (results are the reference's):",
      ...formatUmpSteps(trace.steps, failure.stepIndex),
      ...(tracePath === undefined ? [] : [`trace written to ${tracePath}`, `reproduce: capref replay ${tracePath}`]),
    );
    return {
      ok: false,
      results,
      counterexample: {
        bound,
        check: failure.check,
        message: failure.message,
        trace,
        ...(tracePath === undefined ? {} : { tracePath }),
        originalSteps: result.steps!.length,
      },
      report: lines.join('\n') + '\n',
    };
  }
  return { ok: true, results, report: lines.join('\n') + '\n' };
}
