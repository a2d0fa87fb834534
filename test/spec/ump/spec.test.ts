import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FRAG_FIRST,
  FRAG_LAST,
  FRAG_MIDDLE,
  FRAG_SINGLE,
  UMP_ERROR_CODES,
  UMP_ERROR_TEXT,
  UMP_INVARIANTS,
  UMP_RULES,
  UMP_STATUS_NAMES,
  UmpConfigSchema,
  UmpStepSchema,
  bytesToHex,
  checkUmpInvariants,
  chunkCount,
  chunkPlan,
  controlFrag,
  controlLen,
  controlUsed,
  describeUmpCheck,
  emptyUmpState,
  encodeControl,
  formatUmpStep,
  frameBytes,
  hexToBytes,
  observationOf,
  prescribedRecvCheck,
  prescribedSendCheck,
  ringBaseWord,
  sleepWordOf,
  umpConfig,
  umpStatusName,
} from '../../../spec/ump/index.js';
import type { UmpState, UmpStep } from '../../../spec/ump/index.js';

describe('spec/ump wire format', () => {
  it('chunking: the frames of a message cover it exactly, in order, each within one slot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(4, 8, 12, 56), (len, p) => {
        const plan = chunkPlan(len, p);
        expect(plan.length).toBe(chunkCount(len, p));
        let at = 0;
        for (const [k, c] of plan.entries()) {
          expect(c.offset).toBe(at);
          expect(c.len).toBeLessThanOrEqual(p);
          at += c.len;
          if (plan.length === 1) expect([c.frag, c.token]).toEqual([FRAG_SINGLE, 0]);
          else if (k === 0) expect([c.frag, c.token, c.len]).toEqual([FRAG_FIRST, len, p]);
          else expect([c.frag, c.token]).toEqual([k === plan.length - 1 ? FRAG_LAST : FRAG_MIDDLE, k]);
        }
        expect(at).toBe(len);
      }),
    );
  });

  it('control word: USED set, length and fragment kind recoverable', () => {
    for (let len = 0; len <= 56; len++)
      for (const frag of [FRAG_SINGLE, FRAG_FIRST, FRAG_MIDDLE, FRAG_LAST]) {
        const c = encodeControl(len, frag);
        expect([controlUsed(c), controlLen(c), controlFrag(c)]).toEqual([true, len, frag]);
      }
    expect(controlUsed(0)).toBe(false);
  });

  it('frame layout: header and end lines first, then two rings, all on cache lines', () => {
    expect(frameBytes(64)).toBe(64 * (3 + 128));
    expect([sleepWordOf(0), sleepWordOf(1)]).toEqual([16, 32]);
    expect([ringBaseWord(0, 8), ringBaseWord(1, 8)]).toEqual([48, 48 + 8 * 16]);
  });
});

describe('spec/ump configuration', () => {
  it('fills in defaults (56-byte payload, 64 slots, spin before sleeping)', () => {
    expect(umpConfig()).toEqual({ slots: 64, payloadBytes: 56, maxMessageBytes: 1 << 20, spinPolls: 2000 });
  });
  it('rejects bad values and names the field', () => {
    const paths = (input: unknown) => UmpConfigSchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ slots: 0 })).toEqual(['slots']);
    expect(paths({ payloadBytes: 10 })).toEqual(['payloadBytes']);
    expect(paths({ payloadBytes: 60 })).toEqual(['payloadBytes']);
    expect(paths({ payloadBytes: 56, maxMessageBytes: 8 })).toEqual(['maxMessageBytes']);
    expect(paths({ colour: 'red' })).toEqual(['']);
  });
});

describe('spec/ump errors', () => {
  it('every integer status has a name, every error a description', () => {
    for (const [code, name] of Object.entries(UMP_STATUS_NAMES)) expect(umpStatusName(Number(code))).toBe(name);
    for (const e of UMP_ERROR_CODES) expect(UMP_ERROR_TEXT[e].length).toBeGreaterThan(5);
    expect(umpStatusName(56)).toBe('OK'); // a received length
    expect(() => umpStatusName(-99)).toThrow(/unknown UMP status/);
  });
});

function state(over: Partial<UmpState> = {}): UmpState {
  return { ...emptyUmpState(2, 8), ...over };
}
const frame = (payload: string, frag: 'single' | 'first' | 'middle' | 'last' = 'single', token = 0) => ({ frag, token, payload });

describe('spec/ump invariants (family 7)', () => {
  const ids = (s: UmpState) => checkUmpInvariants(s).map((v) => v.id);

  it('hold on a consistent state', () => {
    const s = state({ AtoB: { sent: ['01', '0203'], delivered: ['01'], inFlight: [frame('0203')] } });
    expect(checkUmpInvariants(s)).toEqual([]);
  });
  it('UMP-BOUNDED: more frames than slots, or a frame larger than a slot', () => {
    expect(ids(state({ BtoA: { sent: [], delivered: [], inFlight: [frame('01'), frame('02'), frame('03')] } }))).toEqual(['UMP-BOUNDED']);
    expect(ids(state({ BtoA: { sent: [], delivered: [], inFlight: [frame('000102030405060708')] } }))).toEqual(['UMP-BOUNDED']);
  });
  it('UMP-REASSEMBLY: a multi-slot message delivered with its chunks misplaced', () => {
    const sent = '00000000000000000001';
    expect(ids(state({ AtoB: { sent: [sent], delivered: ['01000000000000000000'], inFlight: [] } }))).toEqual([
      'UMP-REASSEMBLY',
      'UMP-NO-TORN',
      'UMP-FIFO',
    ]);
  });
  it('UMP-NO-TORN: a delivered message that was never sent', () => {
    expect(ids(state({ AtoB: { sent: ['0102'], delivered: ['0100'], inFlight: [] } }))).toEqual(['UMP-NO-TORN', 'UMP-FIFO']);
  });
  it('UMP-EXACTLY-ONCE: a message delivered twice', () => {
    expect(ids(state({ AtoB: { sent: ['01', '02'], delivered: ['01', '01'], inFlight: [] } }))).toEqual(['UMP-EXACTLY-ONCE', 'UMP-FIFO']);
  });
  it('UMP-FIFO: reordered, or more delivered than sent', () => {
    expect(ids(state({ AtoB: { sent: ['01', '02'], delivered: ['02', '01'], inFlight: [] } }))).toEqual(['UMP-FIFO']);
    expect(ids(state({ AtoB: { sent: ['01'], delivered: ['01', '01'], inFlight: [] } }))).toEqual(['UMP-EXACTLY-ONCE', 'UMP-FIFO']);
  });
  it('every invariant and rule has an explanation and a source', () => {
    for (const x of [...UMP_INVARIANTS, ...UMP_RULES]) {
      expect(describeUmpCheck(x.id).explanation.length).toBeGreaterThan(20);
      expect(x.source.length).toBeGreaterThan(5);
    }
    expect(() => describeUmpCheck('UMP-NOPE' as never)).toThrow();
  });
});

describe('spec/ump prescribed results', () => {
  it('SendCheck: closed before full before OK', () => {
    const full = state({ AtoB: { sent: [], delivered: [], inFlight: [frame('01'), frame('02')] } });
    expect(prescribedSendCheck(full, 'AtoB')).toEqual({ expected: 'LIB_ERR_UMP_CHAN_FULL', rule: 'UMP-NO-OVERWRITE' });
    expect(prescribedSendCheck(full, 'BtoA')).toEqual({ expected: 'OK', rule: 'UMP-CAPACITY' });
    expect(prescribedSendCheck({ ...full, closed: { A: false, B: true } }, 'AtoB')).toEqual({ expected: 'LIB_ERR_UMP_NOT_CONNECTED', rule: 'UMP-CLOSE' });
  });
  it('RecvCheck: frames in flight are found even after close; an empty closed ring reports NOT_CONNECTED', () => {
    const one = state({ AtoB: { sent: [], delivered: [], inFlight: [frame('01')] } });
    expect(prescribedRecvCheck(one, 'AtoB')).toEqual({ expected: 'OK', rule: 'UMP-NO-LOSS' });
    expect(prescribedRecvCheck(one, 'BtoA')).toEqual({ expected: 'LIB_ERR_NO_UMP_MSG', rule: 'UMP-NO-PHANTOM' });
    const closed = { ...one, closed: { A: true, B: false } };
    expect(prescribedRecvCheck(closed, 'AtoB')).toEqual({ expected: 'OK', rule: 'UMP-CLOSE' });
    expect(prescribedRecvCheck(closed, 'BtoA')).toEqual({ expected: 'LIB_ERR_UMP_NOT_CONNECTED', rule: 'UMP-CLOSE' });
  });
});

describe('spec/ump steps and values', () => {
  it('hex round-trips bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(hexToBytes(bytesToHex(b))).toEqual(b);
    }));
  });
  it('the step alphabet validates steps and names the bad field', () => {
    const ok: UmpStep[] = [
      { action: 'Submit', dir: 'AtoB', payload: '0a0b' },
      { action: 'SendCheck', dir: 'AtoB', result: 'LIB_ERR_UMP_CHAN_FULL' },
      { action: 'SendWrite', dir: 'AtoB', word: 1 },
      { action: 'SendPublish', dir: 'AtoB' },
      { action: 'RecvCheck', dir: 'BtoA' },
      { action: 'RecvRead', dir: 'BtoA', word: 0 },
      { action: 'RecvRelease', dir: 'BtoA', delivered: '' },
      { action: 'Close', side: 'B' },
    ];
    for (const s of ok) expect(UmpStepSchema.parse(s)).toEqual(s);
    expect(ok.map(formatUmpStep)).toEqual([
      'AtoB Submit 0a0b (2 B)',
      'AtoB SendCheck -> LIB_ERR_UMP_CHAN_FULL',
      'AtoB SendWrite[1]',
      'AtoB SendPublish',
      'BtoA RecvCheck',
      'BtoA RecvRead[0]',
      'BtoA RecvRelease -> delivered (empty)',
      'B Close',
    ]);
    const bad = UmpStepSchema.safeParse({ action: 'SendWrite', dir: 'AtoB', word: 14 });
    expect(bad.error?.issues[0]?.path).toEqual(['word']);
    expect(UmpStepSchema.safeParse({ action: 'Submit', dir: 'AtoB', payload: 'ABC' }).success).toBe(false);
  });
  it('the observation is the state without histories', () => {
    const s = state({ AtoB: { sent: ['01'], delivered: [], inFlight: [frame('01')] } });
    expect(observationOf(s)).toEqual({ slots: 2, payloadBytes: 8, AtoB: { inFlight: [frame('01')] }, BtoA: { inFlight: [] }, closed: { A: false, B: false } });
  });
});
