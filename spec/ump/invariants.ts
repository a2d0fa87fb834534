// DESIGN.md invariant family 7 (channels): per direction, messages arrive in
// order, exactly once, never torn; the ring is bounded and a full ring makes
// the sender wait or fail, never overwrite; payloads larger than one slot are
// split and reassembled.
//
// Two kinds of rule live here:
//  - state invariants: pure functions of the abstract state (UmpState), which
//    must hold after every step;
//  - result rules: what a SendCheck or RecvCheck must report in a given state,
//    so that the spec itself answers "what must this step return here".
// Each has a stable id, a plain-language explanation and its source.
import type { UmpDir, UmpDirectionState, UmpState } from './state.js';
import { UMP_DIRS, isClosed } from './state.js';
import type { UmpRecvCheckResult, UmpSendCheckResult } from './steps.js';

export type UmpInvariantId =
  | 'UMP-BOUNDED'
  | 'UMP-REASSEMBLY'
  | 'UMP-NO-TORN'
  | 'UMP-EXACTLY-ONCE'
  | 'UMP-FIFO';
export type UmpRuleId = 'UMP-NO-OVERWRITE' | 'UMP-CAPACITY' | 'UMP-NO-LOSS' | 'UMP-NO-PHANTOM' | 'UMP-CLOSE';
export type UmpCheckId = UmpInvariantId | UmpRuleId;

export interface UmpViolation {
  readonly id: UmpCheckId;
  readonly dir?: UmpDir;
  readonly message: string;
}

export interface UmpInvariant {
  readonly id: UmpInvariantId;
  readonly explanation: string;
  readonly source: string;
  /** The violations in one direction (empty when the invariant holds). */
  readonly check: (d: UmpDirectionState, state: UmpState, dir: UmpDir) => string[];
}

function count(xs: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

const SOURCE_IMPL_H = 'Barrelfish include/barrelfish/ump_impl.h (ump_impl_get_next, ump_impl_poll, ump_impl_free_message)';
const SOURCE_REPORT = 'students\' report seeds/001, section 7.3';

/** The state invariants, in the order they are checked (the first one violated names a failure). */
export const UMP_INVARIANTS: readonly UmpInvariant[] = [
  {
    id: 'UMP-BOUNDED',
    explanation:
      'A ring never holds more frames than it has slots, and no frame carries more bytes than a slot\'s payload. ' +
      'Memory for a channel is fixed when it is set up; a sender that finds no free slot waits or fails.',
    source: `${SOURCE_IMPL_H}; DESIGN.md family 7`,
    check: (d, s) => {
      const out: string[] = [];
      if (d.inFlight.length > s.slots) out.push(`${d.inFlight.length} frames in flight in a ring of ${s.slots} slots`);
      d.inFlight.forEach((f, i) => {
        if (f.payload.length / 2 > s.payloadBytes)
          out.push(`in-flight frame ${i} carries ${f.payload.length / 2} bytes, a slot holds ${s.payloadBytes}`);
      });
      return out;
    },
  },
  {
    id: 'UMP-REASSEMBLY',
    explanation:
      'A message longer than one slot is cut into chunks; the receiver puts them back together into exactly the ' +
      'bytes that were sent: the same length, every chunk in its place.',
    source: `${SOURCE_REPORT}.4 (large messages split into slot-sized chunks)`,
    check: (d, s) => {
      const out: string[] = [];
      d.delivered.forEach((got, i) => {
        const want = d.sent[i];
        if (want === undefined || got === want) return;
        const multiSlot = want.length / 2 > s.payloadBytes;
        if (multiSlot && got.length === want.length && !d.sent.includes(got))
          out.push(`message ${i} (${want.length / 2} B, several slots) reassembled wrongly: got ${got}, sent ${want}`);
      });
      return out;
    },
  },
  {
    id: 'UMP-NO-TORN',
    explanation:
      'Every delivered message is, byte for byte, a message that was sent: never a mix of an old and a new one, ' +
      'never a slot read before the sender finished writing it.',
    source: `${SOURCE_IMPL_H} (the control word is written last); ${SOURCE_REPORT}.2 (memory barriers)`,
    check: (d) => {
      const sent = new Set(d.sent);
      return d.delivered.flatMap((m, i) => (sent.has(m) ? [] : [`delivered message ${i} (${m || 'empty'}) was never sent`]));
    },
  },
  {
    id: 'UMP-EXACTLY-ONCE',
    explanation:
      'No message is delivered more often than it was sent (no duplicates, nothing re-read from a slot that was ' +
      'already consumed).',
    source: `${SOURCE_REPORT}.3 ("we might end up re-reading old ones")`,
    check: (d) => {
      const sent = count(d.sent);
      const out: string[] = [];
      for (const [m, n] of count(d.delivered)) {
        const k = sent.get(m) ?? 0;
        if (k > 0 && n > k) out.push(`message ${m || '(empty)'} sent ${k} time(s), delivered ${n} times`);
      }
      return out;
    },
  },
  {
    id: 'UMP-FIFO',
    explanation:
      'Per direction, messages are delivered in the order they were sent, none skipped: the i-th delivered ' +
      'message is the i-th sent one.',
    source: `${SOURCE_IMPL_H} (one ring per direction, positions advance in order); DESIGN.md family 7`,
    check: (d) => {
      if (d.delivered.length > d.sent.length)
        return [`${d.delivered.length} messages delivered but only ${d.sent.length} sent`];
      const i = d.delivered.findIndex((m, k) => m !== d.sent[k]);
      return i < 0 ? [] : [`delivered message ${i} is ${d.delivered[i] || '(empty)'}, the ${i}-th sent was ${d.sent[i] || '(empty)'}`];
    },
  },
];

/** Every violated state invariant, in table order, over both directions. */
export function checkUmpInvariants(state: UmpState): UmpViolation[] {
  const out: UmpViolation[] = [];
  for (const inv of UMP_INVARIANTS)
    for (const dir of UMP_DIRS) for (const message of inv.check(state[dir], state, dir)) out.push({ id: inv.id, dir, message });
  return out;
}

// ---- Result rules ------------------------------------------------------------

export interface UmpRule {
  readonly id: UmpRuleId;
  readonly explanation: string;
  readonly source: string;
}

export const UMP_RULES: readonly UmpRule[] = [
  {
    id: 'UMP-NO-OVERWRITE',
    explanation:
      'A sender that finds the ring full (every slot holds a frame the receiver has not released) reports ' +
      'LIB_ERR_UMP_CHAN_FULL and writes nothing: an unread frame is never overwritten.',
    source: `${SOURCE_IMPL_H} (ump_impl_get_next returns NULL when the slot is used); ${SOURCE_REPORT}.3`,
  },
  {
    id: 'UMP-CAPACITY',
    explanation: 'An open ring with a free slot accepts a frame: its capacity is exactly its number of slots.',
    source: SOURCE_IMPL_H,
  },
  {
    id: 'UMP-NO-LOSS',
    explanation:
      'Whenever frames are in flight, the receiver\'s check finds the oldest of them: a published frame is ' +
      'never skipped, and positions wrap around the ring in step on both sides.',
    source: `${SOURCE_IMPL_H} (ump_impl_poll, ump_impl_recv: pos wraps at bufmsgs)`,
  },
  {
    id: 'UMP-NO-PHANTOM',
    explanation: 'The receiver finds nothing when no frame is in flight: it never sees a frame that was not published.',
    source: SOURCE_IMPL_H,
  },
  {
    id: 'UMP-CLOSE',
    explanation:
      'Once either end closed the channel, every send reports LIB_ERR_UMP_NOT_CONNECTED; frames published ' +
      'before still reach the receiver, and only an empty ring reports LIB_ERR_UMP_NOT_CONNECTED.',
    source: 'capref (Barrelfish\'s UMP has no close; the error is modelled on LIB_ERR_LMP_NOT_CONNECTED)',
  },
];

export interface Prescribed<R> {
  readonly expected: R;
  readonly rule: UmpRuleId;
}

/**
 * What SendCheck must report in `state` for direction `dir`. Checked in this
 * order: closed (UMP-CLOSE), full (UMP-NO-OVERWRITE), otherwise OK (UMP-CAPACITY).
 */
export function prescribedSendCheck(state: UmpState, dir: UmpDir): Prescribed<UmpSendCheckResult> {
  if (isClosed(state)) return { expected: 'LIB_ERR_UMP_NOT_CONNECTED', rule: 'UMP-CLOSE' };
  if (state[dir].inFlight.length >= state.slots) return { expected: 'LIB_ERR_UMP_CHAN_FULL', rule: 'UMP-NO-OVERWRITE' };
  return { expected: 'OK', rule: 'UMP-CAPACITY' };
}

/**
 * What RecvCheck must report. A frame in flight is found even after close
 * (UMP-CLOSE when closed, UMP-NO-LOSS otherwise); an empty ring reports
 * LIB_ERR_UMP_NOT_CONNECTED when closed (UMP-CLOSE), else LIB_ERR_NO_UMP_MSG (UMP-NO-PHANTOM).
 */
export function prescribedRecvCheck(state: UmpState, dir: UmpDir): Prescribed<UmpRecvCheckResult> {
  const closed = isClosed(state);
  if (state[dir].inFlight.length > 0) return { expected: 'OK', rule: closed ? 'UMP-CLOSE' : 'UMP-NO-LOSS' };
  if (closed) return { expected: 'LIB_ERR_UMP_NOT_CONNECTED', rule: 'UMP-CLOSE' };
  return { expected: 'LIB_ERR_NO_UMP_MSG', rule: 'UMP-NO-PHANTOM' };
}

/** The explanation and source of any check id. */
export function describeUmpCheck(id: UmpCheckId): { explanation: string; source: string } {
  const found = UMP_INVARIANTS.find((i) => i.id === id) ?? UMP_RULES.find((r) => r.id === id);
  if (found === undefined) throw new Error(`capref bug: unknown UMP check ${id}`);
  return found;
}
