// Symmetry reduction as TLC does it (TLCStateMut.fingerPrint): apply every permutation of the
// SYMMETRY set to the state, keep the smallest result in TLC's value order (variables compared
// in declaration order), and fingerprint that. With a group of permutations (Permutations(S))
// this counts orbits; with other sets it does exactly what TLC does.
import { fcnFromPairs } from '../eval/natives.js';
import {
  cmp,
  FcnValue,
  ModelValue,
  setOf,
  TAG_FCN,
  TAG_LFCN,
  TAG_LSET,
  TAG_SET,
  toFcnValue,
  type Value,
} from '../values/value.js';

export type Permutation = ReadonlyMap<ModelValue, ModelValue>;

export function permutationOf(f: FcnValue): Permutation {
  const m = new Map<ModelValue, ModelValue>();
  f.dom.keys.forEach((k, i) => {
    const v = f.vals[i];
    if (k instanceof ModelValue && v instanceof ModelValue) m.set(k, v);
  });
  return m;
}

/** Whether a value mentions a model value (values without one are fixed by every permutation). */
function mentionsModel(v: Value, memo: WeakMap<object, boolean>): boolean {
  if (typeof v !== 'object') return false;
  if (v instanceof ModelValue) return true;
  const known = memo.get(v);
  if (known !== undefined) return known;
  let r = false;
  switch (v.tag) {
    case TAG_SET:
      r = v.elems.some((x) => mentionsModel(x, memo));
      break;
    case TAG_FCN:
      r = v.dom.keys.some((x) => mentionsModel(x, memo)) || v.vals.some((x) => mentionsModel(x, memo));
      break;
    case TAG_LSET:
      r = mentionsModel(v.enumerate(), memo);
      break;
    case TAG_LFCN:
      r = mentionsModel(v.force(), memo);
      break;
    default:
      r = false;
  }
  memo.set(v, r);
  return r;
}

export class Symmetry {
  private readonly memo = new WeakMap<object, boolean>();
  constructor(readonly perms: readonly Permutation[]) {}

  permute(v: Value, p: Permutation): Value {
    if (typeof v !== 'object') return v;
    if (v instanceof ModelValue) return p.get(v) ?? v;
    if (!mentionsModel(v, this.memo)) return v;
    switch (v.tag) {
      case TAG_SET:
        return setOf(v.elems.map((x) => this.permute(x, p)));
      case TAG_LSET:
        return setOf(v.enumerate().elems.map((x) => this.permute(x, p)));
      case TAG_FCN:
      case TAG_LFCN: {
        const f = toFcnValue(v);
        const vals = f.vals.map((x) => this.permute(x, p));
        if (!f.dom.keys.some((k) => mentionsModel(k, this.memo))) return new FcnValue(f.dom, vals);
        return fcnFromPairs(
          f.dom.keys.map((k) => this.permute(k, p)),
          vals,
        );
      }
      default:
        return v;
    }
  }

  /** The smallest permuted image of `state`. */
  canonical(state: readonly Value[]): readonly Value[] {
    let min: readonly Value[] = state;
    for (const p of this.perms) {
      const img = state.map((v) => this.permute(v, p));
      if (compareStates(img, min) < 0) min = img;
    }
    return min;
  }
}

export function compareStates(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = cmp(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}
