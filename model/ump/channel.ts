// The reference model of a UMP channel: for each direction, a queue of frames
// the sender still has to publish, a bounded queue of frames in flight, and
// the list of messages sent and delivered. Short and obviously right; the spec
// decides every result (prescribedSendCheck / prescribedRecvCheck).
//
// It answers at two granularities:
//  - steps (submit, sendCheck, publish, recvCheck, release, close), used by the
//    interleaving driver, which advances the model at the implementation's
//    linearization points: a frame enters the ring at SendPublish and leaves it
//    at RecvRelease;
//  - whole messages (send, recv), the UmpChannelContract.
import type { Hex, UmpChannelContract, UmpDir, UmpFrame, UmpObservation, UmpRecvCheckResult, UmpRecvResult, UmpSendCheckResult, UmpSide, UmpState, UmpStatus } from '../../spec/ump/index.js';
import {
  FRAG_NAMES,
  bytesToHex,
  chunkPlan,
  emptyUmpState,
  hexToBytes,
  isClosed,
  observationOf,
  outgoingOf,
  prescribedRecvCheck,
  prescribedSendCheck,
} from '../../spec/ump/index.js';

interface Direction {
  /** Frames of submitted messages not yet published, in order (the sender's program). */
  pending: UmpFrame[];
  /** Payload published so far of the message being sent. */
  sending: Hex;
  /** Payload released so far of the message being received. */
  receiving: Hex;
}

/** The frames of one message, cut as the wire format prescribes. */
export function framesOf(payload: Hex, payloadBytes: number): UmpFrame[] {
  return chunkPlan(payload.length / 2, payloadBytes).map((c) => ({
    frag: FRAG_NAMES[c.frag]!,
    token: c.token,
    payload: payload.slice(2 * c.offset, 2 * (c.offset + c.len)),
  }));
}

export class UmpModel implements UmpChannelContract {
  private readonly s: UmpState;
  private readonly d: Record<UmpDir, Direction> = {
    AtoB: { pending: [], sending: '', receiving: '' },
    BtoA: { pending: [], sending: '', receiving: '' },
  };

  constructor(
    slots: number,
    payloadBytes: number,
    private readonly maxMessageBytes = Number.MAX_SAFE_INTEGER,
  ) {
    this.s = emptyUmpState(slots, payloadBytes);
  }

  // ---- steps ------------------------------------------------------------------

  /** The environment hands a message to the sender of `dir`. */
  submit(dir: UmpDir, payload: Hex): void {
    this.d[dir].pending.push(...framesOf(payload, this.s.payloadBytes));
  }

  /** Whether the sender of `dir` has a frame to send. */
  hasPending(dir: UmpDir): boolean {
    return this.d[dir].pending.length > 0;
  }

  /** The frame the sender of `dir` is about to send. */
  nextFrame(dir: UmpDir): UmpFrame | undefined {
    return this.d[dir].pending[0];
  }

  /** SendCheck: what the spec prescribes. A closed channel makes the sender abandon the rest of its message. */
  sendCheck(dir: UmpDir): UmpSendCheckResult {
    const r = prescribedSendCheck(this.s, dir).expected;
    if (r === 'LIB_ERR_UMP_NOT_CONNECTED') this.abandonMessage(dir);
    return r;
  }

  private abandonMessage(dir: UmpDir): void {
    const d = this.d[dir];
    d.pending.shift();
    while (d.pending.length > 0 && (d.pending[0]!.frag === 'middle' || d.pending[0]!.frag === 'last')) d.pending.shift();
    d.sending = '';
  }

  /** SendPublish: the next frame enters the ring. */
  publish(dir: UmpDir): UmpFrame {
    const d = this.d[dir];
    const frame = d.pending.shift();
    if (frame === undefined) throw new Error('capref bug: publish with nothing pending');
    this.s[dir].inFlight.push(frame);
    d.sending = frame.frag === 'single' || frame.frag === 'first' ? frame.payload : d.sending + frame.payload;
    if (frame.frag === 'single' || frame.frag === 'last') {
      this.s[dir].sent.push(d.sending);
      d.sending = '';
    }
    return frame;
  }

  recvCheck(dir: UmpDir): UmpRecvCheckResult {
    return prescribedRecvCheck(this.s, dir).expected;
  }

  /** RecvRelease: the oldest frame leaves the ring; returns it and, when it completes one, the message. */
  release(dir: UmpDir): { frame: UmpFrame; delivered?: Hex } {
    const d = this.d[dir];
    const frame = this.s[dir].inFlight.shift();
    if (frame === undefined) throw new Error('capref bug: release of an empty ring');
    d.receiving = frame.frag === 'single' || frame.frag === 'first' ? frame.payload : d.receiving + frame.payload;
    if (frame.frag === 'single' || frame.frag === 'last') {
      const delivered = d.receiving;
      d.receiving = '';
      this.s[dir].delivered.push(delivered);
      return { frame, delivered };
    }
    return { frame };
  }

  close(side: UmpSide): UmpStatus {
    this.s.closed[side] = true;
    return 'OK';
  }

  /** The abstract state, including the histories. */
  state(): UmpState {
    return structuredClone(this.s);
  }

  /** The whole state, the sender's and receiver's progress included, as a string: equal strings, equal futures. */
  fingerprint(): string {
    return JSON.stringify([this.s, this.d]);
  }

  observe(): UmpObservation {
    return structuredClone(observationOf(this.s));
  }

  // ---- whole messages (UmpChannelContract) --------------------------------------

  send(from: UmpSide, payload: Uint8Array): UmpStatus {
    const dir = outgoingOf(from);
    const frames = framesOf(bytesToHex(payload), this.s.payloadBytes);
    if (payload.length > this.maxMessageBytes || frames.length > this.s.slots) return 'FLOUNDER_ERR_TX_MSG_SIZE';
    if (isClosed(this.s)) return 'LIB_ERR_UMP_NOT_CONNECTED';
    if (this.s[dir].inFlight.length + frames.length > this.s.slots) return 'LIB_ERR_UMP_CHAN_FULL';
    this.s[dir].inFlight.push(...frames);
    this.s[dir].sent.push(bytesToHex(payload));
    return 'OK';
  }

  recv(at: UmpSide): UmpRecvResult {
    const dir: UmpDir = at === 'A' ? 'BtoA' : 'AtoB';
    const ring = this.s[dir].inFlight;
    const end = ring.findIndex((f) => f.frag === 'single' || f.frag === 'last');
    if (end < 0) {
      if (!isClosed(this.s)) return { status: 'LIB_ERR_NO_UMP_MSG' };
      ring.length = 0; // an unfinished message can never complete after close
      return { status: 'LIB_ERR_UMP_NOT_CONNECTED' };
    }
    let delivered: Hex | undefined;
    for (let i = 0; i <= end; i++) delivered = this.release(dir).delivered;
    return { status: 'OK', payload: hexToBytes(delivered!) };
  }
}
