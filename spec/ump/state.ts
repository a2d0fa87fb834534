// The abstract state of a UMP channel: plain JSON with nothing
// implementation-specific in it. For each direction: the messages whose
// sending completed (`sent`), the messages the receiver got (`delivered`), and
// the frames published but not yet released (`inFlight`, oldest first).
// Together these say what was sent, what was delivered and what is in flight.
import { z } from 'zod';
import { FRAG_NAMES } from './wire.js';

/** The two ends of a bidirectional channel. */
export const UmpSideSchema = z.enum(['A', 'B']);
export type UmpSide = z.infer<typeof UmpSideSchema>;
/** A direction is named by its sender: AtoB is A's outgoing ring and B's incoming one. */
export const UmpDirSchema = z.enum(['AtoB', 'BtoA']);
export type UmpDir = z.infer<typeof UmpDirSchema>;
export const UMP_DIRS: readonly UmpDir[] = ['AtoB', 'BtoA'];

export function senderOf(dir: UmpDir): UmpSide {
  return dir === 'AtoB' ? 'A' : 'B';
}
export function receiverOf(dir: UmpDir): UmpSide {
  return dir === 'AtoB' ? 'B' : 'A';
}
export function outgoingOf(side: UmpSide): UmpDir {
  return side === 'A' ? 'AtoB' : 'BtoA';
}

/** Message bytes as lowercase hex, two digits per byte: readable in a trace and exact. */
export const HexSchema = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lowercase hex, two digits per byte');
export type Hex = z.infer<typeof HexSchema>;

export function bytesToHex(bytes: Uint8Array): Hex {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}
export function hexToBytes(hex: Hex): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** One slot's worth of a message, as published in the ring. */
export const UmpFrameSchema = z
  .object({
    frag: z.enum(FRAG_NAMES),
    /** FIRST: the message's total length; MIDDLE/LAST: the chunk's index; SINGLE: 0. */
    token: z.number().int(),
    payload: HexSchema,
  })
  .strict();
export type UmpFrame = z.infer<typeof UmpFrameSchema>;

export const UmpDirectionStateSchema = z
  .object({
    sent: z.array(HexSchema),
    delivered: z.array(HexSchema),
    inFlight: z.array(UmpFrameSchema),
  })
  .strict();
export type UmpDirectionState = z.infer<typeof UmpDirectionStateSchema>;

export const UmpStateSchema = z
  .object({
    slots: z.number().int().min(1),
    payloadBytes: z.number().int().min(4),
    AtoB: UmpDirectionStateSchema,
    BtoA: UmpDirectionStateSchema,
    closed: z.object({ A: z.boolean(), B: z.boolean() }).strict(),
  })
  .strict();
export type UmpState = z.infer<typeof UmpStateSchema>;

/**
 * The part of the abstract state an implementation can report by itself: what
 * is in each ring right now and who closed. The histories (`sent`,
 * `delivered`) are recorded by whoever drives the channel.
 */
export const UmpObservationSchema = z
  .object({
    slots: z.number().int().min(1),
    payloadBytes: z.number().int().min(4),
    AtoB: z.object({ inFlight: z.array(UmpFrameSchema) }).strict(),
    BtoA: z.object({ inFlight: z.array(UmpFrameSchema) }).strict(),
    closed: z.object({ A: z.boolean(), B: z.boolean() }).strict(),
  })
  .strict();
export type UmpObservation = z.infer<typeof UmpObservationSchema>;

/** The observation part of a state. */
export function observationOf(s: UmpState): UmpObservation {
  return {
    slots: s.slots,
    payloadBytes: s.payloadBytes,
    AtoB: { inFlight: s.AtoB.inFlight },
    BtoA: { inFlight: s.BtoA.inFlight },
    closed: { ...s.closed },
  };
}

export function emptyUmpState(slots: number, payloadBytes: number): UmpState {
  const dir = (): UmpDirectionState => ({ sent: [], delivered: [], inFlight: [] });
  return { slots, payloadBytes, AtoB: dir(), BtoA: dir(), closed: { A: false, B: false } };
}

export function isClosed(state: Pick<UmpState, 'closed'>): boolean {
  return state.closed.A || state.closed.B;
}
