// The real-thread check: two ends of one channel, each in its own worker,
// send each other numbered messages and check on receipt that nothing was
// lost, duplicated, reordered or corrupted. Message k of a direction is a pure
// function of (seed, direction, k), so the receiver regenerates what it must
// get and compares word by word:
//   word 0          the sequence number k        (loss, duplication, reordering)
//   word 1          the length in bytes
//   words 2..n-2    pseudo-random words from (seed, direction, k)
//   word n-1        FNV-1a checksum of words 0..n-2 (corruption, torn reads)
// Most messages fill 8 to 56 bytes (one slot); every largeEvery-th one spans
// several slots and goes through the chunking layer.
//
// Two ways to drive the ends:
//  - 'exchange': both ends send and receive at once without waiting
//    (trySend/tryRecv), and wait (spin, then sleep) only when nothing moves;
//    a long message goes out whole, so it must fit the ring;
//  - 'one-way' (A sends, B receives) and 'ping-pong' (A sends message k, B
//    receives it and answers with its own message k): blocking send() and
//    recv() only, so long messages stream through a full ring, and with
//    spinPolls 0 every wait sleeps: the wait/notify path under test.
// Either way each end reports its wait statistics, and a sleep that timed out
// although the peer had already moved (a suspected lost wake-up) fails the run.
//
// A peer is a steppable object (pump) so that the same logic runs in-process
// in tests (both peers alternately in one thread) and, thinly wrapped, in the
// worker entry (worker.ts), where coverage cannot see it.
import { z } from 'zod';
import type { UmpSide } from '../../../spec/ump/index.js';
import { UMP_CHAN_FULL, UMP_NO_MSG, UMP_OK, UMP_TIMEOUT, UmpConfigSchema, chunkCount, umpStatusName } from '../../../spec/ump/index.js';
import type { UmpEndpoint, UmpWaitStats } from '../../../impl/ump/index.js';
import { UMP_MUTANTS, UMP_THREAD_FAULTS, UMP_WAIT } from '../../../impl/ump/index.js';

export const LARGE_EVERY = 97;

export const EXCHANGE_PATTERNS = ['exchange', 'one-way', 'ping-pong'] as const;
export type ExchangePattern = (typeof EXCHANGE_PATTERNS)[number];

export const ExchangeWorkerDataSchema = z
  .object({
    frame: z.object({
      buffer: z.instanceof(SharedArrayBuffer),
      byteOffset: z.number().int().min(0),
      config: UmpConfigSchema,
    }),
    side: z.enum(['A', 'B']),
    /** Messages each end sends (and receives); in 'one-way', the messages A sends to B. */
    count: z.number().int().min(0),
    seed: z.number().int(),
    /** Longest sleep without progress before the peer gives up. */
    stallMs: z.number().positive(),
    pattern: z.enum(EXCHANGE_PATTERNS),
    /** Every largeEvery-th message spans several slots. */
    largeEvery: z.number().int().min(1),
    /** The start barrier: a shared word each worker increments, then waits until both have. */
    start: z.instanceof(SharedArrayBuffer),
    mutant: z.enum(UMP_MUTANTS).optional(),
    fault: z.enum(UMP_THREAD_FAULTS).optional(),
  })
  .strict();
export type ExchangeWorkerData = z.infer<typeof ExchangeWorkerDataSchema>;

export interface ExchangeResult {
  readonly side: UmpSide;
  readonly sent: number;
  readonly received: number;
  readonly largeReceived: number;
  readonly bytesReceived: number;
  /** The longest message received, in bytes. */
  readonly longest: number;
  /** Messages that failed a check (each counted once). */
  readonly bad: number;
  /** The first few failures, described. */
  readonly errors: string[];
  /** Set when the exchange stopped early (a stall or an unexpected status). */
  readonly aborted?: string;
  /** The end's sleeps: how many, how many timed out, how many of those were suspected lost wake-ups. */
  readonly waits: UmpWaitStats;
  /** Seconds from the start barrier to the end of this peer's part (set by the worker). */
  readonly seconds?: number;
}

function mix(x: number): number {
  // xorshift32 step: cheap, deterministic, full period over non-zero states.
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

/** Length in bytes of message k (a multiple of 4): 8..56, or, every largeEvery-th, 60..largeMax. */
export function messageLength(k: number, seed: number, largeMax: number, largeEvery = LARGE_EVERY): number {
  const r = mix((k * 0x9e3779b1) ^ seed) >>> 0;
  if (largeMax >= 64 && k % largeEvery === largeEvery - 1) return 4 * (15 + (r % ((largeMax >> 2) - 14)));
  return 8 + 4 * (r % 13); // 8..56
}

/** Writes message k of direction `dirSalt` into dst[0..]; returns its length in bytes. */
export function writeMessage(dst: Int32Array, k: number, seed: number, dirSalt: number, largeMax: number, largeEvery = LARGE_EVERY): number {
  const len = messageLength(k, seed, largeMax, largeEvery);
  const n = len >> 2;
  dst[0] = k;
  dst[1] = len;
  let x = mix((k ^ dirSalt ^ seed) | 1) || 1;
  for (let i = 2; i < n - 1; i++) {
    x = mix(x);
    dst[i] = x;
  }
  dst[n - 1] = checksum(dst, n - 1);
  return len;
}

/** FNV-1a over the bytes of words 0..n-1. */
export function checksum(w: Int32Array, n: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((v >>> s) & 0xff), 0x01000193);
  }
  return h | 0;
}

/** The salt of the messages an end sends. */
export function saltOf(side: UmpSide): number {
  return side === 'A' ? 0x0a0b : 0x0b0a;
}

/** The receiving side's check: message k must be exactly what its sender wrote (sequence, length, checksum, every word). */
export class MessageChecker {
  private readonly expect: Int32Array;
  received = 0;
  largeReceived = 0;
  bytesReceived = 0;
  longest = 0;
  bad = 0;
  readonly errors: string[] = [];

  constructor(
    private readonly seed: number,
    private readonly salt: number,
    private readonly largeMax: number,
    private readonly largeEvery: number,
    private readonly payloadBytes: number,
  ) {
    this.expect = new Int32Array(Math.max(16, largeMax >> 2));
  }

  /** Checks the next message, `len` bytes in inbox[0..]. */
  check(inbox: Int32Array, len: number): void {
    const k = this.received++;
    this.bytesReceived += len;
    if (len > this.longest) this.longest = len;
    const want = writeMessage(this.expect, k, this.seed, this.salt, this.largeMax, this.largeEvery);
    if (want > this.payloadBytes) this.largeReceived++;
    const n = len >> 2;
    let problem: string | undefined;
    if (inbox[0] !== k) problem = `expected message ${k}, got sequence number ${inbox[0]} (loss, duplicate or reordering)`;
    else if (len !== want) problem = `message ${k}: length ${len}, sent ${want}`;
    else if (inbox[n - 1] !== checksum(inbox, n - 1)) problem = `message ${k}: checksum mismatch (corrupted or torn)`;
    else {
      for (let i = 0; i < n; i++)
        if (inbox[i] !== this.expect[i]) {
          problem = `message ${k}: word ${i} is ${inbox[i]}, sent ${this.expect[i]}`;
          break;
        }
    }
    if (problem !== undefined) {
      this.bad++;
      if (this.errors.length < 5) this.errors.push(problem);
    }
  }
}

function resultOf(end: UmpEndpoint, sent: number, c: MessageChecker, aborted: string | undefined): ExchangeResult {
  return {
    side: end.side,
    sent,
    received: c.received,
    largeReceived: c.largeReceived,
    bytesReceived: c.bytesReceived,
    longest: c.longest,
    bad: c.bad,
    errors: [...c.errors],
    ...(aborted === undefined ? {} : { aborted }),
    waits: { ...end.stats },
  };
}

/** The 'exchange' pattern: both directions at once, without waiting, waiting only when nothing moves. */
export class ExchangePeer {
  private readonly out = new Int32Array(4096);
  private readonly inbox: Int32Array;
  private outLen = -1;
  private readonly saltOut: number;
  private readonly largeMax: number;
  private readonly checker: MessageChecker;
  sent = 0;
  aborted: string | undefined;

  constructor(
    readonly end: UmpEndpoint,
    readonly count: number,
    readonly seed: number,
    readonly largeEvery = LARGE_EVERY,
  ) {
    this.saltOut = saltOf(end.side);
    // Large messages are sent whole without waiting, so they must fit the ring.
    this.largeMax = Math.min(4 * 1000, end.config.slots * end.config.payloadBytes, end.config.maxMessageBytes) & ~3;
    this.inbox = new Int32Array(Math.max(16, this.largeMax >> 2));
    this.checker = new MessageChecker(seed, saltOf(end.side === 'A' ? 'B' : 'A'), this.largeMax, largeEvery, end.config.payloadBytes);
  }

  get received(): number {
    return this.checker.received;
  }
  get bad(): number {
    return this.checker.bad;
  }
  get errors(): readonly string[] {
    return this.checker.errors;
  }

  get done(): boolean {
    return (this.sent >= this.count && this.received >= this.count) || this.aborted !== undefined;
  }

  /** Slots the next message needs (it is sent whole, without waiting). */
  get slotsNeeded(): number {
    return this.outLen < 0 ? 1 : chunkCount(this.outLen, this.end.config.payloadBytes);
  }

  /** What this peer still waits for (UMP_WAIT bits). */
  get wants(): number {
    return (this.sent < this.count ? UMP_WAIT.send : 0) | (this.received < this.count ? UMP_WAIT.recv : 0);
  }

  /** Sends and receives what it can without waiting; returns whether anything moved. */
  pump(burst = 64): boolean {
    let progress = false;
    for (let b = 0; b < burst && this.sent < this.count; b++) {
      if (this.outLen < 0) this.outLen = writeMessage(this.out, this.sent, this.seed, this.saltOut, this.largeMax, this.largeEvery);
      const st = this.end.trySend(this.out, 0, this.outLen);
      if (st === UMP_OK) {
        this.sent++;
        this.outLen = -1;
        progress = true;
      } else if (st === UMP_CHAN_FULL) break;
      else {
        this.aborted = `send of message ${this.sent} failed with ${umpStatusName(st)}`;
        return false;
      }
    }
    for (let b = 0; b < burst && this.received < this.count; b++) {
      const r = this.end.tryRecv(this.inbox, 0);
      if (r >= 0) {
        this.checker.check(this.inbox, r);
        progress = true;
      } else if (r === UMP_NO_MSG) break;
      else {
        this.aborted = `receive after message ${this.received} failed with ${umpStatusName(r)}`;
        return false;
      }
    }
    return progress;
  }

  result(): ExchangeResult {
    return resultOf(this.end, this.sent, this.checker, this.aborted);
  }
}

/** A peer's whole life on its own thread: pump, and when nothing moves, wait (spin, then sleep). */
export function runExchangePeer(peer: ExchangePeer, stallMs: number): ExchangeResult {
  while (!peer.done) {
    if (peer.pump()) continue;
    const st = peer.end.waitFor(peer.wants, stallMs, peer.slotsNeeded);
    if (st === UMP_TIMEOUT) peer.aborted = `no progress for ${stallMs} ms (sent ${peer.sent}, received ${peer.received})`;
    else if (st !== UMP_OK) peer.aborted = `waiting for room for ${peer.slotsNeeded} frame(s) failed with ${umpStatusName(st)}`;
  }
  return peer.result();
}

export interface BlockingPeerOptions {
  readonly pattern: 'one-way' | 'ping-pong';
  /** Messages per direction that carries any ('one-way': A to B only). */
  readonly count: number;
  readonly seed: number;
  /** Timeout of each blocking call; a call that times out aborts the peer. */
  readonly waitMs: number;
  readonly largeEvery: number;
}

/** Longest message of the blocking patterns: up to four rings' worth, so that a long message streams through a full ring. */
export function blockingLargeMax(end: UmpEndpoint): number {
  const c = end.config;
  return Math.min(4 * 1000, 4 * c.slots * c.payloadBytes, c.maxMessageBytes) & ~3;
}

/**
 * The 'one-way' and 'ping-pong' patterns, with blocking send() and recv()
 * only. In 'ping-pong' A sends message k and then receives B's message k; B
 * receives first and then sends: no two blocking sends ever wait on each other.
 */
export function runBlockingPeer(end: UmpEndpoint, o: BlockingPeerOptions): ExchangeResult {
  const largeMax = blockingLargeMax(end);
  const out = new Int32Array(Math.max(16, largeMax >> 2));
  const inbox = new Int32Array(Math.max(16, largeMax >> 2));
  const checker = new MessageChecker(o.seed, saltOf(end.side === 'A' ? 'B' : 'A'), largeMax, o.largeEvery, end.config.payloadBytes);
  const sends = o.pattern === 'ping-pong' || end.side === 'A';
  const receives = o.pattern === 'ping-pong' || end.side === 'B';
  let sent = 0;
  const fail = (what: string, st: number) =>
    resultOf(end, sent, checker, st === UMP_TIMEOUT ? `${what}: no progress for ${o.waitMs} ms` : `${what} failed with ${umpStatusName(st)}`);
  for (let k = 0; k < o.count; k++) {
    if (sends && end.side === 'A') {
      const st = end.send(out, 0, writeMessage(out, k, o.seed, saltOf(end.side), largeMax, o.largeEvery), o.waitMs);
      if (st !== UMP_OK) return fail(`send of message ${k}`, st);
      sent++;
    }
    if (receives) {
      const r = end.recv(inbox, 0, o.waitMs);
      if (r < 0) return fail(`receive of message ${k}`, r);
      checker.check(inbox, r);
    }
    if (sends && end.side === 'B') {
      const st = end.send(out, 0, writeMessage(out, k, o.seed, saltOf(end.side), largeMax, o.largeEvery), o.waitMs);
      if (st !== UMP_OK) return fail(`send of message ${k}`, st);
      sent++;
    }
  }
  return resultOf(end, sent, checker, undefined);
}

/**
 * The start barrier: each of `parties` threads increments the shared word and
 * waits until all have, so that no clock or stall limit runs while the other
 * worker is still starting. False if the others did not arrive in `timeoutMs`.
 */
export function startTogether(word: Int32Array, parties: number, timeoutMs: number): boolean {
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
  for (;;) {
    const v = Atomics.load(word, 0);
    if (v >= parties) return true;
    if (Atomics.wait(word, 0, v, timeoutMs) === 'timed-out') return Atomics.load(word, 0) >= parties;
  }
}
