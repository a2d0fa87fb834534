// The most used operators of the TLA+ CommunityModules (Functions, FiniteSetsExt, SequencesExt,
// Folds), implemented natively from their TLA+ definitions, and the TLAPS proof libraries as
// modules without operators (specs EXTEND them for their theorems, which TLC skips). An operator
// of these modules that is not implemented here is an "Unknown operator" error, never a guess.
import { EvalError, type SourceLoc } from '../errors.js';
import { FcnSet } from '../values/lazy-sets.js';
import { asSet, cardinality, elementsOf } from '../values/sets.js';
import { DOM_SEQ, eq, FcnValue, type FcnValue as Fcn, isFcn, setOf, shortPrint, toFcnValue, tuple, type Value, member } from '../values/value.js';
import { bool, op, val } from './native-args.js';
import type { Native, StandardModule } from './natives.js';
import type { OpClosure } from './runtime.js';

function fcn(x: Value | OpClosure, what: string, loc: SourceLoc): Fcn {
  const y = val(x, loc);
  if (!isFcn(y)) throw new EvalError(`${what}: expected a function, found ${shortPrint(y)}`, loc);
  return toFcnValue(y);
}

function seq(x: Value | OpClosure, what: string, loc: SourceLoc): Fcn {
  const f = fcn(x, what, loc);
  if (f.dom.kind !== DOM_SEQ) throw new EvalError(`${what}: expected a sequence, found ${shortPrint(f)}`, loc);
  return f;
}

function elems(x: Value | OpClosure, what: string, loc: SourceLoc): readonly Value[] {
  return elementsOf(asSet(val(x, loc), what));
}

function int(x: Value | OpClosure, what: string, loc: SourceLoc): number {
  const y = val(x, loc);
  if (typeof y !== 'number') throw new EvalError(`${what}: expected an integer, found ${shortPrint(y)}`, loc);
  return y;
}

function n(name: string, arity: number, fn: Native['fn'], argArities?: readonly number[]): Native {
  return argArities === undefined ? { name, arity, fn } : { name, arity, fn, argArities };
}

/**
 * MapThenFoldSet(op, base, f, choose, S): op(f(x1), op(f(x2), ... op(f(xn), base))) where x1 is
 * chosen first. With `choose` = CHOOSE x \in s : TRUE, x1 is the first element in TLC's order.
 */
function foldRight(o: OpClosure, base: Value, xs: readonly Value[]): Value {
  let acc = base;
  for (let i = xs.length - 1; i >= 0; i--) acc = o.call([xs[i]!, acc]);
  return acc;
}

function range(f: Fcn): Value {
  return setOf(f.vals.slice());
}

function isInjective(f: Fcn): boolean {
  return setOf(f.vals.slice()).elems.length === f.vals.length;
}

const functions: Native[] = [
  n('Range', 1, (a, loc) => range(fcn(a[0]!, 'Range', loc))),
  n('Restrict', 2, (a, loc) => {
    const f = fcn(a[0]!, 'Restrict', loc);
    const s = setOf(elems(a[1]!, 'Restrict', loc).slice());
    return new FcnValue(
      s.asDomain(),
      s.elems.map((x) => {
        const i = f.dom.lookup(x);
        if (i < 0) throw new EvalError(`Restrict: ${shortPrint(x)} is not in the domain of the function`, loc);
        return f.vals[i]!;
      }),
    );
  }),
  n('IsInjective', 1, (a, loc) => isInjective(fcn(a[0]!, 'IsInjective', loc))),
  n('IsSurjective', 3, (a, loc) => {
    const f = fcn(a[0]!, 'IsSurjective', loc);
    const r = setOf(f.vals.slice());
    return elems(a[2]!, 'IsSurjective', loc).every((t) => member(t, r));
  }),
  n('IsBijection', 3, (a, loc) => {
    const f = fcn(a[0]!, 'IsBijection', loc);
    const r = setOf(f.vals.slice());
    return isInjective(f) && elems(a[2]!, 'IsBijection', loc).every((t) => member(t, r));
  }),
  n('Inverse', 3, (a, loc) => {
    const f = fcn(a[0]!, 'Inverse', loc);
    const S = elems(a[1]!, 'Inverse', loc);
    const T = setOf(elems(a[2]!, 'Inverse', loc).slice());
    const r = range(f) as Value;
    return new FcnValue(
      T.asDomain(),
      T.elems.map((t) => {
        const found = S.find((s) => {
          if (!member(t, asSet(r, 'Inverse'))) return true;
          const i = f.dom.lookup(s);
          return i >= 0 && eq(f.vals[i]!, t);
        });
        if (found === undefined) throw new EvalError('Inverse: CHOOSE found no element', loc);
        return found;
      }),
    );
  }),
  n('AntiFunction', 1, (a, loc) => {
    const f = fcn(a[0]!, 'AntiFunction', loc);
    const r = setOf(f.vals.slice());
    return new FcnValue(
      r.asDomain(),
      r.elems.map((y) => f.dom.keys[f.vals.findIndex((x) => eq(x, y))]!),
    );
  }),
  ...(['Injection', 'Surjection', 'Bijection'] as const).map((name) =>
    n(name, 2, (a, loc) => {
      const S = asSet(val(a[0]!, loc), name);
      const T = setOf(elems(a[1]!, name, loc).slice());
      const all = new FcnSet(S, T).enumerate().elems;
      return setOf(
        all.filter((m) => {
          const f = m as Fcn;
          const inj = isInjective(f);
          const sur = setOf(f.vals.slice()).elems.length === T.elems.length;
          return name === 'Injection' ? inj : name === 'Surjection' ? sur : inj && sur;
        }),
      );
    }),
  ),
  ...(['ExistsInjection', 'ExistsSurjection', 'ExistsBijection'] as const).map((name) =>
    n(name, 2, (a, loc) => {
      const s = cardinality(asSet(val(a[0]!, loc), name));
      const t = cardinality(asSet(val(a[1]!, loc), name));
      return name === 'ExistsInjection' ? s <= t : name === 'ExistsSurjection' ? s >= t && (t > 0 || s === 0) : s === t;
    }),
  ),
  n(
    'FoldFunction',
    3,
    (a, loc) => {
      const f = fcn(a[2]!, 'FoldFunction', loc);
      return foldRight(op(a[0]!, 2, 'FoldFunction', loc), val(a[1]!, loc), f.vals);
    },
    [2, 0, 0],
  ),
  n(
    'FoldFunctionOnSet',
    4,
    (a, loc) => {
      const f = fcn(a[2]!, 'FoldFunctionOnSet', loc);
      const idx = elems(a[3]!, 'FoldFunctionOnSet', loc);
      return foldRight(
        op(a[0]!, 2, 'FoldFunctionOnSet', loc),
        val(a[1]!, loc),
        idx.map((i) => f.vals[f.dom.lookup(i)]!),
      );
    },
    [2, 0, 0, 0],
  ),
];

const folds: Native[] = [
  n(
    'MapThenFoldSet',
    5,
    (a, loc) => {
      const o = op(a[0]!, 2, 'MapThenFoldSet', loc);
      const f = op(a[2]!, 1, 'MapThenFoldSet', loc);
      const choose = op(a[3]!, 1, 'MapThenFoldSet', loc);
      let rest = setOf(elems(a[4]!, 'MapThenFoldSet', loc).slice());
      const order: Value[] = [];
      while (rest.elems.length > 0) {
        const x = choose.call([rest]);
        order.push(x);
        rest = setOf(rest.elems.filter((y) => !eq(y, x)));
      }
      return foldRight(
        o,
        val(a[1]!, loc),
        order.map((x) => f.call([x])),
      );
    },
    [2, 0, 1, 1, 0],
  ),
];

const finiteSetsExt: Native[] = [
  n('FoldSet', 3, (a, loc) => foldRight(op(a[0]!, 2, 'FoldSet', loc), val(a[1]!, loc), elems(a[2]!, 'FoldSet', loc)), [2, 0, 0]),
  n('ReduceSet', 3, (a, loc) => foldRight(op(a[0]!, 2, 'ReduceSet', loc), val(a[2]!, loc), elems(a[1]!, 'ReduceSet', loc)), [2, 0, 0]),
  folds[0]!,
  n('SumSet', 1, (a, loc) => elems(a[0]!, 'SumSet', loc).reduce<number>((s, x) => s + int(x, 'SumSet', loc), 0)),
  n('ProductSet', 1, (a, loc) => elems(a[0]!, 'ProductSet', loc).reduce<number>((s, x) => s * int(x, 'ProductSet', loc), 1)),
  n('Max', 1, (a, loc) => {
    const xs = elems(a[0]!, 'Max', loc);
    if (xs.length === 0) throw new EvalError('Max of the empty set', loc);
    return xs.reduce((m, x) => (int(x, 'Max', loc) > (m as number) ? x : m));
  }),
  n('Min', 1, (a, loc) => {
    const xs = elems(a[0]!, 'Min', loc);
    if (xs.length === 0) throw new EvalError('Min of the empty set', loc);
    return xs.reduce((m, x) => (int(x, 'Min', loc) < (m as number) ? x : m));
  }),
  n(
    'Quantify',
    2,
    (a, loc) => {
      const p = op(a[1]!, 1, 'Quantify', loc);
      return elems(a[0]!, 'Quantify', loc).filter((x) => bool(p.call([x]), 'Quantify', loc)).length;
    },
    [0, 1],
  ),
  n('kSubset', 2, (a, loc) => {
    const k = int(a[0]!, 'kSubset', loc);
    const xs = elems(a[1]!, 'kSubset', loc);
    const out: Value[] = [];
    const pick = (start: number, acc: Value[]): void => {
      if (acc.length === k) {
        out.push(setOf(acc.slice()));
        return;
      }
      for (let i = start; i < xs.length; i++) pick(i + 1, [...acc, xs[i]!]);
    };
    pick(0, []);
    return setOf(out);
  }),
  n('SymDiff', 2, (a, loc) => {
    const x = asSet(val(a[0]!, loc), 'SymDiff');
    const y = asSet(val(a[1]!, loc), 'SymDiff');
    return setOf([...elementsOf(x).filter((e) => !member(e, y)), ...elementsOf(y).filter((e) => !member(e, x))]);
  }),
];

const sequencesExt: Native[] = [
  n('ToSet', 1, (a, loc) => setOf(fcn(a[0]!, 'ToSet', loc).vals.slice())),
  n('SetToSeq', 1, (a, loc) => tuple(elems(a[0]!, 'SetToSeq', loc).slice())),
  n('Cons', 2, (a, loc) => tuple([val(a[0]!, loc), ...seq(a[1]!, 'Cons', loc).vals])),
  n('Front', 1, (a, loc) => {
    const s = seq(a[0]!, 'Front', loc);
    if (s.vals.length === 0) throw new EvalError('Front of the empty sequence', loc);
    return tuple(s.vals.slice(0, -1));
  }),
  n('Last', 1, (a, loc) => {
    const s = seq(a[0]!, 'Last', loc);
    if (s.vals.length === 0) throw new EvalError('Last of the empty sequence', loc);
    return s.vals[s.vals.length - 1]!;
  }),
  n('Reverse', 1, (a, loc) => tuple(seq(a[0]!, 'Reverse', loc).vals.slice().reverse())),
  n('Contains', 2, (a, loc) => seq(a[0]!, 'Contains', loc).vals.some((x) => eq(x, val(a[1]!, loc)))),
  n('IsPrefix', 2, (a, loc) => {
    const s = seq(a[0]!, 'IsPrefix', loc).vals;
    const t = seq(a[1]!, 'IsPrefix', loc).vals;
    return s.length <= t.length && s.every((x, i) => eq(x, t[i]!));
  }),
  n('IsStrictPrefix', 2, (a, loc) => {
    const s = seq(a[0]!, 'IsStrictPrefix', loc).vals;
    const t = seq(a[1]!, 'IsStrictPrefix', loc).vals;
    return s.length < t.length && s.every((x, i) => eq(x, t[i]!));
  }),
  n('Remove', 2, (a, loc) => tuple(seq(a[0]!, 'Remove', loc).vals.filter((x) => !eq(x, val(a[1]!, loc))))),
  n('ReplaceAll', 3, (a, loc) => tuple(seq(a[0]!, 'ReplaceAll', loc).vals.map((x) => (eq(x, val(a[1]!, loc)) ? val(a[2]!, loc) : x)))),
  n('InsertAt', 3, (a, loc) => {
    const s = seq(a[0]!, 'InsertAt', loc).vals;
    const i = int(a[1]!, 'InsertAt', loc);
    if (i < 1 || i > s.length + 1) throw new EvalError(`InsertAt: index ${i} is out of range`, loc);
    return tuple([...s.slice(0, i - 1), val(a[2]!, loc), ...s.slice(i - 1)]);
  }),
  n('RemoveAt', 2, (a, loc) => {
    const s = seq(a[0]!, 'RemoveAt', loc).vals;
    const i = int(a[1]!, 'RemoveAt', loc);
    if (i < 1 || i > s.length) throw new EvalError(`RemoveAt: index ${i} is out of range`, loc);
    return tuple([...s.slice(0, i - 1), ...s.slice(i)]);
  }),
  n('ReplaceAt', 3, (a, loc) => {
    const s = seq(a[0]!, 'ReplaceAt', loc).vals.slice();
    const i = int(a[1]!, 'ReplaceAt', loc);
    if (i < 1 || i > s.length) throw new EvalError(`ReplaceAt: index ${i} is out of range`, loc);
    s[i - 1] = val(a[2]!, loc);
    return tuple(s);
  }),
  n(
    'FoldLeft',
    3,
    (a, loc) => {
      const o = op(a[0]!, 2, 'FoldLeft', loc);
      return seq(a[2]!, 'FoldLeft', loc).vals.reduce((acc, x) => o.call([acc, x]), val(a[1]!, loc));
    },
    [2, 0, 0],
  ),
  n('FoldRight', 3, (a, loc) => foldRight(op(a[0]!, 2, 'FoldRight', loc), val(a[2]!, loc), seq(a[1]!, 'FoldRight', loc).vals), [2, 0, 0]),
  n('FoldSeq', 3, (a, loc) => foldRight(op(a[0]!, 2, 'FoldSeq', loc), val(a[1]!, loc), seq(a[2]!, 'FoldSeq', loc).vals), [2, 0, 0]),
  n('Zip', 2, (a, loc) => {
    const s = seq(a[0]!, 'Zip', loc).vals;
    const t = seq(a[1]!, 'Zip', loc).vals;
    if (s.length !== t.length) throw new EvalError('Zip: sequences of different lengths', loc);
    return tuple(s.map((x, i) => tuple([x, t[i]!])));
  }),
  n('FlattenSeq', 1, (a, loc) => tuple(seq(a[0]!, 'FlattenSeq', loc).vals.flatMap((x) => seq(x, 'FlattenSeq', loc).vals))),
];

export const COMMUNITY_MODULES: readonly StandardModule[] = [
  { name: 'Functions', extends: [], natives: functions },
  { name: 'Folds', extends: [], natives: folds },
  { name: 'FiniteSetsExt', extends: [], natives: finiteSetsExt },
  { name: 'SequencesExt', extends: [], natives: sequencesExt },
  // TLAPS proof libraries: theorems only, which model checking skips.
  { name: 'FiniteSetTheorems', extends: ['FiniteSets'], natives: [] },
  { name: 'NaturalsInduction', extends: ['Naturals'], natives: [] },
  { name: 'WellFoundedInduction', extends: ['Naturals'], natives: [] },
  { name: 'SequenceTheorems', extends: ['Sequences'], natives: [] },
  { name: 'FunctionTheorems', extends: ['Functions'], natives: [] },
];
