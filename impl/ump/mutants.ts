// Deliberate bugs, switchable by name, to show that the conformance harness
// catches each of them. A mutant is chosen once, when an end is constructed:
// it selects a subclass that overrides one atomic step (or the order of the
// steps), so a normal end never pays for the switch.
import { HDR_CLOSED, UMP_NOT_CONNECTED, UMP_OK } from '../../spec/ump/index.js';
import { Reassembly } from './reassembly.js';
import type { RecvOrder, RingPlace, SendOrder } from './ring.js';
import { UmpRx, UmpTx } from './ring.js';

export const UMP_MUTANTS = [
  'used-bit-first',
  'clear-before-read',
  'wrap-off-by-one',
  'reassembly-out-of-order',
  'overwrite-full-ring',
  'close-drops-pending',
] as const;
export type UmpMutant = (typeof UMP_MUTANTS)[number];

/** What each mutant breaks, for reports and docs/ump.md. */
export const UMP_MUTANT_DESCRIPTIONS: Readonly<Record<UmpMutant, string>> = {
  'used-bit-first': 'the sender sets the USED bit before writing the payload, so the receiver can read a half-written slot',
  'clear-before-read': 'the receiver clears the USED bit before reading the payload, so the sender can overwrite it while it is read',
  'wrap-off-by-one': 'the sender wraps one slot early (never uses the last slot), so the two positions drift apart',
  'reassembly-out-of-order': 'the receiver puts the chunks of a large message back in reverse order',
  'overwrite-full-ring': 'the sender ignores the USED bit of the slot it is about to write, overwriting unread frames when the ring is full',
  'close-drops-pending': 'a receiver on a closed channel reports LIB_ERR_UMP_NOT_CONNECTED without delivering the frames still in the ring',
};

/**
 * Faults for the real-thread tests only. A lost wake-up cannot happen in the
 * deterministic driver, whose processes never sleep (it has no Sleep step and
 * its step alphabet is shared with the TLA+ model), so these are not in
 * UMP_MUTANTS: the real-thread tests inject them to show that they notice.
 */
export const UMP_THREAD_FAULTS = ['skip-wake'] as const;
export type UmpThreadFault = (typeof UMP_THREAD_FAULTS)[number];

/**
 * skip-wake: the sender's publish and the receiver's release forget one in
 * this many of the wake-ups they owe a sleeping peer (no counter bump, no notify).
 */
export const SKIP_WAKE_EVERY = 4;

class SkipWakeTx extends UmpTx {
  private owed = 0;
  override wakePeer(): void {
    if (++this.owed % SKIP_WAKE_EVERY !== 0) super.wakePeer();
  }
}

class SkipWakeRx extends UmpRx {
  private owed = 0;
  override wakePeer(): void {
    if (++this.owed % SKIP_WAKE_EVERY !== 0) super.wakePeer();
  }
}

class UsedBitFirstTx extends UmpTx {
  override get order(): SendOrder {
    return 'publish-then-write';
  }
  override fill(src: Int32Array, srcWord: number, nWords: number, control: number, token: number): void {
    this.sendPublish(control, token);
    for (let i = 0; i < nWords; i++) this.sendWrite(i, src[srcWord + i]!);
  }
}

class ClearBeforeReadRx extends UmpRx {
  override get order(): RecvOrder {
    return 'release-then-read';
  }
  override drain(dst: Int32Array, at: number, nWords: number): void {
    this.recvRelease();
    for (let i = 0; i < nWords; i++) dst[at + i] = this.recvRead(i);
  }
}

class WrapOffByOneTx extends UmpTx {
  override sendPublish(control: number, token: number): void {
    super.sendPublish(control, token);
    // The correct code wraps when pos + 1 === slots; this one a slot early.
    if (this.pos === this.slots - 1) this.pos = 0;
  }
}

class OverwriteFullRingTx extends UmpTx {
  override sendCheck(): number {
    if (this.words[HDR_CLOSED] !== 0) return UMP_NOT_CONNECTED;
    this.cur = this.base + (this.pos << 4); // no look at USED
    return UMP_OK;
  }
  override hasFreeSlots(k: number): boolean {
    return k <= this.slots;
  }
}

class CloseDropsPendingRx extends UmpRx {
  override recvCheck(): number {
    if (Atomics.load(this.words, HDR_CLOSED) !== 0) return UMP_NOT_CONNECTED;
    return super.recvCheck();
  }
}

class ReversedReassembly extends Reassembly {
  override offsetOf(k: number): number {
    return (this.count - 1 - k) * (this.payloadBytes >> 2);
  }
}

type TxClass = new (place: RingPlace) => UmpTx;
type RxClass = new (place: RingPlace, asm: Reassembly) => UmpRx;

// Debug mode is a subclass too: it asserts the data-structure invariants after
// every publish and release, and the classes without it carry no check at all.
const debugTx = new Map<TxClass, TxClass>();
const debugRx = new Map<RxClass, RxClass>();

function withDebugTx(Base: TxClass): TxClass {
  let C = debugTx.get(Base);
  if (C === undefined) {
    C = class extends Base {
      override sendPublish(control: number, token: number): void {
        super.sendPublish(control, token);
        this.assertInvariants();
      }
    };
    debugTx.set(Base, C);
  }
  return C;
}

function withDebugRx(Base: RxClass): RxClass {
  let C = debugRx.get(Base);
  if (C === undefined) {
    C = class extends Base {
      override recvRelease(): void {
        super.recvRelease();
        this.assertInvariants();
      }
    };
    debugRx.set(Base, C);
  }
  return C;
}

function txClass(mutant: UmpMutant | UmpThreadFault | undefined): TxClass {
  switch (mutant) {
    case 'skip-wake':
      return SkipWakeTx;
    case 'used-bit-first':
      return UsedBitFirstTx;
    case 'wrap-off-by-one':
      return WrapOffByOneTx;
    case 'overwrite-full-ring':
      return OverwriteFullRingTx;
    default:
      return UmpTx;
  }
}

function rxClass(mutant: UmpMutant | UmpThreadFault | undefined): RxClass {
  switch (mutant) {
    case 'skip-wake':
      return SkipWakeRx;
    case 'clear-before-read':
      return ClearBeforeReadRx;
    case 'close-drops-pending':
      return CloseDropsPendingRx;
    default:
      return UmpRx;
  }
}

/** The sending half for a mutant or thread fault (or the correct one), with assertions in debug mode. */
export function makeTx(place: RingPlace, mutant: UmpMutant | UmpThreadFault | undefined, debug = false): UmpTx {
  const C = txClass(mutant);
  return new (debug ? withDebugTx(C) : C)(place);
}

/** The receiving half for a mutant or thread fault (or the correct one), with assertions in debug mode. */
export function makeRx(place: RingPlace, mutant: UmpMutant | UmpThreadFault | undefined, debug = false): UmpRx {
  const c = place.config;
  const asm = mutant === 'reassembly-out-of-order' ? new ReversedReassembly(c.payloadBytes, c.maxMessageBytes) : new Reassembly(c.payloadBytes, c.maxMessageBytes);
  const C = rxClass(mutant);
  return new (debug ? withDebugRx(C) : C)(place, asm);
}

