// The set of visited states, as TLC keeps it: 64-bit fingerprints only, never the states.
// An open-addressing table of (h1, h2) pairs points at a state number; per state number we keep
// its fingerprint and its parent's number, 12 bytes in typed arrays, which is all that is needed
// to rebuild a shortest counterexample (trace.ts re-runs the actions along the parent chain).

export class FingerprintSet {
  private cap: number;
  private mask: number;
  private keys: Uint32Array; // 2 per slot: h1, h2
  private slots: Int32Array; // state number + 1; 0 = empty
  private fpLo: Uint32Array;
  private fpHi: Uint32Array;
  private parents: Int32Array;
  private n = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.cap = cap;
    this.mask = cap - 1;
    this.keys = new Uint32Array(cap * 2);
    this.slots = new Int32Array(cap);
    this.fpLo = new Uint32Array(cap >> 1);
    this.fpHi = new Uint32Array(cap >> 1);
    this.parents = new Int32Array(cap >> 1);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held by the table and the per-state arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.slots.byteLength + this.fpLo.byteLength + this.fpHi.byteLength + this.parents.byteLength;
  }

  /** Adds a fingerprint; returns its new state number, or -1 if it was already present. */
  add(h1: number, h2: number, parent: number): number {
    const lo = h1 >>> 0;
    const hi = h2 >>> 0;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0) break;
      if (this.keys[2 * i] === lo && this.keys[2 * i + 1] === hi) return -1;
      i = (i + 1) & this.mask;
    }
    const id = this.n++;
    this.slots[i] = id + 1;
    this.keys[2 * i] = lo;
    this.keys[2 * i + 1] = hi;
    if (id >= this.parents.length) this.growStates();
    this.fpLo[id] = lo;
    this.fpHi[id] = hi;
    this.parents[id] = parent;
    if (this.n * 10 > this.cap * 6) this.rehash();
    return id;
  }

  has(h1: number, h2: number): boolean {
    const lo = h1 >>> 0;
    const hi = h2 >>> 0;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0) return false;
      if (this.keys[2 * i] === lo && this.keys[2 * i + 1] === hi) return true;
      i = (i + 1) & this.mask;
    }
  }

  parentOf(id: number): number {
    return this.parents[id]!;
  }

  fingerprintOf(id: number): [number, number] {
    return [this.fpLo[id]!, this.fpHi[id]!];
  }

  /** State numbers from an initial state to `id`. */
  pathTo(id: number): number[] {
    const out: number[] = [];
    for (let i = id; i >= 0; i = this.parents[i]!) out.push(i);
    return out.reverse();
  }

  private growStates(): void {
    const size = this.parents.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.fpLo = grow(this.fpLo, (n) => new Uint32Array(n));
    this.fpHi = grow(this.fpHi, (n) => new Uint32Array(n));
    this.parents = grow(this.parents, (n) => new Int32Array(n));
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const oldCap = this.cap;
    this.cap *= 2;
    this.mask = this.cap - 1;
    this.keys = new Uint32Array(this.cap * 2);
    this.slots = new Int32Array(this.cap);
    for (let j = 0; j < oldCap; j++) {
      const s = oldSlots[j]!;
      if (s === 0) continue;
      const lo = oldKeys[2 * j]!;
      const hi = oldKeys[2 * j + 1]!;
      let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = s;
      this.keys[2 * i] = lo;
      this.keys[2 * i + 1] = hi;
    }
  }
}

/**
 * TLC's optimistic estimate of the probability that a fingerprint collision hid a state:
 * distinct * (generated - distinct) / 2^64 (tlc2.tool.AbstractChecker).
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * (generated - distinct)) / 2 ** 64;
}

/** Java's Double.toString, which TLC's ProbabilityToString starts from. */
function javaDoubleString(v: number): string {
  if (v === 0) return '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** TLC's rendering of the estimate with two significant digits (AbstractChecker.ProbabilityToString). */
export function formatProbability(val: number): string {
  if (val === 0) return '0.0';
  const s = javaDoubleString(val);
  const len = s.length;
  let result = '';
  let next = 0;
  let digits = 0;
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  while (next < len && s[next] === '0') next++;
  while (next < len && isDigit(s[next])) {
    result += s[next];
    digits++;
    next++;
  }
  if (next === len) return result;
  if (s[next] !== '.') return s;
  if (digits >= 2) {
    next++;
    while (next < len && isDigit(s[next])) next++;
  } else {
    next++;
    result += '.';
    if (digits === 0) {
      while (next < len && s[next] === '0') {
        next++;
        result += '0';
      }
    }
    while (next < len && isDigit(s[next]) && digits < 2) {
      result += s[next];
      next++;
      digits++;
    }
    if (next < len && isDigit(s[next]) && Number(s[next]) >= 5) {
      let prev = result.length - 1;
      let done = false;
      while (!done) {
        if (prev < 0) {
          result = `1${result}`;
          done = true;
        } else {
          const c = result[prev]!;
          if (isDigit(c)) {
            if (c === '9') result = `${result.slice(0, prev)}0${result.slice(prev + 1)}`;
            else {
              result = `${result.slice(0, prev)}${Number(c) + 1}${result.slice(prev + 1)}`;
              done = true;
            }
          }
        }
        prev--;
      }
    }
    while (next < len && isDigit(s[next])) next++;
  }
  if (next >= len) return result;
  if (s[next] === 'E') return `${result}E${s.slice(next + 1)}`;
  return s;
}
