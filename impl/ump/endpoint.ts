// One end of a bidirectional UMP channel: the sending half of its outgoing
// ring, the receiving half of its incoming ring, blocking on top of both, and
// close.
//
// Blocking. A blocked end first polls (config.spinPolls times), because
// waking a thread with Atomics.wait/notify costs ~33 µs on this machine while
// a poll costs nanoseconds. Only then does it sleep, in three steps:
//   1. read its sleep word (a counter) g;
//   2. mark the slot it waits for with WAKE_BIT (a compare-exchange on the
//      slot's control word; if the slot changed meanwhile there is nothing to
//      wait for);
//   3. Atomics.wait(sleep word, g).
// The peer's publish and release are exchanges of that same control word, so
// they return the old word: if it carries WAKE_BIT the peer bumps the sleeper's
// counter and notifies it. A busy channel therefore costs no extra load and
// no system call per message. No wake-up is lost: the mark and the peer's
// exchange are read-modify-writes of one word, so one of them comes first;
// if the mark came first the peer sees it and bumps the counter, and a wait
// that starts after the bump finds the counter changed and returns at once.
import type { UmpConfig, UmpSide, UmpStatus } from '../../spec/ump/index.js';
import {
  HDR_CLOSED,
  UMP_CHAN_FULL,
  UMP_MSGBUF_OVERFLOW,
  UMP_NO_MSG,
  UMP_OK,
  UMP_TIMEOUT,
  UMP_TX_MSG_SIZE,
  chunkCount,
  ringBaseWord,
  sleepWordOf,
  umpStatusName,
} from '../../spec/ump/index.js';
import type { UmpFrameRef, UmpMemoryKind } from './frame.js';
import { createUmpFrame, validateFrame } from './frame.js';
import type { UmpMutant, UmpThreadFault } from './mutants.js';
import { makeRx, makeTx } from './mutants.js';
import type { UmpRx, UmpTx } from './ring.js';
import { wakeEnd } from './ring.js';

export interface UmpEndpointOptions {
  /** A deliberate bug, for mutation testing. Read once, here. */
  readonly mutant?: UmpMutant | undefined;
  /** A fault for the real-thread tests (mutants.ts, UMP_THREAD_FAULTS); not together with a mutant. */
  readonly fault?: UmpThreadFault | undefined;
  /** Assert data-structure invariants after every publish and release (off by default: the hot path stays lean). */
  readonly debug?: boolean | undefined;
}

const WAIT_SEND = 1;
const WAIT_RECV = 2;
/** What a blocked end waits for: room to send, a frame to receive, or either. */
export const UMP_WAIT = { send: WAIT_SEND, recv: WAIT_RECV, any: WAIT_SEND | WAIT_RECV } as const;

/**
 * What an end's sleeps came to. Plain fields of this end, written only on the
 * sleeping path (which costs a system call anyway), so a busy channel pays
 * nothing for them.
 */
export interface UmpWaitStats {
  /** Calls of Atomics.wait. */
  sleeps: number;
  /** Sleeps that ended by their timeout. */
  timeouts: number;
  /**
   * Sleeps that ended by their timeout although what they waited for had
   * already happened: the peer changed the slot this end had marked, but did
   * not wake it. A suspected lost wake-up. With a correct channel this stays 0
   * unless the peer took a whole timeout to make that change and made it just
   * as the timeout ran out, so tests that assert 0 choose a timeout no live
   * peer can take (see conformance/ump/threads/).
   */
  lostWakeups: number;
}

export class UmpEndpoint {
  readonly side: UmpSide;
  readonly config: UmpConfig;
  readonly tx: UmpTx;
  readonly rx: UmpRx;
  readonly words: Int32Array;
  private readonly end: 0 | 1;
  private readonly sleepWord: number;
  private readonly peerSleepWord: number;
  /**
   * Word-aligned scratch buffers for the convenient byte API, one per
   * direction: a message half-assembled in the receive buffer must survive a
   * send made meanwhile, and must resume into the very buffer it started in.
   */
  private txScratch = new Int32Array(16);
  private rxScratch = new Int32Array(16);
  /** What this end's sleeps came to (see UmpWaitStats). */
  readonly stats: UmpWaitStats = { sleeps: 0, timeouts: 0, lostWakeups: 0 };

  constructor(words: Int32Array, config: UmpConfig, side: UmpSide, options: UmpEndpointOptions = {}) {
    this.side = side;
    this.config = config;
    this.words = words;
    this.end = side === 'A' ? 0 : 1;
    const peer = (1 - this.end) as 0 | 1;
    this.sleepWord = sleepWordOf(this.end);
    this.peerSleepWord = sleepWordOf(peer);
    const debug = options.debug ?? false;
    if (options.mutant !== undefined && options.fault !== undefined) throw new Error('capref bug: an end runs a mutant or a thread fault, not both');
    const variant = options.mutant ?? options.fault;
    this.tx = makeTx({ words, base: ringBaseWord(this.end, config.slots), peerSleep: this.peerSleepWord, config }, variant, debug);
    this.rx = makeRx({ words, base: ringBaseWord(peer, config.slots), peerSleep: this.peerSleepWord, config }, variant, debug);
  }

  // ---- zero-allocation API: words in, words out --------------------------------

  /** Sends `len` bytes from src[srcWord..] without waiting: OK (0) or a negative status (see spec/ump/errors.ts). */
  trySend(src: Int32Array, srcWord: number, len: number): number {
    return this.tx.trySend(src, srcWord, len);
  }

  /** Receives one message into dst[dstWord..] without waiting: its length in bytes, or a negative status. */
  tryRecv(dst: Int32Array, dstWord: number): number {
    return this.rx.tryRecv(dst, dstWord);
  }

  /**
   * Sends, waiting while the ring is full. A message longer than the ring is
   * streamed: its chunks go out as the receiver frees slots. Returns a status;
   * UMP_TIMEOUT if one sleep of `timeoutMs` passed without progress.
   */
  send(src: Int32Array, srcWord: number, len: number, timeoutMs = Infinity): number {
    const st = this.tx.trySend(src, srcWord, len);
    if (st !== UMP_CHAN_FULL && st !== UMP_TX_MSG_SIZE) return st;
    if (st === UMP_TX_MSG_SIZE && !this.tx.fits(src, srcWord, len)) return st;
    if (chunkCount(len, this.config.payloadBytes) === 1) return this.sendSingleBlocking(src, srcWord, len, timeoutMs);
    return this.sendStreaming(src, srcWord, len, timeoutMs);
  }

  private sendSingleBlocking(src: Int32Array, srcWord: number, len: number, timeoutMs: number): number {
    for (;;) {
      const w = this.waitFor(WAIT_SEND, timeoutMs);
      if (w !== UMP_OK) return w;
      const st = this.tx.trySend(src, srcWord, len);
      if (st !== UMP_CHAN_FULL) return st;
    }
  }

  private sendStreaming(src: Int32Array, srcWord: number, len: number, timeoutMs: number): number {
    const n = chunkCount(len, this.config.payloadBytes);
    for (let k = 0; k < n; k++) {
      for (;;) {
        const st = this.tx.sendChunk(src, srcWord, len, k);
        if (st === UMP_OK) break;
        if (st !== UMP_CHAN_FULL) return st; // closed mid-message: the receiver drops the unfinished message
        const w = this.waitFor(WAIT_SEND, timeoutMs);
        if (w !== UMP_OK) return w;
      }
    }
    return UMP_OK;
  }

  /** Receives, waiting until a whole message is there. Its length, or a negative status. */
  recv(dst: Int32Array, dstWord: number, timeoutMs = Infinity): number {
    for (;;) {
      const r = this.rx.tryRecv(dst, dstWord);
      if (r !== UMP_NO_MSG) return r;
      const w = this.waitFor(WAIT_RECV, timeoutMs);
      if (w !== UMP_OK) return w;
    }
  }

  /**
   * Waits until `what` (UMP_WAIT.send / recv / any) may proceed (a send of
   * `sendFrames` frames fits, or a frame waits to be received): spins, then
   * sleeps. Returns UMP_OK when it may (spurious returns are allowed; callers
   * try again), UMP_ERR_TIMEOUT when a sleep of `timeoutMs` ended with nothing
   * ready, and FLOUNDER_ERR_TX_MSG_SIZE at once when `sendFrames` is not a
   * whole number of frames the ring can ever hold (waiting for it would never end).
   */
  waitFor(what: number, timeoutMs = Infinity, sendFrames = 1): number {
    if ((what & WAIT_SEND) !== 0 && !(Number.isInteger(sendFrames) && sendFrames >= 1 && sendFrames <= this.config.slots)) return UMP_TX_MSG_SIZE;
    for (let i = 0, n = this.config.spinPolls; i < n; i++) if (this.ready(what, sendFrames)) return UMP_OK;
    const w = this.words;
    const g = Atomics.load(w, this.sleepWord);
    // Mark every slot waited for; a mark that fails means that wait is over.
    if ((what & WAIT_SEND) !== 0 && !this.tx.armWake(sendFrames)) return UMP_OK;
    if ((what & WAIT_RECV) !== 0 && !this.rx.armWake()) return UMP_OK;
    this.stats.sleeps++;
    if (Atomics.wait(w, this.sleepWord, g, timeoutMs) !== 'timed-out') return UMP_OK;
    this.stats.timeouts++;
    if (!this.ready(what, sendFrames)) return UMP_TIMEOUT;
    // The slot changed while this end slept marked on it, yet nobody woke it.
    this.stats.lostWakeups++;
    return UMP_OK;
  }

  /** `what` may proceed now; a send needs `sendFrames` free slots (a whole message sent without waiting). */
  private ready(what: number, sendFrames: number): boolean {
    return ((what & WAIT_SEND) !== 0 && this.tx.canSend(sendFrames)) || ((what & WAIT_RECV) !== 0 && this.rx.canRecv());
  }

  // ---- close ---------------------------------------------------------------------

  /**
   * Closes the channel for both ends. Frames already published stay and are
   * delivered; every later send reports LIB_ERR_UMP_NOT_CONNECTED; the peer is
   * woken (its counter bumped, so a sleep it is about to start returns at once).
   * Closing twice is allowed.
   */
  close(): void {
    Atomics.or(this.words, HDR_CLOSED, 1 << this.end);
    wakeEnd(this.words, this.peerSleepWord);
  }

  /** Either end has closed. */
  get closed(): boolean {
    return Atomics.load(this.words, HDR_CLOSED) !== 0;
  }

  // ---- convenient API: bytes in, bytes out (allocates) ---------------------------

  /** Sends a byte array, waiting while the ring is full. Returns the status by name. */
  sendBytes(bytes: Uint8Array, timeoutMs = Infinity): UmpStatus {
    const words = this.txScratchFor(bytes.length);
    new Uint8Array(words.buffer, 0, bytes.length).set(bytes);
    return umpStatusName(this.send(words, 0, bytes.length, timeoutMs));
  }

  /** Sends a byte array without waiting. */
  trySendBytes(bytes: Uint8Array): UmpStatus {
    const words = this.txScratchFor(bytes.length);
    new Uint8Array(words.buffer, 0, bytes.length).set(bytes);
    return umpStatusName(this.tx.trySend(words, 0, bytes.length));
  }

  /** Receives one message as a new byte array, waiting for it. */
  recvBytes(timeoutMs = Infinity): { status: 'OK'; payload: Uint8Array } | { status: Exclude<UmpStatus, 'OK'> } {
    return this.recvBytesWith((buf) => this.recv(buf, 0, timeoutMs));
  }

  /** Receives one message as a new byte array without waiting. */
  tryRecvBytes(): { status: 'OK'; payload: Uint8Array } | { status: Exclude<UmpStatus, 'OK'> } {
    return this.recvBytesWith((buf) => this.rx.tryRecv(buf, 0));
  }

  private recvBytesWith(receive: (buf: Int32Array) => number): { status: 'OK'; payload: Uint8Array } | { status: Exclude<UmpStatus, 'OK'> } {
    // A message in progress resumes into the buffer it started in (the
    // reassembly refuses any other), so the buffer is never replaced while one
    // is under way; it only grows when a FIRST frame announces more than it holds.
    let r = receive(this.rxScratch);
    if (r === UMP_MSGBUF_OVERFLOW && !this.rx.asm.active) {
      this.rxScratch = new Int32Array((this.config.maxMessageBytes + 3) >> 2);
      r = receive(this.rxScratch);
    }
    if (r < 0) return { status: umpStatusName(r) as Exclude<UmpStatus, 'OK'> };
    return { status: 'OK', payload: new Uint8Array(this.rxScratch.buffer, 0, r).slice() };
  }

  private txScratchFor(bytes: number): Int32Array {
    const need = Math.max(16, (bytes + 3) >> 2);
    if (this.txScratch.length < need) this.txScratch = new Int32Array(need);
    return this.txScratch;
  }
}

export type AttachEndpointResult =
  | { readonly status: 'OK'; readonly endpoint: UmpEndpoint }
  | { readonly status: Exclude<UmpStatus, 'OK'>; readonly detail: string };

/** Attaches one end to a frame (possibly created in another thread), after validating it. */
export function attachUmpEndpoint(ref: UmpFrameRef, side: UmpSide, options: UmpEndpointOptions = {}): AttachEndpointResult {
  const v = validateFrame(ref);
  if (v.status !== 'OK') return v;
  return { status: 'OK', endpoint: new UmpEndpoint(v.words, ref.config, side, options) };
}

/** A channel with both ends in this thread (the other end usually goes to a worker via `frame`). */
export interface UmpChannel {
  readonly frame: UmpFrameRef;
  readonly a: UmpEndpoint;
  readonly b: UmpEndpoint;
}

export function createUmpChannel(
  config: Partial<UmpConfig> = {},
  options: UmpEndpointOptions & { readonly memory?: UmpMemoryKind } = {},
): UmpChannel {
  const frame = createUmpFrame(config, options.memory ?? 'wasm');
  const words = new Int32Array(frame.buffer, frame.byteOffset, (frame.buffer.byteLength - frame.byteOffset) >> 2);
  return { frame, a: new UmpEndpoint(words, frame.config, 'A', options), b: new UmpEndpoint(words, frame.config, 'B', options) };
}
