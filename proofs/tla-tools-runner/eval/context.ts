// Name resolution across modules. A ModCtx is one module as seen in one instantiation: its
// own definitions, what it EXTENDS, what its unnamed INSTANCEs import, and how its constants
// and variables are bound (to the model's values and variables for the root module and what it
// extends; to WITH-substitutions for an INSTANCE). Definitions are compiled per (definition, ctx).
import { TlaParseError, type SourceLoc } from '../errors.js';
import type { Expr, FnDefUnit, InstanceSpec, InstDefUnit, ModuleAst, OpDefUnit, Param } from '../syntax/ast.js';
import type { Value } from '../values/value.js';
import { STANDARD_MODULES, type Native, type StandardModule } from './natives.js';

export class FrameInfo {
  size = 1; // slot 0 holds the enclosing frame
  constructor(readonly parent: FrameInfo | null) {}
  alloc(): number {
    return this.size++;
  }
}

export type LocalBinding =
  | { readonly k: 'bound'; readonly frame: FrameInfo; readonly idx: number }
  | { readonly k: 'param'; readonly frame: FrameInfo; readonly idx: number; readonly arity: number; readonly name: string }
  | { readonly k: 'letVal'; readonly frame: FrameInfo; readonly idx: number; readonly def: OpDefUnit; readonly scope: Scope; readonly ctx: ModCtx }
  | { readonly k: 'letOp'; readonly def: OpDefUnit; readonly scope: Scope; readonly ctx: ModCtx }
  | { readonly k: 'letFn'; readonly frame: FrameInfo; readonly idx: number; readonly def: FnDefUnit; readonly scope: Scope; readonly ctx: ModCtx }
  /** `LET M == INSTANCE N WITH ...`: the substitutions may use what is bound where the LET is. */
  | { readonly k: 'letInst'; readonly def: InstDefUnit; readonly scope: Scope; readonly ctx: ModCtx };

export class Scope {
  readonly names = new Map<string, LocalBinding>();
  constructor(
    readonly parent: Scope | null,
    readonly frame: FrameInfo,
  ) {}
  lookup(name: string): LocalBinding | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const b = s.names.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }
}

export type GlobalBinding =
  | { readonly k: 'def'; readonly def: OpDefUnit; readonly ctx: ModCtx }
  | { readonly k: 'fn'; readonly def: FnDefUnit; readonly ctx: ModCtx }
  | { readonly k: 'inst'; readonly def: InstDefUnit; readonly ctx: ModCtx }
  | { readonly k: 'var'; readonly index: number; readonly name: string }
  | { readonly k: 'const'; readonly name: string; readonly value: Value }
  | { readonly k: 'undefConst'; readonly name: string }
  | { readonly k: 'subst'; readonly name: string; readonly e: Expr; readonly ctx: ModCtx; readonly scope: Scope | null }
  | { readonly k: 'native'; readonly native: Native }
  /** A constant the model replaces by a definition (`N <- MCN`), resolved once the graph is built. */
  | { readonly k: 'alias'; readonly name: string; target: GlobalBinding | undefined };

/**
 * Definitions the model replaces (`Op <- MCOp`, `Op = 3`): keyed by the definition (or native
 * operator) replaced everywhere, or by "Module!Name" for a replacement in one module (`<-[Mod]`).
 */
export type Overrides = Map<object | string, GlobalBinding>;

export class ModCtx {
  readonly names = new Map<string, GlobalBinding>();
  readonly exported = new Set<string>();
  readonly assumes: { readonly e: Expr; readonly name: string | null; readonly loc: SourceLoc }[] = [];
  constructor(
    readonly id: number,
    readonly name: string,
    /** The scope of a parameterized instance's parameters (`M(p) == INSTANCE N`), or null. */
    readonly paramScope: Scope | null,
    private readonly overrides: Overrides,
    /** Whether TLC checks this module's ASSUMEs in this instantiation. */
    readonly checkAssumes: boolean,
    /**
     * The root module and what it extends: the model's `Op <- MCOp` replaces definitions there,
     * not in INSTANCEs of a module (where M!Op keeps the module's own definition), as in TLC.
     */
    readonly rootFamily: boolean,
  ) {}

  /** The binding of `name`, with the model's replacements applied. */
  get(name: string): Exclude<GlobalBinding, { k: 'alias' }> | undefined {
    let b = this.names.get(name);
    if (b !== undefined && b.k === 'alias') {
      if (b.target === undefined) throw new Error(`internal: replacement of ${name} is not resolved`);
      b = b.target;
    }
    if (b === undefined || b.k === 'alias') return b as undefined;
    if (this.overrides.size > 0) {
      const scoped = this.overrides.get(`${this.name}!${name}`);
      if (scoped !== undefined) return scoped as Exclude<GlobalBinding, { k: 'alias' }>;
      const key = (b.k === 'def' || b.k === 'fn') && this.rootFamily ? b.def : b.k === 'native' ? b.native : undefined;
      const o = key === undefined ? undefined : this.overrides.get(key);
      if (o !== undefined) return o as Exclude<GlobalBinding, { k: 'alias' }>;
    }
    return b;
  }
}

/** The constants and variables of one instantiation family (a module and all it EXTENDS). */
interface Family {
  readonly ctxs: Map<string, ModCtx>;
  readonly root: boolean;
  /** TLC evaluates the ASSUMEs of the root module, what it extends and its unnamed INSTANCEs only. */
  readonly checkAssumes: boolean;
  binding(name: string, kind: 'constant' | 'variable', loc: SourceLoc): GlobalBinding;
  readonly paramScope: Scope | null;
}

export interface RootBindings {
  /** The value or replacement the model gives a root constant. */
  constant(name: string): GlobalBinding | undefined;
}

export class ModuleGraph {
  private nextId = 0;
  readonly variables: string[] = [];
  private readonly varIndex = new Map<string, number>();
  readonly rootCtx: ModCtx;
  /** Every root-family constant, for the "not assigned a value" check. */
  readonly rootConstants: { name: string; loc: SourceLoc }[] = [];
  private readonly instCache = new Map<object, Map<ModCtx, ModCtx>>();
  private readonly stdFamily: Family;
  private readonly built: ModCtx[] = [];

  readonly overrides: Overrides = new Map();

  constructor(
    private readonly modules: ReadonlyMap<string, ModuleAst>,
    root: ModuleAst,
    rootBindings: RootBindings,
  ) {
    const seenConst = new Set<string>();
    const rootFamily: Family = {
      ctxs: new Map(),
      root: true,
      checkAssumes: true,
      paramScope: null,
      binding: (name, kind, loc) => {
        if (kind === 'variable') {
          let i = this.varIndex.get(name);
          if (i === undefined) {
            i = this.variables.length;
            this.variables.push(name);
            this.varIndex.set(name, i);
          }
          return { k: 'var', index: i, name };
        }
        if (!seenConst.has(name)) {
          seenConst.add(name);
          this.rootConstants.push({ name, loc });
        }
        return rootBindings.constant(name) ?? { k: 'undefConst', name };
      },
    };
    this.stdFamily = {
      ctxs: new Map(),
      root: false,
      checkAssumes: false,
      paramScope: null,
      binding: (name, _kind, loc) => {
        throw new TlaParseError(`standard module declares ${name}`, loc);
      },
    };
    this.rootCtx = this.build(root.name, rootFamily, root.loc);
  }

  module(name: string, loc: SourceLoc): ModuleAst | StandardModule {
    const m = this.modules.get(name) ?? STANDARD_MODULES.get(name);
    if (m === undefined) throw new TlaParseError(`unknown module ${name}`, loc);
    return m;
  }

  private build(name: string, family: Family, loc: SourceLoc): ModCtx {
    const cached = family.ctxs.get(name);
    if (cached !== undefined) return cached;
    const m = this.module(name, loc);
    const ctx = new ModCtx(this.nextId++, name, family.paramScope, this.overrides, family.checkAssumes, family.root);
    family.ctxs.set(name, ctx);
    this.built.push(ctx);
    const importAll = (from: ModCtx, exported: boolean): void => {
      for (const n of from.exported) {
        ctx.names.set(n, from.names.get(n)!);
        if (exported) ctx.exported.add(n);
      }
    };
    if (!('units' in m)) {
      for (const e of m.extends) importAll(this.build(e, this.stdFamily, loc), true);
      for (const n of m.natives) {
        ctx.names.set(n.name, { k: 'native', native: n });
        ctx.exported.add(n.name);
      }
      return ctx;
    }
    for (const e of m.extends) importAll(this.build(e.name, STANDARD_MODULES.has(e.name) ? this.stdFamily : family, e.loc), true);
    const define = (n: string, b: GlobalBinding, local: boolean): void => {
      ctx.names.set(n, b);
      if (local) ctx.exported.delete(n);
      else ctx.exported.add(n);
    };
    for (const u of m.units) {
      switch (u.k) {
        case 'constants':
          for (const d of u.decls) define(d.name, family.binding(d.name, 'constant', u.loc), false);
          break;
        case 'variables':
          for (const v of u.names) define(v, family.binding(v, 'variable', u.loc), false);
          break;
        case 'opDef':
          define(u.name, { k: 'def', def: u, ctx }, u.local);
          break;
        case 'fnDef':
          define(u.name, { k: 'fn', def: u, ctx }, u.local);
          break;
        case 'instDef':
          define(u.name, { k: 'inst', def: u, ctx }, u.local);
          break;
        case 'instance': {
          const sub = this.instanceCtx(u.inst, ctx, ctx.paramScope, u);
          // The instantiated module's constants and variables are substituted, not imported.
          const decl = new Set(this.declared(u.inst.module, u.inst.loc).map((d) => d.name));
          for (const n of sub.exported) if (!decl.has(n)) define(n, sub.names.get(n)!, u.local);
          break;
        }
        case 'assume':
          ctx.assumes.push({ e: u.e, name: u.name, loc: u.loc });
          break;
        case 'recursive':
          break;
      }
    }
    return ctx;
  }

  /** Every context built so far (the root family, instances used by compiled code). */
  allContexts(): readonly ModCtx[] {
    return this.built;
  }

  /** Constant and variable names declared by a module and the modules it extends. */
  private declared(name: string, loc: SourceLoc, seen = new Set<string>()): { name: string; kind: 'constant' | 'variable'; arity: number }[] {
    if (seen.has(name)) return [];
    seen.add(name);
    const m = this.module(name, loc);
    if (!('units' in m)) return [];
    const out: { name: string; kind: 'constant' | 'variable'; arity: number }[] = [];
    for (const e of m.extends) out.push(...this.declared(e.name, e.loc, seen));
    for (const u of m.units) {
      if (u.k === 'constants') for (const d of u.decls) out.push({ name: d.name, kind: 'constant', arity: d.arity });
      if (u.k === 'variables') for (const v of u.names) out.push({ name: v, kind: 'variable', arity: 0 });
    }
    return out;
  }

  /** The context of `INSTANCE N WITH ...` written in `from` (cached per site and instantiating context). */
  instanceCtx(inst: InstanceSpec, from: ModCtx, paramScope: Scope | null, site: object, named = false): ModCtx {
    let perSite = this.instCache.get(site);
    if (perSite === undefined) {
      perSite = new Map();
      this.instCache.set(site, perSite);
    }
    const cached = perSite.get(from);
    if (cached !== undefined) return cached;
    const m = this.module(inst.module, inst.loc);
    if (!('units' in m)) {
      if (inst.subs.length > 0) throw new TlaParseError(`INSTANCE ${inst.module} WITH: a standard module has nothing to substitute`, inst.loc);
      const ctx = this.build(inst.module, this.stdFamily, inst.loc);
      perSite.set(from, ctx);
      return ctx;
    }
    const subs = new Map<string, GlobalBinding>();
    for (const s of inst.subs) subs.set(s.name, { k: 'subst', name: s.name, e: s.e, ctx: from, scope: paramScope });
    const decls = this.declared(inst.module, inst.loc);
    for (const d of decls) {
      if (subs.has(d.name)) continue;
      if (paramScope?.lookup(d.name) !== undefined) {
        // Implicitly substituted by a name bound where the instance is (a parameter, a LET name).
        subs.set(d.name, { k: 'subst', name: d.name, e: { k: 'name', name: d.name, args: null, loc: inst.loc }, ctx: from, scope: paramScope });
        continue;
      }
      const implicit = from.get(d.name);
      if (implicit === undefined) {
        throw new TlaParseError(
          `INSTANCE ${inst.module}: no substitution for ${d.kind} ${d.name}, and no ${d.name} is defined where the module is instantiated`,
          inst.loc,
        );
      }
      subs.set(d.name, implicit);
    }
    for (const s of inst.subs) {
      if (!decls.some((d) => d.name === s.name))
        throw new TlaParseError(`INSTANCE ${inst.module} WITH ${s.name}: ${s.name} is not a constant or variable of ${inst.module}`, inst.loc);
    }
    const family: Family = {
      ctxs: new Map(),
      root: false,
      checkAssumes: from.checkAssumes && !named,
      paramScope,
      binding: (name, _kind, loc) => {
        const b = subs.get(name);
        if (b === undefined) throw new TlaParseError(`no substitution for ${name}`, loc);
        return b;
      },
    };
    const ctx = this.build(inst.module, family, inst.loc);
    perSite.set(from, ctx);
    return ctx;
  }

  /** The context of a named instance definition `M(p) == INSTANCE N WITH ...`. */
  namedInstanceCtx(b: Extract<GlobalBinding, { k: 'inst' }>): ModCtx {
    const paramScope = b.def.params.length > 0 ? frameScope(b.ctx.paramScope, b.def.params) : b.ctx.paramScope;
    return this.instanceCtx(b.def.inst, b.ctx, paramScope, b.def, true);
  }
}

export function paramBinding(frame: FrameInfo, p: Param): LocalBinding {
  return { k: 'param', frame, idx: frame.alloc(), arity: p.arity, name: p.name };
}

/** A scope in a new frame (one activation of an operator) inside `outer`, binding `params` there. */
export function frameScope(outer: Scope | null, params: readonly Param[] = []): Scope {
  const frame = new FrameInfo(outer?.frame ?? null);
  const sc = new Scope(outer, frame);
  for (const p of params) sc.names.set(p.name, paramBinding(frame, p));
  return sc;
}
