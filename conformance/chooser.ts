// The generator's source of choices. The conformance runner backs it with
// fast-check's `gen` (seeded, reproducible); tests can back it with a fixed
// script. Every random decision of a generator goes through one of these.
import fc from 'fast-check';

export interface Chooser {
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T;
  /** An index chosen with the given weights (all ≥ 0, some > 0). */
  weighted(weights: readonly number[]): number;
}

// Every draw goes through one arbitrary with no arguments: fast-check's gen
// caches an arbitrary per distinct argument list and scans that cache
// linearly, which made per-range draws the runner's hottest path. Shrinking
// still works: raw values shrink towards 0, i.e. towards the lower bound.
const raw = () => fc.noBias(fc.nat(0x7fffffff));

export function genChooser(g: fc.GeneratorValue): Chooser {
  const uniform = (lo: number, hi: number) => (hi <= lo ? lo : lo + (g(raw) % (hi - lo + 1)));
  // Argument values lean towards the bounds and small values (slot 0, the
  // last slot, offset 0, the full size), as fast-check's own integers do;
  // choices between alternatives are uniform.
  const int = (lo: number, hi: number) => {
    if (hi <= lo) return lo;
    const r = uniform(0, 99);
    if (r < 5) return lo;
    if (r < 10) return hi;
    if (r < 25) return lo + uniform(0, Math.min(hi - lo, 16));
    return uniform(lo, hi);
  };
  return {
    int,
    chance: (p) => uniform(0, 9999) < p * 10000,
    pick: (xs) => xs[uniform(0, xs.length - 1)]!,
    weighted: (ws) => {
      const total = ws.reduce((a, b) => a + b, 0);
      let r = uniform(0, total - 1);
      for (let i = 0; i < ws.length; i++) {
        r -= ws[i]!;
        if (r < 0) return i;
      }
      return ws.length - 1;
    },
  };
}

/** A deterministic chooser over a seeded xorshift, for tests and tools that run without fast-check. */
export function seededChooser(seed: number): Chooser {
  let s = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const int = (lo: number, hi: number) => (hi <= lo ? lo : lo + (next() % (hi - lo + 1)));
  return {
    int,
    chance: (p) => next() / 2 ** 32 < p,
    pick: (xs) => xs[int(0, xs.length - 1)]!,
    weighted: (ws) => {
      const total = ws.reduce((a, b) => a + b, 0);
      let r = int(0, total - 1);
      for (let i = 0; i < ws.length; i++) {
        r -= ws[i]!;
        if (r < 0) return i;
      }
      return ws.length - 1;
    },
  };
}

/** What `drawMakers` found: the first thing a maker built, and the makers drawn before it that built nothing. */
export type Drawn<N, T> = { readonly made: T; readonly maker: N; readonly rejected: N[] } | { readonly made: undefined; readonly rejected: N[] };

/**
 * Draws a maker by weight and lets it build, up to `attempts` times, until
 * one builds something (a maker finds nothing to build from when, say, no
 * frame is alive to map).
 */
export function drawMakers<N, T>(c: Chooser, names: readonly N[], weights: readonly number[], attempts: number, make: (name: N) => T | undefined): Drawn<N, T> {
  const rejected: N[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const maker = names[c.weighted(weights)]!;
    const made = make(maker);
    if (made !== undefined) return { made, maker, rejected };
    rejected.push(maker);
  }
  return { made: undefined, rejected };
}
