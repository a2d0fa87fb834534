// The bare-minimum shared-memory ring the UMP benchmark compares against: the
// physical limit of this runtime for the same protocol. 64-byte slots, 56
// payload bytes, a control word set last with Atomics.store and cleared by the
// receiver; nothing else: no header bits, no close, no sleeping, no checks.
// Longer messages simply take consecutive slots.

export const BARE_SLOT_WORDS = 16;
export const BARE_CONTROL = 14;
export const BARE_PAYLOAD_WORDS = 14;

export class BareRing {
  pos = 0;
  constructor(
    readonly i32: Int32Array,
    readonly base: number,
    readonly slots: number,
  ) {}
}

/** Sends `words` words from src, 14 per slot, spinning while a slot is taken. */
export function bareSend(r: BareRing, src: Int32Array, words: number): void {
  const i32 = r.i32;
  for (let off = 0; off < words; off += BARE_PAYLOAD_WORDS) {
    const slot = r.base + r.pos * BARE_SLOT_WORDS;
    while (Atomics.load(i32, slot + BARE_CONTROL) !== 0);
    const n = Math.min(BARE_PAYLOAD_WORDS, words - off);
    for (let i = 0; i < n; i++) i32[slot + i] = src[off + i]!;
    Atomics.store(i32, slot + BARE_CONTROL, 1);
    r.pos = r.pos + 1 === r.slots ? 0 : r.pos + 1;
  }
}

/** Receives `words` words into dst, spinning while the next slot is empty. */
export function bareRecv(r: BareRing, dst: Int32Array, words: number): void {
  const i32 = r.i32;
  for (let off = 0; off < words; off += BARE_PAYLOAD_WORDS) {
    const slot = r.base + r.pos * BARE_SLOT_WORDS;
    while (Atomics.load(i32, slot + BARE_CONTROL) === 0);
    const n = Math.min(BARE_PAYLOAD_WORDS, words - off);
    for (let i = 0; i < n; i++) dst[off + i] = i32[slot + i]!;
    Atomics.store(i32, slot + BARE_CONTROL, 0);
    r.pos = r.pos + 1 === r.slots ? 0 : r.pos + 1;
  }
}

// ---- The students' report's variant (seeds/001, section 7.3.3), for comparison --
//
// An ACK slot instead of per-slot USED bits: the receiver publishes how many
// frames it has consumed (index of the next unread slot plus the iteration
// number, here one counter); the sender learns free slots from it and never
// reads slot headers. A slot's control word holds the iteration (lap) number
// of the frame in it, so the receiver tells a new frame from last lap's
// without anyone clearing it. `ackEvery` > 1 acknowledges in batches (not in
// the report; measured to see what the design could gain).

export class AckRing {
  /** Frames sent (sender side) or consumed (receiver side). */
  count = 0;
  /** The sender's cached copy of the receiver's acknowledgement. */
  acked = 0;
  constructor(
    readonly i32: Int32Array,
    /** Word index of the ACK line; slots follow it. */
    readonly base: number,
    readonly slots: number,
    readonly ackEvery: number,
  ) {}
}

export function ackSend(r: AckRing, src: Int32Array, words: number): void {
  const i32 = r.i32;
  for (let off = 0; off < words; off += BARE_PAYLOAD_WORDS) {
    if (r.count - r.acked >= r.slots) do r.acked = Atomics.load(i32, r.base); while (r.count - r.acked >= r.slots);
    const idx = r.count % r.slots;
    const slot = r.base + BARE_SLOT_WORDS * (1 + idx);
    const n = Math.min(BARE_PAYLOAD_WORDS, words - off);
    for (let i = 0; i < n; i++) i32[slot + i] = src[off + i]!;
    Atomics.store(i32, slot + BARE_CONTROL, ((r.count / r.slots) | 0) + 1);
    r.count++;
  }
}

export function ackRecv(r: AckRing, dst: Int32Array, words: number): void {
  const i32 = r.i32;
  for (let off = 0; off < words; off += BARE_PAYLOAD_WORDS) {
    const idx = r.count % r.slots;
    const slot = r.base + BARE_SLOT_WORDS * (1 + idx);
    const lap = ((r.count / r.slots) | 0) + 1;
    while (Atomics.load(i32, slot + BARE_CONTROL) !== lap);
    const n = Math.min(BARE_PAYLOAD_WORDS, words - off);
    for (let i = 0; i < n; i++) dst[off + i] = i32[slot + i]!;
    r.count++;
    if (r.count % r.ackEvery === 0) Atomics.store(i32, r.base, r.count);
  }
}
