// Set algebra on values. Finite operands give finite, normalized SetValues (merges of sorted
// arrays); an infinite operand gives a lazy CombinedSet good for membership.
import { EvalError } from '../errors.js';
import { CombinedSet } from './lazy-sets.js';
import { cmp, EMPTY_SET, isSet, type LazySet, member, searchSorted, SetValue, setOf, shortPrint, TAG_SET, type Value } from './value.js';

export type AnySet = SetValue | LazySet;

export function asSet(v: Value, what: string): AnySet {
  if (!isSet(v)) throw new EvalError(`${what}: expected a set, found ${shortPrint(v)}`);
  return v;
}

export function isFiniteSet(s: AnySet): boolean {
  return s.tag === TAG_SET || s.isFinite();
}

/** The elements of a finite set in TLC's order (an error for an infinite set). */
export function elementsOf(s: AnySet): readonly Value[] {
  return s.tag === TAG_SET ? s.elems : s.elements();
}

export function cardinality(s: AnySet): number {
  return s.tag === TAG_SET ? s.elems.length : s.size();
}

function merge(x: readonly Value[], y: readonly Value[]): SetValue {
  if (x.length === 0) return y.length === 0 ? EMPTY_SET : new SetValue(y);
  if (y.length === 0) return new SetValue(x);
  if (y.length === 1) return insert(x, y[0]!);
  if (x.length === 1) return insert(y, x[0]!);
  const out: Value[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const c = cmp(x[i]!, y[j]!);
    if (c < 0) out.push(x[i++]!);
    else if (c > 0) out.push(y[j++]!);
    else {
      out.push(x[i++]!);
      j++;
    }
  }
  while (i < x.length) out.push(x[i++]!);
  while (j < y.length) out.push(y[j++]!);
  return new SetValue(out);
}

function insert(x: readonly Value[], v: Value): SetValue {
  const i = searchSorted(x, v);
  if (i >= 0) return new SetValue(x);
  const at = -i - 1;
  const out = new Array<Value>(x.length + 1);
  for (let k = 0; k < at; k++) out[k] = x[k]!;
  out[at] = v;
  for (let k = at; k < x.length; k++) out[k + 1] = x[k]!;
  return new SetValue(out);
}

export function union(a: AnySet, b: AnySet): AnySet {
  if (a.tag === TAG_SET && b.tag === TAG_SET) return merge(a.elems, b.elems);
  if (a.tag === TAG_SET && a.elems.length === 0) return b;
  if (b.tag === TAG_SET && b.elems.length === 0) return a;
  // Kept symbolic, as TLC does: membership does not need the elements.
  return new CombinedSet('cup', a, b);
}

export function intersect(a: AnySet, b: AnySet): AnySet {
  if (a.tag === TAG_SET) return setOf(a.elems.filter((x) => member(x, b)));
  if (b.tag === TAG_SET) return setOf(b.elems.filter((x) => member(x, a)));
  return new CombinedSet('cap', a, b);
}

export function difference(a: AnySet, b: AnySet): AnySet {
  if (a.tag === TAG_SET) {
    if (b.tag === TAG_SET && b.elems.length === 0) return a;
    const out = a.elems.filter((x) => !member(x, b));
    return out.length === a.elems.length ? a : new SetValue(out);
  }
  if (a.isFinite()) return new SetValue(a.elements().filter((x) => !member(x, b)));
  return new CombinedSet('setminus', a, b);
}

export function subseteq(a: AnySet, b: AnySet): boolean {
  if (a.tag !== TAG_SET && !a.isFinite()) {
    if (b.tag !== TAG_SET && !b.isFinite() && a.describe() === b.describe()) return true;
    throw new EvalError(`Attempted to check ${a.describe()} \\subseteq ${shortPrint(b)}, which needs enumerating an infinite set`);
  }
  for (const x of elementsOf(a)) if (!member(x, b)) return false;
  return true;
}

/** UNION S */
export function bigUnion(s: AnySet): AnySet {
  let acc: AnySet = EMPTY_SET;
  for (const x of elementsOf(s)) acc = union(acc, asSet(x, 'UNION'));
  return acc;
}
