// Symmetry reduction as TLC does it (TLCStateMut.fingerPrint): apply every permutation of the
// SYMMETRY set to the state, keep the smallest result in TLC's value order (variables compared
// in declaration order), and fingerprint that. With a group of permutations (Permutations(S))
// this counts orbits; with other sets it does exactly what TLC does.
import { fcnFromPairs } from '../eval/natives.js';
import { cmp, FcnValue, ModelValue, TAG_MODEL, setOf, TAG_FCN, TAG_LFCN, TAG_LSET, TAG_SET, toFcnValue, type Value } from '../values/value.js';

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
function mentionsModel(v: Value): boolean {
  if (typeof v !== 'object') return false;
  switch (v.tag) {
    case TAG_MODEL:
      return true;
    case TAG_SET: {
      if (v.mm === 0) v.mm = v.elems.some(mentionsModel) ? 1 : 2;
      return v.mm === 1;
    }
    case TAG_FCN: {
      if (v.mm === 0) v.mm = v.dom.keys.some(mentionsModel) || v.vals.some(mentionsModel) ? 1 : 2;
      return v.mm === 1;
    }
    case TAG_LSET:
      return mentionsModel(v.enumerate());
    case TAG_LFCN:
      return mentionsModel(v.force());
    default:
      return false;
  }
}

/** Whether the permutations are closed under composition (Permutations(S) is; A \cup B of two often is not). */
export function isGroup(perms: readonly Permutation[]): boolean {
  if (perms.length > 720) return true; // too many to check cheaply; Permutations(S) of up to 6 elements is checked
  const key = (p: Permutation): string =>
    [...p.entries()]
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => `${a.name}>${b.name}`)
      .sort()
      .join(',');
  const keys = new Set(perms.map(key));
  for (const p of perms) {
    for (const q of perms) {
      const pq = new Map<ModelValue, ModelValue>();
      for (const k of new Set([...p.keys(), ...q.keys()])) {
        const mid = q.get(k) ?? k;
        pq.set(k, p.get(mid) ?? mid);
      }
      if (!keys.has(key(pq))) return false;
    }
  }
  return true;
}

export class Symmetry {
  /** The permutations that move a model value: the identity's image is the state itself, never smaller. */
  private readonly moving: readonly Permutation[];

  constructor(readonly perms: readonly Permutation[]) {
    this.moving = perms.filter((p) => [...p].some(([a, b]) => a !== b));
  }

  permute(v: Value, p: Permutation): Value {
    if (typeof v !== 'object') return v;
    if (v instanceof ModelValue) return p.get(v) ?? v;
    if (!mentionsModel(v)) return v;
    switch (v.tag) {
      case TAG_SET:
        return setOf(v.elems.map((x) => this.permute(x, p)));
      case TAG_LSET:
        return setOf(v.enumerate().elems.map((x) => this.permute(x, p)));
      case TAG_FCN:
      case TAG_LFCN: {
        const f = toFcnValue(v);
        const keys = f.dom.keys;
        const vals = f.vals;
        if (!keys.some(mentionsModel))
          return new FcnValue(
            f.dom,
            vals.map((x) => this.permute(x, p)),
          );
        // Usually the permutation maps the domain onto itself: move the values, keep the domain.
        const out = new Array<Value>(keys.length);
        let onto = true;
        for (let i = 0; i < keys.length && onto; i++) {
          const j = f.dom.lookup(this.permute(keys[i]!, p));
          if (j < 0 || out[j] !== undefined) onto = false;
          else out[j] = this.permute(vals[i]!, p);
        }
        if (onto) return new FcnValue(f.dom, out);
        return fcnFromPairs(
          keys.map((k) => this.permute(k, p)),
          vals.map((x) => this.permute(x, p)),
        );
      }
      default:
        return v;
    }
  }

  /**
   * The smallest permuted image of `state` (TLC's TLCStateMut.fingerPrint): variables are compared
   * in order, and a permutation is abandoned at the first variable where its image is larger.
   */
  canonical(state: readonly Value[]): readonly Value[] {
    let min: readonly Value[] = state;
    const n = state.length;
    for (const p of this.moving) {
      const img = new Array<Value>(n);
      let c = 0;
      let i = 0;
      for (; i < n; i++) {
        img[i] = this.permute(state[i]!, p);
        c = cmp(img[i]!, min[i]!);
        if (c !== 0) break;
      }
      if (c < 0) {
        for (i++; i < n; i++) img[i] = this.permute(state[i]!, p);
        min = img;
      }
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
