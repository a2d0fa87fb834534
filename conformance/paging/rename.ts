// Replaying a subset of a trace's steps with their names carried along: the
// paging shrinker's predicate. A paging trace names slots and addresses that
// earlier steps produced (frame_alloc's slots, a map's free address), and the
// slot allocator hands out slots in order — so dropping one early
// frame_alloc renumbers every slot after it, and a plain replay of the
// shorter trace maps the wrong frame. Here every capref and address a kept
// step produced in the original run is renamed to what it produced in the
// replay, and addresses inside a produced region move with the region. The
// delta-debugging shrinker (../shrink.ts) stays generic; only its predicate
// knows about names.
import type { Capref } from '../../spec/kernel/capref.js';
import type { PagingOp } from '../../spec/paging/ops.js';
import { caprefKey } from '../../spec/mm/state.js';
import type { Failure } from '../trace.js';
import { checkPagingStep, checkWorld, worldOf } from './check.js';
import type { PagingFactories } from './stacks.js';
import { pagingOpOf, type PagingStep } from './trace.js';
import type { PagingConfig } from '../../spec/paging/config.js';

interface Moved {
  readonly from: number;
  readonly bytes: number;
  readonly to: number;
}

const isCapref = (x: unknown): x is Capref => typeof x === 'object' && x !== null && 'root' in x && 'cptr' in x && 'level' in x;

/** The slots each step of the original run produced, so that a name whose producer was dropped can be told apart. */
export type Producers = ReadonlyMap<string, PagingStep>;

export function producersOf(steps: readonly PagingStep[]): Producers {
  const out = new Map<string, PagingStep>();
  for (const s of steps) {
    if (s.result?.ok !== true) continue;
    const v = s.result.value as Record<string, unknown>;
    for (const k of ['frame', 'ram', 'slot']) if (isCapref(v[k])) out.set(caprefKey(v[k]), s);
  }
  return out;
}

class Names {
  private readonly caprefs = new Map<string, Capref>();
  private readonly moved: Moved[] = [];

  constructor(
    private readonly producers: Producers,
    private readonly kept: ReadonlySet<PagingStep>,
  ) {}

  /**
   * A name a kept step produced becomes what it produced now; a name whose
   * producer was dropped becomes a name of nothing (root 0), rather than
   * whatever now happens to sit in that slot — a shorter trace must not fail
   * by coincidence.
   */
  cap(c: Capref): Capref {
    const k = caprefKey(c);
    const renamed = this.caprefs.get(k);
    if (renamed !== undefined) return renamed;
    const producer = this.producers.get(k);
    return producer !== undefined && !this.kept.has(producer) ? { root: 0, cptr: c.cptr, level: c.level } : c;
  }

  /** An address inside a produced range, or right at its end (where off-by-one bugs live), moves with the range. */
  addr(va: number): number {
    for (let i = this.moved.length - 1; i >= 0; i--) {
      const m = this.moved[i]!;
      if (va >= m.from && va <= m.from + m.bytes) return m.to + (va - m.from);
    }
    return va;
  }

  learnCap(from: unknown, to: unknown): void {
    if (isCapref(from) && isCapref(to)) this.caprefs.set(caprefKey(from), to);
  }

  /** Later regions win: an address may have belonged to several regions over a trace. */
  learnAddr(from: number, bytes: number, to: number): void {
    this.moved.push({ from, bytes, to });
  }

  /** The step with every produced name replaced by the replay's. */
  rename(op: PagingOp): PagingOp {
    const walk = (x: unknown, key?: string): unknown => {
      if (isCapref(x)) return this.cap(x);
      if (typeof x === 'number' && key === 'vaddr') return this.addr(x);
      if (Array.isArray(x)) return x.map((y) => walk(y));
      if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, k)]));
      return x;
    };
    return walk(op) as PagingOp;
  }
}

export interface RenamedReplay {
  /** The steps as they ran (renamed), with the model's results. */
  readonly steps: PagingStep[];
  readonly failure?: Failure;
}

/**
 * Replays `steps` (each with the result it had in the original run) from boot,
 * renaming produced names as it goes. `producers` names the producing step of
 * every slot in the original run (default: these steps' own).
 */
export function replayRenamed(
  config: PagingConfig,
  stacks: PagingFactories,
  mutant: string | undefined,
  steps: readonly PagingStep[],
  producers: Producers = producersOf(steps),
): RenamedReplay {
  const pair = { model: stacks.model(config), impl: stacks.impl(config, mutant) };
  const names = new Names(producers, new Set(steps));
  let pre = worldOf(pair.model, config);
  const out: PagingStep[] = [];
  const boot = checkWorld(pre);
  if (boot !== undefined) return { steps: out, failure: { step: 0, ...boot, message: `the boot state: ${boot.message}` } };
  for (let i = 0; i < steps.length; i++) {
    const original = steps[i]!;
    const op = names.rename(pagingOpOf(original));
    const r = checkPagingStep(pair, pre, op);
    out.push(r.modelResult === undefined ? op : { ...op, result: r.modelResult });
    if (r.failure !== undefined) return { steps: out, failure: { step: i, ...r.failure } };
    pre = r.post!;
    const was = original.result;
    const now = r.modelResult;
    if (was?.ok !== true || now?.ok !== true) continue;
    const a = was.value as Record<string, unknown>;
    const b = now.value as Record<string, unknown>;
    for (const k of ['frame', 'ram', 'slot']) names.learnCap(a[k], b[k]);
    if (typeof a.vaddr === 'number' && typeof b.vaddr === 'number' && (op.op === 'reserve' || op.op === 'map')) {
      const bytes = op.op === 'reserve' ? op.bytes : (pre.paging.mappings.find((m) => m.vaddr === b.vaddr)?.bytes ?? 1);
      names.learnAddr(a.vaddr, bytes, b.vaddr);
    }
  }
  return { steps: out };
}
