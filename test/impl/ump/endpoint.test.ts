import { describe, expect, it } from 'vitest';
import {
  UMP_CHAN_FULL,
  UMP_INVALID_STATE,
  UMP_MSGBUF_OVERFLOW,
  UMP_NOT_CONNECTED,
  UMP_NO_MSG,
  UMP_OK,
  UMP_RX_INVALID_LENGTH,
  UMP_TIMEOUT,
  UMP_TX_MSG_SIZE,
  UMP_INVALID_USER_BUFFER,
  CONTROL_WORD,
  encodeControl,
  FRAG_MIDDLE,
  FRAG_SINGLE,
  WAKE_BIT,
  sleepWordOf,
  umpConfig,
} from '../../../spec/ump/index.js';
import { attachUmpEndpoint, createUmpChannel, createUmpFrame, validateFrame, allocateShared } from '../../../impl/ump/index.js';

function words(...v: number[]): Int32Array {
  return Int32Array.from(v);
}

describe('impl/ump endpoint: zero-allocation API', () => {
  it('delivers single-slot messages in order across many wrap-arounds', () => {
    const { a, b } = createUmpChannel({ slots: 3 });
    const src = new Int32Array(14);
    const dst = new Int32Array(14);
    for (let k = 0; k < 100; k++) {
      src[0] = k;
      src[13] = ~k;
      expect(a.trySend(src, 0, 56)).toBe(UMP_OK);
      expect(b.tryRecv(dst, 0)).toBe(56);
      expect([dst[0], dst[13]]).toEqual([k, ~k]);
    }
  });

  it('reports a full ring (LIB_ERR_UMP_CHAN_FULL) and an empty one (LIB_ERR_NO_UMP_MSG)', () => {
    const { a, b } = createUmpChannel({ slots: 2 });
    const dst = new Int32Array(14);
    expect(b.tryRecv(dst, 0)).toBe(UMP_NO_MSG);
    expect(a.trySend(words(1), 0, 4)).toBe(UMP_OK);
    expect(a.trySend(words(2), 0, 4)).toBe(UMP_OK);
    expect(a.trySend(words(3), 0, 4)).toBe(UMP_CHAN_FULL);
    expect(b.tryRecv(dst, 0)).toBe(4);
    expect(dst[0]).toBe(1);
    expect(a.trySend(words(3), 0, 4)).toBe(UMP_OK);
    expect([b.tryRecv(dst, 0), dst[0], b.tryRecv(dst, 0), dst[0]]).toEqual([4, 2, 4, 3]);
  });

  it('refuses bad lengths and buffers without touching the ring', () => {
    const { a, b } = createUmpChannel({ slots: 4, maxMessageBytes: 100 });
    expect(a.trySend(words(1), 0, 8)).toBe(UMP_TX_MSG_SIZE); // source shorter than the length
    expect(a.trySend(words(1), -1, 4)).toBe(UMP_INVALID_USER_BUFFER);
    expect(a.trySend(new Int32Array(40), 0, 101)).toBe(UMP_TX_MSG_SIZE); // above maxMessageBytes
    expect(a.trySend(new Int32Array(100), 0, 5 * 56)).toBe(UMP_TX_MSG_SIZE); // longer than the ring
    expect(b.tryRecv(new Int32Array(1), 0)).toBe(UMP_NO_MSG);
    expect(a.trySend(words(1, 2), 0, 8)).toBe(UMP_OK);
    expect(b.tryRecv(new Int32Array(1), 0)).toBe(UMP_MSGBUF_OVERFLOW); // stays in the ring
    const dst = new Int32Array(2);
    expect(b.tryRecv(dst, 0)).toBe(8);
    expect([...dst]).toEqual([1, 2]);
  });

  it('SYS_ERR_INVALID_USER_BUFFER: an offset or length that is not a whole, non-negative number sends and consumes nothing', () => {
    const { a, b } = createUmpChannel({ slots: 4, spinPolls: 0 });
    const src = words(1, 2, 3, 4, 5, 6, 7, 8);
    for (const [at, len] of [[0, 3.5], [0, -4], [0.5, 4], [-1, 4], [0, NaN], [NaN, 4], [0, Infinity], [0, 60.5], [1.5, 60]] as const) {
      expect(a.trySend(src, at, len)).toBe(UMP_INVALID_USER_BUFFER);
      expect(a.send(src, at, len, 1)).toBe(UMP_INVALID_USER_BUFFER);
    }
    expect(a.trySend(src, 0, 4)).toBe(UMP_OK);
    const dst = new Int32Array(8);
    for (const at of [0.5, -1, NaN, -0.5]) {
      expect(b.tryRecv(dst, at)).toBe(UMP_INVALID_USER_BUFFER);
      expect(b.recv(dst, at, 1)).toBe(UMP_INVALID_USER_BUFFER);
    }
    expect(b.tryRecv(dst, 2 ** 32)).toBe(UMP_MSGBUF_OVERFLOW); // whole, but beyond any buffer
    expect(b.tryRecv(dst, 1)).toBe(4); // the message was still there
    expect(dst[1]).toBe(1);
    expect(b.tryRecv(dst, 0)).toBe(UMP_NO_MSG); // and nothing else was sent
  });

  it('sends a multi-slot message only when all its frames fit, and reassembles it', () => {
    const { a, b } = createUmpChannel({ slots: 4 });
    const msg = Int32Array.from({ length: 40 }, (_, i) => i * 7); // 160 B = 3 frames
    expect(a.trySend(words(1), 0, 4)).toBe(UMP_OK);
    expect(a.trySend(words(2), 0, 4)).toBe(UMP_OK);
    expect(a.trySend(msg, 0, 160)).toBe(UMP_CHAN_FULL); // 2 free
    const dst = new Int32Array(40);
    expect(b.tryRecv(dst, 0)).toBe(4);
    expect(a.trySend(msg, 0, 160)).toBe(UMP_OK);
    expect(b.tryRecv(dst, 0)).toBe(4);
    expect(b.tryRecv(new Int32Array(10), 0)).toBe(UMP_MSGBUF_OVERFLOW); // the FIRST frame announces 160 B
    expect(b.tryRecv(dst, 0)).toBe(160);
    expect(dst).toEqual(msg);
  });

  it('resumes a half-arrived message into the same buffer, and refuses another buffer', () => {
    const { a, b } = createUmpChannel({ slots: 4 });
    const msg = Int32Array.from({ length: 30 }, (_, i) => i + 100); // 120 B = 3 frames
    const dst = new Int32Array(30);
    expect(a.tx.sendChunk(msg, 0, 120, 0)).toBe(UMP_OK);
    expect(b.tryRecv(dst, 0)).toBe(UMP_NO_MSG);
    expect(a.tx.sendChunk(msg, 0, 120, 1)).toBe(UMP_OK);
    expect(b.tryRecv(new Int32Array(30), 0)).toBe(UMP_INVALID_STATE);
    expect(b.tryRecv(dst, 0)).toBe(UMP_NO_MSG);
    expect(a.tx.sendChunk(msg, 0, 120, 2)).toBe(UMP_OK);
    expect(b.tryRecv(dst, 0)).toBe(120);
    expect(dst).toEqual(msg);
  });

  it('refuses malformed frames: a chunk out of sequence, a length beyond the slot', () => {
    const { a, b } = createUmpChannel({ slots: 4 });
    expect(a.tx.sendFrame(words(1, 2), 0, 8, FRAG_MIDDLE, 1)).toBe(UMP_OK); // MIDDLE without FIRST
    expect(b.tryRecv(new Int32Array(14), 0)).toBe(UMP_INVALID_STATE);
    const c2 = createUmpChannel({ slots: 2, payloadBytes: 8, maxMessageBytes: 64 });
    Atomics.store(c2.a.words, c2.b.rx.base + CONTROL_WORD, encodeControl(40, FRAG_SINGLE)); // 40 > 8
    expect(c2.b.tryRecv(new Int32Array(14), 0)).toBe(UMP_RX_INVALID_LENGTH);
  });
});

describe('impl/ump endpoint: close', () => {
  it('both ends learn it; pending messages are still delivered; sends fail afterwards', () => {
    const { a, b } = createUmpChannel({ slots: 4 });
    const dst = new Int32Array(14);
    expect(a.trySend(words(5), 0, 4)).toBe(UMP_OK);
    a.close();
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(a.trySend(words(6), 0, 4)).toBe(UMP_NOT_CONNECTED);
    expect(b.trySend(words(6), 0, 4)).toBe(UMP_NOT_CONNECTED);
    expect(a.trySend(new Int32Array(30), 0, 120)).toBe(UMP_NOT_CONNECTED);
    expect(b.tryRecv(dst, 0)).toBe(4);
    expect(b.tryRecv(dst, 0)).toBe(UMP_NOT_CONNECTED);
    expect(a.tryRecv(dst, 0)).toBe(UMP_NOT_CONNECTED);
    b.close(); // twice is fine
    expect(a.recv(dst, 0)).toBe(UMP_NOT_CONNECTED);
    expect(a.send(words(1), 0, 4)).toBe(UMP_NOT_CONNECTED);
  });
});

describe('impl/ump endpoint: blocking API (in one thread, so only its give-up paths)', () => {
  it('spins, sleeps, and reports UMP_ERR_TIMEOUT when the peer never moves', () => {
    const { a, b } = createUmpChannel({ slots: 1, spinPolls: 50 });
    expect(a.send(words(1), 0, 4, 5)).toBe(UMP_OK);
    expect(a.send(words(2), 0, 4, 5)).toBe(UMP_TIMEOUT); // ring full
    expect(a.send(new Int32Array(28), 0, 112, 5)).toBe(UMP_TIMEOUT); // streams, stalls on the first chunk
    expect(b.recv(new Int32Array(14), 0, 5)).toBe(4);
    expect(b.recv(new Int32Array(14), 0, 5)).toBe(UMP_TIMEOUT);
    expect(a.send(new Int32Array(10), 0, 41, 5)).toBe(UMP_TX_MSG_SIZE); // source too short: no waiting
  });
  it('a blocked sender learns of a close while it waits', () => {
    const { a, b } = createUmpChannel({ slots: 1, spinPolls: 10 });
    expect(a.send(words(1), 0, 4)).toBe(UMP_OK);
    b.close();
    expect(a.send(words(2), 0, 4)).toBe(UMP_NOT_CONNECTED);
    expect(a.waitFor(3, 1)).toBe(UMP_OK);
  });
});

describe('impl/ump endpoint: convenient byte API', () => {
  it('round-trips byte arrays of any length, chunked or not', () => {
    const { a, b } = createUmpChannel({ slots: 8 });
    for (const len of [0, 1, 55, 56, 57, 200, 447]) {
      const msg = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff);
      expect(a.sendBytes(msg)).toBe('OK');
      expect(b.recvBytes()).toEqual({ status: 'OK', payload: msg });
    }
    expect(b.tryRecvBytes()).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    expect(a.trySendBytes(new Uint8Array(9 * 56))).toBe('FLOUNDER_ERR_TX_MSG_SIZE');
    expect(a.trySendBytes(new Uint8Array(3))).toBe('OK');
    expect(b.tryRecvBytes()).toEqual({ status: 'OK', payload: new Uint8Array(3) });
  });
  it('a chunked message arriving in parts resumes in the same scratch buffer', () => {
    const { a, b } = createUmpChannel({ slots: 8, maxMessageBytes: 4096 });
    const msg = Uint8Array.from({ length: 150 }, (_, i) => i);
    const w = new Int32Array(38);
    new Uint8Array(w.buffer).set(msg);
    expect(a.tx.sendChunk(w, 0, 150, 0)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    expect(a.tx.sendChunk(w, 0, 150, 1)).toBe(UMP_OK);
    expect(a.tx.sendChunk(w, 0, 150, 2)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'OK', payload: msg });
  });
  it('UMP-REASSEMBLY: a short chunked message (57-64 B) resumes too, in the buffer it started in', () => {
    const { a, b } = createUmpChannel({ slots: 8 });
    const msg = Uint8Array.from({ length: 60 }, (_, i) => i + 1); // two frames of a 56-byte slot
    const w = new Int32Array(15);
    new Uint8Array(w.buffer).set(msg);
    expect(a.tx.sendChunk(w, 0, 60, 0)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    expect(a.tx.sendChunk(w, 0, 60, 1)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'OK', payload: msg });
  });
  it('UMP-NO-TORN: a send between the parts of a half-received message does not overwrite it', () => {
    const { a, b } = createUmpChannel({ slots: 8 });
    const msg = Uint8Array.from({ length: 150 }, (_, i) => i + 1);
    const w = new Int32Array(38);
    new Uint8Array(w.buffer).set(msg);
    expect(a.tx.sendChunk(w, 0, 150, 0)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'LIB_ERR_NO_UMP_MSG' });
    expect(b.trySendBytes(new Uint8Array(56).fill(0xee))).toBe('OK'); // B answers meanwhile
    expect(b.sendBytes(new Uint8Array(200).fill(0xdd))).toBe('OK'); // and with a longer message
    expect(a.tx.sendChunk(w, 0, 150, 1)).toBe(UMP_OK);
    expect(a.tx.sendChunk(w, 0, 150, 2)).toBe(UMP_OK);
    expect(b.tryRecvBytes()).toEqual({ status: 'OK', payload: msg });
    expect(a.tryRecvBytes()).toEqual({ status: 'OK', payload: new Uint8Array(56).fill(0xee) });
    expect(a.tryRecvBytes()).toEqual({ status: 'OK', payload: new Uint8Array(200).fill(0xdd) });
  });
});

describe('impl/ump frame: set-up from one shared buffer', () => {
  it('attaches both ends of a frame made elsewhere, after validating it', () => {
    const frame = createUmpFrame({ slots: 4 });
    const a = attachUmpEndpoint(frame, 'A');
    const b = attachUmpEndpoint(frame, 'B');
    if (a.status !== 'OK' || b.status !== 'OK') throw new Error('attach failed');
    expect(a.endpoint.trySend(words(42), 0, 4)).toBe(UMP_OK);
    const dst = new Int32Array(1);
    expect(b.endpoint.tryRecv(dst, 0)).toBe(4);
    expect(dst[0]).toBe(42);
  });
  it('a wasm-backed frame is a page-sized SharedArrayBuffer', () => {
    const f = createUmpFrame({ slots: 600 });
    expect(f.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(f.buffer.byteLength % 65536).toBe(0);
    expect(allocateShared(100, 'sab').byteLength).toBe(100);
  });
  it('rejects bad frames with Barrelfish\'s errors', () => {
    const good = createUmpFrame({ slots: 2 }, 'sab');
    const status = (ref: Parameters<typeof validateFrame>[0]) => validateFrame(ref).status;
    expect(status(good)).toBe('OK');
    expect(status({ ...good, byteOffset: 16 })).toBe('LIB_ERR_UMP_BUFADDR_INVALID');
    expect(status({ ...good, buffer: new ArrayBuffer(1024) as unknown as SharedArrayBuffer })).toBe('LIB_ERR_UMP_BUFADDR_INVALID');
    expect(status({ ...good, config: umpConfig({ slots: 64 }) })).toBe('LIB_ERR_UMP_FRAME_OVERFLOW');
    expect(status({ ...good, buffer: new SharedArrayBuffer(good.buffer.byteLength) })).toBe('LIB_ERR_UMP_CHAN_INIT');
    expect(status({ ...good, config: umpConfig({ slots: 1 }) })).toBe('LIB_ERR_UMP_BUFSIZE_INVALID');
    const r = attachUmpEndpoint({ ...good, byteOffset: 8 }, 'A');
    expect(r.status).toBe('LIB_ERR_UMP_BUFADDR_INVALID');
  });
});

describe('impl/ump debug mode', () => {
  it('asserts the data-structure invariants after each publish and release', () => {
    const { a, b } = createUmpChannel({ slots: 2 }, { debug: true });
    const dst = new Int32Array(1);
    expect(a.trySend(words(1), 0, 4)).toBe(UMP_OK);
    expect(b.tryRecv(dst, 0)).toBe(4);
    a.tx.pos = 7; // corrupt the write position
    expect(() => a.tx.sendPublish(encodeControl(0, FRAG_SINGLE), 0)).toThrow(/UMP sender invariant violated/);
    b.rx.pos = 5;
    expect(() => b.rx.recvRelease()).toThrow(/UMP receiver invariant violated/);
    expect(b.rx.asm.check()).toEqual([]);
  });
});

describe('impl/ump sleeping: the wake request lives in the slot waited for', () => {
  it('a receiver marks the empty slot; the publish into it bumps the receiver\'s counter', () => {
    const { a, b } = createUmpChannel({ slots: 2 }, { memory: 'sab' });
    const counterB = sleepWordOf(1);
    expect(b.rx.armWake()).toBe(true);
    expect(Atomics.load(a.words, b.rx.base + CONTROL_WORD)).toBe(WAKE_BIT);
    expect(a.trySend(words(1), 0, 4)).toBe(UMP_OK); // publish sees WAKE_BIT
    expect(Atomics.load(a.words, counterB)).toBe(1);
    expect(b.rx.armWake()).toBe(false); // a frame is there: nothing to wait for
    expect(a.trySend(words(2), 0, 4)).toBe(UMP_OK); // no mark, no wake-up
    expect(Atomics.load(a.words, counterB)).toBe(1);
    expect([b.tryRecv(new Int32Array(1), 0), b.tryRecv(new Int32Array(1), 0)]).toEqual([4, 4]);
  });
  it('a sender marks the full slot; its release bumps the sender\'s counter', () => {
    const { a, b } = createUmpChannel({ slots: 2 }, { memory: 'sab' });
    const counterA = sleepWordOf(0);
    expect(a.tx.armWake()).toBe(false); // room already
    a.trySend(words(1), 0, 4);
    a.trySend(words(2), 0, 4);
    expect(a.tx.armWake(1)).toBe(true);
    expect(a.tx.armWake(1)).toBe(true); // already marked
    expect(a.tx.armWake(3)).toBe(false); // can never fit: do not sleep
    expect(b.tryRecv(new Int32Array(1), 0)).toBe(4);
    expect(Atomics.load(a.words, counterA)).toBe(1);
    b.close();
    expect(a.tx.armWake()).toBe(false);
    expect(b.rx.armWake()).toBe(false);
    expect(Atomics.load(a.words, counterA)).toBe(2); // the close woke A too
  });
  it('waitFor sleeps only after marking, and returns when the other side moves', () => {
    const { a, b } = createUmpChannel({ slots: 1, spinPolls: 0 }, { memory: 'sab' });
    expect(a.waitFor(3, 1)).toBe(UMP_OK); // room to send: no sleep
    a.trySend(words(1), 0, 4);
    expect(a.waitFor(1, 1)).toBe(UMP_TIMEOUT); // full, nobody receives: times out
    expect(b.waitFor(2, 1)).toBe(UMP_OK); // a frame waits
    expect(a.waitFor(2, 1)).toBe(UMP_TIMEOUT); // A's own incoming ring is empty
    expect(a.stats).toEqual({ sleeps: 2, timeouts: 2, lostWakeups: 0 });
    expect(b.stats).toEqual({ sleeps: 0, timeouts: 0, lostWakeups: 0 });
  });
  it('waitFor refuses a wait for more frames than the ring holds (it could never end) instead of returning at once', () => {
    const { a } = createUmpChannel({ slots: 2, spinPolls: 0 }, { memory: 'sab' });
    for (const frames of [3, 0, -1, 1.5, NaN]) expect(a.waitFor(1, 1, frames)).toBe(UMP_TX_MSG_SIZE);
    expect(a.waitFor(2, 1, 3)).toBe(UMP_TIMEOUT); // receiving only: the frame count does not apply
    expect(a.waitFor(1, 1, 2)).toBe(UMP_OK);
    expect(a.stats.sleeps).toBe(1);
  });
  it('thread fault skip-wake: every 4th publish into a marked slot wakes nobody (the lost wake-up the real-thread tests must notice)', () => {
    const { a, b } = createUmpChannel({ slots: 1, spinPolls: 0 }, { memory: 'sab', fault: 'skip-wake' });
    const dst = new Int32Array(1);
    // B marks its empty slot as before a sleep; A publishes into it.
    for (let k = 0; k < 4; k++) {
      expect(b.rx.armWake()).toBe(true);
      expect(a.trySend(words(k), 0, 4)).toBe(UMP_OK);
      expect(b.tryRecv(dst, 0)).toBe(4);
    }
    // The 4th publish did not bump B's counter: a sleep on it would last until its timeout.
    expect(Atomics.load(a.words, sleepWordOf(1))).toBe(3);
    expect(() => createUmpChannel({}, { mutant: 'wrap-off-by-one', fault: 'skip-wake' })).toThrow(/not both/);
  });
});
