// The standard modules, implemented natively as TLC does (Naturals, Integers, Sequences,
// FiniteSets, TLC, Bags; TLAPS as an empty module so proofs can EXTEND it). Operators are
// keyed by name, or by tree-sitter's node type for symbols (`plus` is `+`).
import { AssertionFailure, EvalError, UnsupportedError, type SourceLoc } from '../errors.js';
import { IntervalSet, IntSet, NatSet, SeqSet } from '../values/lazy-sets.js';
import { printValue } from '../values/print.js';
import { asSet, cardinality, elementsOf, isFiniteSet } from '../values/sets.js';
import {
  checkInt,
  DOM_SEQ,
  eq,
  FcnValue,
  type FcnValue as Fcn,
  isFcn,
  setOf,
  shortPrint,
  Str,
  str,
  toFcnValue,
  tuple,
  type Value,
  domainFromKeys,
  EMPTY_TUPLE,
} from '../values/value.js';
import { COMMUNITY_MODULES } from './community.js';
import { bool, op, val } from './native-args.js';
import { OpClosure, type Runtime } from './runtime.js';

export interface Native {
  readonly name: string;
  readonly arity: number;
  /** Arity expected of each argument: 0 for a value, n for an operator argument. */
  readonly argArities?: readonly number[];
  readonly fn: (args: readonly (Value | OpClosure)[], loc: SourceLoc, rt: Runtime) => Value;
  /** Fast paths that avoid allocating the argument array. */
  readonly fn1?: (a: Value, loc: SourceLoc) => Value;
  readonly fn2?: (a: Value, b: Value, loc: SourceLoc) => Value;
}

export interface StandardModule {
  readonly name: string;
  readonly extends: readonly string[];
  readonly natives: readonly Native[];
}

function int(v: Value | OpClosure, what: string, loc: SourceLoc): number {
  if (typeof v !== 'number') throw new EvalError(`${what}: expected an integer, found ${describe(v)}`, loc);
  return v;
}

function describe(v: Value | OpClosure): string {
  return v instanceof OpClosure ? `operator ${v.name}` : shortPrint(v);
}

function seq(v: Value | OpClosure, what: string, loc: SourceLoc): Fcn {
  if (v instanceof OpClosure || !isFcn(v)) throw new EvalError(`${what}: expected a sequence, found ${describe(v)}`, loc);
  const f = toFcnValue(v);
  if (f.dom.kind !== DOM_SEQ) throw new EvalError(`${what}: expected a sequence, found ${shortPrint(f)}`, loc);
  return f;
}

function native2(name: string, fn2: (a: Value, b: Value, loc: SourceLoc) => Value): Native {
  return { name, arity: 2, fn2, fn: (args, loc) => fn2(val(args[0]!, loc), val(args[1]!, loc), loc) };
}

function native1(name: string, fn1: (a: Value, loc: SourceLoc) => Value): Native {
  return { name, arity: 1, fn1, fn: (args, loc) => fn1(val(args[0]!, loc), loc) };
}

function native0(name: string, make: () => Value): Native {
  let cached: Value | undefined;
  return { name, arity: 0, fn: () => (cached ??= make()) };
}

function arith(name: string, sym: string, f: (a: number, b: number, loc: SourceLoc) => number): Native {
  return native2(name, (a, b, loc) => {
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new EvalError(`The arguments of ${sym} must be integers, found ${shortPrint(a)} and ${shortPrint(b)}`, loc);
    }
    const r = f(a, b, loc);
    if (r > 2147483647 || r < -2147483648) throw new EvalError(`Overflow: ${a} ${sym} ${b} is outside TLC's 32-bit integers`, loc);
    return r;
  });
}

function compare(name: string, sym: string, f: (a: number, b: number) => boolean): Native {
  return native2(name, (a, b, loc) => {
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new EvalError(`The arguments of ${sym} must be integers, found ${shortPrint(a)} and ${shortPrint(b)}`, loc);
    }
    return f(a, b);
  });
}

const naturals: Native[] = [
  native0('Nat', () => new NatSet()),
  arith('plus', '+', (a, b) => a + b),
  arith('minus', '-', (a, b) => a - b),
  arith('mul', '*', (a, b) => a * b),
  arith('pow', '^', (a, b, loc) => {
    if (b < 0) throw new EvalError(`The exponent of ^ must be a natural number, found ${b}`, loc);
    return a ** b;
  }),
  compare('lt', '<', (a, b) => a < b),
  compare('gt', '>', (a, b) => a > b),
  compare('leq', '=<', (a, b) => a <= b),
  compare('geq', '>=', (a, b) => a >= b),
  arith('mod', '%', (a, b, loc) => {
    if (b <= 0) throw new EvalError(`The second argument of % must be a positive integer, found ${b}`, loc);
    return ((a % b) + b) % b;
  }),
  arith('div', '\\div', (a, b, loc) => {
    if (b === 0) throw new EvalError('The second argument of \\div is 0', loc);
    return Math.floor(a / b);
  }),
  native2('dots_2', (a, b, loc) => {
    if (typeof a !== 'number' || typeof b !== 'number')
      throw new EvalError(`The arguments of .. must be integers, found ${shortPrint(a)} and ${shortPrint(b)}`, loc);
    return new IntervalSet(a, b);
  }),
];

const integers: Native[] = [native0('Int', () => new IntSet()), native1('negative', (a, loc) => checkInt(-int(a, 'unary -', loc), `-${String(a)}`))];

function concat(a: Value, b: Value, loc: SourceLoc): Value {
  if (a instanceof Str && b instanceof Str) return str(a.s + b.s);
  const s = seq(a, '\\o', loc);
  const t = seq(b, '\\o', loc);
  if (t.vals.length === 0) return s;
  if (s.vals.length === 0) return t;
  return tuple([...s.vals, ...t.vals]);
}

const sequences: Native[] = [
  native1('Seq', (a, loc) => new SeqSet(asSet(val(a, loc), 'Seq'))),
  native1('Len', (a, loc) => {
    if (a instanceof Str) return a.s.length;
    return seq(a, 'Len', loc).vals.length;
  }),
  native2('circ', concat),
  native2('Append', (s, e, loc) => {
    const q = seq(s, 'Append', loc);
    const vals = q.vals.slice();
    vals.push(e);
    return tuple(vals);
  }),
  native1('Head', (s, loc) => {
    const q = seq(s, 'Head', loc);
    if (q.vals.length === 0) throw new EvalError('Attempted to apply Head to the empty sequence', loc);
    return q.vals[0]!;
  }),
  native1('Tail', (s, loc) => {
    const q = seq(s, 'Tail', loc);
    if (q.vals.length === 0) throw new EvalError('Attempted to apply Tail to the empty sequence', loc);
    return tuple(q.vals.slice(1));
  }),
  {
    name: 'SubSeq',
    arity: 3,
    fn: (args, loc) => {
      const m = int(args[1]!, 'SubSeq', loc);
      const n = int(args[2]!, 'SubSeq', loc);
      const a = val(args[0]!, loc);
      if (a instanceof Str) {
        if (m > n) return str('');
        if (m < 1 || n > a.s.length) throw new EvalError(`SubSeq: ${m}..${n} is outside the string of length ${a.s.length}`, loc);
        return str(a.s.slice(m - 1, n));
      }
      const q = seq(a, 'SubSeq', loc);
      if (m > n) return EMPTY_TUPLE;
      if (m < 1 || n > q.vals.length) throw new EvalError(`SubSeq: ${m}..${n} is outside the sequence of length ${q.vals.length}`, loc);
      return tuple(q.vals.slice(m - 1, n));
    },
  },
  {
    name: 'SelectSeq',
    arity: 2,
    argArities: [0, 1],
    fn: (args, loc) => {
      const q = seq(args[0]!, 'SelectSeq', loc);
      const test = op(args[1]!, 1, 'SelectSeq', loc);
      return tuple(q.vals.filter((x) => bool(test.call([x]), 'SelectSeq test', loc)));
    },
  },
];

const finiteSets: Native[] = [
  native1('IsFiniteSet', (s, loc) => isFiniteSet(asSet(val(s, loc), 'IsFiniteSet'))),
  native1('Cardinality', (s, loc) => {
    const set = asSet(val(s, loc), 'Cardinality');
    if (!isFiniteSet(set)) throw new EvalError(`Attempted to compute the cardinality of the infinite set ${shortPrint(set)}`, loc);
    return cardinality(set);
  }),
];

function fcnOf(v: Value, what: string, loc: SourceLoc): Fcn {
  if (!isFcn(v)) throw new EvalError(`${what}: expected a function, found ${shortPrint(v)}`, loc);
  return toFcnValue(v);
}

/** A function from normalized-or-not key/value pairs (later pairs lose to earlier ones). */
export function fcnFromPairs(keys: Value[], vals: Value[]): FcnValue {
  const order = keys.map((_, i) => i);
  const set = setOf(keys.slice());
  const dom = domainFromKeys(set.elems, set);
  const out = new Array<Value>(dom.size);
  const filled = new Array<boolean>(dom.size).fill(false);
  for (const i of order) {
    const j = dom.lookup(keys[i]!);
    if (!filled[j]) {
      out[j] = vals[i]!;
      filled[j] = true;
    }
  }
  return new FcnValue(dom, out);
}

function permutations(s: Value, loc: SourceLoc): Value {
  const elems = elementsOf(asSet(s, 'Permutations'));
  if (elems.length > 10) throw new EvalError(`Permutations of a set of ${elems.length} elements is too large`, loc);
  const set = setOf(elems.slice());
  const dom = set.asDomain();
  const out: Value[] = [];
  const perm = set.elems.slice();
  const rec = (k: number): void => {
    if (k === perm.length) {
      out.push(new FcnValue(dom, perm.slice()));
      return;
    }
    for (let i = k; i < perm.length; i++) {
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
      rec(k + 1);
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
    }
  };
  rec(0);
  return setOf(out);
}

const tlc: Native[] = [
  native2('map_to', (d, e) => fcnFromPairs([d], [e])),
  native2('compose', (f, g, loc) => {
    const a = fcnOf(f, '@@', loc);
    const b = fcnOf(g, '@@', loc);
    return fcnFromPairs([...a.dom.keys, ...b.dom.keys], [...a.vals, ...b.vals]);
  }),
  {
    name: 'Print',
    arity: 2,
    fn: (args, loc, rt) => {
      // TLC prints both arguments: out, two spaces, val.
      const v = val(args[1]!, loc);
      rt.print(`${printValue(val(args[0]!, loc))}  ${printValue(v)}`);
      return v;
    },
  },
  {
    name: 'PrintT',
    arity: 1,
    fn: (args, loc, rt) => {
      rt.print(printValue(val(args[0]!, loc)));
      return true;
    },
  },
  {
    name: 'Assert',
    arity: 2,
    fn: (args, loc) => {
      const v = val(args[0]!, loc);
      if (v === true) return true;
      if (v !== false) throw new EvalError(`The first argument of Assert must be a boolean, found ${shortPrint(v)}`, loc);
      const out = val(args[1]!, loc);
      throw new AssertionFailure(`The first argument of Assert evaluated to FALSE; the second argument was:\n${printValue(out)}`, loc);
    },
  },
  { name: 'JavaTime', arity: 0, fn: (_a, loc) => unsupported('JavaTime (a wall-clock value)', loc) },
  { name: 'TLCGet', arity: 1, fn: (_a, loc) => unsupported('TLCGet', loc) },
  { name: 'TLCSet', arity: 2, fn: (_a, loc) => unsupported('TLCSet', loc) },
  { name: 'RandomElement', arity: 1, fn: (_a, loc) => unsupported('RandomElement (nondeterministic)', loc) },
  { name: 'Any', arity: 0, fn: (_a, loc) => unsupported('Any', loc) },
  native1('Permutations', permutations),
  native1('ToString', (v) => str(printValue(v))),
  native1('TLCEval', (v) => v),
  {
    name: 'SortSeq',
    arity: 2,
    argArities: [0, 2],
    fn: (args, loc) => {
      const q = seq(args[0]!, 'SortSeq', loc);
      const less = op(args[1]!, 2, 'SortSeq', loc);
      const vals = q.vals.slice();
      vals.sort((a, b) => (bool(less.call([a, b]), 'SortSeq', loc) ? -1 : bool(less.call([b, a]), 'SortSeq', loc) ? 1 : 0));
      return tuple(vals);
    },
  },
];

function unsupported(what: string, loc: SourceLoc): never {
  throw new UnsupportedError(what, loc);
}

function bag(v: Value, what: string, loc: SourceLoc): Fcn {
  return fcnOf(v, what, loc);
}

const bags: Native[] = [
  native1('IsABag', (b) => isFcn(b) && toFcnValue(b).vals.every((n) => typeof n === 'number' && n > 0)),
  native1('BagToSet', (b, loc) => bag(b, 'BagToSet', loc).dom.asSet()),
  native1('SetToBag', (s) => {
    const set = setOf(elementsOf(asSet(s, 'SetToBag')).slice());
    return new FcnValue(
      set.asDomain(),
      set.elems.map(() => 1),
    );
  }),
  native2('BagIn', (e, b, loc) => bag(b, 'BagIn', loc).dom.lookup(e) >= 0),
  native0('EmptyBag', () => EMPTY_TUPLE),
  native2('oplus', (a, b, loc) => {
    const x = bag(a, '(+)', loc);
    const y = bag(b, '(+)', loc);
    const keys = [...x.dom.keys, ...y.dom.keys];
    const set = setOf(keys.slice());
    const vals = set.elems.map((k) => {
      const i = x.dom.lookup(k);
      const j = y.dom.lookup(k);
      return (i >= 0 ? (x.vals[i] as number) : 0) + (j >= 0 ? (y.vals[j] as number) : 0);
    });
    return new FcnValue(domainFromKeys(set.elems, set), vals);
  }),
  native2('ominus', (a, b, loc) => {
    const x = bag(a, '(-)', loc);
    const y = bag(b, '(-)', loc);
    const keys: Value[] = [];
    const vals: Value[] = [];
    x.dom.keys.forEach((k, i) => {
      const j = y.dom.lookup(k);
      const n = (x.vals[i] as number) - (j >= 0 ? (y.vals[j] as number) : 0);
      if (n > 0) {
        keys.push(k);
        vals.push(n);
      }
    });
    return fcnFromPairs(keys, vals);
  }),
  native1('BagCardinality', (b, loc) => bag(b, 'BagCardinality', loc).vals.reduce<number>((s, n) => s + (n as number), 0)),
  native2('CopiesIn', (e, b, loc) => {
    const f = bag(b, 'CopiesIn', loc);
    const i = f.dom.lookup(e);
    return i >= 0 ? f.vals[i]! : 0;
  }),
  native2('sqsubseteq', (a, b, loc) => {
    const x = bag(a, '\\sqsubseteq', loc);
    const y = bag(b, '\\sqsubseteq', loc);
    return x.dom.keys.every((k, i) => {
      const j = y.dom.lookup(k);
      return j >= 0 && (x.vals[i] as number) <= (y.vals[j] as number);
    });
  }),
  native1('BagUnion', (s, loc) => {
    let acc: Fcn = EMPTY_TUPLE;
    for (const b of elementsOf(asSet(s, 'BagUnion'))) acc = bags.find((n) => n.name === 'oplus')!.fn2!(acc, b, loc) as Fcn;
    return acc;
  }),
  native1('SubBag', (b, loc) => {
    const f = bag(b, 'SubBag', loc);
    let acc: { keys: Value[]; vals: Value[] }[] = [{ keys: [], vals: [] }];
    f.dom.keys.forEach((k, i) => {
      const next: typeof acc = [];
      for (const partial of acc) {
        next.push(partial);
        for (let n = 1; n <= (f.vals[i] as number); n++) next.push({ keys: [...partial.keys, k], vals: [...partial.vals, n] });
      }
      acc = next;
    });
    return setOf(acc.map((p) => fcnFromPairs(p.keys, p.vals)));
  }),
  {
    name: 'BagOfAll',
    arity: 2,
    argArities: [1, 0],
    fn: (args, loc) => {
      const F = op(args[0]!, 1, 'BagOfAll', loc);
      const f = bag(val(args[1]!, loc), 'BagOfAll', loc);
      const keys: Value[] = [];
      const counts: number[] = [];
      f.dom.keys.forEach((k, i) => {
        const y = F.call([k]);
        const j = keys.findIndex((x) => eq(x, y));
        if (j >= 0) counts[j]! += f.vals[i] as number;
        else {
          keys.push(y);
          counts.push(f.vals[i] as number);
        }
      });
      return fcnFromPairs(keys, counts);
    },
  },
];

export const STANDARD_MODULES: ReadonlyMap<string, StandardModule> = new Map(
  [
    { name: 'Naturals', extends: [], natives: naturals },
    { name: 'Integers', extends: ['Naturals'], natives: integers },
    { name: 'Sequences', extends: [], natives: sequences },
    { name: 'FiniteSets', extends: [], natives: finiteSets },
    { name: 'TLC', extends: [], natives: tlc },
    { name: 'Bags', extends: ['TLC'], natives: bags },
    { name: 'TLAPS', extends: [], natives: [] },
    ...COMMUNITY_MODULES,
  ].map((m) => [m.name, m]),
);

/** Modules TLC ships that the embedded checker does not implement. */
export const UNSUPPORTED_STANDARD = new Set(['Reals', 'RealTime', 'Randomization', 'TLCExt', 'Json', 'Toolbox']);
