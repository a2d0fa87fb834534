// The deterministic interleaving driver. It owns both ends of one channel (in
// a plain SharedArrayBuffer, in this thread), one stepped sender and one
// stepped receiver per direction, and the reference model. It executes an
// explicit list of steps, one atomic action at a time, whatever produced the
// list: fast-check, a trace file, or a TLA+ counterexample. After every step
// it checks:
//   1. the step's result against what the spec prescribes in the model's state
//      (prescribedSendCheck / prescribedRecvCheck: UMP-NO-OVERWRITE, UMP-CAPACITY,
//      UMP-NO-LOSS, UMP-NO-PHANTOM, UMP-CLOSE);
//   2. every frame the receiver finished reading against the frame the model
//      released (UMP-NO-TORN);
//   3. the implementation's observation (what its shared memory means) against
//      the model's;
//   4. every state invariant on the implementation's abstract state and on the
//      model's (UMP-BOUNDED, UMP-REASSEMBLY, UMP-NO-TORN, UMP-EXACTLY-ONCE, UMP-FIFO).
import type { Hex, UmpDir, UmpFrame, UmpObservation, UmpSide, UmpState, UmpStep } from '../../spec/ump/index.js';
import {
  FRAG_NAMES,
  UMP_DIRS,
  bytesToHex,
  checkUmpInvariants,
  hexToBytes,
  prescribedRecvCheck,
  prescribedSendCheck,
  umpConfig,
  umpStatusName,
} from '../../spec/ump/index.js';
import { UmpModel } from '../../model/ump/index.js';
import type { UmpEndpoint, UmpMutant } from '../../impl/ump/index.js';
import { RecvProcess, SendProcess, createUmpChannel, observeUmpChannel } from '../../impl/ump/index.js';
import type { UmpTraceConfig } from './trace.js';

export interface UmpDriverOptions {
  readonly mutant?: UmpMutant | undefined;
  /** Run the implementation with its data-structure assertions on (default true here). */
  readonly debug?: boolean | undefined;
  /**
   * Skip (do not execute, do not record) a step that is not enabled, instead
   * of failing with STEP-NOT-ENABLED. The shrinker uses it: removing one step
   * may disable later ones, which then simply drop out.
   */
  readonly skipDisabled?: boolean | undefined;
  /**
   * Run the checks after every step (default true). The exhaustive explorer
   * turns them off only to re-enter a state it has already checked, by
   * replaying the very steps that were checked on the way there.
   */
  readonly checks?: boolean | undefined;
  /**
   * Compare the implementation's shared memory with the model after every
   * step (check 3 above; default true). Off, the driver checks what a TLA+
   * model's invariants speak of: each step's result, each frame read, and the
   * state invariants. The TLA+ trace bridge replays a counterexample both ways
   * (conformance/ump/itf-bridge.ts), because the memory check can see a bug
   * steps before any message is delivered wrong.
   */
  readonly compareMemory?: boolean | undefined;
}

/** The four processes of a channel: a sender and a receiver per direction. */
export const UMP_PROCESSES = ['AtoB.send', 'AtoB.recv', 'BtoA.send', 'BtoA.recv'] as const;
export type UmpProcess = (typeof UMP_PROCESSES)[number];

export interface UmpStepFailure {
  /** Index of the failing step in the executed list. */
  readonly stepIndex: number;
  readonly step: UmpStep;
  /** An invariant or rule id, or a harness-level kind (STEP-NOT-ENABLED, TRACE-MISMATCH, IMPL-EXCEPTION, MODEL-INVARIANT). */
  readonly check: string;
  readonly message: string;
  readonly diff: string[];
}

/** Program counters, as the TLA+ model names them: spc (sender) and rpc (receiver) per direction; 'Idle' for a sender with nothing to send. */
export type UmpProgramCounters = Record<UmpDir, { spc: string; rpc: string }>;

function sideEnd(side: UmpSide, a: UmpEndpoint, b: UmpEndpoint): UmpEndpoint {
  return side === 'A' ? a : b;
}

/** Field-level differences between two observations, and the check they break. */
export function diffObservations(model: UmpObservation, impl: UmpObservation): { check: string; diff: string[] } | undefined {
  const diff: string[] = [];
  let check: string | undefined;
  const note = (c: string, line: string) => {
    diff.push(line);
    check ??= c;
  };
  for (const side of ['A', 'B'] as const)
    if (model.closed[side] !== impl.closed[side]) note('UMP-CLOSE', `closed.${side}: model ${model.closed[side]}, impl ${impl.closed[side]}`);
  for (const dir of UMP_DIRS) {
    const m = model[dir].inFlight;
    const i = impl[dir].inFlight;
    if (m.length !== i.length)
      note(i.length < m.length ? 'UMP-NO-LOSS' : 'UMP-NO-PHANTOM', `${dir}.inFlight: model ${m.length} frame(s), impl ${i.length} at the receiver's position`);
    for (let k = 0; k < Math.min(m.length, i.length); k++)
      for (const f of ['frag', 'token', 'payload'] as const)
        if (m[k]![f] !== i[k]![f])
          note('UMP-NO-TORN', `${dir}.inFlight[${k}].${f}: model ${String(m[k]![f]) || '(empty)'}, impl ${String(i[k]![f]) || '(empty)'}`);
  }
  return diff.length === 0 ? undefined : { check: check!, diff };
}

function frameDiff(model: UmpFrame, got: { bytes: Uint8Array; frag: number; token: number }): string[] {
  const out: string[] = [];
  const payload = bytesToHex(got.bytes);
  const frag = FRAG_NAMES[got.frag]!;
  if (model.payload !== payload) out.push(`payload: published ${model.payload || '(empty)'}, read ${payload || '(empty)'}`);
  if (model.frag !== frag) out.push(`frag: published ${model.frag}, read ${frag}`);
  if (model.token !== got.token) out.push(`token: published ${model.token}, read ${got.token}`);
  return out;
}

export class UmpStepDriver {
  readonly config: UmpTraceConfig;
  readonly mutant: UmpMutant | undefined;
  private readonly skipDisabled: boolean;
  private checks: boolean;
  private readonly compareMemory: boolean;
  private readonly model: UmpModel;
  private readonly a: UmpEndpoint;
  private readonly b: UmpEndpoint;
  private readonly senders: Record<UmpDir, SendProcess>;
  private readonly receivers: Record<UmpDir, RecvProcess>;
  /** Submit steps executed, per direction. */
  readonly submits: Record<UmpDir, number> = { AtoB: 0, BtoA: 0 };
  /** Messages handed to each sender and not yet finished, oldest first. */
  private readonly submitted: Record<UmpDir, Hex[]> = { AtoB: [], BtoA: [] };
  /** What the implementation sent (finished publishing) and delivered, per direction. */
  private readonly implSent: Record<UmpDir, Hex[]> = { AtoB: [], BtoA: [] };
  private readonly implDelivered: Record<UmpDir, Hex[]> = { AtoB: [], BtoA: [] };
  /** The frame the model released that the receiver is still reading (release-then-read orders). */
  private readonly reading: Record<UmpDir, UmpFrame | undefined> = { AtoB: undefined, BtoA: undefined };
  /** The steps executed, with the reference's results filled in. */
  readonly recorded: UmpStep[] = [];
  /** Deepest ring occupancy seen, per direction. */
  readonly maxInFlight: Record<UmpDir, number> = { AtoB: 0, BtoA: 0 };

  constructor(config: UmpTraceConfig, options: UmpDriverOptions = {}) {
    this.config = config;
    this.mutant = options.mutant;
    this.skipDisabled = options.skipDisabled ?? false;
    this.checks = options.checks ?? true;
    this.compareMemory = options.compareMemory ?? true;
    const c = umpConfig({ ...config, spinPolls: 0 });
    this.model = new UmpModel(c.slots, c.payloadBytes, c.maxMessageBytes);
    const ch = createUmpChannel(c, { memory: 'sab', mutant: options.mutant, debug: options.debug ?? true });
    this.a = ch.a;
    this.b = ch.b;
    this.senders = { AtoB: new SendProcess(this.a.tx), BtoA: new SendProcess(this.b.tx) };
    this.receivers = { AtoB: new RecvProcess(this.b.rx, c.maxMessageBytes), BtoA: new RecvProcess(this.a.rx, c.maxMessageBytes) };
  }

  /** Turns the checks on from here (a driver built with checks: false to replay steps already checked). */
  withChecks(): this {
    this.checks = true;
    return this;
  }

  /** The step a process would take next (without results), or undefined for a sender with nothing to send. */
  nextStep(proc: UmpProcess): UmpStep | undefined {
    const dir = proc.slice(0, 4) as UmpDir;
    if (proc.endsWith('send')) {
      const sp = this.senders[dir];
      const pc = sp.pc;
      if (pc === undefined) return undefined;
      return pc === 'SendWrite' ? { action: pc, dir, word: sp.nextWord } : { action: pc, dir };
    }
    const rp = this.receivers[dir];
    const pc = rp.pc;
    return pc === 'RecvRead' ? { action: pc, dir, word: rp.nextWord } : { action: pc, dir };
  }

  pcs(): UmpProgramCounters {
    return {
      AtoB: { spc: this.senders.AtoB.pc ?? 'Idle', rpc: this.receivers.AtoB.pc },
      BtoA: { spc: this.senders.BtoA.pc ?? 'Idle', rpc: this.receivers.BtoA.pc },
    };
  }

  /**
   * Everything that decides what happens next and what the checks will say,
   * as a string: the channel's shared memory, both ends' private positions,
   * the four processes, the model, and the histories this driver keeps.
   * Drivers with equal fingerprints (same configuration and mutant) give the
   * same results and the same check outcomes for any continuation; the
   * exhaustive explorer relies on it to visit each state once.
   */
  fingerprint(): string {
    const parts = [
      this.a.words.join(','),
      this.senders.AtoB.fingerprint(),
      this.senders.BtoA.fingerprint(),
      this.receivers.AtoB.fingerprint(),
      this.receivers.BtoA.fingerprint(),
      this.model.fingerprint(),
      JSON.stringify([this.submits, this.submitted, this.implSent, this.implDelivered, this.reading]),
    ];
    return parts.join('\n');
  }

  /** The implementation's abstract state: its observation plus the histories the driver recorded. */
  implState(): UmpState {
    const o = observeUmpChannel(this.a, this.b);
    return {
      slots: o.slots,
      payloadBytes: o.payloadBytes,
      closed: o.closed,
      AtoB: { sent: [...this.implSent.AtoB], delivered: [...this.implDelivered.AtoB], inFlight: o.AtoB.inFlight },
      BtoA: { sent: [...this.implSent.BtoA], delivered: [...this.implDelivered.BtoA], inFlight: o.BtoA.inFlight },
    };
  }

  modelState(): UmpState {
    return this.model.state();
  }

  /** Executes one step; returns the first check it fails, or undefined. */
  apply(step: UmpStep): UmpStepFailure | undefined {
    const index = this.recorded.length;
    const fail = (check: string, message: string, diff: string[] = []): UmpStepFailure => {
      this.recorded.push(step);
      return { stepIndex: index, step, check, message, diff };
    };
    let result: { recorded: UmpStep; failure?: { check: string; message: string; diff?: string[] } };
    try {
      result = this.execute(step);
    } catch (e) {
      return fail('IMPL-EXCEPTION', `the implementation threw: ${(e as Error).message}`);
    }
    if (result.failure?.check === 'STEP-NOT-ENABLED' && this.skipDisabled) return undefined;
    this.recorded.push(result.recorded);
    if (result.failure !== undefined)
      return { stepIndex: index, step: result.recorded, check: result.failure.check, message: result.failure.message, diff: result.failure.diff ?? [] };
    return this.checks ? this.afterStep(index, result.recorded) : undefined;
  }

  private execute(step: UmpStep): { recorded: UmpStep; failure?: { check: string; message: string; diff?: string[] } } {
    const notEnabled = (why: string) => ({ recorded: step, failure: { check: 'STEP-NOT-ENABLED', message: why } });
    switch (step.action) {
      case 'Submit':
        if (step.payload.length / 2 > this.config.maxMessageBytes)
          return notEnabled(`a ${step.payload.length / 2}-byte message is longer than maxMessageBytes (${this.config.maxMessageBytes})`);
        this.submits[step.dir]++;
        this.model.submit(step.dir, step.payload);
        this.senders[step.dir].submit(hexToBytes(step.payload));
        this.submitted[step.dir].push(step.payload);
        return { recorded: step };
      case 'Close':
        sideEnd(step.side, this.a, this.b).close();
        this.model.close(step.side);
        return { recorded: step };
      case 'SendCheck':
      case 'SendWrite':
      case 'SendPublish': {
        const dir = step.dir;
        const sp = this.senders[dir];
        if (sp.pc !== step.action) return notEnabled(`${dir} sender's next action is ${sp.pc ?? 'none (nothing submitted)'}, not ${step.action}`);
        if (step.action === 'SendWrite' && sp.nextWord !== step.word) return notEnabled(`${dir} sender writes word ${sp.nextWord} next, not word ${step.word}`);
        if (step.action === 'SendCheck') {
          const pre = prescribedSendCheck(this.model.state(), dir);
          const out = sp.step();
          const got = umpStatusName(out.status!);
          const reference = this.model.sendCheck(dir);
          const recorded: UmpStep = { action: 'SendCheck', dir, result: reference };
          if (got === 'LIB_ERR_UMP_NOT_CONNECTED') this.submitted[dir].shift();
          if (step.result !== undefined && step.result !== reference)
            return {
              recorded,
              failure: { check: 'TRACE-MISMATCH', message: `the trace says SendCheck returned ${step.result}, the reference returns ${reference}` },
            };
          if (got !== pre.expected)
            return {
              recorded,
              failure: {
                check: pre.rule,
                message: `${dir} SendCheck reported ${got}; with ${this.model.state()[dir].inFlight.length} of ${this.config.slots} slots in flight the spec prescribes ${pre.expected}`,
              },
            };
          return { recorded };
        }
        const out = sp.step();
        if (step.action === 'SendPublish') this.model.publish(dir);
        if (out.messageSent === true) this.implSent[dir].push(this.submitted[dir].shift()!);
        return { recorded: step };
      }
      case 'RecvCheck':
      case 'RecvRead':
      case 'RecvRelease': {
        const dir = step.dir;
        const rp = this.receivers[dir];
        if (rp.pc !== step.action) return notEnabled(`${dir} receiver's next action is ${rp.pc}, not ${step.action}`);
        if (step.action === 'RecvRead' && rp.nextWord !== step.word) return notEnabled(`${dir} receiver reads word ${rp.nextWord} next, not word ${step.word}`);
        if (step.action === 'RecvCheck') {
          const pre = prescribedRecvCheck(this.model.state(), dir);
          const out = rp.step();
          const got = umpStatusName(out.status!);
          const recorded: UmpStep = { action: 'RecvCheck', dir, result: pre.expected };
          if (step.result !== undefined && step.result !== pre.expected)
            return {
              recorded,
              failure: { check: 'TRACE-MISMATCH', message: `the trace says RecvCheck returned ${step.result}, the reference returns ${pre.expected}` },
            };
          if (got !== pre.expected)
            return {
              recorded,
              failure: {
                check: pre.rule,
                message: `${dir} RecvCheck reported ${got}; with ${this.model.state()[dir].inFlight.length} frame(s) in flight the spec prescribes ${pre.expected}`,
              },
            };
          return { recorded };
        }
        const out = rp.step();
        let recorded: UmpStep = step;
        if (step.action === 'RecvRelease') {
          if (this.model.state()[dir].inFlight.length === 0)
            return { recorded, failure: { check: 'UMP-NO-PHANTOM', message: `${dir} receiver released a frame the model never published` } };
          const rel = this.model.release(dir);
          this.reading[dir] = rel.frame;
          recorded = rel.delivered === undefined ? { action: 'RecvRelease', dir } : { action: 'RecvRelease', dir, delivered: rel.delivered };
          if (step.delivered !== undefined && step.delivered !== rel.delivered)
            return {
              recorded,
              failure: {
                check: 'TRACE-MISMATCH',
                message: `the trace says ${step.delivered} was delivered, the reference delivers ${rel.delivered ?? 'nothing'}`,
              },
            };
        }
        if (out.frame !== undefined) {
          const want = this.reading[dir];
          this.reading[dir] = undefined;
          const d = want === undefined ? ['no frame was released by the model'] : frameDiff(want, out.frame);
          if (d.length > 0)
            return { recorded, failure: { check: 'UMP-NO-TORN', message: `${dir} receiver read a frame that differs from the one published`, diff: d } };
        }
        if (out.delivered !== undefined) this.implDelivered[dir].push(bytesToHex(out.delivered));
        return { recorded };
      }
    }
  }

  private afterStep(index: number, step: UmpStep): UmpStepFailure | undefined {
    const impl = this.implState();
    const model = this.model.state();
    for (const dir of UMP_DIRS) this.maxInFlight[dir] = Math.max(this.maxInFlight[dir], model[dir].inFlight.length);
    const implObs = {
      slots: impl.slots,
      payloadBytes: impl.payloadBytes,
      closed: impl.closed,
      AtoB: { inFlight: impl.AtoB.inFlight },
      BtoA: { inFlight: impl.BtoA.inFlight },
    };
    const modelObs = {
      slots: model.slots,
      payloadBytes: model.payloadBytes,
      closed: model.closed,
      AtoB: { inFlight: model.AtoB.inFlight },
      BtoA: { inFlight: model.BtoA.inFlight },
    };
    const d = this.compareMemory ? diffObservations(modelObs, implObs) : undefined;
    if (d !== undefined)
      return { stepIndex: index, step, check: d.check, message: "the implementation's shared memory no longer means what the model holds", diff: d.diff };
    const iv = checkUmpInvariants(impl)[0];
    if (iv !== undefined) return { stepIndex: index, step, check: iv.id, message: `${iv.dir}: ${iv.message}`, diff: [] };
    const mv = checkUmpInvariants(model)[0];
    if (mv !== undefined)
      return { stepIndex: index, step, check: 'MODEL-INVARIANT', message: `capref bug: the model violates ${mv.id}: ${mv.message}`, diff: [] };
    return undefined;
  }
}

export interface UmpReplayResult {
  readonly ok: boolean;
  /** The steps executed (up to and including a failing one), with the reference's results. */
  readonly steps: UmpStep[];
  readonly failure?: UmpStepFailure;
  /** Deepest ring occupancy reached. */
  readonly maxInFlight: Record<UmpDir, number>;
}

/** Replays an explicit list of steps against implementation and model, stopping at the first failed check. */
export function replayUmpSteps(config: UmpTraceConfig, steps: readonly UmpStep[], options: UmpDriverOptions = {}): UmpReplayResult {
  const driver = new UmpStepDriver(config, options);
  for (const step of steps) {
    const failure = driver.apply(step);
    if (failure !== undefined) return { ok: false, steps: driver.recorded, failure, maxInFlight: driver.maxInFlight };
  }
  return { ok: true, steps: driver.recorded, maxInFlight: driver.maxInFlight };
}
