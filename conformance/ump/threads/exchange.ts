// The real-thread check: two ends of one channel, each in its own worker,
// send each other numbered messages and check on receipt that nothing was
// lost, duplicated, reordered or corrupted. Message k of a direction is a pure
// function of (seed, direction, k), so the receiver regenerates what it must
// get and compares word by word:
//   word 0          the sequence number k        (loss, duplication, reordering)
//   word 1          the length in bytes
//   words 2..n-2    pseudo-random words from (seed, direction, k)
//   word n-1        FNV-1a checksum of words 0..n-2 (corruption, torn reads)
// Most messages fill 8 to 56 bytes (one slot); every LARGE_EVERY-th one spans
// several slots and goes through the chunking layer.
//
// A peer is a steppable object (pump) so that the same logic runs in-process
// in tests (both peers alternately in one thread) and, thinly wrapped, in the
// worker entry (worker.ts), where coverage cannot see it.
import { z } from 'zod';
import type { UmpSide } from '../../../spec/ump/index.js';
import { UMP_CHAN_FULL, UMP_NO_MSG, UMP_OK, UmpConfigSchema, chunkCount, umpStatusName } from '../../../spec/ump/index.js';
import type { UmpEndpoint } from '../../../impl/ump/index.js';
import { UMP_MUTANTS, UMP_WAIT } from '../../../impl/ump/index.js';

export const LARGE_EVERY = 97;

export const ExchangeWorkerDataSchema = z
  .object({
    frame: z.object({
      buffer: z.instanceof(SharedArrayBuffer),
      byteOffset: z.number().int().min(0),
      config: UmpConfigSchema,
    }),
    side: z.enum(['A', 'B']),
    /** Messages each end sends (and receives). */
    count: z.number().int().min(0),
    seed: z.number().int(),
    /** Longest sleep without progress before the peer gives up. */
    stallMs: z.number().positive(),
    mutant: z.enum(UMP_MUTANTS).optional(),
  })
  .strict();
export type ExchangeWorkerData = z.infer<typeof ExchangeWorkerDataSchema>;

export interface ExchangeResult {
  readonly side: UmpSide;
  readonly sent: number;
  readonly received: number;
  readonly largeReceived: number;
  readonly bytesReceived: number;
  /** Messages that failed a check (each counted once). */
  readonly bad: number;
  /** The first few failures, described. */
  readonly errors: string[];
  /** Set when the exchange stopped early (a stall or an unexpected status). */
  readonly aborted?: string;
}

function mix(x: number): number {
  // xorshift32 step: cheap, deterministic, full period over non-zero states.
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

/** Length in bytes of message k (a multiple of 4). */
export function messageLength(k: number, seed: number, largeMax: number): number {
  const r = mix((k * 0x9e3779b1) ^ seed) >>> 0;
  if (largeMax >= 64 && k % LARGE_EVERY === LARGE_EVERY - 1) return 4 * (15 + (r % ((largeMax >> 2) - 14)));
  return 8 + 4 * (r % 13); // 8..56
}

/** Writes message k of direction `dirSalt` into dst[0..]; returns its length in bytes. */
export function writeMessage(dst: Int32Array, k: number, seed: number, dirSalt: number, largeMax: number): number {
  const len = messageLength(k, seed, largeMax);
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

export class ExchangePeer {
  private readonly out = new Int32Array(4096);
  private readonly expect = new Int32Array(4096);
  private readonly inbox: Int32Array;
  private outLen = -1;
  private readonly saltOut: number;
  private readonly saltIn: number;
  private readonly largeMax: number;
  sent = 0;
  received = 0;
  largeReceived = 0;
  bytesReceived = 0;
  bad = 0;
  readonly errors: string[] = [];
  aborted: string | undefined;

  constructor(
    readonly end: UmpEndpoint,
    readonly count: number,
    readonly seed: number,
  ) {
    this.saltOut = end.side === 'A' ? 0x0a0b : 0x0b0a;
    this.saltIn = end.side === 'A' ? 0x0b0a : 0x0a0b;
    // Large messages are sent whole without waiting, so they must fit the ring.
    this.largeMax = Math.min(4 * 1000, end.config.slots * end.config.payloadBytes, end.config.maxMessageBytes) & ~3;
    this.inbox = new Int32Array(Math.max(16, this.largeMax >> 2));
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
      if (this.outLen < 0) this.outLen = writeMessage(this.out, this.sent, this.seed, this.saltOut, this.largeMax);
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
        this.verify(r);
        progress = true;
      } else if (r === UMP_NO_MSG) break;
      else {
        this.aborted = `receive after message ${this.received} failed with ${umpStatusName(r)}`;
        return false;
      }
    }
    return progress;
  }

  private verify(len: number): void {
    const k = this.received++;
    this.bytesReceived += len;
    const want = writeMessage(this.expect, k, this.seed, this.saltIn, this.largeMax);
    if (want > this.end.config.payloadBytes) this.largeReceived++;
    const n = len >> 2;
    let problem: string | undefined;
    if (this.inbox[0] !== k) problem = `expected message ${k}, got sequence number ${this.inbox[0]} (loss, duplicate or reordering)`;
    else if (len !== want) problem = `message ${k}: length ${len}, sent ${want}`;
    else if (this.inbox[n - 1] !== checksum(this.inbox, n - 1)) problem = `message ${k}: checksum mismatch (corrupted or torn)`;
    else {
      for (let i = 0; i < n; i++)
        if (this.inbox[i] !== this.expect[i]) {
          problem = `message ${k}: word ${i} is ${this.inbox[i]}, sent ${this.expect[i]}`;
          break;
        }
    }
    if (problem !== undefined) {
      this.bad++;
      if (this.errors.length < 5) this.errors.push(problem);
    }
  }

  result(): ExchangeResult {
    return {
      side: this.end.side,
      sent: this.sent,
      received: this.received,
      largeReceived: this.largeReceived,
      bytesReceived: this.bytesReceived,
      bad: this.bad,
      errors: [...this.errors],
      ...(this.aborted === undefined ? {} : { aborted: this.aborted }),
    };
  }
}

/** A peer's whole life on its own thread: pump, and when nothing moves, wait (spin, then sleep). */
export function runExchangePeer(peer: ExchangePeer, stallMs: number): ExchangeResult {
  while (!peer.done) {
    if (peer.pump()) continue;
    if (!peer.end.waitFor(peer.wants, stallMs, peer.slotsNeeded)) peer.aborted = `no progress for ${stallMs} ms (sent ${peer.sent}, received ${peer.received})`;
  }
  return peer.result();
}
