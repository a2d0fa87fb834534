// The breadth-first frontier, stored compactly: each queued state is a run of 32-bit integers in
// one growable buffer, not a graph of objects, so a frontier of millions of states fits. Strings
// and model values are written as ids; function domains (interned) as ids; sets and functions
// element by element in their canonical order, so decoding needs no sorting.
import {
  type Domain,
  DOM_RECORD,
  DOM_SEQ,
  FcnValue,
  type ModelValue,
  SetValue,
  type Str,
  TAG_FCN,
  TAG_LFCN,
  TAG_LSET,
  TAG_MODEL,
  TAG_SET,
  TAG_STR,
  eq,
  type Value,
} from '../values/value.js';

const T_FALSE = 0;
const T_TRUE = 1;
const T_INT = 2;
const T_ATOM = 3;
const T_SET = 4;
const T_FCN = 5;

export class EncodedStateQueue {
  private buf = new Int32Array(1 << 16);
  private head = 0;
  private tail = 0;
  private count = 0;
  private readonly atoms: (Str | ModelValue)[] = [];
  private readonly atomIds = new Map<Str | ModelValue, number>();
  private readonly domains: Domain[] = [];
  private readonly domainIds = new Map<Domain, number>();
  private readonly domainsByHash = new Map<number, number[]>();

  constructor(private readonly width: number) {}

  get length(): number {
    return this.count;
  }

  /** Bytes held by the buffer and the atom/domain tables' arrays (not their objects). */
  get bytes(): number {
    return this.buf.byteLength;
  }

  private ensure(n: number): void {
    if (this.tail + n <= this.buf.length) return;
    const live = this.tail - this.head;
    if (this.head > 0 && live + n <= this.buf.length >> 1) {
      this.buf.copyWithin(0, this.head, this.tail);
    } else {
      let size = this.buf.length * 2;
      while (size < live + n) size *= 2;
      const next = new Int32Array(size);
      next.set(this.buf.subarray(this.head, this.tail));
      this.buf = next;
    }
    this.tail = live;
    this.head = 0;
  }

  private put(x: number): void {
    if (this.tail === this.buf.length) this.ensure(1);
    this.buf[this.tail++] = x;
  }

  private atomId(a: Str | ModelValue): number {
    let id = this.atomIds.get(a);
    if (id === undefined) {
      id = this.atoms.length;
      this.atoms.push(a);
      this.atomIds.set(a, id);
    }
    return id;
  }

  private domainId(d: Domain): number {
    let id = this.domainIds.get(d);
    if (id !== undefined) return id;
    if (d.kind !== DOM_SEQ && d.kind !== DOM_RECORD) {
      // General domains are not interned globally: share one per distinct key set here.
      const h = d.hashed ? d._h1 : d.computeHash()._h1;
      const candidates = this.domainsByHash.get(h) ?? [];
      for (const c of candidates) {
        if (eq(this.domains[c]!.asSet(), d.asSet())) {
          this.domainIds.set(d, c);
          return c;
        }
      }
      candidates.push(this.domains.length);
      this.domainsByHash.set(h, candidates);
    }
    id = this.domains.length;
    this.domains.push(d);
    this.domainIds.set(d, id);
    return id;
  }

  private encode(v: Value): void {
    if (typeof v === 'number') {
      this.put(T_INT);
      this.put(v);
      return;
    }
    if (typeof v === 'boolean') {
      this.put(v ? T_TRUE : T_FALSE);
      return;
    }
    switch (v.tag) {
      case TAG_STR:
      case TAG_MODEL:
        this.put(T_ATOM);
        this.put(this.atomId(v));
        return;
      case TAG_SET:
      case TAG_LSET: {
        const elems = v.tag === TAG_SET ? v.elems : v.enumerate().elems;
        this.put(T_SET);
        this.put(elems.length);
        for (const x of elems) this.encode(x);
        return;
      }
      case TAG_FCN:
      case TAG_LFCN: {
        const f = v.tag === TAG_FCN ? v : v.force();
        this.put(T_FCN);
        this.put(this.domainId(f.dom));
        for (const x of f.vals) this.encode(x);
        return;
      }
    }
  }

  private decode(): Value {
    const t = this.buf[this.head++]!;
    switch (t) {
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT:
        return this.buf[this.head++]!;
      case T_ATOM:
        return this.atoms[this.buf[this.head++]!]!;
      case T_SET: {
        const n = this.buf[this.head++]!;
        const elems = new Array<Value>(n);
        for (let i = 0; i < n; i++) elems[i] = this.decode();
        return new SetValue(elems);
      }
      default: {
        const d = this.domains[this.buf[this.head++]!]!;
        const n = d.keys.length;
        const vals = new Array<Value>(n);
        for (let i = 0; i < n; i++) vals[i] = this.decode();
        return new FcnValue(d, vals);
      }
    }
  }

  push(state: readonly Value[], id: number): void {
    this.put(id);
    for (let i = 0; i < state.length; i++) this.encode(state[i]!);
    this.count++;
  }

  /** Removes the oldest state; `out.id` receives its state number. */
  shift(out: { id: number }): Value[] {
    out.id = this.buf[this.head++]!;
    const state = new Array<Value>(this.width);
    for (let i = 0; i < this.width; i++) state[i] = this.decode();
    this.count--;
    if (this.count === 0) this.head = this.tail = 0;
    return state;
  }
}

