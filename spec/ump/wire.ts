// The wire format of a UMP channel: what one 64-byte slot holds, how the frame
// (the shared memory of one bidirectional channel) is laid out, and how a
// message longer than one slot is cut into chunks. Both ends and the model
// agree on these numbers, so they are part of the contract, not of the
// implementation.
//
// Source: Barrelfish include/barrelfish/ump_impl.h (UMP_MSG_BYTES = 64,
// UMP_PAYLOAD_BYTES = 64 - 8, a 64-bit header whose first 32-bit word is the
// control word with `used:1` and `header:31`, then a 32-bit `token`);
// the students' report (seeds/001, section 7.3.4) for splitting large messages
// into slot-sized chunks.
//
//   slot (64 bytes = one cache line), little-endian 32-bit words:
//   word  0 .. 13   payload (56 bytes)
//   word 14         control: bit 0 USED | bits 1-6 LEN (payload bytes) | bits 7-8 FRAG | bit 9 WAKE
//   word 15         token: FIRST -> total message length; MIDDLE/LAST -> chunk index;
//                   SINGLE -> 0 (not written: the receiver does not read it)
//
// The sender writes the payload words and the token, then stores the control
// word with USED set, last. The receiver loads the control word, and only if
// USED is set reads the payload, then stores 0 (clears USED) to hand the slot back.

export const SLOT_BYTES = 64;
export const SLOT_WORDS = 16;
export const MAX_PAYLOAD_BYTES = 56;
export const MAX_PAYLOAD_WORDS = 14;
/** Index of the control word within a slot (in 32-bit words). */
export const CONTROL_WORD = 14;
/** Index of the token word within a slot. */
export const TOKEN_WORD = 15;

/** Bit 0 of the control word: the slot holds a published frame. Barrelfish's `used:1`. */
export const USED_BIT = 1;
export const LEN_SHIFT = 1;
export const LEN_MASK = 0x3f;
export const FRAG_SHIFT = 7;
export const FRAG_MASK = 0x3;
/**
 * Bit 9 of the control word: "the other side sleeps until this slot changes;
 * notify it". A receiver sets it on the empty slot it waits for, a sender on
 * the full slot it waits for. The peer's next store to the slot (publish or
 * release) is an exchange that returns the old word, so it learns about the
 * sleeper without a separate load. Not part of the frame: it is ignored when
 * decoding and cleared by every publish and release.
 */
export const WAKE_BIT = 1 << 9;

/** How a frame belongs to a message: a whole message, or the first, a middle or the last chunk of one. */
export const FRAG_SINGLE = 0;
export const FRAG_FIRST = 1;
export const FRAG_MIDDLE = 2;
export const FRAG_LAST = 3;
export const FRAG_NAMES = ['single', 'first', 'middle', 'last'] as const;
export type FragKind = (typeof FRAG_NAMES)[number];

/** The control word for a published frame (USED set). */
export function encodeControl(lenBytes: number, frag: number): number {
  return USED_BIT | ((lenBytes & LEN_MASK) << LEN_SHIFT) | ((frag & FRAG_MASK) << FRAG_SHIFT);
}
export function controlUsed(control: number): boolean {
  return (control & USED_BIT) !== 0;
}
export function controlLen(control: number): number {
  return (control >>> LEN_SHIFT) & LEN_MASK;
}
export function controlFrag(control: number): number {
  return (control >>> FRAG_SHIFT) & FRAG_MASK;
}

// ---- Frame layout: one shared buffer per bidirectional channel --------------
//
//   line 0             channel header: magic, version, slots, payloadBytes, closed bits
//   line 1             end A's line: its sleep word, a counter A waits on in Atomics.wait
//   line 2             end B's line: its sleep word
//   lines 3 .. 3+S-1   ring A->B (S slots)
//   lines 3+S .. 3+2S-1 ring B->A
//
// Each word that one end writes and the other polls sits on its own cache line
// so that polling never shares a line with unrelated writes (false sharing).

export const FRAME_MAGIC = 0x31504d55; // "UMP1" little-endian
export const FRAME_VERSION = 1;
export const HEADER_LINES = 3;
/** Word indices within line 0. */
export const HDR_MAGIC = 0;
export const HDR_VERSION = 1;
export const HDR_SLOTS = 2;
export const HDR_PAYLOAD_BYTES = 3;
/** The closed bits: bit 0 set by end A's close, bit 1 by end B's. Read on every send; written only by close. */
export const HDR_CLOSED = 4;
/** Word index of an end's sleep word (end 0 = A, end 1 = B). */
export function sleepWordOf(end: 0 | 1): number {
  return (1 + end) * SLOT_WORDS;
}
/** Word index of the first slot of the ring that end `from` sends on. */
export function ringBaseWord(from: 0 | 1, slots: number): number {
  return (HEADER_LINES + from * slots) * SLOT_WORDS;
}
/** Bytes of frame a channel with `slots` slots per direction needs. */
export function frameBytes(slots: number): number {
  return (HEADER_LINES + 2 * slots) * SLOT_BYTES;
}

// ---- Chunking: messages longer than one slot --------------------------------

/** Number of slots a message of `len` bytes takes when each slot carries `payloadBytes`. */
export function chunkCount(len: number, payloadBytes: number): number {
  return len <= payloadBytes ? 1 : Math.ceil(len / payloadBytes);
}

/** One frame of a message as it appears in a slot: its kind, token and the bytes it carries. */
export interface ChunkPlan {
  readonly frag: number;
  readonly token: number;
  /** Offset of this chunk's bytes in the message. */
  readonly offset: number;
  readonly len: number;
}

/**
 * The k-th frame of a message of `len` bytes. A message that fits one slot is
 * one SINGLE frame with token 0. Otherwise chunk 0 is FIRST and carries the
 * total length in its token (the receiver sizes its buffer before any data
 * arrives); chunk k > 0 is MIDDLE, or LAST for the final one, with token k,
 * so the receiver can check that no chunk was skipped, repeated or reordered.
 */
export function chunkAt(len: number, payloadBytes: number, k: number): ChunkPlan {
  const n = chunkCount(len, payloadBytes);
  if (n === 1) return { frag: FRAG_SINGLE, token: 0, offset: 0, len };
  const offset = k * payloadBytes;
  const chunkLen = Math.min(payloadBytes, len - offset);
  if (k === 0) return { frag: FRAG_FIRST, token: len, offset, len: chunkLen };
  return { frag: k === n - 1 ? FRAG_LAST : FRAG_MIDDLE, token: k, offset, len: chunkLen };
}

/** All frames of a message, in sending order. */
export function chunkPlan(len: number, payloadBytes: number): ChunkPlan[] {
  const n = chunkCount(len, payloadBytes);
  return Array.from({ length: n }, (_, k) => chunkAt(len, payloadBytes, k));
}
