// The interleaving driver steps through SendProcess/RecvProcess; real threads
// run the fast paths. These tests check that the two are the same code: for
// any messages, stepping and the fast path leave identical bytes in shared
// memory and deliver identical messages, for the real implementation and for
// every mutant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UMP_CHAN_FULL, UMP_NOT_CONNECTED, UMP_OK, chunkCount } from '../../../spec/ump/index.js';
import type { RingPlace, UmpMutant, UmpRx, UmpTx } from '../../../impl/ump/index.js';
import { RecvProcess, SendProcess, UMP_MUTANTS, createUmpChannel, makeRx, makeTx } from '../../../impl/ump/index.js';

const P = 12;
const SLOTS = 4;

function toWords(b: Uint8Array): Int32Array {
  const w = new Int32Array((b.length + 3) >> 2);
  new Uint8Array(w.buffer).set(b);
  return w;
}

function same(mutant: UmpMutant | undefined, messages: Uint8Array[]): void {
  const fast = createUmpChannel({ slots: SLOTS, payloadBytes: P, maxMessageBytes: 3 * P }, { memory: 'sab', mutant });
  const step = createUmpChannel({ slots: SLOTS, payloadBytes: P, maxMessageBytes: 3 * P }, { memory: 'sab', mutant });
  const sender = new SendProcess(step.a.tx);
  const receiver = new RecvProcess(step.b.rx, 3 * P);
  const dst = new Int32Array(16);
  let inFlight = 0;
  const drain = () => {
    for (;;) {
      const got = fast.b.tryRecv(dst, 0);
      let delivered: Uint8Array | undefined;
      let status = UMP_OK;
      do {
        const o = receiver.step();
        if (o.status !== undefined) status = o.status;
        delivered = o.delivered ?? delivered;
      } while (status === UMP_OK && receiver.pc !== 'RecvCheck');
      if (got < 0) {
        expect(status).toBe(got);
        break;
      }
      expect(delivered).toBeDefined();
      expect(new Uint8Array(dst.buffer, 0, got)).toEqual(delivered);
    }
    inFlight = 0;
    expect(new Int32Array(step.a.words)).toEqual(new Int32Array(fast.a.words));
  };
  for (const m of messages) {
    const n = chunkCount(m.length, P);
    if (inFlight + n > SLOTS) drain();
    const st = fast.a.trySend(toWords(m), 0, m.length);
    sender.submit(m);
    let stepped = UMP_OK;
    while (sender.pc !== undefined && stepped === UMP_OK) stepped = sender.step().status ?? UMP_OK;
    expect(stepped).toBe(st); // a broken ring (wrap-off-by-one) fails the same way on both
    inFlight += n;
    expect(new Int32Array(step.a.words)).toEqual(new Int32Array(fast.a.words));
    if (st !== UMP_OK) return;
  }
  drain();
}

describe('impl/ump steppable processes are the fast path, one step at a time', () => {
  const messages = fc.array(fc.uint8Array({ maxLength: 3 * P }), { maxLength: 20 });
  for (const mutant of [undefined, ...UMP_MUTANTS]) {
    it(`same bytes in shared memory and same deliveries (${mutant ?? 'real implementation'})`, () => {
      fc.assert(fc.property(messages, (ms) => same(mutant, ms)), { numRuns: 60 });
    });
  }

  // Identical bytes at the end do not show the order of the steps: a fill that
  // published before writing would leave the same bytes. So the fast paths'
  // fill and drain are watched at the moment they publish and release, and
  // must have done exactly the writes (reads) that framePlan, the order the
  // driver steps through, puts before SendPublish (RecvRelease).
  for (const mutant of [undefined, ...UMP_MUTANTS]) {
    it(`fill and drain take their steps in the order framePlan declares (${mutant ?? 'real implementation'})`, () => {
      const n = 3;
      const ch = createUmpChannel({ slots: 2, payloadBytes: P, maxMessageBytes: 3 * P }, { memory: 'sab' });
      const place = (base: number): RingPlace => ({ words: ch.a.words, base, peerSleep: ch.a.tx.peerSleep, config: ch.a.config });
      const src = Int32Array.of(11, 22, 33);
      let writtenAtPublish = -1;
      const TxBase = makeTx(place(ch.a.tx.base), mutant).constructor as new (p: RingPlace) => UmpTx;
      const tx = new (class extends TxBase {
        override sendPublish(control: number, token: number): void {
          writtenAtPublish = [0, 1, 2].filter((i) => this.words[this.cur + i] === src[i]).length;
          super.sendPublish(control, token);
        }
      })(place(ch.a.tx.base));
      expect(tx.sendFrame(src, 0, 4 * n, 0, 0)).toBe(UMP_OK);
      expect(writtenAtPublish).toBe(tx.framePlan(n).indexOf('SendPublish') - 1);

      const rxProto = makeRx(place(ch.a.tx.base), mutant);
      const RxBase = rxProto.constructor as new (p: RingPlace, asm: UmpRx['asm']) => UmpRx;
      const dst = new Int32Array(n).fill(-1);
      let readAtRelease = -1;
      const rx = new (class extends RxBase {
        override recvRelease(): void {
          readAtRelease = dst.filter((v) => v !== -1).length;
          super.recvRelease();
        }
      })(place(ch.a.tx.base), rxProto.asm);
      expect(rx.recvCheck()).toBe(UMP_OK);
      rx.drain(dst, 0, n);
      expect(readAtRelease).toBe(rx.framePlan(n).indexOf('RecvRelease') - 1);
    });
  }

  it('a sender reports its program counter, a full ring and an abandoned message', () => {
    const ch = createUmpChannel({ slots: 1, payloadBytes: 8, maxMessageBytes: 24 }, { memory: 'sab' });
    const s = new SendProcess(ch.a.tx);
    expect(s.pc).toBeUndefined();
    expect(() => s.step()).toThrow(/idle sender/);
    s.submit(Uint8Array.of(1, 2, 3, 4, 5));
    s.submit(Uint8Array.of(9));
    expect(s.backlog).toBe(2);
    expect([s.pc, s.step().status, s.pc, s.nextWord]).toEqual(['SendCheck', UMP_OK, 'SendWrite', 0]);
    s.step();
    s.step();
    expect(s.step()).toEqual({ action: 'SendPublish', messageSent: true });
    expect(s.step()).toEqual({ action: 'SendCheck', status: UMP_CHAN_FULL });
    ch.b.close();
    expect(s.step()).toEqual({ action: 'SendCheck', status: UMP_NOT_CONNECTED });
    expect(s.pc).toBeUndefined();
  });

  it('a receiver polls, reports malformed frames and makes room for a long message', () => {
    const ch = createUmpChannel({ slots: 8, payloadBytes: 8, maxMessageBytes: 64 }, { memory: 'sab' });
    const r = new RecvProcess(ch.b.rx, 64);
    expect(r.step()).toEqual({ action: 'RecvCheck', status: -2 });
    const msg = Uint8Array.from({ length: 60 }, (_, i) => i);
    expect(ch.a.trySend(toWords(msg), 0, 60)).toBe(UMP_OK);
    let delivered: Uint8Array | undefined;
    for (let i = 0; i < 100 && delivered === undefined; i++) delivered = r.step().delivered;
    expect(delivered).toEqual(msg);
    expect(ch.a.tx.sendFrame(Int32Array.of(0, 0), 0, 8, 3, 5)).toBe(UMP_OK); // LAST without FIRST
    expect(r.step()).toEqual({ action: 'RecvCheck', status: -7 });
  });
});
