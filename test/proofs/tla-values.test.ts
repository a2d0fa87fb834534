// TLC's value semantics: canonical set order, equality of records/tuples/functions, hashing
// consistent with equality, TLC's order across kinds, fingerprint set and TLC's rendering of the
// collision estimate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collisionProbability, FingerprintSet, formatProbability } from '../../proofs/tla-tools-runner/check/fpset.js';
import { compareStates, isGroup, permutationOf, Symmetry } from '../../proofs/tla-tools-runner/check/symmetry.js';
import { EvalError } from '../../proofs/tla-tools-runner/errors.js';
import { fcnFromPairs } from '../../proofs/tla-tools-runner/eval/natives.js';
import { FcnSet, IntervalSet, NatSet, PowerSet, ProductSet, RcdSet, SeqSet, StringSet } from '../../proofs/tla-tools-runner/values/lazy-sets.js';
import { printValue } from '../../proofs/tla-tools-runner/values/print.js';
import { bigUnion, difference, intersect, subseteq, union } from '../../proofs/tla-tools-runner/values/sets.js';
import {
  checkInt,
  cmp,
  eq,
  eqChecked,
  hash1,
  hash2,
  member,
  modelValue,
  record,
  resetInterning,
  setOf,
  str,
  tuple,
  type Value,
  internName,
  FcnValue,
} from '../../proofs/tla-tools-runner/values/value.js';

resetInterning();

const arbValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -5, max: 5 }),
    fc.boolean(),
    fc.constantFrom('a', 'b', 'c').map((s) => str(s)),
    fc.constantFrom('p1', 'p2').map((n) => modelValue(n)),
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }).map((xs) => setOf(xs)),
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => tuple(xs)),
    fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.boolean() }).map((r) => record([str('a'), str('b')], [r.a, r.b])),
  ),
})).v;

describe('values: TLC equalities', () => {
  it('a tuple is the function on 1..n: [i \\in 1..2 |-> 0] = <<0, 0>>', () => {
    const f = new FcnValue(setOf([1, 2]).asDomain(), [0, 0]);
    expect(eq(f, tuple([0, 0]))).toBe(true);
    expect(printValue(f)).toBe('<<0, 0>>');
  });
  it('a record is the function on strings, whatever the field order', () => {
    const r1 = record([str('b'), str('a')], [2, 1]);
    const r2 = fcnFromPairs([str('a'), str('b')], [1, 2]);
    expect(eq(r1, r2)).toBe(true);
    expect(hash1(r1)).toBe(hash1(r2));
  });
  it('the empty function, tuple and record are the same value <<>>', () => {
    expect(eq(tuple([]), fcnFromPairs([], []))).toBe(true);
    expect(printValue(record([], []))).toBe('<<>>');
  });
  it('sets are normalized: order and duplicates do not matter', () => {
    expect(printValue(setOf([3, 1, 2, 1]))).toBe('{1, 2, 3}');
    expect(eq(setOf([str('b'), str('a')]), setOf([str('a'), str('b'), str('a')]))).toBe(true);
  });
  it('= between different kinds is an error (TLC: "Attempted to check equality of integer ..."), model values excepted', () => {
    expect(() => eqChecked(1, str('a'))).toThrow(EvalError);
    expect(eqChecked(modelValue('p1'), 1)).toBe(false);
    expect(eq(1, str('a'))).toBe(false);
  });
  it('model values sort before every other value; strings by first interning', () => {
    expect(cmp(modelValue('p1'), 0)).toBeLessThan(0);
    expect(cmp(0, modelValue('p1'))).toBeGreaterThan(0);
    internName('zz');
    internName('aa');
    expect(cmp(str('zz'), str('aa'))).toBeLessThan(0);
    expect(() => cmp(1, str('x'))).toThrow(/compare integer 1 with string/);
  });
  it('sets compare by size first, functions by domain then values (TLC compareTo)', () => {
    expect(cmp(setOf([9]), setOf([1, 2]))).toBeLessThan(0);
    expect(cmp(tuple([5]), tuple([1, 1]))).toBeLessThan(0);
    expect(cmp(tuple([1, 2]), tuple([1, 3]))).toBeLessThan(0);
  });
  it('equal values hash equally and compare as 0 (property)', () => {
    fc.assert(
      fc.property(arbValue, arbValue, (a, b) => {
        const same = eq(a, b);
        if (same) {
          expect(hash1(a)).toBe(hash1(b));
          expect(hash2(a)).toBe(hash2(b));
        }
        let c: number;
        try {
          c = cmp(a, b);
        } catch {
          return; // values of different kinds: TLC refuses to compare them too
        }
        expect(c === 0).toBe(same);
        expect(Math.sign(cmp(b, a)) + Math.sign(c)).toBe(0);
      }),
      { numRuns: 500, seed: 42 },
    );
  });
  it('TLC integers are 32-bit: overflow is an error', () => {
    expect(checkInt(2147483647, 'x')).toBe(2147483647);
    expect(() => checkInt(2147483648, 'x')).toThrow(/Overflow/);
  });
});

describe('values: sets', () => {
  it('union, intersection and difference of finite sets', () => {
    expect(printValue(union(setOf([1, 3]), setOf([2, 3])))).toBe('{1, 2, 3}');
    expect(printValue(union(setOf([1, 3]), setOf([0])))).toBe('{0, 1, 3}');
    expect(printValue(intersect(setOf([1, 2, 3]), setOf([2, 9])))).toBe('{2}');
    expect(printValue(difference(setOf([1, 2, 3]), setOf([2])))).toBe('{1, 3}');
    expect(printValue(bigUnion(setOf([setOf([1]), setOf([2, 3])])))).toBe('{1, 2, 3}');
  });
  it('infinite sets answer membership without enumerating', () => {
    const s = union(new NatSet(), setOf([-1]));
    expect(member(-1, s)).toBe(true);
    expect(member(-2, s)).toBe(false);
    expect(member(str('x'), new StringSet())).toBe(true);
    expect(member(tuple([1, 2]), new SeqSet(new NatSet()))).toBe(true);
    expect(member(tuple([-1]), new SeqSet(new NatSet()))).toBe(false);
    expect(() => new NatSet().enumerate()).toThrow(/infinite/);
    expect(subseteq(setOf([1, 2]), new NatSet())).toBe(true);
    expect(member(3, intersect(new NatSet(), new IntervalSet(2, 5)))).toBe(true);
    expect(member(3, difference(new NatSet(), setOf([3])))).toBe(false);
  });
  it('[S -> T], [a : S], S \\X T and SUBSET S: membership and enumeration agree', () => {
    const fs = new FcnSet(setOf([1, 2]), setOf([false, true]));
    expect(fs.size()).toBe(4);
    for (const f of fs.enumerate().elems) expect(fs.member(f)).toBe(true);
    expect(fs.member(tuple([true]))).toBe(false);
    const rs = new RcdSet([str('a')], [setOf([1, 2])]);
    expect(printValue(rs)).toBe('{[a |-> 1], [a |-> 2]}');
    expect(rs.member(record([str('a')], [3]))).toBe(false);
    const ps = new ProductSet([setOf([1]), setOf([2, 3])]);
    expect(printValue(ps)).toBe('{<<1, 2>>, <<1, 3>>}');
    expect(ps.member(tuple([1, 3]))).toBe(true);
    const pw = new PowerSet(setOf([1, 2]));
    expect(pw.size()).toBe(4);
    expect(printValue(pw)).toBe('{{}, {1}, {2}, {1, 2}}');
    expect(pw.member(setOf([2]))).toBe(true);
    expect(pw.member(setOf([3]))).toBe(false);
  });
});

describe('fingerprint set (64-bit fingerprints, parent pointers)', () => {
  it('adds each fingerprint once, grows, and walks parents back to an initial state', () => {
    const fps = new FingerprintSet(16);
    for (let i = 0; i < 5000; i++) expect(fps.add(i * 7919, i ^ 0x5bd1e995, i - 1)).toBe(i);
    expect(fps.add(7919 * 10, 10 ^ 0x5bd1e995, 0)).toBe(-1);
    expect(fps.size).toBe(5000);
    expect(fps.has(7919 * 4999, 4999 ^ 0x5bd1e995)).toBe(true);
    expect(fps.has(1, 1)).toBe(false);
    expect(fps.pathTo(3)).toEqual([0, 1, 2, 3]);
    expect(fps.fingerprintOf(2)).toEqual([7919 * 2, (2 ^ 0x5bd1e995) >>> 0]);
    expect(fps.bytes).toBeGreaterThan(5000 * 12);
  });
  it("estimates the collision probability as TLC: distinct * (generated - distinct) / 2^64, printed with 2 significant digits", () => {
    expect(collisionProbability(288, 1146)).toBeCloseTo((288 * 858) / 2 ** 64, 30);
    // Values TLC printed for these counts (fixtures/tlc-output).
    expect(formatProbability(collisionProbability(4, 5))).toBe('2.2E-19');
    expect(formatProbability(collisionProbability(196, 409))).toBe('2.3E-15');
    expect(formatProbability(0)).toBe('0.0');
    // TLC's ProbabilityToString drops the leading zero of numbers below 1.
    expect(formatProbability(0.25)).toBe('.25');
    expect(formatProbability(0.0196)).toBe('.020');
    expect(formatProbability(1.5)).toBe('1.5');
  });
});

describe('symmetry (TLC: the smallest permuted state)', () => {
  it('maps every permutation of a state to the same representative', () => {
    const [a, b, c] = [modelValue('a'), modelValue('b'), modelValue('c')];
    const elems = [a, b, c];
    const perms: FcnValue[] = [];
    const permute = (xs: Value[], k: number): void => {
      if (k === xs.length) perms.push(fcnFromPairs(elems, xs.slice()));
      for (let i = k; i < xs.length; i++) {
        [xs[k], xs[i]] = [xs[i]!, xs[k]!];
        permute(xs, k + 1);
        [xs[k], xs[i]] = [xs[i]!, xs[k]!];
      }
    };
    permute(elems.slice(), 0);
    const sym = new Symmetry(perms.map(permutationOf));
    expect(isGroup(perms.map(permutationOf))).toBe(true);
    // Permutations({a, b}) \cup Permutations({c, d}) is not closed under composition.
    const [d] = [modelValue('d')];
    const union = [fcnFromPairs([a, b], [b, a]), fcnFromPairs([a, b], [a, b]), fcnFromPairs([c, d], [d, c]), fcnFromPairs([c, d], [c, d])];
    expect(isGroup(union.map(permutationOf))).toBe(false);
    const s1 = [fcnFromPairs([a, b, c], [1, 0, 0]), setOf([a])];
    const s2 = [fcnFromPairs([a, b, c], [0, 0, 1]), setOf([c])];
    expect(compareStates(sym.canonical(s1), sym.canonical(s2))).toBe(0);
    const s3 = [fcnFromPairs([a, b, c], [0, 0, 1]), setOf([a])];
    expect(compareStates(sym.canonical(s1), sym.canonical(s3))).not.toBe(0);
    // Values without model values are left alone; functions on the symmetry set move their values.
    const t1 = tuple([1]);
    expect(sym.permute(t1, permutationOf(perms[1]!))).toBe(t1);
    const swap = permutationOf(fcnFromPairs([a, b, c], [b, a, c]));
    expect(eq(sym.permute(fcnFromPairs([a, b, c], [1, 2, 3]), swap), fcnFromPairs([a, b, c], [2, 1, 3]))).toBe(true);
    expect(eq(sym.permute(fcnFromPairs([a], [b]), swap), fcnFromPairs([b], [a]))).toBe(true);
  });
});
