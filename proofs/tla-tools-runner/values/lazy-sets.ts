// Sets TLC keeps symbolic: infinite ones (Nat, Int, STRING, Seq(S)) are good for membership
// only; finite ones ([S -> T], [a : S], S \X T, SUBSET S, a..b) are enumerated on demand, so a
// type invariant like `f \in [S -> T]` costs a membership test, not an enumeration.
import { EvalError } from '../errors.js';
import {
  DOM_RECORD,
  DOM_SEQ,
  FcnValue,
  LazySet,
  type SetValue,
  Str,
  type Value,
  checkInt,
  eq,
  isFcn,
  isSet,
  member,
  recordDomain,
  seqDomain,
  setOf,
  shortPrint,
  toFcnValue,
  toSetValue,
  TAG_SET,
  EMPTY_SET,
} from './value.js';

type AnySet = SetValue | LazySet;

function sizeOf(s: AnySet): number {
  return s.tag === TAG_SET ? s.elems.length : s.size();
}

function finite(s: AnySet): boolean {
  return s.tag === TAG_SET || s.isFinite();
}

function elems(s: AnySet): readonly Value[] {
  return s.tag === TAG_SET ? s.elems : s.elements();
}

export class IntervalSet extends LazySet {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    super();
  }
  member(v: Value): boolean {
    return typeof v === 'number' && v >= this.lo && v <= this.hi;
  }
  isFinite(): boolean {
    return true;
  }
  override size(): number {
    return Math.max(0, this.hi - this.lo + 1);
  }
  describe(): string {
    return `${this.lo}..${this.hi}`;
  }
  protected compute(): SetValue {
    const out: number[] = [];
    for (let i = this.lo; i <= this.hi; i++) out.push(i);
    return setOf(out);
  }
}

/** An infinite set of primitive values (`Nat`, `Int`, `STRING`): membership only. */
abstract class InfiniteSet extends LazySet {
  isFinite(): boolean {
    return false;
  }
  protected compute(): SetValue {
    throw new EvalError(`${this.describe()} is infinite`);
  }
}

export class NatSet extends InfiniteSet {
  member(v: Value): boolean {
    return typeof v === 'number' && v >= 0;
  }
  describe(): string {
    return 'Nat';
  }
}

export class IntSet extends InfiniteSet {
  member(v: Value): boolean {
    return typeof v === 'number';
  }
  describe(): string {
    return 'Int';
  }
}

export class StringSet extends InfiniteSet {
  member(v: Value): boolean {
    return v instanceof Str;
  }
  describe(): string {
    return 'STRING';
  }
}

/** `[S -> T]` */
export class FcnSet extends LazySet {
  constructor(
    readonly dom: AnySet,
    readonly rng: AnySet,
  ) {
    super();
  }
  member(v: Value): boolean {
    if (!isFcn(v)) return false;
    const f = toFcnValue(v);
    const d = toSetValue(this.dom).elems;
    if (f.dom.keys.length !== d.length) return false;
    const fd = f.dom.asSet().elems;
    for (let i = 0; i < d.length; i++) {
      if (!eq(fd[i]!, d[i]!)) return false;
    }
    for (const x of f.vals) if (!member(x, this.rng)) return false;
    return true;
  }
  isFinite(): boolean {
    return finite(this.dom) && (finite(this.rng) || sizeOf(this.dom) === 0);
  }
  override size(): number {
    return checkInt(sizeOf(this.rng) ** sizeOf(this.dom), 'the cardinality of a function set');
  }
  describe(): string {
    return `[${shortPrint(this.dom)} -> ${shortPrint(this.rng)}]`;
  }
  protected compute(): SetValue {
    const dom = toSetValue(this.dom);
    const d = dom.asDomain();
    const r = elems(this.rng);
    const n = d.keys.length;
    const total = sizeOf(this.rng) ** n;
    if (total > 1e7) throw new EvalError(`Attempted to enumerate ${this.describe()} with ${total} elements`);
    const out: Value[] = [];
    if (n > 0 && r.length === 0) return EMPTY_SET;
    const idx = new Array<number>(n).fill(0);
    for (;;) {
      out.push(
        new FcnValue(
          d,
          idx.map((i) => r[i]!),
        ),
      );
      let k = n - 1;
      while (k >= 0 && ++idx[k]! === r.length) idx[k--] = 0;
      if (k < 0) break;
    }
    return setOf(out);
  }
}

/** `[a : S, b : T]` */
export class RcdSet extends LazySet {
  constructor(
    readonly fields: readonly Str[],
    readonly sets: readonly AnySet[],
  ) {
    super();
  }
  member(v: Value): boolean {
    if (!isFcn(v)) return false;
    const f = toFcnValue(v);
    if (f.dom.kind !== DOM_RECORD || f.dom.keys.length !== this.fields.length) return false;
    for (let i = 0; i < this.fields.length; i++) {
      const j = f.dom.lookup(this.fields[i]!);
      if (j < 0 || !member(f.vals[j]!, this.sets[i]!)) return false;
    }
    return true;
  }
  isFinite(): boolean {
    return productIsFinite(this.sets);
  }
  override size(): number {
    return productSize(this.sets, 'the cardinality of a record set');
  }
  describe(): string {
    return `[${this.fields.map((f, i) => `${f.s} : ${shortPrint(this.sets[i]!)}`).join(', ')}]`;
  }
  protected compute(): SetValue {
    const dom = recordDomain(this.fields);
    // Order the component sets as the (sorted) domain keys.
    const comps = dom.keys.map((k) => elems(this.sets[this.fields.indexOf(k as Str)]!));
    return setOf(product(comps).map((vals) => new FcnValue(dom, vals)));
  }
}

/** `S \X T \X U` */
export class ProductSet extends LazySet {
  constructor(readonly sets: readonly AnySet[]) {
    super();
  }
  member(v: Value): boolean {
    if (!isFcn(v)) return false;
    const f = toFcnValue(v);
    if (f.dom.kind !== DOM_SEQ && f.vals.length > 0) return false;
    if (f.vals.length !== this.sets.length) return false;
    for (let i = 0; i < this.sets.length; i++) if (!member(f.vals[i]!, this.sets[i]!)) return false;
    return true;
  }
  isFinite(): boolean {
    return productIsFinite(this.sets);
  }
  override size(): number {
    return productSize(this.sets, 'the cardinality of a Cartesian product');
  }
  describe(): string {
    return this.sets.map(shortPrint).join(' \\X ');
  }
  protected compute(): SetValue {
    const d = seqDomain(this.sets.length);
    return setOf(product(this.sets.map(elems)).map((vals) => new FcnValue(d, vals)));
  }
}

/** Records and tuples over `sets` are finitely many if every set is finite or one is empty. */
function productIsFinite(sets: readonly AnySet[]): boolean {
  return sets.every(finite) || sets.some((s) => finite(s) && sizeOf(s) === 0);
}

function productSize(sets: readonly AnySet[], what: string): number {
  let n = 1;
  for (const s of sets) n *= sizeOf(s);
  return checkInt(n, what);
}

function product(comps: readonly (readonly Value[])[]): Value[][] {
  let out: Value[][] = [[]];
  for (const c of comps) {
    const next: Value[][] = [];
    for (const prefix of out) for (const x of c) next.push([...prefix, x]);
    out = next;
  }
  return out;
}

/** `SUBSET S` */
export class PowerSet extends LazySet {
  constructor(readonly base: AnySet) {
    super();
  }
  member(v: Value): boolean {
    if (!isSet(v)) return false;
    for (const x of elems(v)) if (!member(x, this.base)) return false;
    return true;
  }
  isFinite(): boolean {
    return finite(this.base);
  }
  override size(): number {
    return checkInt(2 ** sizeOf(this.base), 'the cardinality of SUBSET');
  }
  describe(): string {
    return `SUBSET ${shortPrint(this.base)}`;
  }
  protected compute(): SetValue {
    const b = elems(this.base);
    if (b.length > 24) throw new EvalError(`Attempted to enumerate ${this.describe()} with 2^${b.length} elements`);
    const out: Value[] = [];
    const total = 1 << b.length;
    for (let mask = 0; mask < total; mask++) {
      const sub: Value[] = [];
      for (let i = 0; i < b.length; i++) if (mask & (1 << i)) sub.push(b[i]!);
      out.push(setOf(sub));
    }
    return setOf(out);
  }
}

/** `Seq(S)`: infinite, membership only. */
export class SeqSet extends LazySet {
  constructor(readonly base: AnySet) {
    super();
  }
  member(v: Value): boolean {
    if (!isFcn(v)) return false;
    const f = toFcnValue(v);
    if (f.dom.kind !== DOM_SEQ) return false;
    for (const x of f.vals) if (!member(x, this.base)) return false;
    return true;
  }
  isFinite(): boolean {
    return finite(this.base) && sizeOf(this.base) === 0;
  }
  describe(): string {
    return `Seq(${shortPrint(this.base)})`;
  }
  protected compute(): SetValue {
    return setOf([new FcnValue(seqDomain(0), [])]);
  }
}

/** `A \cup B`, `A \cap B`, `A \ B` where a side is infinite. */
export class CombinedSet extends LazySet {
  constructor(
    readonly op: 'cup' | 'cap' | 'setminus',
    readonly a: AnySet,
    readonly b: AnySet,
  ) {
    super();
  }
  member(v: Value): boolean {
    switch (this.op) {
      case 'cup':
        return member(v, this.a) || member(v, this.b);
      case 'cap':
        return member(v, this.a) && member(v, this.b);
      case 'setminus':
        return member(v, this.a) && !member(v, this.b);
    }
  }
  isFinite(): boolean {
    switch (this.op) {
      case 'cup':
        return finite(this.a) && finite(this.b);
      case 'cap':
        return finite(this.a) || finite(this.b);
      case 'setminus':
        return finite(this.a);
    }
  }
  describe(): string {
    const sym = this.op === 'cup' ? '\\cup' : this.op === 'cap' ? '\\cap' : '\\';
    return `${shortPrint(this.a)} ${sym} ${shortPrint(this.b)}`;
  }
  protected compute(): SetValue {
    switch (this.op) {
      case 'cup':
        return setOf([...elems(this.a), ...elems(this.b)]);
      case 'cap': {
        const [small, other] = finite(this.a) ? [this.a, this.b] : [this.b, this.a];
        return setOf(elems(small).filter((x) => member(x, other)));
      }
      case 'setminus':
        return setOf(elems(this.a).filter((x) => !member(x, this.b)));
    }
  }
}

/** `{x \in S : P(x)}` over an infinite S: membership only. */
export class FilterSet extends LazySet {
  constructor(
    readonly base: AnySet,
    readonly pred: (x: Value) => boolean,
  ) {
    super();
  }
  member(v: Value): boolean {
    return member(v, this.base) && this.pred(v);
  }
  isFinite(): boolean {
    return finite(this.base);
  }
  describe(): string {
    return `{x \\in ${shortPrint(this.base)} : ...}`;
  }
  protected compute(): SetValue {
    return setOf(elems(this.base).filter((x) => this.pred(x)));
  }
}
