// Breadth-first model checking, following TLC's ModelChecker: ASSUMEs first; then every initial
// state; then each state's successors. A successor that satisfies the CONSTRAINTs is added to
// the fingerprint set; every new successor (and every one outside the constraints) is checked
// against the invariants; a state without any successor is a deadlock unless CHECK_DEADLOCK is
// FALSE. Counterexamples are the shortest, rebuilt from parent pointers by re-running Next.
import { EvalError, TlaError, type SourceLoc } from '../errors.js';
import type { ActionLabel, Frame } from '../eval/runtime.js';
import { fin1, fin2, mix1, mix2, SEED1, SEED2 } from '../values/hash.js';
import { hash1, hash2, shortPrint, type Value } from '../values/value.js';
import { FingerprintSet } from './fpset.js';
import { EncodedStateQueue } from './state-queue.js';
import type { CheckModel } from './model.js';

export interface TraceStep {
  readonly action: ActionLabel | null;
  readonly state: readonly Value[];
}

export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'invariant'; readonly invariant: string; readonly initial: boolean; readonly trace: readonly TraceStep[] }
  | { readonly kind: 'deadlock'; readonly trace: readonly TraceStep[] }
  | { readonly kind: 'assumption'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'error'; readonly error: TlaError; readonly trace: readonly TraceStep[] }
  | { readonly kind: 'limit'; readonly limit: number };

export interface ExploreResult {
  readonly outcome: Outcome;
  readonly generated: number;
  readonly distinct: number;
  readonly queueLeft: number;
  readonly depth: number;
  readonly initialDistinct: number;
  readonly fingerprintBytes: number;
  readonly durationMs: number;
}

export interface ExploreOptions {
  /** Stop after this many distinct states (the result is then incomplete). */
  readonly maxStates?: number;
  /** Called about every `progressEvery` distinct states. */
  readonly onProgress?: (p: { generated: number; distinct: number; queue: number; depth: number; ms: number }) => void;
  readonly progressEveryMs?: number;
  /** Keep the frontier as encoded integers (default) rather than as value objects. */
  readonly compactQueue?: boolean;
}

class Stop {
  constructor(readonly outcome: Outcome) {}
}

interface Frontier {
  readonly length: number;
  push(state: readonly Value[], id: number): void;
  shift(out: { id: number }): readonly Value[];
}

/** A FIFO of state objects in fixed-size chunks (the uncompressed alternative). */
class StateQueue implements Frontier {
  private chunks: { states: (readonly Value[])[]; ids: number[] }[] = [{ states: [], ids: [] }];
  private head = 0;
  private count = 0;
  private static readonly CHUNK = 4096;
  get length(): number {
    return this.count;
  }
  push(state: readonly Value[], id: number): void {
    let last = this.chunks[this.chunks.length - 1]!;
    if (last.states.length === StateQueue.CHUNK) {
      last = { states: [], ids: [] };
      this.chunks.push(last);
    }
    last.states.push(state);
    last.ids.push(id);
    this.count++;
  }
  /** Removes the oldest entry; `out` receives its id. */
  shift(out: { id: number }): readonly Value[] {
    const c = this.chunks[0]!;
    const s = c.states[this.head]!;
    out.id = c.ids[this.head]!;
    c.states[this.head] = undefined as unknown as Value[];
    this.head++;
    this.count--;
    if (this.head === StateQueue.CHUNK || (this.head === c.states.length && this.chunks.length > 1)) {
      this.chunks.shift();
      this.head = 0;
    }
    return s;
  }
}

export class Explorer {
  private readonly fps = new FingerprintSet();
  private h1 = 0;
  private h2 = 0;
  private readonly n: number;
  private readonly frames: { init: Frame; next: Frame; inv: Frame[]; con: Frame[]; acon: Frame[]; view: Frame | null };

  constructor(private readonly m: CheckModel) {
    this.n = m.variables.length;
    this.frames = {
      init: new Array(m.init.frameSize()),
      next: new Array(m.next.frameSize()),
      inv: m.invariants.map((i) => new Array(i.frameSize())),
      con: m.constraints.map((c) => new Array(c.frameSize())),
      acon: m.actionConstraints.map((c) => new Array(c.frameSize())),
      view: m.view === null ? null : new Array(m.view.frameSize()),
    };
  }

  /** Fingerprint of a state (after symmetry and VIEW) into this.h1/this.h2. */
  private fingerprint(state: readonly Value[]): void {
    let s = state;
    if (this.m.symmetry !== null) s = this.m.symmetry.canonical(s);
    if (this.m.view !== null) {
      const rt = this.m.rt;
      const saved = rt.cur;
      rt.cur = s as Value[];
      try {
        s = [this.m.view.fn(this.frames.view!)];
      } finally {
        rt.cur = saved;
      }
    }
    let a = SEED1;
    let b = SEED2;
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      const x1 = hash1(v);
      const x2 = hash2(v);
      a = mix1(mix1(a, x1), x2);
      b = mix2(mix2(b, x2), x1);
    }
    this.h1 = fin1(mix1(a, s.length));
    this.h2 = fin2(mix2(b, s.length));
  }

  private holds(fns: readonly { fn: (f: Frame) => Value; name: string; loc: SourceLoc }[], frames: Frame[], what: string): number {
    for (let i = 0; i < fns.length; i++) {
      const v = fns[i]!.fn(frames[i]!);
      if (v === false) return i;
      if (v !== true) throw new EvalError(`the ${what} ${fns[i]!.name} evaluated to ${shortPrint(v)}, not a boolean`, fns[i]!.loc);
    }
    return -1;
  }

  /** Evaluates state predicates with `state` as the current state. */
  private withCurrent<T>(state: readonly Value[], f: () => T): T {
    const rt = this.m.rt;
    const saved = rt.cur;
    rt.cur = state as Value[];
    try {
      return f();
    } finally {
      rt.cur = saved;
    }
  }

  private inModel(state: readonly Value[]): boolean {
    if (this.m.constraints.length === 0) return true;
    return this.withCurrent(state, () => this.holds(this.m.constraints, this.frames.con, 'constraint') < 0);
  }

  private actionInModel(cur: readonly Value[], next: readonly Value[]): boolean {
    if (this.m.actionConstraints.length === 0) return true;
    const rt = this.m.rt;
    const saved = rt.nxt;
    rt.nxt = next.slice();
    try {
      return this.withCurrent(cur, () => this.holds(this.m.actionConstraints, this.frames.acon, 'action constraint') < 0);
    } finally {
      rt.nxt = saved;
    }
  }

  private violated(state: readonly Value[]): number {
    if (this.m.invariants.length === 0) return -1;
    return this.withCurrent(state, () => this.holds(this.m.invariants, this.frames.inv, 'invariant'));
  }

  /** All initial states (TLC's order of enumeration), with incomplete assignments reported. */
  private initialStates(): (readonly Value[])[] {
    const rt = this.m.rt;
    const out: (readonly Value[])[] = [];
    rt.cur = [];
    rt.nxt = new Array(this.n);
    this.m.init.fn(this.frames.init, () => {
      for (let i = 0; i < this.n; i++) {
        if (rt.nxt[i] === undefined) throw new EvalError(`The initial predicate does not assign a value to the variable ${this.m.variables[i]}`, this.m.init.loc);
      }
      out.push(rt.nxt.slice() as Value[]);
    });
    return out;
  }

  /** The successors of `state`, with the action that produced each when `labels` is given. */
  private successors(state: readonly Value[], labels: (ActionLabel | null)[] | null): (readonly Value[])[] {
    const rt = this.m.rt;
    const out: (readonly Value[])[] = [];
    rt.cur = state as Value[];
    rt.nxt = new Array(this.n);
    rt.label = null;
    this.m.next.fn(this.frames.next, () => {
      for (let i = 0; i < this.n; i++) {
        if (rt.nxt[i] === undefined) {
          const action = rt.label === null ? this.m.next.name : rt.label.name;
          throw new EvalError(`Successor state is not completely specified by action ${action}: the variable ${this.m.variables[i]} is not assigned`, rt.label?.loc ?? this.m.next.loc);
        }
      }
      out.push(rt.nxt.slice() as Value[]);
      if (labels !== null) labels.push(rt.label);
    });
    return out;
  }

  run(options: ExploreOptions = {}): ExploreResult {
    const t0 = performance.now();
    let generated = 0;
    let depth = 0;
    let initialDistinct = 0;
    const queue: Frontier = options.compactQueue === false ? new StateQueue() : new EncodedStateQueue(this.n);
    const fps = this.fps;
    const maxStates = options.maxStates ?? Infinity;
    let lastProgress = t0;
    const every = options.progressEveryMs ?? 60_000;
    const finish = (outcome: Outcome): ExploreResult => ({
      outcome,
      generated,
      distinct: fps.size,
      queueLeft: queue.length,
      depth,
      initialDistinct,
      fingerprintBytes: fps.bytes,
      durationMs: performance.now() - t0,
    });

    // ASSUME
    for (const a of this.m.assumes) {
      let v: Value;
      try {
        v = a.fn(new Array(a.frameSize()));
      } catch (e) {
        if (e instanceof TlaError) return finish({ kind: 'error', error: e, trace: [] });
        throw e;
      }
      if (v !== true) {
        if (v !== false) return finish({ kind: 'error', error: new EvalError(`the assumption evaluated to ${shortPrint(v)}, not a boolean`, a.loc), trace: [] });
        return finish({ kind: 'assumption', name: a.name, loc: a.loc });
      }
    }

    let curId = -1;
    try {
      // Initial states
      let inits: (readonly Value[])[];
      try {
        inits = this.initialStates();
      } catch (e) {
        if (e instanceof TlaError) throw new Stop({ kind: 'error', error: e, trace: [] });
        throw e;
      }
      for (const s of inits) {
        generated++;
        let id = -1;
        if (this.inModel(s)) {
          this.fingerprint(s);
          id = fps.add(this.h1, this.h2, -1);
          if (id < 0) continue;
          queue.push(s, id);
        }
        const bad = this.violated(s);
        if (bad >= 0) throw new Stop({ kind: 'invariant', invariant: this.m.invariants[bad]!.name, initial: true, trace: [{ action: null, state: s }] });
      }
      initialDistinct = fps.size;
      if (queue.length > 0) depth = 1;

      // Breadth-first search
      let levelLeft = queue.length;
      let nextLevel = 0;
      const out = { id: 0 };
      while (queue.length > 0) {
        const s = queue.shift(out);
        curId = out.id;
        let succs: (readonly Value[])[];
        try {
          succs = this.successors(s, null);
        } catch (e) {
          if (e instanceof TlaError) throw new Stop({ kind: 'error', error: e, trace: this.trace(curId, null) });
          throw e;
        }
        generated += succs.length;
        for (const t of succs) {
          let unseen = true;
          let id = -1;
          if (this.inModel(t) && this.actionInModel(s, t)) {
            this.fingerprint(t);
            id = fps.add(this.h1, this.h2, curId);
            unseen = id >= 0;
          }
          if (unseen) {
            const bad = this.violated(t);
            if (bad >= 0) throw new Stop({ kind: 'invariant', invariant: this.m.invariants[bad]!.name, initial: false, trace: this.trace(curId, t) });
            if (id >= 0) {
              queue.push(t, id);
              nextLevel++;
              if (fps.size >= maxStates) throw new Stop({ kind: 'limit', limit: maxStates });
            }
          }
        }
        if (succs.length === 0 && this.m.checkDeadlock) throw new Stop({ kind: 'deadlock', trace: this.trace(curId, null) });
        if (--levelLeft === 0 && nextLevel > 0) {
          depth++;
          levelLeft = nextLevel;
          nextLevel = 0;
        }
        if (options.onProgress !== undefined) {
          const now = performance.now();
          if (now - lastProgress >= every) {
            lastProgress = now;
            options.onProgress({ generated, distinct: fps.size, queue: queue.length, depth, ms: now - t0 });
          }
        }
      }
    } catch (e) {
      if (e instanceof Stop) {
        if (e.outcome.kind !== 'ok') return finish(e.outcome);
      }
      if (e instanceof TlaError) return finish({ kind: 'error', error: e, trace: curId >= 0 ? this.safeTrace(curId) : [] });
      throw e;
    }
    return finish({ kind: 'ok' });
  }

  private safeTrace(id: number): TraceStep[] {
    try {
      return this.trace(id, null);
    } catch {
      return [];
    }
  }

  /**
   * The shortest behavior to state `id` (then to `last`, a successor of it, if given): re-runs
   * Init and Next along the chain of parent pointers, matching fingerprints.
   */
  trace(id: number, last: readonly Value[] | null): TraceStep[] {
    const path = this.fps.pathTo(id);
    const steps: TraceStep[] = [];
    const matches = (s: readonly Value[], want: [number, number]): boolean => {
      this.fingerprint(s);
      return this.h1 >>> 0 === want[0] && this.h2 >>> 0 === want[1];
    };
    const first = this.initialStates().find((s) => matches(s, this.fps.fingerprintOf(path[0]!)));
    if (first === undefined) throw new Error('internal: the initial state of the trace was not found again');
    steps.push({ action: null, state: first });
    for (let i = 1; i < path.length; i++) {
      const labels: (ActionLabel | null)[] = [];
      const succs = this.successors(steps[i - 1]!.state, labels);
      const want = this.fps.fingerprintOf(path[i]!);
      const j = succs.findIndex((s) => matches(s, want));
      if (j < 0) throw new Error('internal: a state of the trace was not found again');
      steps.push({ action: labels[j] ?? null, state: succs[j]! });
    }
    if (last !== null) {
      const labels: (ActionLabel | null)[] = [];
      const succs = this.successors(steps[steps.length - 1]!.state, labels);
      this.fingerprint(last);
      const want: [number, number] = [this.h1 >>> 0, this.h2 >>> 0];
      const j = succs.findIndex((s) => matches(s, want));
      steps.push({ action: j >= 0 ? (labels[j] ?? null) : null, state: j >= 0 ? succs[j]! : last });
    }
    return steps;
  }
}
