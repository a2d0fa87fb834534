import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shrinkSteps } from '../../conformance/shrink.js';

describe('shrinkSteps (delta debugging over trace steps)', () => {
  it('finds the minimal subsequence when the failure needs a fixed set of steps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 4 }),
        (noise, needed) => {
          const trace = [...noise, ...needed];
          const fails = (c: readonly number[]) => needed.every((n) => c.includes(n));
          const r = shrinkSteps(trace, fails);
          expect(fails(r.steps)).toBe(true);
          expect(r.steps.length).toBe(needed.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps the order of the steps it keeps (later steps depend on earlier ones)', () => {
    const trace = ['create', 'x', 'copy', 'y', 'delete', 'z'];
    const fails = (c: readonly string[]) => {
      const i = c.indexOf('create');
      const j = c.indexOf('delete');
      return i >= 0 && j > i;
    };
    expect(shrinkSteps(trace, fails).steps).toEqual(['create', 'delete']);
  });

  it('stops at the replay budget', () => {
    let calls = 0;
    const r = shrinkSteps(
      Array.from({ length: 100 }, (_, i) => i),
      () => (calls++, false),
      10,
    );
    expect(r.replays).toBeLessThanOrEqual(10);
    expect(calls).toBe(r.replays);
    expect(r.steps.length).toBe(100);
  });
});
