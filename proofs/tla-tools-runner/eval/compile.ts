// Compiles the AST to closures, once per (definition, context, mode).
//
// Values: `val(e)` gives `(frame) => Value`. Actions: `act(e)` gives `(frame, k) => void`,
// calling `k` once per way the action can hold, with its primed variables written into
// `rt.nxt` (TLC's rule: `x' = e` assigns on the first occurrence and tests afterwards,
// `x' \in S` enumerates, `\/` and `\E` fork). Init is compiled the same way with the unprimed
// variables as the ones being assigned.
//
// Modes say where variables are read from:
//   M_CONST  (ASSUME, constant definitions): no variables
//   M_STATE  (invariants, constraints, VIEW): the current state
//   M_INIT   (Init): the state being built, unprimed variables assignable
//   M_NEXT   (Next): unprimed from the current state, primed assignable
//   M_PRIMED (inside e'): the next state
import { EvalError, TlaParseError, UnsupportedError, type SourceLoc } from '../errors.js';
import type { Bound, Expr, FnDefUnit, OpDefUnit, Unit } from '../syntax/ast.js';
import { FcnSet, FilterSet, PowerSet, ProductSet, RcdSet } from '../values/lazy-sets.js';
import { bigUnion, difference, elementsOf, intersect, isFiniteSet, subseteq, union } from '../values/sets.js';
import {
  BOOLEAN_SET,
  DOM_SEQ,
  eq,
  eqChecked,
  FcnValue,
  isFcn,
  isSet,
  LazyFcn,
  type LazySet,
  member,
  recordDomain,
  SetValue,
  setOf,
  shortPrint,
  str,
  TAG_FCN,
  TAG_LFCN,
  TAG_SET,
  toFcnValue,
  tuple,
  type Value,
} from '../values/value.js';
import { StringSet } from '../values/lazy-sets.js';
import { FrameInfo, frameScope, type GlobalBinding, type LocalBinding, ModCtx, type ModuleGraph, Scope } from './context.js';
import type { Native } from './natives.js';
import { type ActFn, type Frame, OpClosure, Runtime, Thunk, UNEVALUATED, type ValFn } from './runtime.js';

export const M_CONST = 0;
export const M_STATE = 1;
export const M_INIT = 2;
export const M_NEXT = 3;
export const M_PRIMED = 4;
export type Mode = 0 | 1 | 2 | 3 | 4;

export const L_CONST = 0;
export const L_STATE = 1;
export const L_ACTION = 2;
export const L_TEMPORAL = 3;

export interface Env {
  readonly sc: Scope;
  readonly ctx: ModCtx;
  readonly mode: Mode;
}

interface CompiledDef {
  frame: FrameInfo;
  body: ValFn;
}

interface CompiledAct {
  frame: FrameInfo;
  act: ActFn;
}

interface DefEntry {
  val: (CompiledDef | undefined)[];
  act: (CompiledAct | undefined)[];
  actSplit: (CompiledAct | undefined)[];
  constValue?: { v: Value } | undefined;
}

/** How a use site finds the frame a definition hangs below (a parameterized instance's parameters). */
type ParentFn = (f: Frame) => Frame | null;

/** An operator argument: by value, an operator (OpClosure) or by name (Thunk). */
type ArgFn = (f: Frame) => Value | OpClosure | Thunk;

const ENABLED_FOUND = Symbol('enabled');

function walk(f: Frame, hops: number): Frame {
  for (let i = 0; i < hops; i++) f = f[0];
  return f;
}

function hopsTo(from: FrameInfo, target: FrameInfo): number {
  let h = 0;
  for (let fi: FrameInfo | null = from; fi !== null; fi = fi.parent, h++) if (fi === target) return h;
  return -1;
}

function boolOf(v: Value, what: string, loc: SourceLoc): boolean {
  if (v === true || v === false) return v;
  throw new EvalError(`${what} must be a boolean, found ${shortPrint(v)}`, loc);
}

function setArg(v: Value, what: string, loc: SourceLoc): SetValue | LazySet {
  if (!isSet(v)) throw new EvalError(`${what}: expected a set, found ${shortPrint(v)}`, loc);
  return v;
}

function enumerate(v: Value, what: string, loc: SourceLoc): readonly Value[] {
  const s = setArg(v, what, loc);
  if (s.tag === TAG_SET) return s.elems;
  if (!s.isFinite()) throw new EvalError(`${what}: cannot enumerate the infinite set ${s.describe()}`, loc);
  return s.elements();
}

export function applyFcn(fv: Value, arg: Value, loc: SourceLoc): Value {
  if (typeof fv === 'object') {
    if (fv.tag === TAG_FCN) {
      const i = fv.dom.lookup(arg);
      if (i >= 0) return fv.vals[i]!;
      throw new EvalError(`Attempted to apply function:\n${shortPrint(fv)}\nto argument ${shortPrint(arg)}, which is not in the domain of the function.`, loc);
    }
    if (fv.tag === TAG_LFCN) {
      const r = fv.apply(arg);
      if (r !== undefined) return r;
      throw new EvalError(`Attempted to apply function ${shortPrint(fv)} to argument ${shortPrint(arg)}, which is not in the domain of the function.`, loc);
    }
  }
  throw new EvalError(`Attempted to apply ${shortPrint(fv)}, which is not a function, to argument ${shortPrint(arg)}`, loc);
}

/** A built-in operator of TLA+ itself (not of a standard module). */
const CORE_OPS = new Set([
  'eq',
  'neq',
  'in',
  'notin',
  'lnot',
  'implies',
  'iff',
  'equiv',
  'subseteq',
  'cup',
  'cap',
  'setminus',
  'times',
  'prime',
  'unchanged',
  'enabled',
  'domain',
  'powerset',
  'union',
  'always',
  'eventually',
  'leads_to',
  'plus_arrow',
  'cdot',
]);
const TEMPORAL_OPS = new Set(['always', 'eventually', 'leads_to', 'plus_arrow']);
/** Expression kinds worth caching when constant (literals and names are cheap already). */
const MEMO_KINDS = new Set<Expr['k']>([
  'setEnum',
  'setFilter',
  'setMap',
  'fcn',
  'fcnSet',
  'recordSet',
  'record',
  'tuple',
  'op',
  'apply',
  'choose',
  'quant',
  'if',
  'case',
  'let',
  'except',
]);
/** Operators whose evaluation is observable: never cached. */
const SIDE_EFFECTS = new Set(['Print', 'PrintT', 'Assert', 'TLCSet', 'TLCGet', 'RandomElement', 'JavaTime', 'Any']);

export class Compiler {
  private readonly defs = new Map<object, Map<ModCtx, DefEntry>>();
  private readonly levels = new Map<object, Map<ModCtx, number>>();
  readonly nvars: number;

  constructor(
    readonly rt: Runtime,
    readonly graph: ModuleGraph,
  ) {
    this.nvars = graph.variables.length;
  }

  /** A fresh environment for compiling a top-level expression (invariant, ASSUME, ...). */
  topEnv(ctx: ModCtx, mode: Mode): Env {
    return { sc: frameScope(ctx.paramScope), ctx, mode };
  }

  private entry(def: object, ctx: ModCtx): DefEntry {
    let perCtx = this.defs.get(def);
    if (perCtx === undefined) {
      perCtx = new Map();
      this.defs.set(def, perCtx);
    }
    let e = perCtx.get(ctx);
    if (e === undefined) {
      e = { val: [], act: [], actSplit: [] };
      perCtx.set(ctx, e);
    }
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Levels: constant, state, action (primes), temporal

  level(e: Expr, env: Env): number {
    switch (e.k) {
      case 'num':
      case 'str':
      case 'bool':
      case 'at':
      case 'opRef':
      case 'unsupported':
        return L_CONST;
      case 'name': {
        let l = L_CONST;
        for (const a of e.args ?? []) l = Math.max(l, this.level(a, env));
        const local = env.sc.lookup(e.name);
        if (local !== undefined) {
          if (local.k === 'letVal' || local.k === 'letOp') return Math.max(l, this.defLevel(local.def, local.ctx, local.scope, env.mode));
          if (local.k === 'letFn') return Math.max(l, this.fnDefLevel(local.def, local.ctx, local.scope, env.mode));
          return l;
        }
        const g = env.ctx.get(e.name);
        return g === undefined ? l : Math.max(l, this.globalLevel(g, env.mode));
      }
      case 'inst': {
        let l = L_CONST;
        for (const p of e.path) for (const a of p.args) l = Math.max(l, this.level(a, env));
        for (const a of e.args ?? []) l = Math.max(l, this.level(a, env));
        try {
          const { binding } = this.resolvePath(e, env);
          return Math.max(l, this.globalLevel(binding, env.mode));
        } catch {
          return l;
        }
      }
      case 'op': {
        if (e.op === 'prime' || e.op === 'unchanged' || e.op === 'cdot') return L_ACTION;
        if (TEMPORAL_OPS.has(e.op)) return L_TEMPORAL;
        let l = L_CONST;
        for (const a of e.args) l = Math.max(l, this.level(a, env));
        if (e.op === 'enabled') return Math.min(l, L_STATE);
        if (!CORE_OPS.has(e.op)) {
          const local = env.sc.lookup(e.op);
          if (local !== undefined && (local.k === 'letVal' || local.k === 'letOp'))
            return Math.max(l, this.defLevel(local.def, local.ctx, local.scope, env.mode));
          const g = env.ctx.get(e.op);
          if (g !== undefined) l = Math.max(l, this.globalLevel(g, env.mode));
        }
        return l;
      }
      case 'step':
        return L_ACTION;
      case 'fair':
        return L_TEMPORAL;
      case 'let': {
        const sc = this.letScope(e.defs, env);
        return this.level(e.body, { ...env, sc });
      }
      default: {
        let l = L_CONST;
        this.children(e, (c) => {
          l = Math.max(l, this.level(c, env));
        });
        return l;
      }
    }
  }

  private children(e: Expr, f: (c: Expr) => void): void {
    switch (e.k) {
      case 'and':
      case 'or':
        e.items.forEach(f);
        break;
      case 'quant':
        e.bounds.forEach((b) => f(b.set));
        f(e.body);
        break;
      case 'uquant':
        f(e.body);
        break;
      case 'choose':
        if (e.set !== null) f(e.set);
        f(e.body);
        break;
      case 'setEnum':
      case 'tuple':
        e.elems.forEach(f);
        break;
      case 'setFilter':
        f(e.bound.set);
        f(e.pred);
        break;
      case 'setMap':
      case 'fcn':
        e.bounds.forEach((b) => f(b.set));
        f(e.body);
        break;
      case 'fcnSet':
        f(e.dom);
        f(e.rng);
        break;
      case 'record':
      case 'recordSet':
        e.fields.forEach((x) => f(x.e));
        break;
      case 'apply':
        f(e.fn);
        e.args.forEach(f);
        break;
      case 'dot':
        f(e.rec);
        break;
      case 'except':
        f(e.fn);
        for (const u of e.updates) {
          for (const p of u.path) if (p.k === 'idx') p.args.forEach(f);
          f(u.val);
        }
        break;
      case 'if':
        f(e.c);
        f(e.t);
        f(e.e);
        break;
      case 'case':
        e.arms.forEach((a) => {
          f(a.c);
          f(a.e);
        });
        if (e.other !== null) f(e.other);
        break;
      case 'lambda':
        f(e.body);
        break;
      default:
        break;
    }
  }

  private globalLevel(g: GlobalBinding, mode: Mode): number {
    switch (g.k) {
      case 'var':
        return L_STATE;
      case 'def':
        return this.defLevel(g.def, g.ctx, g.ctx.paramScope, mode);
      case 'fn':
        return this.fnDefLevel(g.def, g.ctx, g.ctx.paramScope, mode);
      case 'subst': {
        const env = this.substEnv(g, mode);
        return this.level(g.e, env);
      }
      default:
        return L_CONST;
    }
  }

  /** The level of a definition in `ctx`, computed once; a recursive use sees L_CONST (the other parts decide). */
  private cachedLevel(def: OpDefUnit | FnDefUnit, ctx: ModCtx, compute: () => number): number {
    let perCtx = this.levels.get(def);
    if (perCtx === undefined) {
      perCtx = new Map();
      this.levels.set(def, perCtx);
    }
    const known = perCtx.get(ctx);
    if (known !== undefined) return known;
    perCtx.set(ctx, L_CONST);
    const l = compute();
    perCtx.set(ctx, l);
    return l;
  }

  private defLevel(def: OpDefUnit, ctx: ModCtx, scope: Scope | null, mode: Mode): number {
    return this.cachedLevel(def, ctx, () => this.level(def.body, { sc: frameScope(scope, def.params), ctx, mode }));
  }

  private fnDefLevel(def: FnDefUnit, ctx: ModCtx, scope: Scope | null, mode: Mode): number {
    return this.cachedLevel(def, ctx, () => {
      const sc = frameScope(scope);
      let l = L_CONST;
      for (const b of def.bounds) l = Math.max(l, this.level(b.set, { sc, ctx, mode }));
      for (const b of def.bounds) for (const n of b.names) sc.names.set(n, { k: 'bound', frame: sc.frame, idx: sc.frame.alloc() });
      return Math.max(l, this.level(def.body, { sc, ctx, mode }));
    });
  }

  private substEnv(g: Extract<GlobalBinding, { k: 'subst' }>, mode: Mode): Env {
    return { sc: frameScope(g.scope), ctx: g.ctx, mode };
  }

  // -------------------------------------------------------------------------------------------
  // Values

  val(e: Expr, env: Env): ValFn {
    const fn = this.val0(e, env);
    const memoKind = MEMO_KINDS.has(e.k) || ((e.k === 'name' || e.k === 'inst') && e.args !== null && e.args.length > 0);
    if (memoKind && this.closedConstant(e, env)) {
      // A constant subexpression of a state-level definition is evaluated once.
      let memo: { v: Value } | undefined;
      return (f) => (memo ??= { v: fn(f) }).v;
    }
    return fn;
  }

  /** Constant level, no reference to anything bound outside `e`, no side effects (Print...). */
  private closedConstant(e: Expr, env: Env): boolean {
    if (this.level(e, env) !== L_CONST) return false;
    let closed = true;
    const visit = (x: Expr): void => {
      if (!closed) return;
      switch (x.k) {
        case 'name':
          if (env.sc.lookup(x.name) !== undefined || SIDE_EFFECTS.has(x.name)) closed = false;
          for (const a of x.args ?? []) visit(a);
          return;
        case 'op':
          if (!CORE_OPS.has(x.op) && env.sc.lookup(x.op) !== undefined) closed = false;
          x.args.forEach(visit);
          return;
        case 'at':
        case 'lambda':
        case 'unsupported':
          closed = false;
          return;
        case 'inst':
          for (const p of x.path) p.args.forEach(visit);
          (x.args ?? []).forEach(visit);
          if (x.path.some((p) => env.sc.lookup(p.name) !== undefined)) closed = false;
          return;
        case 'let':
          for (const d of x.defs)
            if (d.k === 'opDef') visit(d.body);
            else if (d.k === 'fnDef') {
              d.bounds.forEach((b) => visit(b.set));
              visit(d.body);
            }
          visit(x.body);
          return;
        default:
          this.children(x, visit);
      }
    };
    visit(e);
    return closed;
  }

  private val0(e: Expr, env: Env): ValFn {
    switch (e.k) {
      case 'num': {
        const v = e.v;
        if (v > 2147483647) throw new EvalError(`the number ${v} is outside TLC's 32-bit integers`, e.loc);
        return () => v;
      }
      case 'str': {
        const v = str(e.v);
        return () => v;
      }
      case 'bool': {
        const v = e.v;
        return () => v;
      }
      case 'name':
        return this.valName(e.name, e.args, e.loc, env);
      case 'inst':
        return this.valInst(e, env);
      case 'op':
        return this.valOp(e.op, e.args, e.loc, env);
      case 'and': {
        const items = e.items.map((i) => this.val(i, env));
        const loc = e.loc;
        if (items.length === 2) {
          const [a, b] = items as [ValFn, ValFn];
          return (f) => boolOf(a(f), 'a conjunct', loc) && boolOf(b(f), 'a conjunct', loc);
        }
        return (f) => {
          for (let i = 0; i < items.length; i++) if (!boolOf(items[i]!(f), 'a conjunct', loc)) return false;
          return true;
        };
      }
      case 'or': {
        const items = e.items.map((i) => this.val(i, env));
        const loc = e.loc;
        return (f) => {
          for (let i = 0; i < items.length; i++) if (boolOf(items[i]!(f), 'a disjunct', loc)) return true;
          return false;
        };
      }
      case 'quant':
        return this.valQuant(e.q, e.bounds, e.body, e.loc, env);
      case 'uquant':
        return () => {
          throw new EvalError(`TLC attempted to evaluate an unbounded ${e.q === 'A' ? '\\A' : '\\E'}; make it bounded (\\${e.q} x \\in S : P)`, e.loc);
        };
      case 'choose':
        return this.valChoose(e, env);
      case 'setEnum': {
        const elems = e.elems.map((x) => this.val(x, env));
        if (elems.length === 0) {
          const empty = setOf([]);
          return () => empty;
        }
        return (f) => setOf(elems.map((x) => x(f)));
      }
      case 'setFilter':
        return this.valSetFilter(e.bound, e.pred, e.loc, env);
      case 'setMap':
        return this.valSetMap(e.body, e.bounds, e.loc, env);
      case 'tuple': {
        const elems = e.elems.map((x) => this.val(x, env));
        if (elems.length === 2) {
          const [a, b] = elems as [ValFn, ValFn];
          return (f) => tuple([a(f), b(f)]);
        }
        return (f) => tuple(elems.map((x) => x(f)));
      }
      case 'fcn':
        return this.valFcn(e.bounds, e.body, e.loc, env);
      case 'fcnSet': {
        const d = this.val(e.dom, env);
        const r = this.val(e.rng, env);
        const loc = e.loc;
        return (f) => new FcnSet(setArg(d(f), '[S -> T]', loc), setArg(r(f), '[S -> T]', loc));
      }
      case 'record': {
        const names = e.fields.map((x) => str(x.name));
        const dom = recordDomain(names);
        const pos = names.map((n) => dom.lookup(n));
        const vals = e.fields.map((x) => this.val(x.e, env));
        if (new Set(e.fields.map((x) => x.name)).size !== e.fields.length) throw new TlaParseError('a record field appears twice', e.loc);
        return (f) => {
          const out = new Array<Value>(vals.length);
          for (let i = 0; i < vals.length; i++) out[pos[i]!] = vals[i]!(f);
          return new FcnValue(dom, out);
        };
      }
      case 'recordSet': {
        const names = e.fields.map((x) => str(x.name));
        const sets = e.fields.map((x) => this.val(x.e, env));
        const loc = e.loc;
        return (f) =>
          new RcdSet(
            names,
            sets.map((s) => setArg(s(f), '[a : S]', loc)),
          );
      }
      case 'apply':
        return this.valApply(e.fn, e.args, e.loc, env);
      case 'dot': {
        const rec = this.val(e.rec, env);
        const key = str(e.field);
        const loc = e.loc;
        // A small polymorphic inline cache: record domains are interned, so (domain, field)
        // determines the position; messages of a few shapes hit one of four entries.
        const doms: unknown[] = [null, null, null, null];
        const idxs = [0, 0, 0, 0];
        let next = 0;
        return (f) => {
          const r = rec(f);
          if (typeof r === 'object' && r.tag === TAG_FCN) {
            const d = r.dom;
            if (d === doms[0]) return r.vals[idxs[0]!]!;
            if (d === doms[1]) return r.vals[idxs[1]!]!;
            if (d === doms[2]) return r.vals[idxs[2]!]!;
            if (d === doms[3]) return r.vals[idxs[3]!]!;
            const i = d.lookup(key);
            if (i >= 0) {
              doms[next] = d;
              idxs[next] = i;
              next = (next + 1) & 3;
              return r.vals[i]!;
            }
          }
          return applyFcn(r, key, loc);
        };
      }
      case 'except':
        return this.valExcept(e, env);
      case 'at': {
        const b = env.sc.lookup('@');
        if (b === undefined || b.k !== 'bound') throw new TlaParseError('@ used outside an EXCEPT', e.loc);
        return this.slotRead(b, env);
      }
      case 'if': {
        const c = this.val(e.c, env);
        const t = this.val(e.t, env);
        const el = this.val(e.e, env);
        const loc = e.loc;
        return (f) => (boolOf(c(f), 'the condition of IF', loc) ? t(f) : el(f));
      }
      case 'case': {
        const arms = e.arms.map((a) => ({ c: this.val(a.c, env), e: this.val(a.e, env) }));
        const other = e.other === null ? null : this.val(e.other, env);
        const loc = e.loc;
        return (f) => {
          for (const a of arms) if (boolOf(a.c(f), 'a CASE guard', loc)) return a.e(f);
          if (other !== null) return other(f);
          throw new EvalError('Attempted to evaluate a CASE with no conditions true', loc);
        };
      }
      case 'let': {
        const sc = this.letScope(e.defs, env);
        const inits = this.letSlots(sc);
        const body = this.val(e.body, { ...env, sc });
        if (inits.length === 0) return body;
        return (f) => {
          for (let i = 0; i < inits.length; i++) f[inits[i]!] = UNEVALUATED;
          return body(f);
        };
      }
      case 'lambda':
        throw new TlaParseError('LAMBDA may only be an argument of an operator that takes an operator', e.loc);
      case 'step': {
        // [A]_v = A \/ v' = v ; <<A>>_v = A /\ v' # v, as boolean values.
        const a = this.val(e.action, env);
        const changed = this.valChanged(e.sub, e.loc, env);
        const loc = e.loc;
        if (e.stutter) return (f) => boolOf(a(f), 'the action of [A]_v', loc) || !changed(f);
        return (f) => boolOf(a(f), 'the action of <<A>>_v', loc) && changed(f);
      }
      case 'fair':
        return this.unsupportedVal(`fairness ${e.strong ? 'SF' : 'WF'}_ (temporal formulas are not checked by the embedded checker)`, e.loc);
      case 'opRef':
        throw new TlaParseError(`the operator ${e.op} is used as a value`, e.loc);
      case 'unsupported':
        return this.unsupportedVal(e.what, e.loc);
    }
  }

  private unsupportedVal(what: string, loc: SourceLoc): ValFn {
    return () => {
      throw new UnsupportedError(what, loc);
    };
  }

  /** `v' # v` */
  private valChanged(sub: Expr, loc: SourceLoc, env: Env): ValFn {
    if (env.mode !== M_NEXT) throw new EvalError('[A]_v and <<A>>_v need an action context', loc);
    const now = this.val(sub, env);
    const then = this.val(sub, { ...env, mode: M_PRIMED });
    return (f) => !eq(now(f), then(f));
  }

  private slotRead(b: { frame: FrameInfo; idx: number }, env: Env): ValFn {
    const hops = hopsTo(env.sc.frame, b.frame);
    if (hops < 0) throw new Error('internal: a bound variable is not in an enclosing frame');
    const idx = b.idx;
    switch (hops) {
      case 0:
        return (f) => f[idx];
      case 1:
        return (f) => f[0][idx];
      case 2:
        return (f) => f[0][0][idx];
      default:
        return (f) => walk(f, hops)[idx];
    }
  }

  private paramRead(b: { frame: FrameInfo; idx: number }, env: Env): ValFn {
    const raw = this.slotRead(b, env);
    if (env.mode === M_PRIMED) {
      return (f) => {
        const v = raw(f);
        return v instanceof Thunk ? v.primed() : v;
      };
    }
    return (f) => {
      const v = raw(f);
      return v instanceof Thunk ? v.value() : v;
    };
  }

  /**
   * An argument of an action operator that mentions variables is passed by name (a Thunk), so the
   * operator can prime it or assign through it; other arguments are passed by value.
   */
  private byNameArg(a: Expr, env: Env): ((f: Frame) => Thunk) | null {
    if (env.mode !== M_NEXT && env.mode !== M_INIT) return null;
    const lv = this.level(a, env);
    if (lv < L_STATE) return null;
    const v = this.val(a, env);
    const ac = this.act(a, env, false);
    const t = this.target(a, env);
    // A state-level argument in Next has a fixed unprimed value and a primed one.
    const stable = env.mode === M_NEXT && lv < L_ACTION;
    const primed = stable ? this.val(a, { ...env, mode: M_PRIMED }) : null;
    const pt = stable ? this.varOf(a, env) : -1;
    return (f) => new Thunk(f, v, ac, primed, t, pt, stable);
  }

  // ---- names and operator application

  private lookupOrFail(name: string, loc: SourceLoc, env: Env): LocalBinding | GlobalBinding {
    const local = env.sc.lookup(name);
    if (local !== undefined) return local;
    const g = env.ctx.get(name);
    if (g !== undefined) return g;
    throw new TlaParseError(`Unknown operator: ${displayName(name)}${hintFor(name)}`, loc);
  }

  private valName(name: string, args: readonly Expr[] | null, loc: SourceLoc, env: Env): ValFn {
    if ((args === null || args.length === 0) && (name === 'BOOLEAN' || name === 'STRING') && env.sc.lookup(name) === undefined && !env.ctx.names.has(name)) {
      const s = name === 'BOOLEAN' ? BOOLEAN_SET : new StringSet();
      return () => s;
    }
    const b = this.lookupOrFail(name, loc, env);
    return this.valBinding(b, name, args ?? [], loc, env);
  }

  private valBinding(b: LocalBinding | GlobalBinding, name: string, args: readonly Expr[], loc: SourceLoc, env: Env): ValFn {
    switch (b.k) {
      case 'bound':
        this.arity(name, 0, args.length, loc);
        return this.slotRead(b, env);
      case 'param': {
        if (b.arity === 0) {
          this.arity(name, 0, args.length, loc);
          return this.paramRead(b, env);
        }
        this.arity(name, b.arity, args.length, loc);
        const get = this.slotRead(b, env);
        const argFns = args.map((a) => this.val(a, env));
        return (f) => (get(f) as unknown as OpClosure).call(argFns.map((a) => a(f)));
      }
      case 'letVal':
        this.arity(name, 0, args.length, loc);
        return this.letSlotRead(b, this.val(b.def.body, { sc: b.scope, ctx: b.ctx, mode: env.mode }), env);
      case 'letOp':
        return this.callDef(b.def, b.ctx, b.scope, args, loc, env);
      case 'letFn':
        this.arity(name, 0, args.length, loc);
        return this.letSlotRead(b, this.fnValue(b.def, { sc: b.scope, ctx: b.ctx, mode: env.mode }), env);
      case 'var': {
        this.arity(name, 0, args.length, loc);
        return this.varRead(b.index, name, loc, env.mode);
      }
      case 'const': {
        this.arity(name, 0, args.length, loc);
        const v = b.value;
        return () => v;
      }
      case 'undefConst':
        throw new TlaParseError(`The constant ${name} is not assigned a value by the configuration file`, loc);
      case 'subst': {
        if (args.length === 0) return this.valSubst(b, env);
        // An operator constant substituted by an operator: INSTANCE M WITH Op <- MyOp.
        if (b.scope !== null) throw new UnsupportedError('operator substitution in a parameterized INSTANCE', loc);
        const senv = this.substEnv(b, env.mode);
        const closure = this.opArg(b.e, args.length, senv);
        const argFns = args.map((a) => this.val(a, env));
        return (f) => {
          const sf: Frame = new Array(senv.sc.frame.size);
          sf[0] = null;
          return closure(sf).call(argFns.map((a) => a(f)));
        };
      }
      case 'def':
        return this.callDef(b.def, b.ctx, b.ctx.paramScope, args, loc, env);
      case 'fn': {
        this.arity(name, 0, args.length, loc);
        return this.valGlobalFn(b.def, b.ctx, env);
      }
      case 'inst':
        throw new TlaParseError(`${name} is a module instance; use ${name}!Op`, loc);
      case 'native':
        return this.callNative(b.native, args, loc, env);
      case 'alias':
        throw new Error(`internal: unresolved replacement of ${name}`);
      case 'letInst':
        throw new TlaParseError(`${name} is a module instance; use ${name}!Op`, loc);
    }
  }

  /** A zero-arity LET definition: evaluated on first use in each activation of its frame. */
  private letSlotRead(b: { frame: FrameInfo; idx: number }, make: (fr: Frame) => Value, env: Env): ValFn {
    const hops = hopsTo(env.sc.frame, b.frame);
    const idx = b.idx;
    return (f) => {
      const fr = walk(f, hops);
      let v = fr[idx];
      if (v === UNEVALUATED) v = fr[idx] = make(fr);
      return v;
    };
  }

  private arity(name: string, expected: number, got: number, loc: SourceLoc): void {
    if (expected !== got) throw new TlaParseError(`${displayName(name)} takes ${expected} argument(s), but is given ${got}`, loc);
  }

  private varRead(index: number, name: string, loc: SourceLoc, mode: Mode): ValFn {
    const rt = this.rt;
    switch (mode) {
      case M_CONST:
        return () => {
          throw new EvalError(`the variable ${name} is used in a constant expression`, loc);
        };
      case M_STATE:
      case M_NEXT:
        return () => rt.cur[index]!;
      case M_INIT:
        return () => {
          const v = rt.nxt[index];
          if (v === undefined) throw new EvalError(`In evaluating the initial predicate, the variable ${name} is read before it is assigned a value`, loc);
          return v;
        };
      case M_PRIMED:
        return () => {
          const v = rt.nxt[index];
          if (v === undefined) throw new EvalError(`${name}' is read before the action assigns it a value`, loc);
          return v;
        };
    }
  }

  private valSubst(b: Extract<GlobalBinding, { k: 'subst' }>, env: Env): ValFn {
    const e = this.entry(b, b.ctx);
    let cd = e.val[env.mode];
    if (cd === undefined) {
      const senv = this.substEnv(b, env.mode);
      cd = { frame: senv.sc.frame, body: null as unknown as ValFn };
      e.val[env.mode] = cd;
      cd.body = this.val(b.e, senv);
    }
    return invoke(cd, this.parentFrameFn(b.scope?.frame ?? null, env), []);
  }

  /** How to find the frame of `target` (a parameterized instance's parameters) from a use site. */
  private parentFrameFn(target: FrameInfo | null, env: Env): ParentFn {
    if (target === null) return () => null;
    const hops = hopsTo(env.sc.frame, target);
    if (hops < 0) throw new Error('internal: instance parameters are not in scope');
    return (f) => walk(f, hops);
  }

  /** The compiled body of a definition (compiled on first use; recursion sees the entry). */
  private compiledDef(def: OpDefUnit, ctx: ModCtx, scope: Scope | null, mode: Mode): CompiledDef {
    const e = this.entry(def, ctx);
    let cd = e.val[mode];
    if (cd === undefined) {
      const sc = frameScope(scope, def.params);
      cd = { frame: sc.frame, body: null as unknown as ValFn };
      e.val[mode] = cd;
      cd.body = this.val(def.body, { sc, ctx, mode });
    }
    return cd;
  }

  /**
   * The arguments of a call of `def`. With `byName` (the callee is an action, or this is Init) an
   * argument that mentions variables is passed by name, so it can still be primed or assigned.
   */
  private argFns(def: OpDefUnit, args: readonly Expr[], env: Env, byName: boolean): ArgFn[] {
    return def.params.map((p, i) => {
      const a = args[i]!;
      if (p.arity > 0) return this.opArg(a, p.arity, env);
      if (byName) {
        const t = this.byNameArg(a, env);
        if (t !== null) return t;
      }
      return this.val(a, env);
    });
  }

  /** `instParent`: the parameter frame of the parameterized instance `def` is reached through. */
  private callDef(
    def: OpDefUnit,
    ctx: ModCtx,
    scope: Scope | null,
    args: readonly Expr[],
    loc: SourceLoc,
    env: Env,
    instParent: ParentFn | null = null,
  ): ValFn {
    this.arity(def.name, def.params.length, args.length, loc);
    const mode = env.mode;
    const byName = mode === M_INIT || (mode === M_NEXT && this.defLevel(def, ctx, scope, mode) >= L_ACTION);
    const argFns = this.argFns(def, args, env, byName);
    const parent = instParent ?? this.parentFrameFn(scope?.frame ?? null, env);
    if (instParent === null && argFns.length === 0 && scope === null && this.defLevel(def, ctx, scope, mode) === L_CONST) {
      // Zero-arity definitions of constant level are evaluated once (TLC does the same).
      const entry = this.entry(def, ctx);
      return () => {
        if (entry.constValue === undefined) {
          const cd = this.compiledDef(def, ctx, scope, M_CONST);
          const nf: Frame = new Array(cd.frame.size);
          nf[0] = null;
          entry.constValue = { v: cd.body(nf) };
        }
        return entry.constValue.v;
      };
    }
    return invoke(this.compiledDef(def, ctx, scope, mode), parent, argFns);
  }

  /** An argument for an operator parameter of arity n: a named operator, LAMBDA or symbol. */
  private opArg(a: Expr, arity: number, env: Env): (f: Frame) => OpClosure {
    if (a.k === 'lambda') {
      if (a.params.length !== arity) throw new TlaParseError(`LAMBDA takes ${a.params.length} argument(s) where ${arity} are expected`, a.loc);
      const sc = frameScope(
        env.sc,
        a.params.map((name) => ({ name, arity: 0 })),
      );
      const code: CompiledDef = { frame: sc.frame, body: this.val(a.body, { ...env, sc }) };
      return (f) => operatorValue(arity, code, f, 'LAMBDA');
    }
    let name: string;
    if (a.k === 'name' && (a.args === null || a.args.length === 0)) name = a.name;
    else if (a.k === 'opRef') name = a.op;
    else if (a.k === 'inst' && a.args === null) {
      const { binding, parent } = this.resolvePath(a, env);
      return this.opClosureOf(binding, a.name, arity, a.loc, env, parent);
    } else throw new TlaParseError(`expected an operator argument with ${arity} parameter(s)`, a.loc);
    const b = this.lookupOrFail(name, a.loc, env);
    return this.opClosureOf(b, name, arity, a.loc, env, null);
  }

  private opClosureOf(
    b: LocalBinding | GlobalBinding,
    name: string,
    arity: number,
    loc: SourceLoc,
    env: Env,
    instParent: ParentFn | null,
  ): (f: Frame) => OpClosure {
    const display = displayName(name);
    switch (b.k) {
      case 'param': {
        if (b.arity !== arity) throw new TlaParseError(`${display} takes ${b.arity} argument(s) where ${arity} are expected`, loc);
        const get = this.slotRead(b, env);
        return (f) => get(f) as unknown as OpClosure;
      }
      case 'def':
      case 'letOp': {
        const def = b.def;
        const ctx = b.ctx;
        const scope = b.k === 'def' ? b.ctx.paramScope : b.scope;
        if (def.params.length !== arity) throw new TlaParseError(`${display} takes ${def.params.length} argument(s) where ${arity} are expected`, loc);
        if (def.params.some((p) => p.arity > 0)) throw new UnsupportedError('passing an operator that itself takes operator arguments', loc);
        const cd = this.compiledDef(def, ctx, scope, env.mode);
        const parent = instParent ?? this.parentFrameFn(scope?.frame ?? null, env);
        return (f) => operatorValue(arity, cd, parent(f), display);
      }
      case 'native': {
        const n = b.native;
        if (n.arity !== arity) throw new TlaParseError(`${display} takes ${n.arity} argument(s) where ${arity} are expected`, loc);
        const rt = this.rt;
        const c = new OpClosure(arity, (xs) => n.fn(xs, loc, rt), display);
        return () => c;
      }
      default:
        throw new TlaParseError(`${display} is not an operator with ${arity} argument(s)`, loc);
    }
  }

  private callNative(n: Native, args: readonly Expr[], loc: SourceLoc, env: Env): ValFn {
    this.arity(n.name, n.arity, args.length, loc);
    const rt = this.rt;
    if (n.arity === 0) return () => n.fn([], loc, rt);
    const argArities = n.argArities;
    if (argArities === undefined) {
      const fns = args.map((a) => this.val(a, env));
      if (n.fn2 !== undefined) {
        const [a, b] = fns as [ValFn, ValFn];
        const fn2 = n.fn2;
        return (f) => fn2(a(f), b(f), loc);
      }
      if (n.fn1 !== undefined) {
        const a = fns[0]!;
        const fn1 = n.fn1;
        return (f) => fn1(a(f), loc);
      }
      return (f) =>
        n.fn(
          fns.map((x) => x(f)),
          loc,
          rt,
        );
    }
    const fns = args.map((a, i) => ((argArities[i] ?? 0) > 0 ? this.opArg(a, argArities[i]!, env) : this.val(a, env)));
    return (f) =>
      n.fn(
        fns.map((x) => x(f)),
        loc,
        rt,
      );
  }

  /** `A!B(1)!Op`: the binding of Op and how to build the instance parameter frames. */
  resolvePath(e: Extract<Expr, { k: 'inst' }>, env: Env): { binding: GlobalBinding; ctx: ModCtx; parent: ParentFn | null } {
    let ctx = env.ctx;
    let parent: ParentFn | null = null;
    let first = true;
    for (const step of e.path) {
      const b: LocalBinding | GlobalBinding | undefined = first ? (env.sc.lookup(step.name) ?? ctx.get(step.name)) : ctx.get(step.name);
      first = false;
      if (b !== undefined && b.k === 'letInst') {
        // The instance's definitions hang below the LET's frame, where its substitutions are evaluated.
        this.arity(step.name, 0, step.args.length, e.loc);
        ctx = this.graph.instanceCtx(b.def.inst, b.ctx, b.scope, b, true);
        parent = this.parentFrameFn(b.scope.frame, env);
        continue;
      }
      if (b === undefined || b.k !== 'inst')
        throw new TlaParseError(`${step.name} is not a module instance (in ${e.path.map((p) => p.name).join('!')}!${e.name})`, e.loc);
      const sub = this.graph.namedInstanceCtx(b);
      this.arity(step.name, b.def.params.length, step.args.length, e.loc);
      if (b.def.params.length > 0) {
        const argFns = step.args.map((a) => this.val(a, env));
        const outer = parent ?? this.parentFrameFn(b.ctx.paramScope?.frame ?? null, env);
        const size = () => sub.paramScope!.frame.size;
        parent = (f) => {
          const pf: Frame = new Array(size());
          pf[0] = outer(f);
          for (let i = 0; i < argFns.length; i++) pf[i + 1] = argFns[i]!(f);
          return pf;
        };
      } else if (parent === null && b.ctx.paramScope !== null) {
        parent = this.parentFrameFn(b.ctx.paramScope.frame, env);
      }
      ctx = sub;
    }
    const binding = ctx.get(e.name);
    if (binding === undefined) throw new TlaParseError(`Unknown operator: ${e.path.map((p) => p.name).join('!')}!${e.name}`, e.loc);
    return { binding, ctx, parent };
  }

  private valInst(e: Extract<Expr, { k: 'inst' }>, env: Env): ValFn {
    const { binding, parent } = this.resolvePath(e, env);
    const args = e.args ?? [];
    if (parent === null) return this.valBinding(binding, e.name, args, e.loc, env);
    // The target lives in a parameterized instance: build its parameter frame, then call.
    switch (binding.k) {
      case 'def':
        return this.callDef(binding.def, binding.ctx, binding.ctx.paramScope, args, e.loc, env, parent);
      case 'subst': {
        const body = this.valSubst(binding, { ...env, sc: binding.scope ?? env.sc });
        return (f) => body(parent(f)!);
      }
      case 'fn': {
        const make = this.fnValue(binding.def, { sc: binding.ctx.paramScope!, ctx: binding.ctx, mode: env.mode });
        return (f) => make(parent(f)!);
      }
      default:
        return this.valBinding(binding, e.name, args, e.loc, env);
    }
  }

  private valGlobalFn(def: FnDefUnit, ctx: ModCtx, env: Env): ValFn {
    const scope = ctx.paramScope;
    const entry = this.entry(def, ctx);
    if (scope === null && this.fnDefLevel(def, ctx, scope, env.mode) === L_CONST) {
      const make = this.fnValue(def, { sc: frameScope(null), ctx, mode: M_CONST });
      return () => {
        if (entry.constValue === undefined) entry.constValue = { v: make([null]) };
        return entry.constValue.v;
      };
    }
    const make = this.fnValue(def, { sc: frameScope(scope), ctx, mode: env.mode });
    const parent = this.parentFrameFn(scope?.frame ?? null, env);
    return (f) => make([parent(f)]);
  }

  /**
   * A function definition `f[x \in S] == body` as a LazyFcn. `env.sc` is the scope the definition
   * sits in; the returned closure takes that scope's frame. The body may refer to f itself.
   */
  private fnValue(def: FnDefUnit, env: Env): (fr: Frame) => Value {
    const setFns = def.bounds.map((b) => this.val(b.set, env));
    const sc = frameScope(env.sc);
    const frame = sc.frame;
    const slots: number[] = [];
    for (const b of def.bounds)
      for (const n of b.names) {
        const idx = frame.alloc();
        slots.push(idx);
        sc.names.set(n, { k: 'bound', frame, idx });
      }
    // The function's own name inside its body refers to the function being defined.
    const selfIdx = frame.alloc();
    sc.names.set(def.name, { k: 'bound', frame, idx: selfIdx });
    const body = this.val(def.body, { ...env, sc });
    const oneBound = def.bounds.length === 1 && (def.bounds[0]!.tuple || def.bounds[0]!.names.length === 1);
    const tupleArg = oneBound && def.bounds[0]!.tuple;
    const loc = def.loc;
    return (fr) => {
      const sets = setFns.map((s) => setArg(s(fr), `the domain of ${def.name}`, loc));
      const domain = oneBound ? sets[0]! : new ProductSet(expandBounds(def.bounds, sets));
      const fn: LazyFcn = new LazyFcn(domain, (x) => {
        const nf: Frame = new Array(frame.size);
        nf[0] = fr;
        nf[selfIdx] = fn;
        if (tupleArg) destructure(x, slots, nf, loc);
        else if (oneBound) nf[slots[0]!] = x;
        else bindTupleArgs(def.bounds, slots, x, nf, loc);
        return body(nf);
      });
      return fn;
    };
  }

  // ---- built-in operators

  private valOp(op: string, args: readonly Expr[], loc: SourceLoc, env: Env): ValFn {
    if (!CORE_OPS.has(op)) return this.valBinding(this.lookupOrFail(op, loc, env), op, args, loc, env);
    // Operands are compiled per case: ENABLED, prime and UNCHANGED compile theirs in another mode.
    const first = (): ValFn => this.val(args[0]!, env);
    const binary = (): ValFn => this.val(args[1]!, env);
    switch (op) {
      case 'eq': {
        const A = first();
        const b = binary();
        return (f) => eqChecked(A(f), b(f));
      }
      case 'neq': {
        const A = first();
        const b = binary();
        return (f) => !eqChecked(A(f), b(f));
      }
      case 'in': {
        const A = first();
        const b = binary();
        return (f) => member(A(f), setArg(b(f), '\\in', loc));
      }
      case 'notin': {
        const A = first();
        const b = binary();
        return (f) => !member(A(f), setArg(b(f), '\\notin', loc));
      }
      case 'lnot': {
        const A = first();
        return (f) => !boolOf(A(f), 'the argument of ~', loc);
      }
      case 'implies': {
        const A = first();
        const b = binary();
        return (f) => !boolOf(A(f), 'the left side of =>', loc) || boolOf(b(f), 'the right side of =>', loc);
      }
      case 'iff':
      case 'equiv': {
        const A = first();
        const b = binary();
        return (f) => boolOf(A(f), '<=>', loc) === boolOf(b(f), '<=>', loc);
      }
      case 'subseteq': {
        const A = first();
        const b = binary();
        return (f) => subseteq(setArg(A(f), '\\subseteq', loc), setArg(b(f), '\\subseteq', loc));
      }
      case 'cup': {
        const A = first();
        const b = binary();
        return (f) => union(setArg(A(f), '\\cup', loc), setArg(b(f), '\\cup', loc));
      }
      case 'cap': {
        const A = first();
        const b = binary();
        return (f) => intersect(setArg(A(f), '\\cap', loc), setArg(b(f), '\\cap', loc));
      }
      case 'setminus': {
        const A = first();
        const b = binary();
        return (f) => difference(setArg(A(f), '\\', loc), setArg(b(f), '\\', loc));
      }
      case 'times': {
        const fns = args.map((x) => this.val(x, env));
        return (f) => new ProductSet(fns.map((s) => setArg(s(f), '\\X', loc)));
      }
      case 'prime': {
        if (env.mode !== M_NEXT) {
          const why = env.mode === M_PRIMED ? 'a primed expression is primed again' : "a prime (x') appears in a state or constant expression";
          throw new TlaParseError(why, loc);
        }
        return this.val(args[0]!, { ...env, mode: M_PRIMED });
      }
      case 'unchanged': {
        if (env.mode !== M_NEXT) throw new TlaParseError('UNCHANGED appears outside an action', loc);
        const changed = this.valChanged(args[0]!, loc, env);
        return (f) => !changed(f);
      }
      case 'enabled':
        return this.valEnabled(args[0]!, loc, env);
      case 'domain': {
        const A = first();
        return (f) => {
          const v = A(f);
          if (typeof v === 'object' && v.tag === TAG_FCN) return v.dom.asSet();
          if (typeof v === 'object' && v.tag === TAG_LFCN) return v.domain;
          throw new EvalError(`DOMAIN applied to ${shortPrint(v)}, which is not a function`, loc);
        };
      }
      case 'powerset': {
        const A = first();
        return (f) => new PowerSet(setArg(A(f), 'SUBSET', loc));
      }
      case 'union': {
        const A = first();
        return (f) => bigUnion(setArg(A(f), 'UNION', loc));
      }
      case 'cdot':
        return this.unsupportedVal('action composition (\\cdot)', loc);
      default:
        return this.unsupportedVal(`temporal operator ${displayName(op)}`, loc);
    }
  }

  private valEnabled(a: Expr, loc: SourceLoc, env: Env): ValFn {
    if (env.mode !== M_STATE && env.mode !== M_NEXT) throw new TlaParseError('ENABLED needs a state context', loc);
    const act = this.act(a, { ...env, mode: M_NEXT }, false);
    const rt = this.rt;
    const n = this.nvars;
    return (f) => {
      const saved = rt.nxt;
      rt.nxt = new Array(n);
      let found = false;
      try {
        act(f, () => {
          found = true;
          throw ENABLED_FOUND;
        });
      } catch (e) {
        if (e !== ENABLED_FOUND) throw e;
      } finally {
        rt.nxt = saved;
      }
      return found;
    };
  }

  // ---- binders

  /** Binds the names of `bounds` in a child scope (same frame); returns the scope and slot layout. */
  private bindBounds(bounds: readonly Bound[], env: Env): { sc: Scope; sets: ValFn[]; slots: number[][] } {
    const sets = bounds.map((b) => this.val(b.set, env));
    const sc = new Scope(env.sc, env.sc.frame);
    const slots = bounds.map((b) =>
      b.names.map((n) => {
        const idx = env.sc.frame.alloc();
        sc.names.set(n, { k: 'bound', frame: env.sc.frame, idx });
        return idx;
      }),
    );
    return { sc, sets, slots };
  }

  /**
   * Calls `each(f)` for every binding of `bounds` (nested loops in source order); `each`
   * returns true to stop. Tuple patterns destructure the element.
   */
  private forEachBinding(
    bounds: readonly Bound[],
    sets: ValFn[],
    slots: number[][],
    loc: SourceLoc,
    what: string,
  ): (f: Frame, each: (f: Frame) => boolean) => boolean {
    // Expand `x, y \in S` into one loop per name.
    const loops: { set: ValFn; tuple: number[] | null; slot: number }[] = [];
    bounds.forEach((b, i) => {
      if (b.tuple) loops.push({ set: sets[i]!, tuple: slots[i]!, slot: -1 });
      else for (const s of slots[i]!) loops.push({ set: sets[i]!, tuple: null, slot: s });
    });
    if (loops.length === 1 && loops[0]!.tuple === null) {
      const { set, slot } = loops[0]!;
      return (f, each) => {
        const elems = enumerate(set(f), what, loc);
        for (let i = 0; i < elems.length; i++) {
          f[slot] = elems[i];
          if (each(f)) return true;
        }
        return false;
      };
    }
    const run = (f: Frame, each: (f: Frame) => boolean, k: number): boolean => {
      if (k === loops.length) return each(f);
      const l = loops[k]!;
      const elems = enumerate(l.set(f), what, loc);
      for (const x of elems) {
        if (l.tuple === null) f[l.slot] = x;
        else destructure(x, l.tuple, f, loc);
        if (run(f, each, k + 1)) return true;
      }
      return false;
    };
    return (f, each) => run(f, each, 0);
  }

  private valQuant(q: 'A' | 'E', bounds: readonly Bound[], bodyE: Expr, loc: SourceLoc, env: Env): ValFn {
    const { sc, sets, slots } = this.bindBounds(bounds, env);
    const body = this.val(bodyE, { ...env, sc });
    if (bounds.length === 1 && !bounds[0]!.tuple && bounds[0]!.names.length === 1) {
      const set = sets[0]!;
      const slot = slots[0]![0]!;
      const what = q === 'A' ? '\\A' : '\\E';
      if (q === 'E') {
        return (f) => {
          const elems = enumerate(set(f), what, loc);
          for (let i = 0; i < elems.length; i++) {
            f[slot] = elems[i];
            if (boolOf(body(f), 'the body of \\E', loc)) return true;
          }
          return false;
        };
      }
      return (f) => {
        const elems = enumerate(set(f), what, loc);
        for (let i = 0; i < elems.length; i++) {
          f[slot] = elems[i];
          if (!boolOf(body(f), 'the body of \\A', loc)) return false;
        }
        return true;
      };
    }
    const loop = this.forEachBinding(bounds, sets, slots, loc, q === 'A' ? '\\A' : '\\E');
    if (q === 'E') return (f) => loop(f, (g) => boolOf(body(g), 'the body of \\E', loc));
    return (f) => !loop(f, (g) => !boolOf(body(g), 'the body of \\A', loc));
  }

  private valChoose(e: Extract<Expr, { k: 'choose' }>, env: Env): ValFn {
    if (e.set === null) {
      return () => {
        throw new EvalError('TLC attempted to evaluate an unbounded CHOOSE; make it CHOOSE x \\in S : P, or give the definition a value in the model', e.loc);
      };
    }
    const bound: Bound = { names: e.names, tuple: e.tuple, set: e.set, loc: e.loc };
    const { sc, sets, slots } = this.bindBounds([bound], env);
    const body = this.val(e.body, { ...env, sc });
    const set = sets[0]!;
    const loc = e.loc;
    return (f) => {
      for (const x of enumerate(set(f), 'CHOOSE', loc)) {
        bindElement(x, e.tuple, slots[0]!, f, loc);
        if (boolOf(body(f), 'the body of CHOOSE', loc)) return x;
      }
      throw new EvalError('Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P', loc);
    };
  }

  private valSetFilter(bound: Bound, predE: Expr, loc: SourceLoc, env: Env): ValFn {
    const { sc, sets, slots } = this.bindBounds([bound], env);
    const pred = this.val(predE, { ...env, sc });
    const set = sets[0]!;
    const names = slots[0]!;
    return (f) => {
      const s = setArg(set(f), 'a set filter', loc);
      if (s.tag !== TAG_SET) {
        // Over a symbolic set ({x \in SUBSET S : P}, {n \in Nat : P}) the filter stays symbolic, as
        // in TLC: membership tests one element instead of enumerating the base. The predicate
        // runs on a copy of this frame, so later changes to the frame's slots do not reach it.
        const g = f.slice();
        return new FilterSet(s, (x) => {
          bindElement(x, bound.tuple, names, g, loc);
          return boolOf(pred(g), 'the predicate of a set filter', loc);
        });
      }
      const out: Value[] = [];
      for (const x of elementsOf(s)) {
        bindElement(x, bound.tuple, names, f, loc);
        if (boolOf(pred(f), 'the predicate of a set filter', loc)) out.push(x);
      }
      // A subsequence of a normalized array is normalized.
      return new SetValue(out);
    };
  }

  private valSetMap(bodyE: Expr, bounds: readonly Bound[], loc: SourceLoc, env: Env): ValFn {
    const { sc, sets, slots } = this.bindBounds(bounds, env);
    const body = this.val(bodyE, { ...env, sc });
    const loop = this.forEachBinding(bounds, sets, slots, loc, 'a set map');
    return (f) => {
      const out: Value[] = [];
      loop(f, (g) => {
        out.push(body(g));
        return false;
      });
      return setOf(out);
    };
  }

  private valFcn(bounds: readonly Bound[], bodyE: Expr, loc: SourceLoc, env: Env): ValFn {
    const { sc, sets, slots } = this.bindBounds(bounds, env);
    const body = this.val(bodyE, { ...env, sc });
    const single = bounds.length === 1 && bounds[0]!.names.length === 1 && !bounds[0]!.tuple;
    if (single) {
      const set = sets[0]!;
      const slot = slots[0]![0]!;
      return (f) => {
        const s = setArg(set(f), 'the domain of a function', loc);
        if (!isFiniteSet(s)) {
          // [n \in Nat |-> e]: applied lazily; the frame is captured for later applications.
          const captured = f.slice();
          return new LazyFcn(s, (x) => {
            captured[slot] = x;
            return body(captured);
          });
        }
        const dom = s.tag === TAG_SET ? s : s.enumerate();
        const keys = dom.elems;
        const vals = new Array<Value>(keys.length);
        for (let i = 0; i < keys.length; i++) {
          f[slot] = keys[i];
          vals[i] = body(f);
        }
        return new FcnValue(dom.asDomain(), vals);
      };
    }
    const flat = slots.flat();
    if (bounds.length === 1 && bounds[0]!.tuple) {
      // [<<a, b>> \in S |-> e]: the domain is S itself.
      const set = sets[0]!;
      return (f) => {
        const s = setArg(set(f), 'the domain of a function', loc);
        const dom = s.tag === TAG_SET ? s : s.enumerate();
        const vals = dom.elems.map((x) => {
          destructure(x, flat, f, loc);
          return body(f);
        });
        return new FcnValue(dom.asDomain(), vals);
      };
    }
    return (f) => {
      const setVals = sets.map((s) => setArg(s(f), 'the domain of a function', loc));
      const domain = new ProductSet(expandBounds(bounds, setVals)).enumerate();
      const vals = domain.elems.map((x) => {
        bindTupleArgs(bounds, flat, x, f, loc);
        return body(f);
      });
      return new FcnValue(domain.asDomain(), vals);
    };
  }

  private valApply(fnE: Expr, argEs: readonly Expr[], loc: SourceLoc, env: Env): ValFn {
    const fn = this.val(fnE, env);
    if (argEs.length === 1) {
      const a = this.val(argEs[0]!, env);
      return (f) => {
        const fv = fn(f);
        const x = a(f);
        if (typeof fv === 'object' && fv.tag === TAG_FCN) {
          const i = fv.dom.lookup(x);
          if (i >= 0) return fv.vals[i]!;
        }
        return applyFcn(fv, x, loc);
      };
    }
    const args = argEs.map((x) => this.val(x, env));
    return (f) => applyFcn(fn(f), tuple(args.map((x) => x(f))), loc);
  }

  private valExcept(e: Extract<Expr, { k: 'except' }>, env: Env): ValFn {
    const base = this.val(e.fn, env);
    const atIdx = env.sc.frame.alloc();
    const atScope = new Scope(env.sc, env.sc.frame);
    atScope.names.set('@', { k: 'bound', frame: env.sc.frame, idx: atIdx });
    const updates = e.updates.map((u) => ({
      path: u.path.map((p) => (p.k === 'fld' ? { fld: str(p.name) as Value, args: null } : { fld: null, args: p.args.map((a) => this.val(a, env)) })),
      val: this.val(u.val, { ...env, sc: atScope }),
    }));
    const loc = e.loc;
    const update = (fv: Value, keys: Value[], i: number, newVal: ValFn, f: Frame): Value => {
      if (!isFcn(fv)) throw new EvalError(`EXCEPT applied to ${shortPrint(fv)}, which is not a function`, loc);
      const fn = toFcnValue(fv);
      const idx = fn.dom.lookup(keys[i]!);
      // TLC leaves the function unchanged when the key is not in its domain.
      if (idx < 0) return fn;
      const old = fn.vals[idx]!;
      let nv: Value;
      if (i === keys.length - 1) {
        f[atIdx] = old;
        nv = newVal(f);
      } else nv = update(old, keys, i + 1, newVal, f);
      if (nv === old) return fn;
      const vals = fn.vals.slice();
      vals[idx] = nv;
      return new FcnValue(fn.dom, vals);
    };
    return (f) => {
      let v = base(f);
      for (const u of updates) {
        const keys = u.path.map((p) => (p.fld !== null ? p.fld : p.args!.length === 1 ? p.args![0]!(f) : tuple(p.args!.map((a) => a(f)))));
        v = update(v, keys, 0, u.val, f);
      }
      return v;
    };
  }

  // ---- LET

  /** A scope binding the LET's definitions (in the enclosing frame). */
  letScope(defs: readonly Unit[], env: Env): Scope {
    const cached = this.letScopes.get(defs);
    if (cached !== undefined && cached.parent === env.sc) return cached.scope;
    const sc = new Scope(env.sc, env.sc.frame);
    const lenv = { ...env, sc };
    for (const d of defs) {
      switch (d.k) {
        case 'opDef':
          if (d.params.length === 0) {
            sc.names.set(d.name, { k: 'letVal', frame: env.sc.frame, idx: env.sc.frame.alloc(), def: d, scope: sc, ctx: env.ctx });
          } else {
            sc.names.set(d.name, { k: 'letOp', def: d, scope: sc, ctx: env.ctx });
          }
          break;
        case 'fnDef':
          sc.names.set(d.name, { k: 'letFn', frame: env.sc.frame, idx: env.sc.frame.alloc(), def: d, scope: sc, ctx: env.ctx });
          break;
        case 'recursive':
          break;
        case 'instDef':
          if (d.params.length > 0) throw new UnsupportedError('a parameterized INSTANCE inside LET', d.loc);
          sc.names.set(d.name, { k: 'letInst', def: d, scope: sc, ctx: env.ctx });
          break;
        default:
          throw new UnsupportedError(`${d.k} inside LET`, d.loc);
      }
    }
    // Zero-arity definitions that contain primes are expanded where used, not cached.
    for (const d of defs) {
      if (d.k === 'opDef' && d.params.length === 0 && this.level(d.body, lenv) >= L_ACTION) {
        sc.names.set(d.name, { k: 'letOp', def: d, scope: sc, ctx: env.ctx });
      }
    }
    this.letScopes.set(defs, { parent: env.sc, scope: sc });
    return sc;
  }

  private readonly letScopes = new Map<object, { parent: Scope; scope: Scope }>();

  private letSlots(sc: Scope): number[] {
    const out: number[] = [];
    for (const b of sc.names.values()) if (b.k === 'letVal' || b.k === 'letFn') out.push(b.idx);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  /** `split`: still at the top of Next, where operator applications name the action (TLC's labels). */
  act(e: Expr, env: Env, split: boolean): ActFn {
    if (this.isStateTest(e, env)) return this.guard(e, env);
    switch (e.k) {
      case 'and':
        return this.actConj(e.items, env);
      case 'or': {
        // TLC splits Next at its disjuncts: each is an action labelled with its own span.
        const alts = e.items.map((i) => (split ? this.labelled(i.loc, this.act(i, env, split)) : this.act(i, env, split)));
        return (f, k) => {
          for (let i = 0; i < alts.length; i++) alts[i]!(f, k);
        };
      }
      case 'quant': {
        const { sc, sets, slots } = this.bindBounds(e.bounds, env);
        const body = this.act(e.body, { ...env, sc }, e.q === 'E' && split);
        const loop = this.forEachBinding(e.bounds, sets, slots, e.loc, e.q === 'E' ? '\\E' : '\\A');
        if (e.q === 'E') {
          const exists: ActFn = (f, k) => {
            loop(f, (g) => {
              body(g, k);
              return false;
            });
          };
          // TLC splits Next at \E too: the action's span is the body's.
          return split ? this.labelled(e.body.loc, exists) : exists;
        }
        // \A x \in S : A(x) as the conjunction A(x1) /\ A(x2) /\ ...
        return (f, k) => {
          const frames: Frame[] = [];
          loop(f, (g) => {
            frames.push(g.slice());
            return false;
          });
          const run = (i: number): void => {
            if (i === frames.length) k();
            else body(frames[i]!, () => run(i + 1));
          };
          run(0);
        };
      }
      case 'if': {
        const c = this.val(e.c, env);
        const t = this.act(e.t, env, split);
        const el = this.act(e.e, env, split);
        const loc = e.loc;
        return (f, k) => (boolOf(c(f), 'the condition of IF', loc) ? t(f, k) : el(f, k));
      }
      case 'case': {
        const arms = e.arms.map((a) => ({ c: this.val(a.c, env), a: this.act(a.e, env, split) }));
        const other = e.other === null ? null : this.act(e.other, env, split);
        const loc = e.loc;
        return (f, k) => {
          for (const arm of arms) if (boolOf(arm.c(f), 'a CASE guard', loc)) return arm.a(f, k);
          if (other !== null) return other(f, k);
          throw new EvalError('In computing next states, TLC encountered a CASE with no conditions true', loc);
        };
      }
      case 'let': {
        const sc = this.letScope(e.defs, env);
        const inits = this.letSlots(sc);
        const body = this.act(e.body, { ...env, sc }, split);
        if (inits.length === 0) return body;
        return (f, k) => {
          for (let i = 0; i < inits.length; i++) f[inits[i]!] = UNEVALUATED;
          body(f, k);
        };
      }
      case 'name':
        return this.actName(e.name, e.args ?? [], e.loc, env, split);
      case 'inst':
        return this.actInst(e, env, split);
      case 'op':
        return this.actOp(e, env, split);
      case 'step': {
        if (e.stutter) {
          const a = this.act(e.action, env, split);
          const unch = this.actUnchanged(e.sub, e.loc, env);
          return (f, k) => {
            a(f, k);
            unch(f, k);
          };
        }
        const a = this.act(e.action, env, split);
        const changed = this.valChanged(e.sub, e.loc, env);
        return (f, k) =>
          a(f, () => {
            if (changed(f)) k();
          });
      }
      default:
        return this.guard(e, env);
    }
  }

  /** `a` as an action of its own (TLC's split of Next), labelled with the span `loc`. */
  private labelled(loc: SourceLoc, a: ActFn): ActFn {
    const rt = this.rt;
    return (f, k) => {
      const saved = rt.label;
      rt.label = { name: saved?.name ?? 'Next', args: saved?.args ?? [], loc };
      try {
        a(f, k);
      } finally {
        rt.label = saved;
      }
    };
  }

  private guard(e: Expr, env: Env): ActFn {
    return this.guardOf(this.val(e, env), e.loc);
  }

  /** Whether `e`, a part of Next, only tests the states (no primes, no action passed by name). */
  private isStateTest(e: Expr, env: Env): boolean {
    return env.mode === M_NEXT && this.level(e, env) < L_ACTION && !containsParamRef(e, env);
  }

  /** The variable `e` assigns: `x'` in Next, `x` in Init; -1 otherwise. */
  private target(e: Expr, env: Env): number {
    if (env.mode === M_NEXT) {
      if (e.k === 'op' && e.op === 'prime') return this.varOf(e.args[0]!, env);
      return -1;
    }
    if (env.mode === M_INIT) return this.varOf(e, env);
    return -1;
  }

  /** For `p = e` where p is an operator parameter: reads the raw argument (maybe a Thunk). */
  private paramTarget(e: Expr, env: Env): { raw: ValFn; primed: boolean } | null {
    if (env.mode !== M_NEXT && env.mode !== M_INIT) return null;
    let primed = false;
    if (env.mode === M_NEXT && e.k === 'op' && e.op === 'prime') {
      e = e.args[0]!;
      primed = true;
    }
    if (e.k !== 'name' || (e.args !== null && e.args.length > 0)) return null;
    const b = env.sc.lookup(e.name);
    if (b === undefined || b.k !== 'param' || b.arity !== 0) return null;
    return { raw: this.slotRead(b, env), primed };
  }

  /** `p = e` / `p \in S` through a parameter: assigns when the argument is an assignable variable. */
  private dynamicAssign(pt: { raw: ValFn; primed: boolean }, rhs: ValFn, enumerateSet: boolean, loc: SourceLoc): (rest: ActFn) => ActFn {
    const rt = this.rt;
    const { raw, primed } = pt;
    return (rest) => (f, k) => {
      const p = raw(f) as unknown as Value | Thunk;
      const x = rhs(f);
      const target = p instanceof Thunk ? (primed ? p.primeTarget : p.target) : -1;
      if (target >= 0 && rt.nxt[target] === undefined) {
        const v = target;
        if (enumerateSet) {
          for (const y of enumerate(x, 'the right side of \\in', loc)) {
            rt.nxt[v] = y;
            rest(f, k);
          }
        } else {
          rt.nxt[v] = x;
          rest(f, k);
        }
        rt.nxt[v] = undefined;
        return;
      }
      const val = p instanceof Thunk ? (primed ? p.primed() : p.value()) : p;
      if (enumerateSet ? member(val, setArg(x, '\\in', loc)) : eqChecked(val, x)) rest(f, k);
    };
  }

  private varOf(e: Expr, env: Env): number {
    if (e.k !== 'name' || (e.args !== null && e.args.length > 0)) return -1;
    if (env.sc.lookup(e.name) !== undefined) return -1;
    const g = env.ctx.get(e.name);
    if (g === undefined) return -1;
    if (g.k === 'var') return g.index;
    if (g.k === 'subst' && g.scope === null) return this.varOf(g.e, this.substEnv(g, env.mode));
    return -1;
  }

  private actConj(items: readonly Expr[], env: Env): ActFn {
    // Assignments and guards are handled without allocating a continuation.
    return chainSteps(items.map((item) => this.linearStep(item, env) ?? stepOf(this.act(item, env, false))));
  }

  /** A conjunct that is a plain guard, assignment or UNCHANGED, as a step that calls `rest` directly. */
  private linearStep(e: Expr, env: Env): Step | null {
    const assign = this.assignStep(e, env);
    if (assign !== null) return assign;
    if (e.k === 'op' && e.op === 'unchanged' && env.mode === M_NEXT) {
      const parts = this.unchangedSteps(e.args[0]!, e.loc, env);
      return (rest) => parts.reduceRight((r, part) => part(r), rest);
    }
    if (this.isStateTest(e, env)) {
      const g = this.val(e, env);
      const loc = e.loc;
      return (rest) => (f, k) => {
        const x = g(f);
        if (x === true) rest(f, k);
        else if (x !== false) throw new EvalError(`a conjunct evaluated to ${shortPrint(x)}, not a boolean`, loc);
      };
    }
    return null;
  }

  /**
   * `x' = e`, `x' \in S`, `x' \subseteq S` (`x = e`... in Init), also through an operator parameter:
   * assigns x where it is still unassigned (once per element of S), tests its value where not.
   */
  private assignStep(e: Expr, env: Env): Step | null {
    if (e.k !== 'op' || (e.op !== 'eq' && e.op !== 'in' && e.op !== 'subseteq')) return null;
    const loc = e.loc;
    if (e.op !== 'subseteq') {
      const pt = this.paramTarget(e.args[0]!, env);
      if (pt !== null) return this.dynamicAssign(pt, this.val(e.args[1]!, env), e.op === 'in', loc);
    }
    const v = this.target(e.args[0]!, env);
    if (v < 0) return null;
    const rhs = this.val(e.args[1]!, env);
    const rt = this.rt;
    switch (e.op) {
      case 'eq':
        return (rest) => (f, k) => assignOrTest(rt, v, rhs(f), rest, f, k);
      case 'in':
        return (rest) => (f, k) => {
          const cur = rt.nxt[v];
          const s = setArg(rhs(f), '\\in', loc);
          if (cur === undefined) {
            for (const x of enumerate(s, 'the right side of \\in', loc)) {
              rt.nxt[v] = x;
              rest(f, k);
            }
            rt.nxt[v] = undefined;
          } else if (member(cur, s)) rest(f, k);
        };
      case 'subseteq':
        return (rest) => (f, k) => {
          const cur = rt.nxt[v];
          const s = setArg(rhs(f), '\\subseteq', loc);
          if (cur === undefined) {
            for (const x of new PowerSet(s).enumerate().elems) {
              rt.nxt[v] = x;
              rest(f, k);
            }
            rt.nxt[v] = undefined;
          } else if (isSet(cur) && subseteq(cur, s)) rest(f, k);
        };
    }
  }

  private actName(name: string, args: readonly Expr[], loc: SourceLoc, env: Env, split: boolean): ActFn {
    const b = this.lookupOrFail(name, loc, env);
    switch (b.k) {
      case 'def':
        return this.actCall(b.def, b.ctx, b.ctx.paramScope, args, loc, env, split, null);
      case 'letOp':
        return this.actCall(b.def, b.ctx, b.scope, args, loc, env, split, null);
      case 'param': {
        if (b.arity > 0) return this.guardOf(this.valBinding(b, name, args, loc, env), loc);
        const get = this.slotRead(b, env);
        return (f, k) => {
          const v = get(f);
          if (v instanceof Thunk) v.act(v.frame, k);
          else if (v === true) k();
          else if (v !== false) throw new EvalError(`${name} evaluated to ${shortPrint(v as Value)}, not a boolean`, loc);
        };
      }
      case 'subst': {
        const senv = this.substEnv(b, env.mode);
        if (b.scope !== null) return this.guardOf(this.valBinding(b, name, args, loc, env), loc);
        const a = this.act(b.e, senv, split);
        return (_f, k) => a(new Array(senv.sc.frame.size), k);
      }
      default:
        return this.guardOf(this.valBinding(b, name, args, loc, env), loc);
    }
  }

  private guardOf(g: ValFn, loc: SourceLoc): ActFn {
    return (f, k) => {
      const v = g(f);
      if (v === true) k();
      else if (v !== false) throw new EvalError(`an action or predicate evaluated to ${shortPrint(v)}, not a boolean`, loc);
    };
  }

  private actInst(e: Extract<Expr, { k: 'inst' }>, env: Env, split: boolean): ActFn {
    const { binding, parent } = this.resolvePath(e, env);
    if (binding.k === 'def') return this.actCall(binding.def, binding.ctx, binding.ctx.paramScope, e.args ?? [], e.loc, env, split, parent);
    return this.guardOf(this.valInst(e, env), e.loc);
  }

  private compiledAct(def: OpDefUnit, ctx: ModCtx, scope: Scope | null, mode: Mode, split: boolean): CompiledAct {
    const e = this.entry(def, ctx);
    const table = split ? e.actSplit : e.act;
    let cd = table[mode];
    if (cd === undefined) {
      const sc = frameScope(scope, def.params);
      cd = { frame: sc.frame, act: null as unknown as ActFn };
      table[mode] = cd;
      cd.act = this.act(def.body, { sc, ctx, mode }, split);
    }
    return cd;
  }

  private actCall(
    def: OpDefUnit,
    ctx: ModCtx,
    scope: Scope | null,
    args: readonly Expr[],
    loc: SourceLoc,
    env: Env,
    split: boolean,
    instParent: ParentFn | null,
  ): ActFn {
    this.arity(def.name, def.params.length, args.length, loc);
    // Arguments that mention variables are passed by name, so an action argument still assigns
    // and a primed parameter is the primed argument.
    // In Init every argument that mentions a variable goes by name: it may be the one assigned.
    const calleeAction =
      env.mode === M_INIT || this.defLevel(def, ctx, scope, env.mode) >= L_ACTION || def.params.some((_, i) => this.level(args[i]!, env) >= L_ACTION);
    const argFns = this.argFns(def, args, env, calleeAction);
    const parent = instParent ?? this.parentFrameFn(scope?.frame ?? null, env);
    const cd = this.compiledAct(def, ctx, scope, env.mode, split);
    const rt = this.rt;
    const n = argFns.length;
    if (!split) {
      return (f, k) => {
        const nf: Frame = new Array(cd.frame.size);
        nf[0] = parent(f);
        for (let i = 0; i < n; i++) nf[i + 1] = argFns[i]!(f);
        cd.act(nf, k);
      };
    }
    const name = def.name;
    const bodyLoc = def.body.loc;
    return (f, k) => {
      const nf: Frame = new Array(cd.frame.size);
      nf[0] = parent(f);
      for (let i = 0; i < n; i++) nf[i + 1] = argFns[i]!(f);
      const saved = rt.label;
      rt.label = { name, args: n === 0 ? [] : (nf.slice(1, n + 1) as Value[]), loc: bodyLoc };
      try {
        cd.act(nf, k);
      } finally {
        rt.label = saved;
      }
    };
  }

  private actOp(e: Extract<Expr, { k: 'op' }>, env: Env, split: boolean): ActFn {
    const assign = this.assignStep(e, env);
    if (assign !== null) return assign(DONE);
    switch (e.op) {
      case 'unchanged':
        if (env.mode === M_NEXT) return this.actUnchanged(e.args[0]!, e.loc, env);
        break;
      case 'implies': {
        const c = this.val(e.args[0]!, env);
        const a = this.act(e.args[1]!, env, false);
        const loc = e.loc;
        return (f, k) => (boolOf(c(f), 'the left side of =>', loc) ? a(f, k) : k());
      }
      default:
        if (!CORE_OPS.has(e.op)) return this.actName(e.op, e.args, e.loc, env, split);
    }
    return this.guard(e, env);
  }

  /** UNCHANGED <<x, y>>: each variable (through definitions and tuples) is assigned its value. */
  private actUnchanged(sub: Expr, loc: SourceLoc, env: Env): ActFn {
    return chainSteps(this.unchangedSteps(sub, loc, env));
  }

  private unchangedSteps(sub: Expr, loc: SourceLoc, env: Env): Step[] {
    const parts: Step[] = [];
    const rt = this.rt;
    const collect = (e: Expr, en: Env): void => {
      if (e.k === 'tuple') {
        for (const x of e.elems) collect(x, en);
        return;
      }
      const pt = en === env ? this.paramTarget(e, en) : null;
      if (pt !== null) {
        // UNCHANGED p where p is a parameter: assigns the variable its argument names, if any.
        const raw = pt.raw;
        parts.push((rest) => (f, k) => {
          const p = raw(f) as unknown as Value | Thunk;
          if (p instanceof Thunk && p.primeTarget >= 0) assignOrTest(rt, p.primeTarget, rt.cur[p.primeTarget]!, rest, f, k);
          else if (p instanceof Thunk ? eq(p.value(), p.primed()) : true) rest(f, k);
        });
        return;
      }
      if (e.k === 'name' && (e.args === null || e.args.length === 0) && en.sc.lookup(e.name) === undefined) {
        const g = en.ctx.get(e.name);
        if (g !== undefined && g.k === 'var') {
          const i = g.index;
          parts.push((rest) => (f, k) => assignOrTest(rt, i, rt.cur[i]!, rest, f, k));
          return;
        }
        if (g !== undefined && g.k === 'def' && g.def.params.length === 0 && g.ctx.paramScope === null) {
          collect(g.def.body, this.topEnv(g.ctx, en.mode));
          return;
        }
        if (g !== undefined && g.k === 'subst' && g.scope === null) {
          collect(g.e, this.substEnv(g, en.mode));
          return;
        }
      }
      const changed = this.valChanged(e, loc, en);
      const size = en.sc.frame.size;
      const same = en === env;
      parts.push((rest) => (f, k) => {
        if (!changed(same ? f : new Array(size))) rest(f, k);
      });
    };
    collect(sub, env);
    return parts;
  }
}

/** Whether `e` mentions an operator parameter of arity 0 (which may hold an action thunk). */
function containsParamRef(e: Expr, env: Env): boolean {
  if (e.k === 'name' && (e.args === null || e.args.length === 0)) {
    const b = env.sc.lookup(e.name);
    return b !== undefined && b.k === 'param' && b.arity === 0;
  }
  if (e.k === 'and' || e.k === 'or') return e.items.some((i) => containsParamRef(i, env));
  if (e.k === 'op' && (e.op === 'eq' || e.op === 'in' || e.op === 'prime' || e.op === 'unchanged')) return containsParamRef(e.args[0]!, env);
  if (e.k === 'if') return containsParamRef(e.t, env) || containsParamRef(e.e, env);
  return false;
}

/** A part of a conjunction that calls `rest` for each way it holds (without allocating a continuation). */
type Step = (rest: ActFn) => ActFn;

const DONE: ActFn = (_f, k) => k();

function chainSteps(steps: readonly Step[]): ActFn {
  let a = DONE;
  for (let i = steps.length - 1; i >= 0; i--) a = steps[i]!(a);
  return a;
}

/** Any action as a Step: `rest` runs in the continuation. */
function stepOf(a: ActFn): Step {
  return (rest) => (rest === DONE ? a : (f, k) => a(f, () => rest(f, k)));
}

/** Assigns `x` to the (primed) variable `v` for `rest` if it is unassigned; else `rest` runs if it equals `x`. */
function assignOrTest(rt: Runtime, v: number, x: Value, rest: ActFn, f: Frame, k: () => void): void {
  const cur = rt.nxt[v];
  if (cur === undefined) {
    rt.nxt[v] = x;
    rest(f, k);
    rt.nxt[v] = undefined;
  } else if (eq(cur, x)) rest(f, k);
}

/** A call of compiled code: a new frame below `parent(f)` with the arguments in slots 1.. */
function invoke(cd: CompiledDef, parent: ParentFn, argFns: readonly ArgFn[]): ValFn {
  // Unrolled for the common arities: the call of an operator is the evaluator's commonest step.
  switch (argFns.length) {
    case 0:
      return (f) => {
        const nf: Frame = new Array(cd.frame.size);
        nf[0] = parent(f);
        return cd.body(nf);
      };
    case 1: {
      const a0 = argFns[0]!;
      return (f) => {
        const nf: Frame = new Array(cd.frame.size);
        nf[0] = parent(f);
        nf[1] = a0(f);
        return cd.body(nf);
      };
    }
    case 2: {
      const [a0, a1] = argFns as [ArgFn, ArgFn];
      return (f) => {
        const nf: Frame = new Array(cd.frame.size);
        nf[0] = parent(f);
        nf[1] = a0(f);
        nf[2] = a1(f);
        return cd.body(nf);
      };
    }
    default:
      return (f) => {
        const nf: Frame = new Array(cd.frame.size);
        nf[0] = parent(f);
        for (let i = 0; i < argFns.length; i++) nf[i + 1] = argFns[i]!(f);
        return cd.body(nf);
      };
  }
}

/** An operator as a value: each call runs `code` in a new frame below `outer`. */
function operatorValue(arity: number, code: CompiledDef, outer: Frame | null, name: string): OpClosure {
  return new OpClosure(
    arity,
    (xs) => {
      const nf: Frame = new Array(code.frame.size);
      nf[0] = outer;
      for (let i = 0; i < xs.length; i++) nf[i + 1] = xs[i];
      return code.body(nf);
    },
    name,
  );
}

function expandBounds(bounds: readonly Bound[], sets: readonly (SetValue | LazySet)[]): (SetValue | LazySet)[] {
  const out: (SetValue | LazySet)[] = [];
  bounds.forEach((b, i) => {
    if (b.tuple) out.push(sets[i]!);
    else for (let n = 0; n < b.names.length; n++) out.push(sets[i]!);
  });
  return out;
}

/** Binds `x` to a bound's names: its one slot, or the components of a tuple pattern. */
function bindElement(x: Value, tuplePattern: boolean, slots: readonly number[], f: Frame, loc: SourceLoc): void {
  if (tuplePattern) destructure(x, slots, f, loc);
  else f[slots[0]!] = x;
}

function destructure(x: Value, slots: readonly number[], f: Frame, loc: SourceLoc): void {
  if (!isFcn(x)) throw new EvalError(`a tuple pattern was matched against ${shortPrint(x)}`, loc);
  const t = toFcnValue(x);
  if (t.dom.kind !== DOM_SEQ || t.vals.length !== slots.length)
    throw new EvalError(`a tuple pattern of ${slots.length} names was matched against ${shortPrint(x)}`, loc);
  for (let i = 0; i < slots.length; i++) f[slots[i]!] = t.vals[i];
}

/** Binds the components of a function argument tuple `x` (for `[x \in S, <<a, b>> \in T |-> ...]`). */
function bindTupleArgs(bounds: readonly Bound[], slots: readonly number[], x: Value, f: Frame, loc: SourceLoc): void {
  const t = toFcnValue(x as FcnValue);
  let j = 0;
  let s = 0;
  for (const b of bounds) {
    if (b.tuple) {
      destructure(t.vals[j++]!, slots.slice(s, s + b.names.length), f, loc);
      s += b.names.length;
    } else {
      for (let n = 0; n < b.names.length; n++) f[slots[s++]!] = t.vals[j++];
    }
  }
}

const SYMBOLS: Record<string, string> = {
  plus: '+',
  minus: '-',
  mul: '*',
  pow: '^',
  lt: '<',
  gt: '>',
  leq: '<=',
  geq: '>=',
  mod: '%',
  div: '\\div',
  dots_2: '..',
  negative: '-.',
  circ: '\\o',
  map_to: ':>',
  compose: '@@',
  always: '[]',
  eventually: '<>',
  leads_to: '~>',
  plus_arrow: '-+->',
  oplus: '(+)',
  ominus: '(-)',
  sqsubseteq: '\\sqsubseteq',
};

export function displayName(op: string): string {
  return SYMBOLS[op] ?? op;
}

/** The standard module that defines an operator, for the hint of an "Unknown operator" error. */
const HINTS: Record<string, string> = {
  plus: 'Naturals',
  minus: 'Naturals',
  mul: 'Naturals',
  lt: 'Naturals',
  gt: 'Naturals',
  leq: 'Naturals',
  geq: 'Naturals',
  dots_2: 'Naturals',
  Nat: 'Naturals',
  Int: 'Integers',
  negative: 'Integers',
  Len: 'Sequences',
  Append: 'Sequences',
  Seq: 'Sequences',
  circ: 'Sequences',
  Cardinality: 'FiniteSets',
  map_to: 'TLC',
  compose: 'TLC',
};

function hintFor(op: string): string {
  const m = HINTS[op];
  return m === undefined ? '' : ` (EXTENDS ${m}?)`;
}
