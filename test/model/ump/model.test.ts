import { describe, expect, it } from 'vitest';
import { UmpModel, framesOf } from '../../../model/ump/index.js';
import { checkUmpInvariants } from '../../../spec/ump/index.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('model/ump: a pair of bounded queues', () => {
  it('delivers each direction in order, exactly once', () => {
    const m = new UmpModel(4, 8);
    expect(m.send('A', bytes(1))).toBe('OK');
    expect(m.send('A', bytes(2))).toBe('OK');
    expect(m.send('B', bytes(9))).toBe('OK');
    expect(m.recv('B')).toEqual({ status: 'OK', payload: bytes(1) });
    expect(m.recv('A')).toEqual({ status: 'OK', payload: bytes(9) });
    expect(m.recv('B')).toEqual({ status: 'OK', payload: bytes(2) });
    expect(m.recv('B')).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    expect(checkUmpInvariants(m.state())).toEqual([]);
  });

  it('a full ring refuses a message (LIB_ERR_UMP_CHAN_FULL) and keeps what it holds', () => {
    const m = new UmpModel(2, 8);
    expect(m.send('A', bytes(1))).toBe('OK');
    expect(m.send('A', bytes(1, 2, 3, 4, 5, 6, 7, 8, 9))).toBe('LIB_ERR_UMP_CHAN_FULL'); // needs 2 slots, 1 free
    expect(m.send('A', bytes(2))).toBe('OK');
    expect(m.send('A', bytes(3))).toBe('LIB_ERR_UMP_CHAN_FULL');
    expect(m.observe().AtoB.inFlight.map((f) => f.payload)).toEqual(['01', '02']);
  });

  it('refuses messages longer than the ring or than maxMessageBytes (FLOUNDER_ERR_TX_MSG_SIZE)', () => {
    expect(new UmpModel(2, 8).send('A', new Uint8Array(17))).toBe('FLOUNDER_ERR_TX_MSG_SIZE');
    expect(new UmpModel(8, 8, 16).send('A', new Uint8Array(17))).toBe('FLOUNDER_ERR_TX_MSG_SIZE');
  });

  it('cuts a long message into frames and delivers it whole', () => {
    const m = new UmpModel(4, 8);
    const msg = Uint8Array.from({ length: 20 }, (_, i) => i);
    expect(framesOf('000102030405060708090a0b0c0d0e0f10111213', 8).map((f) => [f.frag, f.token])).toEqual([
      ['first', 20],
      ['middle', 1],
      ['last', 2],
    ]);
    expect(m.send('B', msg)).toBe('OK');
    expect(m.recv('A')).toEqual({ status: 'OK', payload: msg });
  });

  it('close: later sends fail, frames already sent are delivered, then LIB_ERR_UMP_NOT_CONNECTED', () => {
    const m = new UmpModel(4, 8);
    m.send('A', bytes(7));
    expect(m.close('B')).toBe('OK');
    expect(m.send('A', bytes(8))).toBe('LIB_ERR_UMP_NOT_CONNECTED');
    expect(m.send('B', bytes(8))).toBe('LIB_ERR_UMP_NOT_CONNECTED');
    expect(m.recv('B')).toEqual({ status: 'OK', payload: bytes(7) });
    expect(m.recv('B')).toEqual({ status: 'LIB_ERR_UMP_NOT_CONNECTED' });
    expect(m.close('B')).toBe('OK');
  });

  it('steps: a frame enters the ring at publish and leaves at release; a close abandons the rest of a message', () => {
    const m = new UmpModel(4, 8);
    m.submit('AtoB', '000102030405060708090a'); // two frames
    m.submit('AtoB', '0b');
    expect(m.hasPending('AtoB')).toBe(true);
    expect(m.nextFrame('AtoB')?.frag).toBe('first');
    expect(m.sendCheck('AtoB')).toBe('OK');
    m.publish('AtoB');
    expect(m.recvCheck('AtoB')).toBe('OK');
    expect(m.release('AtoB')).toEqual({ frame: { frag: 'first', token: 11, payload: '0001020304050607' } });
    m.close('A');
    expect(m.sendCheck('AtoB')).toBe('LIB_ERR_UMP_NOT_CONNECTED'); // the last chunk is dropped
    expect(m.nextFrame('AtoB')).toEqual({ frag: 'single', token: 0, payload: '0b' });
    expect(m.recv('B')).toEqual({ status: 'LIB_ERR_UMP_NOT_CONNECTED' });
    expect(m.state().AtoB.sent).toEqual([]);
    expect(() => m.release('AtoB')).toThrow(/capref bug/);
    expect(() => new UmpModel(1, 8).publish('BtoA')).toThrow(/capref bug/);
  });

  it('an unfinished message on a closed channel is dropped by a whole-message receive', () => {
    const m = new UmpModel(4, 8);
    m.submit('BtoA', '000102030405060708');
    m.sendCheck('BtoA');
    m.publish('BtoA');
    expect(m.recv('A')).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    m.close('A');
    expect(m.recv('A')).toEqual({ status: 'LIB_ERR_UMP_NOT_CONNECTED' });
    expect(m.observe().BtoA.inFlight).toEqual([]);
  });
});
