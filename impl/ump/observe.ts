// The abstraction function: what a channel's shared memory means in the
// abstract state of spec/ump/state.ts. Reads every ring from its receiver's
// position while slots are marked USED. Needs both ends (the read positions
// are private to the receivers), so it serves single-threaded checking only.
import type { UmpFrame, UmpObservation } from '../../spec/ump/index.js';
import { CONTROL_WORD, FRAG_NAMES, FRAG_SINGLE, HDR_CLOSED, TOKEN_WORD, bytesToHex, controlFrag, controlLen, controlUsed } from '../../spec/ump/index.js';
import type { UmpEndpoint } from './endpoint.js';
import type { UmpRx } from './ring.js';

function inFlight(rx: UmpRx): UmpFrame[] {
  const w = rx.words;
  const out: UmpFrame[] = [];
  for (let i = 0; i < rx.slots; i++) {
    const slot = rx.base + (((rx.pos + i) % rx.slots) << 4);
    const c = Atomics.load(w, slot + CONTROL_WORD);
    if (!controlUsed(c)) break;
    const len = Math.min(controlLen(c), 56);
    const bytes = new Uint8Array(len);
    for (let b = 0; b < len; b++) bytes[b] = (w[slot + (b >> 2)]! >>> ((b & 3) * 8)) & 0xff;
    const frag = controlFrag(c);
    // A single frame's token word is not written (it is 0 by definition).
    out.push({ frag: FRAG_NAMES[frag]!, token: frag === FRAG_SINGLE ? 0 : w[slot + TOKEN_WORD]!, payload: bytesToHex(bytes) });
  }
  return out;
}

/** The observation of a channel whose two ends are `a` and `b`. */
export function observeUmpChannel(a: UmpEndpoint, b: UmpEndpoint): UmpObservation {
  const closed = Atomics.load(a.words, HDR_CLOSED);
  return {
    slots: a.config.slots,
    payloadBytes: a.config.payloadBytes,
    AtoB: { inFlight: inFlight(b.rx) },
    BtoA: { inFlight: inFlight(a.rx) },
    closed: { A: (closed & 1) !== 0, B: (closed & 2) !== 0 },
  };
}
