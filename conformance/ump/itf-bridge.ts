// The trace bridge from proofs/UmpChannel.tla to the UMP implementation: an
// ITF trace of UmpChannel or UmpChannelBuggy (a counterexample, or a witness
// such as UmpChannel_witness.cfg's) becomes a UMP conformance trace in the
// shared envelope and replays against impl/ump through the interleaving
// driver, like any trace (docs/ump.md, section 10).
//
// How a transition becomes a step. The model's every action changes a
// program counter (spc/swi, rpc/rwi), so the state difference determines it.
// The bridge does not pattern-match the difference: it runs the model's own
// Next relation (umpTlaNext, a transcription of UmpChannel.tla's actions) on
// the earlier state and keeps the one successor equal to the later state. A
// transition no action explains, a state that is not the model's Init, a
// variable the model does not have: the trace is refused with the state
// index and the variables that changed, never mapped to something else.
//
// The mapping (model -> implementation):
//   SendCheck          -> Submit(message sent+1), SendCheck (result OK)
//   SendWriteWord(i)   -> SendWrite[i-1]       (the model counts words from 1)
//   SendPublish        -> SendPublish
//   RecvCheck          -> RecvCheck (result OK)
//   RecvReadWord(i)    -> RecvRead[i-1]
//   RecvRelease        -> RecvRelease
//   Done, stuttering   -> nothing
//   N, W               -> config.slots = N, config.payloadBytes = maxMessageBytes = 4 W
//   MaxMsg             -> the number of Submits the trace can contain (checked while mapping)
//   PublishFirst=TRUE  -> impl.mutant "used-bit-first" (UmpChannelBuggy: the same step order)
//
// Where the model and the implementation differ, and what the bridge does:
//  - Direction. The model is one direction of a channel; it becomes AtoB
//    (sender: end A, receiver: end B). BtoA stays idle; nothing closes.
//  - What a message is. Message k is W words that all hold the number k; in
//    the implementation, a single-slot message of W little-endian 32-bit words
//    (4W bytes, one SINGLE frame: the model has no chunking, no token and no
//    length; its `used' boolean stands for the whole control word, which the
//    implementation stores at once with USED, LEN and FRAG).
//  - Where messages come from. The model's sender owns MaxMsg messages
//    (SendCheck is enabled while sent < MaxMsg); the implementation's sender
//    sends what the environment submits. The bridge submits message sent+1
//    right before the SendCheck that starts it, so the environment step is
//    invisible to the model's state.
//  - Failing polls. A check that finds the ring full or empty is no step in
//    the model (the process waits: stuttering), so every bridged SendCheck and
//    RecvCheck must return OK; the trace says so and the driver checks it.
//  - Granularity of the checks. The model's invariants speak of delivered
//    messages (NoTornRead, FifoExactlyOnce) and of messages whose send has
//    completed (InFlightIntact); the driver also compares the ring's memory
//    with the reference after every step. For UmpChannelBuggy that memory
//    check sees the published-but-empty slot at SendPublish, steps before the
//    model's NoTornRead fails at RecvRelease; so a failing replay is also run
//    without the memory check, which then fails where the model does
//    (replayBridgedUmp, itf-replay.ts).
//  - The correct implementation cannot take the buggy model's steps at all:
//    after SendCheck its sender's next step is SendWrite[0], and the driver
//    never reorders a process, so SendPublish there is STEP-NOT-ENABLED.
import type { ItfState, ItfTrace, ItfValue } from '../../proofs/tla-tools-runner/index.js';
import type { Hex, UmpStep } from '../../spec/ump/index.js';
import { MAX_PAYLOAD_WORDS, UMP_MAX_SLOTS } from '../../spec/ump/index.js';
import type { UmpMutant } from '../../impl/ump/index.js';
import { UmpTraceSchema, type UmpTrace } from './trace.js';
import type { ItfPath } from '../itf/bridge.js';
import { changedVariables, ItfBridgeError, itfBool, itfField, itfFunctionOnRange, itfInt, itfStr } from '../itf/bridge.js';

/** The model is one direction of a channel: this one. */
export const UMP_ITF_DIR = 'AtoB' as const;

/** The TLA+ modules this bridge maps (UmpChannelBuggy is UmpChannel with PublishFirst <- TRUE). */
export const UMP_TLA_MODULES = ['UmpChannel', 'UmpChannelBuggy'] as const;

/** UmpChannel.tla's variables, in its order. */
export const UMP_TLA_VARIABLES = ['ring', 'spos', 'spc', 'swi', 'sent', 'rpos', 'rpc', 'rwi', 'rbuf', 'delivered'] as const;

type Spc = 'check' | 'write' | 'publish';
type Rpc = 'check' | 'read' | 'release';

/** A state of UmpChannel.tla. Word vectors are 0-based arrays: index 0 is the model's word 1. */
export interface UmpTlaState {
  readonly ring: readonly { readonly used: boolean; readonly word: readonly number[] }[];
  readonly spos: number;
  readonly spc: Spc;
  readonly swi: number;
  readonly sent: number;
  readonly rpos: number;
  readonly rpc: Rpc;
  readonly rwi: number;
  readonly rbuf: readonly number[];
  readonly delivered: readonly (readonly number[])[];
}

export interface UmpTlaConstants {
  readonly N: number;
  readonly W: number;
  /** Unknown when the trace carries no parameters: then the sender's supply is not bounded while mapping. */
  readonly MaxMsg: number | undefined;
  readonly PublishFirst: boolean;
  /** Where PublishFirst came from. */
  readonly publishFirstFrom: 'params' | 'module' | 'steps';
}

export type UmpTlaAction = 'SendCheck' | 'SendWriteWord' | 'SendPublish' | 'RecvCheck' | 'RecvReadWord' | 'RecvRelease';
const ACTION_NAMES: ReadonlySet<string> = new Set(['SendCheck', 'SendWriteWord', 'SendPublish', 'RecvCheck', 'RecvReadWord', 'RecvRelease', 'Done']);

export interface UmpTlaStep {
  readonly action: UmpTlaAction;
  /** SendWriteWord/RecvReadWord: the model's word number (1-based). */
  readonly word?: number;
  readonly next: UmpTlaState;
}

/** `SendWriteWord(2)`, `RecvCheck`. */
export function umpTlaLabel(s: { action: UmpTlaAction; word?: number | undefined }): string {
  return s.word === undefined ? s.action : `${s.action}(${s.word})`;
}

const blank = (W: number): number[] => Array<number>(W).fill(0);

/** UmpChannel's Init. */
export function umpTlaInit(c: Pick<UmpTlaConstants, 'N' | 'W'>): UmpTlaState {
  return {
    ring: Array.from({ length: c.N }, () => ({ used: false, word: blank(c.W) })),
    spos: 0,
    spc: 'check',
    swi: 1,
    sent: 0,
    rpos: 0,
    rpc: 'check',
    rwi: 1,
    rbuf: blank(c.W),
    delivered: [],
  };
}

function withSlot(s: UmpTlaState, at: number, f: (slot: UmpTlaState['ring'][number]) => UmpTlaState['ring'][number]): UmpTlaState['ring'] {
  return s.ring.map((slot, i) => (i === at ? f(slot) : slot));
}

/**
 * UmpChannel's Next without Done (a stutter), transcribed action by action
 * from proofs/UmpChannel.tla: the successors of s, each with its action.
 * Every action is deterministic, so there are at most six.
 */
export function umpTlaNext(s: UmpTlaState, c: UmpTlaConstants): UmpTlaStep[] {
  const { N, W, MaxMsg, PublishFirst } = c;
  const out: UmpTlaStep[] = [];
  // SendCheck
  if (s.spc === 'check' && (MaxMsg === undefined || s.sent < MaxMsg) && !s.ring[s.spos]!.used)
    out.push({ action: 'SendCheck', next: { ...s, spc: PublishFirst ? 'publish' : 'write' } });
  // SendWriteWord(i), i = swi
  if (s.spc === 'write' && s.swi >= 1 && s.swi <= W) {
    const i = s.swi;
    const ring = withSlot(s, s.spos, (slot) => ({ used: slot.used, word: slot.word.map((w, j) => (j === i - 1 ? s.sent + 1 : w)) }));
    const next: UmpTlaState =
      i < W
        ? { ...s, ring, swi: i + 1 }
        : PublishFirst
          ? { ...s, ring, swi: 1, spc: 'check', spos: (s.spos + 1) % N, sent: s.sent + 1 }
          : { ...s, ring, swi: 1, spc: 'publish' };
    out.push({ action: 'SendWriteWord', word: i, next });
  }
  // SendPublish
  if (s.spc === 'publish') {
    const ring = withSlot(s, s.spos, (slot) => ({ used: true, word: slot.word }));
    out.push({
      action: 'SendPublish',
      next: PublishFirst ? { ...s, ring, spc: 'write' } : { ...s, ring, spc: 'check', spos: (s.spos + 1) % N, sent: s.sent + 1 },
    });
  }
  // RecvCheck
  if (s.rpc === 'check' && s.ring[s.rpos]!.used) out.push({ action: 'RecvCheck', next: { ...s, rpc: 'read' } });
  // RecvReadWord(i), i = rwi
  if (s.rpc === 'read' && s.rwi >= 1 && s.rwi <= W) {
    const i = s.rwi;
    const rbuf = s.rbuf.map((w, j) => (j === i - 1 ? s.ring[s.rpos]!.word[i - 1]! : w));
    out.push({ action: 'RecvReadWord', word: i, next: i < W ? { ...s, rbuf, rwi: i + 1 } : { ...s, rbuf, rwi: 1, rpc: 'release' } });
  }
  // RecvRelease
  if (s.rpc === 'release') {
    const ring = withSlot(s, s.rpos, (slot) => ({ used: false, word: slot.word }));
    out.push({
      action: 'RecvRelease',
      next: { ...s, ring, delivered: [...s.delivered, s.rbuf], rbuf: blank(W), rpos: (s.rpos + 1) % N, rpc: 'check' },
    });
  }
  return out;
}

const sameState = (a: UmpTlaState, b: UmpTlaState): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Message k of the model (W words holding k) as the implementation's payload: W little-endian 32-bit words. */
export function umpTlaPayload(k: number, W: number): Hex {
  let word = '';
  for (let b = 0; b < 4; b++) word += ((k >>> (8 * b)) & 0xff).toString(16).padStart(2, '0');
  return word.repeat(W);
}

/** The model invariants the implementation is checked for, and the check that stands for each. */
export const UMP_TLA_INVARIANT_CHECKS: Readonly<Record<string, string>> = {
  NoTornRead: 'UMP-NO-TORN',
  FifoExactlyOnce: 'UMP-FIFO',
  InFlightIntact: 'UMP-NO-LOSS',
  NoOverwrite: 'UMP-NO-OVERWRITE',
};
/** Invariants that are witnesses, not properties: their "violation" is a behavior the implementation must pass. */
export const UMP_TLA_WITNESSES: ReadonlySet<string> = new Set(['NotAllDelivered']);

// ---------------------------------------------------------------------------
// Decoding ITF states.

function decodeWords(v: ItfValue, W: number | undefined, path: ItfPath): number[] {
  const f = itfFunctionOnRange(v, 1, path);
  if (W !== undefined && f.length !== W) throw new ItfBridgeError(`expected ${W} payload words (a function on 1..${W}), found ${f.length}`, path);
  return f.map((x) => {
    const n = itfInt(x.value, x.path);
    if (n < 0 || n > 0xffffffff) throw new ItfBridgeError(`a payload word holds a message number 0..2^32-1, not ${n}`, x.path);
    return n;
  });
}

function decodeState(st: ItfState, i: number, N: number, W: number): UmpTlaState {
  const at = (v: string): ItfPath => ['states', i, v];
  const val = (v: string): ItfValue => st.values[v]!;
  const ring = itfFunctionOnRange(val('ring'), 0, at('ring'));
  if (ring.length !== N) throw new ItfBridgeError(`expected a ring of ${N} slots (a function on 0..${N - 1}), found ${ring.length}`, at('ring'));
  const inRange = (v: string, lo: number, hi: number, what: string): number => {
    const n = itfInt(val(v), at(v));
    if (n < lo || n > hi) throw new ItfBridgeError(`${v} = ${n} is not ${what} (${lo}..${hi})`, at(v));
    return n;
  };
  const pc = <T extends string>(v: string, allowed: readonly T[]): T => {
    const s = itfStr(val(v), at(v));
    if (!(allowed as readonly string[]).includes(s))
      throw new ItfBridgeError(`${v} = ${JSON.stringify(s)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, at(v));
    return s as T;
  };
  const delivered = itfFunctionOnRange(val('delivered'), 1, at('delivered')).map((m) => decodeWords(m.value, W, m.path));
  return {
    ring: ring.map((slot) => ({
      used: itfBool(itfField(slot.value, 'used', slot.path), [...slot.path, 'used']),
      word: decodeWords(itfField(slot.value, 'word', slot.path), W, [...slot.path, 'word']),
    })),
    spos: inRange('spos', 0, N - 1, 'a slot'),
    spc: pc('spc', ['check', 'write', 'publish'] as const),
    swi: inRange('swi', 1, W, 'a word number'),
    sent: inRange('sent', 0, 0xffffffff, 'a message count'),
    rpos: inRange('rpos', 0, N - 1, 'a slot'),
    rpc: pc('rpc', ['check', 'read', 'release'] as const),
    rwi: inRange('rwi', 1, W, 'a word number'),
    rbuf: decodeWords(val('rbuf'), W, at('rbuf')),
    delivered,
  };
}

function paramInt(itf: ItfTrace, name: string): number | undefined {
  const v = itf.paramValues[name];
  return v === undefined ? undefined : itfInt(v, ['states', 0, name]);
}

/** The constants: from the trace's params where it has them, else from the shape of the initial state and the module. */
function constantsOf(
  itf: ItfTrace,
  module: string,
): Omit<UmpTlaConstants, 'PublishFirst' | 'publishFirstFrom'> & { PublishFirst?: boolean; publishFirstFrom?: 'params' | 'module' } {
  const s0 = itf.states[0]!;
  const ring = itfFunctionOnRange(s0.values['ring']!, 0, ['states', 0, 'ring']);
  const shapeN = ring.length;
  const shapeW = shapeN === 0 ? 0 : decodeWords(itfField(ring[0]!.value, 'word', ring[0]!.path), undefined, [...ring[0]!.path, 'word']).length;
  const N = paramInt(itf, 'N') ?? shapeN;
  const W = paramInt(itf, 'W') ?? shapeW;
  if (N !== shapeN) throw new ItfBridgeError(`the parameter N = ${N} but the initial ring has ${shapeN} slots`, ['states', 0, 'N']);
  if (W !== shapeW) throw new ItfBridgeError(`the parameter W = ${W} but the initial ring's slots have ${shapeW} words`, ['states', 0, 'W']);
  if (N < 1 || N > UMP_MAX_SLOTS) throw new ItfBridgeError(`a ring has 1..${UMP_MAX_SLOTS} slots, not ${N}`, ['states', 0, 'ring']);
  if (W < 1 || W > MAX_PAYLOAD_WORDS)
    throw new ItfBridgeError(`a slot carries 1..${MAX_PAYLOAD_WORDS} payload words (${4 * MAX_PAYLOAD_WORDS} bytes), not ${W}`, ['states', 0, 'ring']);
  const MaxMsg = paramInt(itf, 'MaxMsg');
  if (MaxMsg !== undefined && MaxMsg < 0) throw new ItfBridgeError(`MaxMsg must be a natural number, not ${MaxMsg}`, ['states', 0, 'MaxMsg']);
  const pf = itf.paramValues['PublishFirst'];
  if (pf !== undefined) {
    const v = itfBool(pf, ['states', 0, 'PublishFirst']);
    if (module === 'UmpChannelBuggy' && !v)
      throw new ItfBridgeError('UmpChannelBuggy has PublishFirst = TRUE; the trace says FALSE', ['states', 0, 'PublishFirst']);
    return { N, W, MaxMsg, PublishFirst: v, publishFirstFrom: 'params' };
  }
  if (module === 'UmpChannelBuggy') return { N, W, MaxMsg, PublishFirst: true, publishFirstFrom: 'module' };
  return { N, W, MaxMsg };
}

// ---------------------------------------------------------------------------
// The bridge.

/** Where a bridged step comes from: the ITF state the model reaches by it, and the model's action. */
export interface UmpStepOrigin {
  readonly state: number;
  /** `SendWriteWord(1)`, or `message 3` for the Submit that precedes a SendCheck. */
  readonly label: string;
  /** What the step does in the model's terms, for `capref explain`. */
  readonly story: string;
}

export interface UmpItfViolation {
  readonly invariant: string;
  /** The ITF state (0-based) that violates it: the trace's last. */
  readonly state: number;
  /** The bridged step that reaches that state (-1: the initial state violates it). */
  readonly step: number;
  /** The implementation check that stands for the invariant, if the implementation is checked for it. */
  readonly check?: string;
  readonly witness: boolean;
}

export interface UmpItfBridged {
  readonly module: string;
  /** The ITF's #meta.source / #meta.config / engine description, where present. */
  readonly source?: string;
  readonly config?: string;
  readonly constants: UmpTlaConstants;
  readonly states: readonly UmpTlaState[];
  readonly trace: UmpTrace;
  /** One per step of trace.steps. */
  readonly origins: readonly UmpStepOrigin[];
  readonly violation?: UmpItfViolation;
  /** States equal to their predecessor (Done, or stuttering), which map to no step. */
  readonly stutters: number;
  /** For a lasso: the state the last one loops back to (the loop is replayed once). */
  readonly loop?: number;
}

/**
 * The action a state's `#meta.action` names, if it is one of the model's
 * (`SendCheck`, or `RecvReadWord(2)` with its argument): the bridge then
 * insists that the state difference agrees. Other labels (`Init`, a group
 * such as `SenderStep`, another tool's wording) are not checked.
 */
function claimedAction(label: unknown): { label: string; name: string; word?: number } | undefined {
  if (typeof label !== 'string') return undefined;
  const m = /^([A-Za-z]+)(?:\((\d+)\))?$/.exec(label);
  if (m === null || !ACTION_NAMES.has(m[1]!)) return undefined;
  return { label, name: m[1]!, ...(m[2] !== undefined && { word: Number(m[2]) }) };
}

function fail(message: string, path: ItfPath): never {
  throw new ItfBridgeError(message, path);
}

/** The first transition that moves the sender's pc away from "check" tells the step order of a trace without PublishFirst. */
function inferPublishFirst(states: readonly ItfState[]): boolean {
  for (let i = 1; i < states.length; i++) {
    const before = states[i - 1]!.values['spc'];
    const after = states[i]!.values['spc'];
    if (before?.kind === 'str' && before.value === 'check' && after?.kind === 'str' && after.value !== 'check') return after.value === 'publish';
  }
  return false;
}

/** Maps an ITF trace of UmpChannel or UmpChannelBuggy onto the UMP step alphabet; throws ItfBridgeError where it cannot. */
export function bridgeUmpItf(itf: ItfTrace, module: string): UmpItfBridged {
  if (!(UMP_TLA_MODULES as readonly string[]).includes(module))
    fail(`the UMP bridge maps modules ${UMP_TLA_MODULES.join(', ')}, not ${module}`, ['#meta', 'module']);
  for (const v of UMP_TLA_VARIABLES) if (!itf.vars.includes(v)) fail(`${module} has a variable ${v}; the trace does not`, ['vars']);
  for (const v of itf.vars)
    if (!(UMP_TLA_VARIABLES as readonly string[]).includes(v)) fail(`${v} is not a variable of ${module} (${UMP_TLA_VARIABLES.join(', ')})`, ['vars']);
  if (itf.states.length === 0) fail('the trace has no states', ['states']);

  const partial = constantsOf(itf, module);
  const constants: UmpTlaConstants = {
    ...partial,
    PublishFirst: partial.PublishFirst ?? inferPublishFirst(itf.states),
    publishFirstFrom: partial.publishFirstFrom ?? 'steps',
  };
  const { N, W } = constants;
  const states = itf.states.map((s, i) => decodeState(s, i, N, W));

  const init = umpTlaInit(constants);
  if (!sameState(states[0]!, init)) {
    const initValues = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, JSON.stringify(v)]));
    const differ = UMP_TLA_VARIABLES.filter((v) => JSON.stringify(states[0]![v]) !== initValues[v]);
    fail(
      `state 0 is not ${module}'s initial state (the implementation starts there: an empty ring, both sides at slot 0); it differs in ${differ.join(', ')}`,
      ['states', 0],
    );
  }
  const action0 = claimedAction(itf.states[0]!.meta['action']);
  if (action0 !== undefined) fail(`state 0 is labelled ${action0.label}, but it is the initial state`, ['states', 0, '#meta', 'action']);

  const dir = UMP_ITF_DIR;
  const steps: UmpStep[] = [];
  const origins: UmpStepOrigin[] = [];
  let stutters = 0;
  for (let i = 1; i < states.length; i++) {
    const prev = states[i - 1]!;
    const cur = states[i]!;
    const claimed = claimedAction(itf.states[i]!.meta['action']);
    if (sameState(prev, cur)) {
      if (claimed !== undefined && claimed.name !== 'Done')
        fail(`state ${i} is labelled ${claimed.label} but equals state ${i - 1} (a stutter)`, ['states', i, '#meta', 'action']);
      stutters++;
      continue;
    }
    const candidates = umpTlaNext(prev, constants);
    const step = candidates.find((c) => sameState(c.next, cur));
    if (step === undefined) {
      const changed = changedVariables(itf.vars, itf.states[i - 1]!.values, itf.states[i]!.values);
      const enabled = candidates.map(umpTlaLabel);
      fail(
        `no step of ${module} leads from state ${i - 1} to state ${i} (changed: ${changed.join(', ')}; ` +
          `enabled in state ${i - 1}: ${enabled.length === 0 ? 'none' : enabled.join(', ')}, and none of them gives state ${i})`,
        ['states', i],
      );
    }
    if (claimed !== undefined && (claimed.name !== step.action || (claimed.word !== undefined && claimed.word !== step.word)))
      fail(`state ${i} is labelled ${claimed.label}, but the state difference is ${umpTlaLabel(step)}`, ['states', i, '#meta', 'action']);
    const modelLabel = umpTlaLabel(step);
    switch (step.action) {
      case 'SendCheck': {
        const k = prev.sent + 1;
        if (k > 0xffffffff) fail(`message ${k} does not fit a 32-bit payload word`, ['states', i]);
        steps.push({ action: 'Submit', dir, payload: umpTlaPayload(k, W) });
        origins.push({ state: i, label: `message ${k}`, story: `the environment hands message ${k} (${W} words holding ${k}) to the sender` });
        steps.push({ action: 'SendCheck', dir, result: 'OK' });
        origins.push({ state: i, label: modelLabel, story: `the sender finds slot ${prev.spos} free and starts message ${k}` });
        break;
      }
      case 'SendWriteWord':
        steps.push({ action: 'SendWrite', dir, word: step.word! - 1 });
        origins.push({ state: i, label: modelLabel, story: `the sender writes ${prev.sent + 1} into word ${step.word} of slot ${prev.spos}` });
        break;
      case 'SendPublish':
        steps.push({ action: 'SendPublish', dir });
        origins.push({
          state: i,
          label: modelLabel,
          story: constants.PublishFirst
            ? `the sender sets slot ${prev.spos}'s used bit BEFORE writing message ${prev.sent + 1}`
            : `the sender sets slot ${prev.spos}'s used bit: message ${prev.sent + 1} is sent`,
        });
        break;
      case 'RecvCheck':
        steps.push({ action: 'RecvCheck', dir, result: 'OK' });
        origins.push({ state: i, label: modelLabel, story: `the receiver finds slot ${prev.rpos}'s used bit set` });
        break;
      case 'RecvReadWord':
        steps.push({ action: 'RecvRead', dir, word: step.word! - 1 });
        origins.push({ state: i, label: modelLabel, story: `the receiver reads word ${step.word} of slot ${prev.rpos}: ${cur.rbuf[step.word! - 1]}` });
        break;
      case 'RecvRelease':
        steps.push({ action: 'RecvRelease', dir });
        origins.push({ state: i, label: modelLabel, story: `the receiver delivers <<${prev.rbuf.join(', ')}>> and frees slot ${prev.rpos}` });
        break;
    }
  }

  let violation: UmpItfViolation | undefined;
  const invariant = itf.meta['invariant'];
  if (typeof invariant === 'string') {
    const check = UMP_TLA_INVARIANT_CHECKS[invariant];
    violation = {
      invariant,
      state: states.length - 1,
      step: steps.length - 1,
      witness: UMP_TLA_WITNESSES.has(invariant),
      ...(check !== undefined && { check }),
    };
  }

  const mutant: UmpMutant | undefined = constants.PublishFirst ? 'used-bit-first' : undefined;
  const candidate: UmpTrace = {
    format: 'capref-trace',
    version: 1,
    subsystem: 'ump',
    config: { slots: N, payloadBytes: 4 * W, maxMessageBytes: 4 * W },
    ...(mutant !== undefined && { impl: { mutant } }),
    steps,
    ...(violation?.check !== undefined &&
      violation.step >= 0 && {
        failure: {
          step: violation.step,
          kind: 'invariant' as const,
          violated: [violation.check],
          message: `the TLA+ model ${module} violates ${violation.invariant} in state ${violation.state}, which this step reaches`,
        },
      }),
  };
  const parsed = UmpTraceSchema.safeParse(candidate);
  if (!parsed.success)
    throw new Error(`capref bug: the bridged UMP trace is not valid: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  const source = itf.meta['source'];
  const config = itf.meta['config'];
  return {
    module,
    ...(typeof source === 'string' && { source }),
    ...(typeof config === 'string' && { config }),
    constants,
    states,
    trace: parsed.data,
    origins,
    ...(violation !== undefined && { violation }),
    stutters,
    ...(itf.loop !== undefined && { loop: itf.loop }),
  };
}
