// Replaying a subset of an mm trace with the names it produced carried
// along: the mm shrinker's predicate (the paging shrinker's idea,
// ../paging/rename.ts, for mm's names). An mm trace names slots that earlier
// steps handed out (an allocation's capability, slot_alloc's slot, a partial
// free's remainders) and addresses inside the ranges they granted (a partial
// free's range, a reclaim's base). Slots and placements are handed out in
// order, so dropping one early step renumbers everything after it and a
// plain replay of the shorter trace frees or deletes the wrong thing. Here
// every capref a kept step produced becomes what it produces in the replay,
// addresses inside a produced grant move with the grant, and a capref whose
// producer was dropped names nothing (a shorter trace must not fail by
// coincidence).
import type { Capref } from '../../spec/kernel/capref.js';
import type { MmOp, RamGrant } from '../../spec/mm/ops.js';
import { caprefKey } from '../../spec/mm/state.js';
import type { Failure } from '../trace.js';
import { checkMmStep, type MmPair } from './check.js';
import { worldOf } from './stack.js';
import { mmOpOf, type MmStep } from './trace.js';
import type { MmConfig } from '../../spec/mm/config.js';

const isCapref = (x: unknown): x is Capref => typeof x === 'object' && x !== null && 'root' in x && 'cptr' in x && 'level' in x;

/** What a successful step handed out: slots, and grants (a slot with the range it covers). */
function produced(step: MmStep): { caps: Capref[]; grants: RamGrant[] } {
  if (step.result?.ok !== true) return { caps: [], grants: [] };
  const v = step.result.value as Record<string, unknown>;
  switch (step.op) {
    case 'alloc':
      return { caps: [v.cap as Capref], grants: [v as unknown as RamGrant] };
    case 'free': {
      const rs = (v.remainders as RamGrant[] | undefined) ?? [];
      return { caps: rs.map((r) => r.cap), grants: rs };
    }
    case 'slot_alloc':
      return { caps: [v.slot as Capref], grants: [] };
    default:
      return { caps: [], grants: [] };
  }
}

/** The step of the original run that produced each slot (several over a trace: the last one before a use wins while replaying). */
export type MmProducers = ReadonlyMap<string, readonly MmStep[]>;

export function mmProducersOf(steps: readonly MmStep[]): MmProducers {
  const out = new Map<string, MmStep[]>();
  for (const s of steps) for (const c of produced(s).caps) (out.get(caprefKey(c)) ?? out.set(caprefKey(c), []).get(caprefKey(c))!).push(s);
  return out;
}

class Names {
  private readonly caprefs = new Map<string, Capref>();
  private readonly moved: { from: number; bytes: number; to: number }[] = [];
  /** Slots whose latest producer in the original run was a dropped step. */
  private readonly orphaned = new Set<string>();

  constructor(
    private readonly producers: MmProducers,
    private readonly kept: ReadonlySet<MmStep>,
  ) {}

  /** Before `step` runs: slots it names whose most recent producer (before it) was dropped name nothing. */
  enter(step: MmStep, index: Map<MmStep, number>): void {
    const at = index.get(step)!;
    for (const [k, ps] of this.producers) {
      const latest = ps.filter((p) => index.get(p)! < at).at(-1);
      if (latest !== undefined && !this.kept.has(latest)) this.orphaned.add(k);
      else this.orphaned.delete(k);
    }
  }

  cap(c: Capref): Capref {
    const k = caprefKey(c);
    if (this.orphaned.has(k)) return { root: 0, cptr: c.cptr, level: c.level };
    return this.caprefs.get(k) ?? c;
  }

  addr(a: number): number {
    for (let i = this.moved.length - 1; i >= 0; i--) {
      const m = this.moved[i]!;
      if (a >= m.from && a < m.from + m.bytes) return m.to + (a - m.from);
    }
    return a;
  }

  learn(was: MmStep, now: MmStep): void {
    const a = produced(was);
    const b = produced(now);
    a.caps.forEach((c, i) => b.caps[i] !== undefined && this.caprefs.set(caprefKey(c), b.caps[i]!));
    a.grants.forEach((g, i) => b.grants[i] !== undefined && this.moved.push({ from: g.base, bytes: g.bytes, to: b.grants[i]!.base }));
  }

  rename(op: MmOp): MmOp {
    const walk = (x: unknown): unknown => {
      if (isCapref(x)) return this.cap(x);
      if (Array.isArray(x)) return x.map(walk);
      if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
      return x;
    };
    const r = walk(op) as MmOp;
    if (r.op === 'reclaim') return { ...r, base: this.addr(r.base) };
    if (r.op === 'free' && r.range !== undefined) return { ...r, range: { ...r.range, base: this.addr(r.range.base) } };
    return r;
  }
}

/**
 * Replays `steps` (a subset of an original run's steps, each with the result
 * it had there) from boot on fresh stacks, renaming produced names as it goes.
 * Returns the steps as they ran and the first failure.
 */
export function replayMmRenamed(
  pair: MmPair,
  config: MmConfig,
  steps: readonly MmStep[],
  producers: MmProducers,
  order: ReadonlyMap<MmStep, number>,
): { steps: MmStep[]; failure?: Failure } {
  const names = new Names(producers, new Set(steps));
  const index = new Map(order);
  let pre = worldOf(pair.model, config);
  const out: MmStep[] = [];
  for (let i = 0; i < steps.length; i++) {
    const original = steps[i]!;
    names.enter(original, index);
    const op = names.rename(mmOpOf(original));
    const r = checkMmStep(pair, pre, op);
    const ran: MmStep = r.modelResult === undefined ? op : { ...op, result: r.modelResult };
    out.push(ran);
    if (r.failure !== undefined) return { steps: out, failure: { step: i, ...r.failure } };
    pre = r.post!;
    names.learn(original, ran);
  }
  return { steps: out };
}
