// One direction of a UMP channel: the sending half (UmpTx) and the receiving
// half (UmpRx) of a ring of 64-byte slots in shared memory.
//
// Each half is factored into its atomic steps, named as in spec/ump/steps.ts
// and proofs/UmpChannel.tla: sendCheck, sendWrite, sendPublish; recvCheck,
// recvRead, recvRelease. The fast paths (sendFrame, trySend, tryRecv) are
// straight-line calls of these same methods (fill and drain inline the word
// loop of sendWrite and recvRead by hand), so the code the interleaving
// driver steps through is the code that runs on real threads; tests check
// that both leave identical bytes in shared memory, and that fill and drain
// publish and release after exactly the steps framePlan puts before them.
//
// Memory ordering. Payload words are written and read with plain typed-array
// accesses; only the control word uses Atomics. In the JavaScript memory model
// Atomics are sequentially consistent, so the sender's atomic write of the
// control word (USED set; an Atomics.exchange) synchronizes-with the
// receiver's Atomics.load that reads it: every payload write before it
// happens-before every payload read after the load. The same holds backwards
// for the release: the receiver's reads happen-before its atomic write of 0,
// which happens-before the sender's load that sees the slot free and its next
// writes. This is the release/acquire pairing the students' report gets from
// ARM's barriers (section 7.3.2); here the language provides it.
import type { UmpConfig } from '../../spec/ump/index.js';
import {
  CONTROL_WORD,
  FRAG_SINGLE,
  HDR_CLOSED,
  TOKEN_WORD,
  UMP_CHAN_FULL,
  UMP_NOT_CONNECTED,
  UMP_NO_MSG,
  UMP_OK,
  UMP_RX_INVALID_LENGTH,
  UMP_MSGBUF_OVERFLOW,
  UMP_TX_MSG_SIZE,
  UMP_INVALID_USER_BUFFER,
  USED_BIT,
  WAKE_BIT,
  chunkAt,
  chunkCount,
  controlFrag,
  controlLen,
  encodeControl,
} from '../../spec/ump/index.js';
import { Reassembly } from './reassembly.js';

/** A whole, non-negative number: a valid offset or length (it may still be too large for the buffer). */
export function isWholeNumber(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

/** The order of a sender's steps for one frame; mutants change it. */
export type SendOrder = 'write-then-publish' | 'publish-then-write';
/** The order of a receiver's steps for one frame. */
export type RecvOrder = 'read-then-release' | 'release-then-read';

/**
 * Wakes the end whose sleep word is `idx`: bumps the counter it waits on (so
 * a wait that has not started yet returns at once) and notifies it. Called
 * only when a slot carried WAKE_BIT, or on close: never per message.
 */
export function wakeEnd(w: Int32Array, idx: number): void {
  Atomics.add(w, idx, 1);
  Atomics.notify(w, idx, 1);
}

/** Where a ring lives in the frame and who to wake. */
export interface RingPlace {
  readonly words: Int32Array;
  /** Word index of slot 0. */
  readonly base: number;
  /** Word index of the other end's sleep word. */
  readonly peerSleep: number;
  readonly config: UmpConfig;
}

export class UmpTx {
  readonly words: Int32Array;
  readonly base: number;
  readonly slots: number;
  readonly payloadBytes: number;
  readonly maxMessageBytes: number;
  readonly peerSleep: number;
  /** Slot index of the next frame. */
  pos = 0;
  /** Word index of the slot reserved by the last successful sendCheck. */
  cur = 0;

  constructor(p: RingPlace) {
    this.words = p.words;
    this.base = p.base;
    this.slots = p.config.slots;
    this.payloadBytes = p.config.payloadBytes;
    this.maxMessageBytes = p.config.maxMessageBytes;
    this.peerSleep = p.peerSleep;
  }

  get order(): SendOrder {
    return 'write-then-publish';
  }

  /**
   * SendCheck: is the channel open and the slot at the write position free?
   * Reserves it if so. The CLOSED word is read without Atomics: it only ever
   * goes from 0 to non-zero, a racing read returns the old or the new value,
   * and a send that still saw 0 is simply one that came before the close
   * (Atomics.load costs a few nanoseconds more in V8, per message).
   */
  sendCheck(): number {
    const w = this.words;
    if (w[HDR_CLOSED] !== 0) return UMP_NOT_CONNECTED;
    const slot = this.base + (this.pos << 4);
    if ((Atomics.load(w, slot + CONTROL_WORD) & USED_BIT) !== 0) return UMP_CHAN_FULL;
    this.cur = slot;
    return UMP_OK;
  }

  /** SendWrite: payload word i of the reserved slot. */
  sendWrite(i: number, value: number): void {
    this.words[this.cur + i] = value;
  }

  /**
   * SendPublish: the token (chunks only: a single frame's token is 0 and not
   * written), then the control word with USED set, last; advance. The store is
   * an exchange (the same instruction as a sequentially consistent store on
   * x86) so the old word tells whether the receiver sleeps on this slot.
   */
  sendPublish(control: number, token: number): void {
    const w = this.words;
    const c = this.cur;
    if (token !== 0) w[c + TOKEN_WORD] = token;
    const old = Atomics.exchange(w, c + CONTROL_WORD, control | USED_BIT);
    this.pos = this.pos + 1 === this.slots ? 0 : this.pos + 1;
    if ((old & WAKE_BIT) !== 0) this.wakePeer();
  }

  /** The receiver sleeps on the slot just published: wake it (rare: only after a sleep, never per message). */
  wakePeer(): void {
    wakeEnd(this.words, this.peerSleep);
  }

  /**
   * Writes and publishes the reserved slot: payload first, control word last.
   * The loop is sendWrite with the array and slot held in locals (V8 reloads
   * fields after every Atomics operation; locals stay in registers).
   */
  fill(src: Int32Array, srcWord: number, nWords: number, control: number, token: number): void {
    const w = this.words;
    const slot = this.cur;
    for (let i = 0; i < nWords; i++) w[slot + i] = src[srcWord + i]!; // = this.sendWrite(i, src[srcWord + i])
    this.sendPublish(control, token);
  }

  /** One frame: SendCheck, then fill. Returns a status. */
  sendFrame(src: Int32Array, srcWord: number, lenBytes: number, frag: number, token: number): number {
    const st = this.sendCheck();
    if (st !== UMP_OK) return st;
    this.fill(src, srcWord, (lenBytes + 3) >> 2, encodeControl(lenBytes, frag), token);
    return UMP_OK;
  }

  /**
   * Sends a whole message of `len` bytes from src[srcWord..] without waiting.
   * One slot: the fast path. Several: only if all frames fit now. Returns a
   * status; an offset or length that is not a whole, non-negative number is
   * SYS_ERR_INVALID_USER_BUFFER (`(x >>> 0) === x` tests that in one compare,
   * in place of the `x >= 0` the fast path needs anyway).
   */
  trySend(src: Int32Array, srcWord: number, len: number): number {
    if (len <= this.payloadBytes && len >>> 0 === len && srcWord >>> 0 === srcWord && srcWord + ((len + 3) >> 2) <= src.length)
      return this.sendFrame(src, srcWord, len, FRAG_SINGLE, 0);
    return this.trySendChunks(src, srcWord, len);
  }

  private trySendChunks(src: Int32Array, srcWord: number, len: number): number {
    if (!isWholeNumber(len) || !isWholeNumber(srcWord)) return UMP_INVALID_USER_BUFFER;
    const n = chunkCount(len, this.payloadBytes);
    if (!this.fits(src, srcWord, len) || n > this.slots) return UMP_TX_MSG_SIZE;
    if (Atomics.load(this.words, HDR_CLOSED) !== 0) return UMP_NOT_CONNECTED;
    if (!this.hasFreeSlots(n)) return UMP_CHAN_FULL;
    for (let k = 0; k < n; k++) {
      const st = this.sendChunk(src, srcWord, len, k);
      if (st !== UMP_OK) return st; // closed meanwhile: the receiver drops the unfinished message
    }
    return UMP_OK;
  }

  /** Frame k of a message of `len` bytes. */
  sendChunk(src: Int32Array, srcWord: number, len: number, k: number): number {
    const c = chunkAt(len, this.payloadBytes, k);
    return this.sendFrame(src, srcWord + (c.offset >> 2), c.len, c.frag, c.token);
  }

  /** A message of `len` bytes can be read from src[srcWord..] and is within the configured limit. */
  fits(src: Int32Array, srcWord: number, len: number): boolean {
    return isWholeNumber(len) && len <= this.maxMessageBytes && isWholeNumber(srcWord) && srcWord + ((len + 3) >> 2) <= src.length;
  }

  /**
   * Whether the next k slots are free. The receiver releases in ring order, so
   * the free slots form one run starting at the write position: the k-th one
   * being free means all k are.
   */
  hasFreeSlots(k: number): boolean {
    if (k > this.slots) return false;
    if (k <= 0) return true;
    const slot = this.base + (((this.pos + k - 1) % this.slots) << 4);
    return (Atomics.load(this.words, slot + CONTROL_WORD) & USED_BIT) === 0;
  }

  /** A send of `frames` frames would not report LIB_ERR_UMP_CHAN_FULL now (they fit, or closed). Changes nothing. */
  canSend(frames = 1): boolean {
    return Atomics.load(this.words, HDR_CLOSED) !== 0 || this.hasFreeSlots(frames);
  }

  /**
   * Before sleeping until `frames` slots are free: marks the last of them
   * (still USED) with WAKE_BIT, so that its release wakes this end. Returns
   * false, and marks nothing, if the slots are free already or the channel is
   * closed: then there is nothing to wait for. The mark is a compare-exchange
   * on the very word the receiver's release exchanges, so exactly one of the
   * two comes first: either the mark fails (released already) or the release
   * sees the mark.
   */
  armWake(frames = 1): boolean {
    const w = this.words;
    if (frames > this.slots || Atomics.load(w, HDR_CLOSED) !== 0) return false;
    const at = this.base + (((this.pos + frames - 1) % this.slots) << 4) + CONTROL_WORD;
    for (;;) {
      const c = Atomics.load(w, at);
      if ((c & USED_BIT) === 0) return false;
      if ((c & WAKE_BIT) !== 0 || Atomics.compareExchange(w, at, c, c | WAKE_BIT) === c) return true;
    }
  }

  /** The steps of one frame of n payload words, in this sender's order. */
  framePlan(nWords: number): Array<'SendCheck' | 'SendWrite' | 'SendPublish'> {
    const writes = Array<'SendWrite'>(nWords).fill('SendWrite');
    return this.order === 'write-then-publish'
      ? ['SendCheck', ...writes, 'SendPublish']
      : ['SendCheck', 'SendPublish', ...writes];
  }

  /** Data-structure invariants; throws (a capref bug) when one fails. Run after each publish in debug mode (mutants.ts). */
  assertInvariants(): void {
    const bad: string[] = [];
    if (!(this.pos >= 0 && this.pos < this.slots)) bad.push(`write position ${this.pos} outside 0..${this.slots - 1}`);
    if ((this.cur - this.base) % 16 !== 0 || this.cur < this.base || this.cur >= this.base + this.slots * 16)
      bad.push(`reserved slot word ${this.cur} is not a slot of this ring`);
    if (bad.length > 0) throw new Error(`UMP sender invariant violated: ${bad.join('; ')}`);
  }
}

export class UmpRx {
  readonly words: Int32Array;
  readonly base: number;
  readonly slots: number;
  readonly payloadBytes: number;
  readonly peerSleep: number;
  readonly asm: Reassembly;
  /** Slot index of the next frame expected. */
  pos = 0;
  /** Word index of the slot found by the last successful recvCheck. */
  cur = 0;
  /** Its control word, as read by recvCheck. */
  control = 0;

  constructor(p: RingPlace, asm: Reassembly) {
    this.words = p.words;
    this.base = p.base;
    this.slots = p.config.slots;
    this.payloadBytes = p.config.payloadBytes;
    this.peerSleep = p.peerSleep;
    this.asm = asm;
  }

  get order(): RecvOrder {
    return 'read-then-release';
  }

  /**
   * RecvCheck: is there a frame at the read position? An empty ring on a
   * closed channel looks once more before reporting LIB_ERR_UMP_NOT_CONNECTED:
   * the close was stored after every frame its end published, so after seeing
   * it, those frames are visible.
   */
  recvCheck(): number {
    const w = this.words;
    const slot = this.base + (this.pos << 4);
    let c = Atomics.load(w, slot + CONTROL_WORD);
    if ((c & USED_BIT) === 0) {
      if (Atomics.load(w, HDR_CLOSED) === 0) return UMP_NO_MSG;
      c = Atomics.load(w, slot + CONTROL_WORD);
      if ((c & USED_BIT) === 0) return UMP_NOT_CONNECTED;
    }
    this.cur = slot;
    this.control = c;
    return UMP_OK;
  }

  /** The found frame's token: 0 for a single frame (whose token word is not written), else the slot's token word. */
  get token(): number {
    return controlFrag(this.control) === FRAG_SINGLE ? 0 : this.words[this.cur + TOKEN_WORD]!;
  }

  /** RecvRead: payload word i of the slot found. */
  recvRead(i: number): number {
    return this.words[this.cur + i]!;
  }

  /** RecvRelease: store 0 into the control word (hand the slot back), advance; wake the sender if it sleeps on this slot. */
  recvRelease(): void {
    const w = this.words;
    const old = Atomics.exchange(w, this.cur + CONTROL_WORD, 0);
    this.pos = this.pos + 1 === this.slots ? 0 : this.pos + 1;
    if ((old & WAKE_BIT) !== 0) this.wakePeer();
  }

  /** The sender sleeps on the slot just released: wake it. */
  wakePeer(): void {
    wakeEnd(this.words, this.peerSleep);
  }

  /** Reads the found frame's n words into dst[at..], then releases it. */
  drain(dst: Int32Array, at: number, nWords: number): void {
    const w = this.words;
    const slot = this.cur;
    for (let i = 0; i < nWords; i++) dst[at + i] = w[slot + i]!; // = this.recvRead(i)
    this.recvRelease();
  }

  /**
   * Receives one whole message into dst[dstWord..] without waiting. Returns its
   * length in bytes (>= 0) or a negative status. A message whose chunks have not
   * all arrived is kept half-assembled in dst: call again with the same buffer.
   */
  tryRecv(dst: Int32Array, dstWord: number): number {
    // An offset that is not a whole, non-negative number would consume a
    // message and write it nowhere (a typed array ignores dst[0.5] = x).
    if (dstWord >>> 0 !== dstWord) return isWholeNumber(dstWord) ? UMP_MSGBUF_OVERFLOW : UMP_INVALID_USER_BUFFER;
    // A message unfinished at close stays half-assembled: a frame its sender
    // checked before the close may still arrive, but the message can never be completed.
    const st = this.recvCheck();
    if (st !== UMP_OK) return st;
    const c = this.control;
    const len = controlLen(c);
    const n = (len + 3) >> 2;
    // The fast path: a whole message in one slot, fitting the caller's buffer.
    if (controlFrag(c) === FRAG_SINGLE && len <= this.payloadBytes && !this.asm.active && dstWord + n <= dst.length) {
      this.drain(dst, dstWord, n);
      return len;
    }
    return this.recvFrames(dst, dstWord);
  }

  /** The general path, from a frame recvCheck found: errors, and chunks until the message is complete. */
  private recvFrames(dst: Int32Array, dstWord: number): number {
    for (;;) {
      const c = this.control;
      const len = controlLen(c);
      if (len > this.payloadBytes) return UMP_RX_INVALID_LENGTH;
      const frag = controlFrag(c);
      const n = (len + 3) >> 2;
      if (frag === FRAG_SINGLE && !this.asm.active) {
        if (dstWord + n > dst.length) return UMP_MSGBUF_OVERFLOW;
        this.drain(dst, dstWord, n);
        return len;
      }
      const off = this.asm.accept(frag, len, this.token, dst, dstWord);
      if (off < 0) return off;
      this.drain(dst, dstWord + off, n);
      if (this.asm.done()) return this.asm.finish();
      const st = this.recvCheck();
      if (st !== UMP_OK) return st;
    }
  }

  /** A receive would not report LIB_ERR_NO_UMP_MSG now (a frame waits, or closed). Changes nothing. */
  canRecv(): boolean {
    const w = this.words;
    return (Atomics.load(w, this.base + (this.pos << 4) + CONTROL_WORD) & USED_BIT) !== 0 || Atomics.load(w, HDR_CLOSED) !== 0;
  }

  /**
   * Before sleeping until a frame arrives: marks the empty slot at the read
   * position with WAKE_BIT, so that the publish into it wakes this end.
   * Returns false, and marks nothing, if a frame is there already or the
   * channel is closed.
   */
  armWake(): boolean {
    const w = this.words;
    const at = this.base + (this.pos << 4) + CONTROL_WORD;
    for (;;) {
      const c = Atomics.load(w, at);
      if ((c & USED_BIT) !== 0 || Atomics.load(w, HDR_CLOSED) !== 0) return false;
      if ((c & WAKE_BIT) !== 0 || Atomics.compareExchange(w, at, c, c | WAKE_BIT) === c) return true;
    }
  }

  /** The steps of one frame of n payload words, in this receiver's order. */
  framePlan(nWords: number): Array<'RecvCheck' | 'RecvRead' | 'RecvRelease'> {
    const reads = Array<'RecvRead'>(nWords).fill('RecvRead');
    return this.order === 'read-then-release'
      ? ['RecvCheck', ...reads, 'RecvRelease']
      : ['RecvCheck', 'RecvRelease', ...reads];
  }

  assertInvariants(): void {
    const bad: string[] = [];
    if (!(this.pos >= 0 && this.pos < this.slots)) bad.push(`read position ${this.pos} outside 0..${this.slots - 1}`);
    if ((this.cur - this.base) % 16 !== 0 || this.cur < this.base || this.cur >= this.base + this.slots * 16)
      bad.push(`found slot word ${this.cur} is not a slot of this ring`);
    bad.push(...this.asm.check());
    if (bad.length > 0) throw new Error(`UMP receiver invariant violated: ${bad.join('; ')}`);
  }
}
