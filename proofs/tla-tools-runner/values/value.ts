// TLA+ values as TLC sees them.
//
// * Booleans and integers are JavaScript booleans and numbers (integers are 32-bit, as in TLC).
// * Strings and model values are interned objects with a rank: TLC orders both by the order in
//   which their names were first interned (config first, then the spec's tokens), so sets print
//   and CHOOSE picks like TLC does. Interned, they compare and hash in O(1).
// * Finite sets (SetValue) keep their elements sorted in TLC's order without duplicates, so
//   equality, hashing and CHOOSE are canonical. Lazy sets (lazy-sets.ts) stand for infinite or
//   large sets (Nat, [S -> T], SUBSET S) and are enumerated only on demand.
// * Functions, records, tuples and sequences are one thing (FcnValue), as in TLC: a record is a
//   function on strings, a tuple a function on 1..n. The domain is a shared, interned object.
// * Compound values cache a 64-bit hash (two 32-bit lanes) for fingerprints and fast inequality.
import { EvalError } from '../errors.js';
import { fin1, fin2, hashString, mix1, mix2, SEED1, SEED2 } from './hash.js';

export const TAG_STR = 1;
export const TAG_MODEL = 2;
export const TAG_SET = 3;
export const TAG_LSET = 4;
export const TAG_FCN = 5;
export const TAG_LFCN = 6;

export type Value = boolean | number | Str | ModelValue | SetValue | LazySet | FcnValue | LazyFcn;
export type ObjValue = Exclude<Value, boolean | number>;

// ---------------------------------------------------------------------------------------------
// Interned atoms: strings and model values

export class Str {
  readonly tag = TAG_STR;
  constructor(
    readonly s: string,
    readonly rank: number,
    readonly h1: number,
    readonly h2: number,
  ) {}
}

export class ModelValue {
  readonly tag = TAG_MODEL;
  constructor(
    readonly name: string,
    readonly rank: number,
    readonly h1: number,
    readonly h2: number,
  ) {}
}

let ranks = new Map<string, number>();
let strings = new Map<string, Str>();
let models = new Map<string, ModelValue>();

/**
 * Forgets every interned string, model value and domain: called before a model is built, so that
 * the order of strings (TLC's "intern order") depends on that model alone.
 */
export function resetInterning(): void {
  ranks = new Map();
  strings = new Map();
  models = new Map();
  rcdDomains = new Map();
}

/** Gives `name` the next rank unless it has one: TLC orders strings by first interning. */
export function internName(name: string): number {
  let r = ranks.get(name);
  if (r === undefined) {
    r = ranks.size;
    ranks.set(name, r);
  }
  return r;
}

export function str(s: string): Str {
  let v = strings.get(s);
  if (v === undefined) {
    const [a, b] = hashString(s, TAG_STR);
    v = new Str(s, internName(s), a, b);
    strings.set(s, v);
  }
  return v;
}

export function modelValue(name: string): ModelValue {
  let v = models.get(name);
  if (v === undefined) {
    const [a, b] = hashString(name, TAG_MODEL);
    v = new ModelValue(name, internName(name), a, b);
    models.set(name, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Hashing

const TRUE_H1 = fin1(mix1(SEED1, 0x7101));
const TRUE_H2 = fin2(mix2(SEED2, 0x7101));
const FALSE_H1 = fin1(mix1(SEED1, 0x7100));
const FALSE_H2 = fin2(mix2(SEED2, 0x7100));
const INT1 = mix1(SEED1, 0x1f1f);
const INT2 = mix2(SEED2, 0x1f1f);

export function hash1(v: Value): number {
  if (typeof v === 'number') return fin1(mix1(INT1, v));
  if (typeof v === 'boolean') return v ? TRUE_H1 : FALSE_H1;
  switch (v.tag) {
    case TAG_STR:
    case TAG_MODEL:
      return v.h1;
    case TAG_SET:
    case TAG_FCN:
      return v.hashed ? v._h1 : v.computeHash()._h1;
    case TAG_LSET:
      return hash1(v.enumerate());
    case TAG_LFCN:
      return hash1(v.force());
  }
}

export function hash2(v: Value): number {
  if (typeof v === 'number') return fin2(mix2(INT2, v));
  if (typeof v === 'boolean') return v ? TRUE_H2 : FALSE_H2;
  switch (v.tag) {
    case TAG_STR:
    case TAG_MODEL:
      return v.h2;
    case TAG_SET:
    case TAG_FCN:
      return v.hashed ? v._h2 : v.computeHash()._h2;
    case TAG_LSET:
      return hash2(v.enumerate());
    case TAG_LFCN:
      return hash2(v.force());
  }
}

// ---------------------------------------------------------------------------------------------
// Finite sets

export class SetValue {
  readonly tag = TAG_SET;
  hashed = false;
  /** Whether a model value occurs in it (for symmetry): 0 unknown, 1 yes, 2 no. */
  mm = 0;
  _h1 = 0;
  _h2 = 0;
  private _dom: Domain | undefined;
  /** Membership queries so far, and a hash index built once a set of compound values is queried often. */
  private queries = 0;
  private index: Map<number, number> | null = null;
  /** `elems` must be sorted by cmp and free of duplicates: use setOf() otherwise. */
  constructor(readonly elems: readonly Value[]) {}

  /**
   * Membership of a compound value (a record, tuple, set): by hash once the set has been asked
   * a few times, so `m \in msgs` does not deep-compare log(n) records each time.
   */
  hasCompound(x: Value): boolean {
    if (this.index === null) {
      if (++this.queries < 4 || this.elems.length < 8) return searchSorted(this.elems, x) >= 0;
      const index = new Map<number, number>();
      for (let i = 0; i < this.elems.length; i++) {
        const h = hash1(this.elems[i]!);
        // A second element with the same 32-bit hash: mark the bucket as shared (-1).
        index.set(h, index.has(h) ? -1 : i);
      }
      this.index = index;
    }
    const i = this.index.get(hash1(x));
    if (i === undefined) return false;
    if (i >= 0) return eq(this.elems[i]!, x);
    return searchSorted(this.elems, x) >= 0;
  }

  computeHash(): this {
    const e = this.elems;
    let a = mix1(SEED1, TAG_SET);
    let b = mix2(SEED2, TAG_SET);
    for (let i = 0; i < e.length; i++) {
      const x = e[i]!;
      const x1 = hash1(x);
      const x2 = hash2(x);
      a = mix1(mix1(a, x1), x2);
      b = mix2(mix2(b, x2), x1);
    }
    this._h1 = fin1(mix1(a, e.length));
    this._h2 = fin2(mix2(b, e.length));
    this.hashed = true;
    return this;
  }

  /** This set as a function domain (shared by every function over it). */
  asDomain(): Domain {
    this._dom ??= domainFromKeys(this.elems, this);
    return this._dom;
  }
}

export const EMPTY_SET = new SetValue([]);
export const BOOLEAN_SET = new SetValue([false, true]);

/** Builds a set from arbitrary elements: sorts in TLC's order and removes duplicates. `arr` is reused. */
export function setOf(arr: Value[]): SetValue {
  const n = arr.length;
  if (n === 0) return EMPTY_SET;
  if (n === 1) return new SetValue(arr);
  let allInts = true;
  for (let i = 0; i < n; i++) {
    if (typeof arr[i] !== 'number') {
      allInts = false;
      break;
    }
  }
  if (allInts) (arr as number[]).sort((x, y) => x - y);
  else arr.sort(cmp);
  let w = 1;
  for (let i = 1; i < n; i++) {
    if (cmp(arr[i]!, arr[w - 1]!) !== 0) arr[w++] = arr[i]!;
  }
  arr.length = w;
  return new SetValue(arr);
}

/** Binary search in a normalized element array: index, or -(insertion point) - 1. */
export function searchSorted(elems: readonly Value[], x: Value): number {
  let lo = 0;
  let hi = elems.length - 1;
  if (typeof x === 'number') {
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = elems[mid]!;
      const c = typeof m === 'number' ? m - x : cmp(m, x);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(elems[mid]!, x);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

// ---------------------------------------------------------------------------------------------
// Functions, records, tuples, sequences

export const DOM_GENERAL = 0;
export const DOM_SEQ = 1;
export const DOM_RECORD = 2;

export class Domain {
  hashed = false;
  _h1 = 0;
  _h2 = 0;
  private readonly index: Map<Value, number> | null;
  constructor(
    readonly kind: number,
    readonly keys: readonly Value[],
    private set: SetValue | undefined,
  ) {
    this.index = kind === DOM_RECORD ? new Map(keys.map((k, i) => [k, i])) : null;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The position of `key` in the domain, or -1. */
  lookup(key: Value): number {
    switch (this.kind) {
      case DOM_SEQ:
        return typeof key === 'number' && key >= 1 && key <= this.keys.length ? key - 1 : -1;
      case DOM_RECORD: {
        const i = this.index!.get(key);
        return i === undefined ? -1 : i;
      }
      default: {
        const k0 = this.keys[0]!;
        if (kindOf(k0) !== kindOf(key) && !(key instanceof ModelValue) && !(k0 instanceof ModelValue)) return -1;
        try {
          const i = searchSorted(this.keys, key);
          return i >= 0 ? i : -1;
        } catch {
          return -1; // a key of another kind is simply not in the domain
        }
      }
    }
  }

  asSet(): SetValue {
    this.set ??= new SetValue(this.keys);
    return this.set;
  }

  computeHash(): this {
    const s = this.asSet();
    this._h1 = hash1(s);
    this._h2 = hash2(s);
    this.hashed = true;
    return this;
  }
}

const seqDomains: Domain[] = [];
let rcdDomains = new Map<string, Domain>();

export function seqDomain(n: number): Domain {
  let d = seqDomains[n];
  if (d === undefined) {
    const keys: number[] = [];
    for (let i = 1; i <= n; i++) keys.push(i);
    d = new Domain(DOM_SEQ, keys, undefined);
    seqDomains[n] = d;
  }
  return d;
}

/** The domain of a record with these field names (any order). */
export function recordDomain(fields: readonly Str[]): Domain {
  if (fields.length === 0) return seqDomain(0);
  const sorted = [...fields].sort((a, b) => a.rank - b.rank);
  let key = '';
  for (const f of sorted) key += `${f.rank},`;
  let d = rcdDomains.get(key);
  if (d === undefined) {
    d = new Domain(DOM_RECORD, sorted, undefined);
    rcdDomains.set(key, d);
  }
  return d;
}

/** The domain for a normalized key array (seq and record domains are interned). */
export function domainFromKeys(keys: readonly Value[], set?: SetValue): Domain {
  const n = keys.length;
  if (n === 0) return seqDomain(0);
  let seq = true;
  for (let i = 0; i < n; i++) {
    if (keys[i] !== i + 1) {
      seq = false;
      break;
    }
  }
  if (seq) return seqDomain(n);
  let rec = true;
  for (let i = 0; i < n; i++) {
    if (!(keys[i] instanceof Str)) {
      rec = false;
      break;
    }
  }
  if (rec) return recordDomain(keys as Str[]);
  return new Domain(DOM_GENERAL, keys, set);
}

export class FcnValue {
  readonly tag = TAG_FCN;
  hashed = false;
  /** Whether a model value occurs in it (for symmetry): 0 unknown, 1 yes, 2 no. */
  mm = 0;
  _h1 = 0;
  _h2 = 0;
  /** `vals[i]` is the value at `dom.keys[i]`; never mutated after construction. */
  constructor(
    readonly dom: Domain,
    readonly vals: Value[],
  ) {}

  computeHash(): this {
    const d = this.dom;
    let a = mix1(SEED1, TAG_FCN);
    let b = mix2(SEED2, TAG_FCN);
    const dh1 = d.hashed ? d._h1 : d.computeHash()._h1;
    a = mix1(mix1(a, dh1), d._h2);
    b = mix2(mix2(b, d._h2), dh1);
    const v = this.vals;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      const x1 = hash1(x);
      const x2 = hash2(x);
      a = mix1(mix1(a, x1), x2);
      b = mix2(mix2(b, x2), x1);
    }
    this._h1 = fin1(mix1(a, v.length));
    this._h2 = fin2(mix2(b, v.length));
    this.hashed = true;
    return this;
  }
}

export function tuple(vals: Value[]): FcnValue {
  return new FcnValue(seqDomain(vals.length), vals);
}

export const EMPTY_TUPLE = tuple([]);

/** A record from (field, value) pairs in any order. */
export function record(fields: readonly Str[], vals: readonly Value[]): FcnValue {
  const dom = recordDomain(fields);
  const out = new Array<Value>(fields.length);
  for (let i = 0; i < fields.length; i++) out[dom.lookup(fields[i]!)] = vals[i]!;
  return new FcnValue(dom, out);
}

/**
 * A function whose values are computed on demand: recursive function definitions
 * (`f[n \in Nat] == ...`) and functions over infinite domains. It becomes an ordinary
 * FcnValue (force) when compared, hashed or stored in a state.
 */
export class LazyFcn {
  readonly tag = TAG_LFCN;
  private forced: FcnValue | undefined;
  private readonly memo = new Map<Value, Value>();
  constructor(
    readonly domain: SetValue | LazySet,
    private readonly body: (x: Value) => Value,
  ) {}

  apply(x: Value): Value | undefined {
    if (this.forced !== undefined) {
      const i = this.forced.dom.lookup(x);
      return i < 0 ? undefined : this.forced.vals[i];
    }
    if (!member(x, this.domain)) return undefined;
    // Atoms are their own keys; compound arguments are evaluated without memoising.
    const atom = typeof x !== 'object' || x.tag === TAG_STR || x.tag === TAG_MODEL;
    if (atom) {
      const m = this.memo.get(x);
      if (m !== undefined) return m;
    }
    const v = this.body(x);
    if (atom) this.memo.set(x, v);
    return v;
  }

  force(): FcnValue {
    if (this.forced === undefined) {
      const dom = toSetValue(this.domain);
      const vals = dom.elems.map((k) => this.apply(k)!);
      this.forced = new FcnValue(dom.asDomain(), vals);
    }
    return this.forced;
  }
}

// ---------------------------------------------------------------------------------------------
// Lazy sets: the interface; the kinds live in lazy-sets.ts

export abstract class LazySet {
  readonly tag = TAG_LSET;
  private cached: SetValue | undefined;
  abstract member(v: Value): boolean;
  abstract isFinite(): boolean;
  /** How TLC would print it if it cannot be enumerated (`Nat`, `Seq({1, 2})`). */
  abstract describe(): string;
  protected abstract compute(): SetValue;
  /** Cardinality without enumerating where a formula exists. */
  size(): number {
    return this.enumerate().elems.length;
  }
  enumerate(): SetValue {
    if (this.cached === undefined) {
      if (!this.isFinite()) throw new EvalError(`Attempted to enumerate the infinite set ${this.describe()}`);
      this.cached = this.compute();
    }
    return this.cached;
  }
  /** Iterates without building a SetValue when the subclass can. */
  elements(): readonly Value[] {
    return this.enumerate().elems;
  }
}

// ---------------------------------------------------------------------------------------------
// Kinds, order and equality (TLC's compareTo and equals)

export type Kind = 'boolean' | 'integer' | 'string' | 'model value' | 'set' | 'function';

export function kindOf(v: Value): Kind {
  if (typeof v === 'number') return 'integer';
  if (typeof v === 'boolean') return 'boolean';
  switch (v.tag) {
    case TAG_STR:
      return 'string';
    case TAG_MODEL:
      return 'model value';
    case TAG_SET:
    case TAG_LSET:
      return 'set';
    default:
      return 'function';
  }
}

export function isSet(v: Value): v is SetValue | LazySet {
  return typeof v === 'object' && (v.tag === TAG_SET || v.tag === TAG_LSET);
}

export function isFcn(v: Value): v is FcnValue | LazyFcn {
  return typeof v === 'object' && (v.tag === TAG_FCN || v.tag === TAG_LFCN);
}

export function toSetValue(v: SetValue | LazySet): SetValue {
  return v.tag === TAG_SET ? v : v.enumerate();
}

export function toFcnValue(v: FcnValue | LazyFcn): FcnValue {
  return v.tag === TAG_FCN ? v : v.force();
}

export function member(x: Value, s: SetValue | LazySet): boolean {
  if (s.tag === TAG_LSET) return s.member(x);
  const e = s.elems;
  if (e.length === 0) return false;
  const k0 = e[0]!;
  if (typeof x === 'number' && typeof k0 === 'number') return searchSorted(e, x) >= 0;
  if (kindOf(x) !== kindOf(k0) && !(x instanceof ModelValue) && !(k0 instanceof ModelValue)) return false;
  try {
    if (typeof x === 'object' && x.tag > TAG_MODEL && typeof k0 === 'object' && k0.tag > TAG_MODEL) return s.hasCompound(x);
    return searchSorted(e, x) >= 0;
  } catch {
    return false; // an element of another kind is simply not a member
  }
}

function incomparable(a: Value, b: Value): never {
  throw new EvalError(`Attempted to compare ${kindOf(a)} ${shortPrint(a)} with ${kindOf(b)} ${shortPrint(b)}`);
}

/** TLC's total order within a kind; model values come before everything else. */
export function cmp(a: Value, b: Value): number {
  if (a === b) return 0;
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    if (b instanceof ModelValue) return 1;
    return incomparable(a, b);
  }
  if (typeof a === 'boolean') {
    if (typeof b === 'boolean') return a ? 1 : -1;
    if (b instanceof ModelValue) return 1;
    return incomparable(a, b);
  }
  switch (a.tag) {
    case TAG_STR:
      if (b instanceof Str) return a.rank - b.rank;
      if (b instanceof ModelValue) return 1;
      return incomparable(a, b);
    case TAG_MODEL:
      if (b instanceof ModelValue) return a.rank - b.rank;
      return -1;
    case TAG_SET:
    case TAG_LSET: {
      if (b instanceof ModelValue) return 1;
      if (!isSet(b)) return incomparable(a, b);
      const x = toSetValue(a).elems;
      const y = toSetValue(b).elems;
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) {
        const c = cmp(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    case TAG_FCN:
    case TAG_LFCN: {
      if (b instanceof ModelValue) return 1;
      if (!isFcn(b)) return incomparable(a, b);
      const f = toFcnValue(a);
      const g = toFcnValue(b);
      const n = f.vals.length;
      if (n !== g.vals.length) return n - g.vals.length;
      if (f.dom !== g.dom) {
        const fk = f.dom.keys;
        const gk = g.dom.keys;
        for (let i = 0; i < n; i++) {
          const c = cmp(fk[i]!, gk[i]!);
          if (c !== 0) return c;
        }
      }
      for (let i = 0; i < n; i++) {
        const c = cmp(f.vals[i]!, g.vals[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

/** Structural equality (TLC's equals), false for values of different kinds. */
export function eq(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const ta = a.tag;
  const tb = b.tag;
  if (ta <= TAG_MODEL || tb <= TAG_MODEL) return false;
  const aSet = ta === TAG_SET || ta === TAG_LSET;
  const bSet = tb === TAG_SET || tb === TAG_LSET;
  if (aSet !== bSet) return false;
  if (ta === TAG_FCN && tb === TAG_FCN) {
    if (a.hashed && b.hashed && (a._h1 !== b._h1 || a._h2 !== b._h2)) return false;
    if (a.vals.length !== b.vals.length) return false;
    if (a.dom !== b.dom) {
      // Sequence and record domains are interned: distinct objects are distinct domains.
      if (a.dom.kind !== DOM_GENERAL || b.dom.kind !== DOM_GENERAL) return false;
      const ak = a.dom.keys;
      const bk = b.dom.keys;
      for (let i = 0; i < ak.length; i++) if (!eq(ak[i]!, bk[i]!)) return false;
    }
    const av = a.vals;
    const bv = b.vals;
    for (let i = 0; i < av.length; i++) if (!eq(av[i]!, bv[i]!)) return false;
    return true;
  }
  if (ta === TAG_SET && tb === TAG_SET) {
    if (a.hashed && b.hashed && (a._h1 !== b._h1 || a._h2 !== b._h2)) return false;
    const x = a.elems;
    const y = b.elems;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!eq(x[i]!, y[i]!)) return false;
    return true;
  }
  if (aSet) {
    // A lazy set against another set: compare by membership where one side is infinite.
    const la = a as SetValue | LazySet;
    const lb = b as SetValue | LazySet;
    if (la.tag === TAG_LSET && !la.isFinite()) return lb.tag === TAG_LSET && !lb.isFinite() && la.describe() === lb.describe();
    if (lb.tag === TAG_LSET && !lb.isFinite()) return false;
    return eq(toSetValue(la), toSetValue(lb));
  }
  return eq(toFcnValue(a as FcnValue | LazyFcn), toFcnValue(b as FcnValue | LazyFcn));
}

/**
 * Equality as TLA+'s `=` in TLC: comparing an integer with a string (say) is an error, not
 * FALSE; a model value is unequal to everything but itself.
 */
export function eqChecked(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta !== 'object' && ta === typeof b) return false; // two different numbers or booleans
  if (ta === 'object' && typeof b === 'object') {
    const x = (a as ObjValue).tag;
    const y = (b as ObjValue).tag;
    if (x === y) return x <= TAG_MODEL ? false : eq(a, b); // interned atoms are equal only if identical
  }
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb && ka !== 'model value' && kb !== 'model value') {
    throw new EvalError(`Attempted to check equality of ${ka} ${shortPrint(a)} with ${kb} ${shortPrint(b)}`);
  }
  return eq(a, b);
}

/** A short rendering for error messages (the full printer is in print.ts). */
export function shortPrint(v: Value): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  switch (v.tag) {
    case TAG_STR:
      return JSON.stringify(v.s);
    case TAG_MODEL:
      return v.name;
    case TAG_LSET:
      return v.describe();
    case TAG_SET:
      return v.elems.length > 6 ? `{${v.elems.slice(0, 6).map(shortPrint).join(', ')}, ...}` : `{${v.elems.map(shortPrint).join(', ')}}`;
    case TAG_FCN:
      return v.dom.kind === DOM_SEQ ? `<<${v.vals.map(shortPrint).join(', ')}>>` : `(${v.dom.keys.map((k, i) => `${shortPrint(k)} :> ${shortPrint(v.vals[i]!)}`).join(' @@ ')})`;
    case TAG_LFCN:
      return `[x \\in ${shortPrint(v.domain)} |-> ...]`;
  }
}

// ---------------------------------------------------------------------------------------------
// Integers: TLC's are 32-bit and overflow is an error.

export const MAX_INT = 2147483647;
export const MIN_INT = -2147483648;

export function checkInt(n: number, what: string): number {
  if (n > MAX_INT || n < MIN_INT || !Number.isFinite(n)) throw new EvalError(`Overflow: ${what} is outside TLC's 32-bit integers`);
  return n;
}
