import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUmpChannel, UMP_THREAD_FAULTS } from '../../../impl/ump/index.js';
import {
  ExchangePeer,
  blockingLargeMax,
  checksum,
  exchangeWorkerUrl,
  messageLength,
  runBlockingPeer,
  runExchangePeer,
  runUmpThreads,
  startTogether,
  umpThreadsProblems,
  writeMessage,
} from '../../../conformance/ump/index.js';

/**
 * CAPREF_UMP_FAULT=skip-wake runs the real-thread tests below against an
 * implementation that forgets some wake-ups (impl/ump/mutants.ts,
 * UMP_THREAD_FAULTS): the sleeping-path tests must then fail.
 */
const fault = z.enum(UMP_THREAD_FAULTS).optional().parse(process.env.CAPREF_UMP_FAULT || undefined);

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
    expect(umpThreadsProblems([pa.result(), pb.result()], 3000, 'exchange')).toEqual([]);
  });

  it('messages are a pure function of (seed, direction, number) and carry a checksum', () => {
    const w = new Int32Array(1024);
    const len = writeMessage(w, 96, 5, 0x0a0b, 2000);
    expect(len).toBe(messageLength(96, 5, 2000));
    expect(len).toBeGreaterThan(56); // every 97th message is chunked
    expect(w[len / 4 - 1]).toBe(checksum(w, len / 4 - 1));
    expect([w[0], w[1]]).toEqual([96, len]);
    expect(messageLength(2, 5, 2000, 3)).toBeGreaterThan(56); // or every 3rd
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
    expect(r.waits.timeouts).toBe(1);
    expect(r.waits.lostWakeups).toBe(0);
    const quiet = createUmpChannel({ slots: 2, spinPolls: 0 }, { memory: 'sab' });
    expect(runBlockingPeer(quiet.b, { pattern: 'one-way', count: 1, seed: 1, waitMs: 5, largeEvery: 3 }).aborted).toBe('receive of message 0: no progress for 5 ms');
    closed.a.close();
    expect(runBlockingPeer(closed.a, { pattern: 'ping-pong', count: 1, seed: 1, waitMs: 5, largeEvery: 3 }).aborted).toBe('send of message 0 failed with LIB_ERR_UMP_NOT_CONNECTED');
  });

  it('the blocking patterns stream messages longer than the ring (one thread: they fit here)', () => {
    const { a, b } = createUmpChannel({ slots: 2, spinPolls: 0 }, { memory: 'sab' });
    expect(blockingLargeMax(a)).toBe(4 * 2 * 56);
    const sent = runBlockingPeer(a, { pattern: 'one-way', count: 1, seed: 3, waitMs: 5, largeEvery: 1 });
    // One message of more than one ring cannot be sent in one thread with nobody receiving.
    expect(sent.aborted).toBe('send of message 0: no progress for 5 ms');
    expect(messageLength(0, 3, blockingLargeMax(a), 1)).toBeGreaterThan(2 * 56);
    const got = runBlockingPeer(b, { pattern: 'one-way', count: 1, seed: 3, waitMs: 5, largeEvery: 1 });
    expect(got.aborted).toMatch(/^receive of message 0: /); // half a message, then the sender gave up
  });

  it('a suspected lost wake-up fails the run even when every message arrived', () => {
    const waits = { sleeps: 10, timeouts: 1, lostWakeups: 1 };
    const peer = { side: 'B' as const, sent: 0, received: 3, largeReceived: 0, bytesReceived: 24, longest: 8, bad: 0, errors: [], waits };
    expect(umpThreadsProblems([{ ...peer, side: 'A', received: 0, waits: { ...waits, lostWakeups: 0 } }, peer], 3, 'one-way')).toEqual([
      'B: 1 of 10 sleeps timed out although the peer had already moved (suspected lost wake-ups)',
    ]);
  });

  it('the start barrier lets threads through together, and gives up on a worker that never comes', () => {
    const alone = new Int32Array(new SharedArrayBuffer(4));
    expect(startTogether(alone, 1, 5)).toBe(true);
    const pair = new Int32Array(new SharedArrayBuffer(4));
    expect(startTogether(pair, 2, 5)).toBe(false);
    expect(startTogether(pair, 2, 5)).toBe(true); // the second arrival
  });
});

describe('conformance/ump real threads', () => {
  it('the worker entry is compiled (npm test builds dist/ first)', () => {
    expect(exchangeWorkerUrl().pathname).toMatch(/worker\.js$/);
  });

  it('two worker threads exchange 10^7 messages with no loss, duplication or corruption, and no lost wake-up', async () => {
    const r = await runUmpThreads({ messagesPerDirection: 5_000_000, seed: 20240607, ...(fault === undefined ? {} : { fault }) });
    console.log(
      `real threads: ${r.messages.toLocaleString('en-US')} messages (${r.largeMessages.toLocaleString('en-US')} chunked, ${(r.bytes / 2 ** 20).toFixed(0)} MiB) checked in ${r.seconds.toFixed(2)} s after the start barrier; ${r.sleeps} sleeps`,
    );
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.messages).toBe(10_000_000);
    expect(r.bad).toBe(0);
    expect(r.lostWakeups).toBe(0);
  });

  // The sleeping path. With spinPolls 0 every wait sleeps (Atomics.wait), and
  // with 2 slots a long message (every 3rd: up to 448 B, four rings' worth)
  // streams through a full ring, so both the receiver's and the sender's
  // wake-ups are exercised tens of thousands of times.
  //
  // The timeout bound: a sleep can end by its timeout with its condition met,
  // on a correct channel, only if the peer went a whole timeout without
  // running the one step (publish or release) it was about to run, and ran it
  // just as the timeout expired. Here the peer is a live thread whose next
  // step is that one, so only the scheduler or a garbage collection pause can
  // hold it up; on a loaded 2-core machine those are tens of milliseconds
  // (Linux's scheduling period is ~24 ms; a worker's heap is a few MiB). 2 s
  // is far beyond that, so a sleep that times out with its condition met is a
  // wake-up that was never sent, and the test requires none.
  const SLEEP_TIMEOUT_MS = 2000;
  for (const pattern of ['one-way', 'ping-pong'] as const) {
    it(`sleeping path, ${pattern}: blocking send/recv with spinPolls 0, messages longer than the ring, every message checked, no lost wake-up`, async () => {
      const r = await runUmpThreads({
        pattern,
        messagesPerDirection: 10_000,
        config: { slots: 2, spinPolls: 0 },
        stallMs: SLEEP_TIMEOUT_MS,
        largeEvery: 3,
        seed: 11,
        ...(fault === undefined ? {} : { fault }),
      });
      console.log(`sleeping path, ${pattern}: ${r.messages} messages (${r.largeMessages} chunked, longest ${Math.max(...r.peers.map((p) => p.longest))} B through a 112-byte ring), ${r.sleeps} sleeps, ${r.lostWakeups} lost wake-ups, ${r.seconds.toFixed(2)} s`);
      expect(r.problems).toEqual([]);
      expect(r.messages).toBe(pattern === 'one-way' ? 10_000 : 20_000);
      expect(r.bad).toBe(0);
      expect(Math.max(...r.peers.map((p) => p.longest))).toBeGreaterThan(2 * 56);
      expect(r.sleeps).toBeGreaterThan(r.messages / 2); // the sleeping path, not spinning
      expect(r.lostWakeups).toBe(0);
    });
  }

  it('the sleeping-path check catches lost wake-ups (thread fault skip-wake)', async () => {
    // A short timeout: each forgotten wake-up costs one.
    const r = await runUmpThreads({ pattern: 'one-way', messagesPerDirection: 300, config: { slots: 2, spinPolls: 0 }, stallMs: 20, largeEvery: 3, seed: 11, fault: 'skip-wake' });
    expect(r.ok).toBe(false);
    expect(r.lostWakeups).toBeGreaterThan(0);
    expect(r.problems.join('\n')).toMatch(/sleeps timed out although the peer had already moved \(suspected lost wake-ups\)/);
  });
});
