import { describe, expect, it } from 'vitest';
import { createUmpChannel } from '../../../impl/ump/index.js';
import { ExchangePeer, checksum, exchangeWorkerUrl, messageLength, runExchangePeer, runUmpThreads, writeMessage } from '../../../conformance/ump/index.js';

function alternate(a: ExchangePeer, b: ExchangePeer): void {
  for (let i = 0; i < 1e6 && !(a.done && b.done); i++) {
    a.pump(7);
    b.pump(5);
  }
}

describe('conformance/ump real-thread exchange: the checking logic, in one thread', () => {
  it('numbered, checksummed messages (some chunked) arrive complete and in order', () => {
    const { a, b } = createUmpChannel({ slots: 8 }, { memory: 'sab' });
    const pa = new ExchangePeer(a, 3000, 5);
    const pb = new ExchangePeer(b, 3000, 5);
    alternate(pa, pb);
    for (const r of [pa.result(), pb.result()]) {
      expect(r).toMatchObject({ sent: 3000, received: 3000, bad: 0, errors: [] });
      expect(r.largeReceived).toBeGreaterThan(20);
    }
  });

  it('messages are a pure function of (seed, direction, number) and carry a checksum', () => {
    const w = new Int32Array(1024);
    const len = writeMessage(w, 96, 5, 0x0a0b, 2000);
    expect(len).toBe(messageLength(96, 5, 2000));
    expect(len).toBeGreaterThan(56); // every 97th message is chunked
    expect(w[len / 4 - 1]).toBe(checksum(w, len / 4 - 1));
    expect([w[0], w[1]]).toEqual([96, len]);
  });

  it('catches what a broken channel does to the messages (mutant overwrite-full-ring)', () => {
    const { a, b } = createUmpChannel({ slots: 4 }, { memory: 'sab', mutant: 'overwrite-full-ring' });
    const pa = new ExchangePeer(a, 500, 1);
    const pb = new ExchangePeer(b, 500, 1);
    alternate(pa, pb);
    expect(pa.bad + pb.bad).toBeGreaterThan(0);
    expect([...pa.errors, ...pb.errors].join('\n')).toMatch(/expected message|checksum|word|length/);
  });

  it('a peer gives up with a reason: a closed channel, a peer that never answers', () => {
    const closed = createUmpChannel({ slots: 4, spinPolls: 10 }, { memory: 'sab' });
    closed.b.close();
    expect(runExchangePeer(new ExchangePeer(closed.a, 10, 1), 5).aborted).toMatch(/LIB_ERR_UMP_NOT_CONNECTED/);
    const silent = createUmpChannel({ slots: 4, spinPolls: 10 }, { memory: 'sab' });
    const r = runExchangePeer(new ExchangePeer(silent.a, 2, 1), 5);
    expect(r.aborted).toMatch(/no progress for 5 ms \(sent 2, received 0\)/);
  });
});

describe('conformance/ump real threads', () => {
  it('the worker entry is compiled (npm test builds dist/ first)', () => {
    expect(exchangeWorkerUrl().pathname).toMatch(/worker\.js$/);
  });

  it('two worker threads exchange 10^7 messages with no loss, duplication or corruption', async () => {
    const t0 = performance.now();
    const r = await runUmpThreads({ messagesPerDirection: 5_000_000, seed: 20240607 });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`real threads: ${r.messages.toLocaleString('en-US')} messages (${r.largeMessages.toLocaleString('en-US')} chunked, ${(r.bytes / 2 ** 20).toFixed(0)} MiB) checked in ${seconds.toFixed(2)} s`);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.messages).toBe(10_000_000);
    expect(r.bad).toBe(0);
  });
});
