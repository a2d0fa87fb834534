// The receiving half of the large-message layer: puts the chunks of a message
// back together in the caller's buffer, and refuses any chunk that does not
// continue the message in order (students' report, section 7.3.4; the chunk
// format is spec/ump/wire.ts: FIRST carries the total length, MIDDLE and LAST
// their index). State survives between calls, so a receive that finds only
// part of a message returns LIB_ERR_NO_UMP_MSG and resumes where it stopped.
import {
  FRAG_FIRST,
  FRAG_LAST,
  FRAG_SINGLE,
  UMP_INVALID_STATE,
  UMP_MSGBUF_OVERFLOW,
  UMP_RX_INVALID_LENGTH,
  chunkCount,
} from '../../spec/ump/index.js';

export class Reassembly {
  /** A message is being put together. */
  active = false;
  /** Its length in bytes. */
  total = 0;
  /** Its number of chunks. */
  count = 0;
  /** Index of the chunk expected next. */
  next = 0;
  private dst: Int32Array | null = null;
  private dstWord = 0;

  constructor(
    readonly payloadBytes: number,
    readonly maxMessageBytes: number,
  ) {}

  /**
   * Accepts the header of the next frame (its kind, length and token) for a
   * message assembled at dst[dstWord..]. Returns the word offset, relative to
   * dstWord, where the frame's payload goes, or a negative status; on error
   * nothing changes, so the frame stays in the ring.
   */
  accept(frag: number, len: number, token: number, dst: Int32Array, dstWord: number): number {
    const P = this.payloadBytes;
    if (frag === FRAG_SINGLE || frag === FRAG_FIRST) {
      if (this.active) return UMP_INVALID_STATE; // a new message before the last one ended
      const total = frag === FRAG_SINGLE ? len : token;
      if (frag === FRAG_FIRST && (total <= P || total > this.maxMessageBytes || len !== P)) return UMP_RX_INVALID_LENGTH;
      if (dstWord < 0 || dstWord + ((total + 3) >> 2) > dst.length) return UMP_MSGBUF_OVERFLOW;
      this.active = true;
      this.total = total;
      this.count = frag === FRAG_SINGLE ? 1 : chunkCount(total, P);
      this.next = 1;
      this.dst = dst;
      this.dstWord = dstWord;
      return this.offsetOf(0);
    }
    const k = this.next;
    if (!this.active || token !== k || (frag === FRAG_LAST) !== (k === this.count - 1)) return UMP_INVALID_STATE;
    if (dst !== this.dst || dstWord !== this.dstWord) return UMP_INVALID_STATE; // resumed into another buffer
    if (len !== (frag === FRAG_LAST ? this.total - k * P : P)) return UMP_RX_INVALID_LENGTH;
    this.next = k + 1;
    return this.offsetOf(k);
  }

  /** The buffer the current message is assembled in (null when idle), and where in it. */
  get buffer(): Int32Array | null {
    return this.dst;
  }
  get bufferWord(): number {
    return this.dstWord;
  }

  /** Word offset of chunk k in the message. */
  offsetOf(k: number): number {
    return k * (this.payloadBytes >> 2);
  }

  /** Every chunk of the current message has been accepted. */
  done(): boolean {
    return this.active && this.next === this.count;
  }

  /** Ends the current message; returns its length. */
  finish(): number {
    const t = this.total;
    this.reset();
    return t;
  }

  reset(): void {
    this.active = false;
    this.total = 0;
    this.count = 0;
    this.next = 0;
    this.dst = null;
    this.dstWord = 0;
  }

  /** Data-structure invariants (debug mode). */
  check(): string[] {
    const out: string[] = [];
    if (!this.active && (this.next !== 0 || this.count !== 0)) out.push('idle reassembly with chunk counters set');
    if (this.active && (this.next < 1 || this.next > this.count)) out.push(`next chunk ${this.next} outside 1..${this.count}`);
    if (this.active && this.count !== chunkCount(this.total, this.payloadBytes) && this.count !== 1)
      out.push(`chunk count ${this.count} disagrees with length ${this.total}`);
    return out;
  }
}
