// The sender and the receiver of one direction as explicit state machines that
// advance one atomic step at a time, with a program counter each (`spc` and
// `rpc` in proofs/UmpChannel.tla hold the same action names). They call the
// very step methods the fast paths call (UmpTx.sendCheck/sendWrite/sendPublish,
// UmpRx.recvCheck/recvRead/recvRelease), in the order the half's framePlan
// gives, which is the order its fill/drain use (a test watches fill and drain
// at their publish and release); another checks that stepping and the fast
// path leave identical bytes in the ring.
import type { UmpRecvAction, UmpSendAction } from '../../spec/ump/index.js';
import {
  UMP_NOT_CONNECTED,
  UMP_OK,
  UMP_RX_INVALID_LENGTH,
  chunkAt,
  chunkCount,
  controlFrag,
  controlLen,
  encodeControl,
  FRAG_FIRST,
} from '../../spec/ump/index.js';
import type { UmpRx, UmpTx } from './ring.js';

export interface SendStepOutcome {
  readonly action: UmpSendAction;
  /** SendWrite: the word written. */
  readonly word?: number;
  /** SendCheck: the status (0 OK, or negative). */
  readonly status?: number;
  /** SendPublish: this frame ended its message. */
  readonly messageSent?: boolean;
}

/** Bytes of a message, padded to whole 32-bit words. */
function toWords(bytes: Uint8Array): Int32Array {
  const w = new Int32Array((bytes.length + 3) >> 2);
  new Uint8Array(w.buffer).set(bytes);
  return w;
}

export class SendProcess {
  private readonly queue: Uint8Array[] = [];
  private msg: Int32Array | null = null;
  private msgLen = 0;
  /** Frame index within the message, and step index within the frame's plan. */
  private k = 0;
  private plan: ReadonlyArray<UmpSendAction> = [];
  private at = 0;
  private writes = 0;

  constructor(readonly tx: UmpTx) {}

  /** The environment hands over a message to send. */
  submit(bytes: Uint8Array): void {
    this.queue.push(bytes.slice());
  }

  /** Messages submitted and not yet finished (including the current one). */
  get backlog(): number {
    return this.queue.length + (this.msg === null ? 0 : 1);
  }

  /** The next action, or undefined when there is nothing to send. */
  get pc(): UmpSendAction | undefined {
    if (this.msg === null && this.queue.length === 0) return undefined;
    return this.msg === null ? 'SendCheck' : this.plan[this.at];
  }

  /** For a SendWrite, the word it writes. */
  get nextWord(): number {
    return this.writes;
  }

  /**
   * Everything that decides this process's future steps, as a string: two
   * senders with equal fingerprints (over the same ring) behave alike. Used by
   * the exhaustive explorer to recognise a state it has seen.
   */
  fingerprint(): string {
    const q = this.queue.map((b) => b.join('.')).join('|');
    const m = this.msg === null ? '-' : this.msg.join('.');
    return `${q};${m};${this.msgLen};${this.k};${this.plan.length};${this.at};${this.writes};${this.tx.pos};${this.tx.cur}`;
  }

  private begin(): void {
    const bytes = this.queue.shift()!;
    this.msg = toWords(bytes);
    this.msgLen = bytes.length;
    this.k = 0;
    this.startFrame();
  }

  private startFrame(): void {
    const c = chunkAt(this.msgLen, this.tx.payloadBytes, this.k);
    this.plan = this.tx.framePlan((c.len + 3) >> 2);
    this.at = 0;
    this.writes = 0;
  }

  /** Executes the next action. Throws (a capref bug) when there is none. */
  step(): SendStepOutcome {
    if (this.msg === null) {
      if (this.queue.length === 0) throw new Error('capref bug: step of an idle sender');
      this.begin();
    }
    const action = this.plan[this.at]!;
    const c = chunkAt(this.msgLen, this.tx.payloadBytes, this.k);
    switch (action) {
      case 'SendCheck': {
        const status = this.tx.sendCheck();
        if (status === UMP_OK) this.at++;
        else if (status === UMP_NOT_CONNECTED) this.msg = null; // the message is abandoned
        return { action, status };
      }
      case 'SendWrite': {
        const word = this.writes++;
        this.tx.sendWrite(word, this.msg![(c.offset >> 2) + word]!);
        this.at++;
        return this.endOfFrame({ action, word });
      }
      case 'SendPublish':
        this.tx.sendPublish(encodeControl(c.len, c.frag), c.token);
        this.at++;
        return this.endOfFrame({ action });
    }
  }

  private endOfFrame(o: SendStepOutcome): SendStepOutcome {
    if (this.at < this.plan.length) return o;
    this.k++;
    if (this.k < chunkCount(this.msgLen, this.tx.payloadBytes)) {
      this.startFrame();
      return o;
    }
    this.msg = null;
    return { ...o, messageSent: true };
  }
}

export interface RecvStepOutcome {
  readonly action: UmpRecvAction;
  readonly word?: number;
  /** RecvCheck: the status (0 OK, or negative, including protocol errors of a malformed frame). */
  readonly status?: number;
  /** The frame just completed (all its steps done): its payload bytes, kind and token as read. */
  readonly frame?: { readonly bytes: Uint8Array; readonly frag: number; readonly token: number };
  /** A whole message completed. */
  readonly delivered?: Uint8Array;
}

export class RecvProcess {
  private plan: ReadonlyArray<UmpRecvAction> = [];
  private at = 0;
  private reads = 0;
  private len = 0;
  private off = 0;
  /** The frame's token, read at RecvCheck (before the slot can be released). */
  private token = 0;
  private buf = new Int32Array(16);

  constructor(
    readonly rx: UmpRx,
    readonly maxMessageBytes: number,
  ) {}

  /** The next action (a receiver always has one: it polls). */
  get pc(): UmpRecvAction {
    return this.at < this.plan.length ? this.plan[this.at]! : 'RecvCheck';
  }

  get nextWord(): number {
    return this.reads;
  }

  /** Everything that decides this process's future steps (see SendProcess.fingerprint), including its half of the reassembly. */
  fingerprint(): string {
    const rx = this.rx;
    const a = rx.asm;
    const asm = `${a.active ? 1 : 0}.${a.total}.${a.count}.${a.next}.${a.buffer === null ? '-' : a.buffer === this.buf ? 'buf' : '?'}.${a.bufferWord}`;
    return `${this.plan.length};${this.at};${this.reads};${this.len};${this.off};${this.token};${this.buf.join('.')};${rx.pos};${rx.cur};${rx.control};${asm}`;
  }

  step(): RecvStepOutcome {
    const action = this.pc;
    switch (action) {
      case 'RecvCheck':
        return this.check();
      case 'RecvRead': {
        const word = this.reads++;
        this.buf[this.off + word] = this.rx.recvRead(word);
        this.at++;
        return this.endOfFrame({ action, word });
      }
      case 'RecvRelease':
        this.rx.recvRelease();
        this.at++;
        return this.endOfFrame({ action });
    }
  }

  private check(): RecvStepOutcome {
    const rx = this.rx;
    const status = rx.recvCheck();
    if (status !== UMP_OK) return { action: 'RecvCheck', status };
    const len = controlLen(rx.control);
    if (len > rx.payloadBytes) return { action: 'RecvCheck', status: UMP_RX_INVALID_LENGTH };
    const frag = controlFrag(rx.control);
    const token = rx.token;
    // A FIRST frame announces the total: make room for it (bounded by the configured maximum).
    if (frag === FRAG_FIRST && !rx.asm.active && token >= 0 && token <= this.maxMessageBytes) {
      // Whole chunks, so that any chunk offset fits even if a (mutant) reassembly misplaces one.
      const need = chunkCount(token, rx.payloadBytes) * (rx.payloadBytes >> 2);
      if (this.buf.length < need) this.buf = new Int32Array(need);
    }
    const off = rx.asm.accept(frag, len, token, this.buf, 0);
    if (off < 0) return { action: 'RecvCheck', status: off };
    this.token = token;
    this.len = len;
    this.off = off;
    this.plan = rx.framePlan((len + 3) >> 2);
    this.at = 1; // RecvCheck done
    this.reads = 0;
    return { action: 'RecvCheck', status };
  }

  private endOfFrame(o: RecvStepOutcome): RecvStepOutcome {
    if (this.at < this.plan.length) return o;
    const frameBytes = new Uint8Array(this.buf.buffer, this.off * 4, this.len).slice();
    const frame = { bytes: frameBytes, frag: controlFrag(this.rx.control), token: this.token };
    this.plan = [];
    this.at = 0;
    if (!this.rx.asm.done()) return { ...o, frame };
    const total = this.rx.asm.finish();
    return { ...o, frame, delivered: new Uint8Array(this.buf.buffer, 0, total).slice() };
  }
}
