// Turns a loaded spec and a TLC configuration into what the explorer runs: compiled Init,
// Next, invariants, constraints, symmetry and view, with the model's constant values and
// replacements applied, and the ASSUMEs to check first.
import { type CfgValue, commentEnd, type ModelConfig } from '../cfg/config.js';
import { ConfigError, TlaParseError, UnsupportedError, type SourceLoc } from '../errors.js';
import { Compiler, type Env, L_ACTION, L_TEMPORAL, M_CONST, M_INIT, M_NEXT, M_STATE } from '../eval/compile.js';
import { type GlobalBinding, ModuleGraph, type ModCtx } from '../eval/context.js';
import { type ActFn, type Frame, Runtime, type ValFn } from '../eval/runtime.js';
import type { Expr } from '../syntax/ast.js';
import type { LoadedSpec } from '../syntax/loader.js';
import { internName, isFcn, isSet, modelValue, resetInterning, setOf, str, toFcnValue, type Value } from '../values/value.js';
import { elementsOf } from '../values/sets.js';
import { isGroup, permutationOf, Symmetry } from './symmetry.js';

export interface Compiled<F> {
  readonly name: string;
  readonly fn: F;
  readonly frameSize: () => number;
  readonly loc: SourceLoc;
}

export interface CheckModel {
  readonly rt: Runtime;
  readonly variables: readonly string[];
  readonly init: Compiled<ActFn>;
  readonly next: Compiled<ActFn>;
  readonly invariants: readonly Compiled<ValFn>[];
  readonly constraints: readonly Compiled<ValFn>[];
  readonly actionConstraints: readonly Compiled<ValFn>[];
  readonly view: Compiled<ValFn> | null;
  readonly symmetry: Symmetry | null;
  readonly checkDeadlock: boolean;
  readonly assumes: readonly Compiled<ValFn>[];
  /** Whatever the model leaves unchecked, said once to the user. */
  readonly notes: readonly string[];
}

/** Identifiers and strings of a TLA+ text in order, outside comments (TLC's intern order). */
export function tokensOf(text: string): string[] {
  const out: string[] = [];
  const re = /\(\*|\\\*[^\n]*|"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '(*') {
      const end = commentEnd(text, m.index);
      re.lastIndex = end < 0 ? text.length : end;
    } else if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)));
    else if (m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

function cfgValue(v: CfgValue): Value {
  switch (v.k) {
    case 'int':
      return v.v;
    case 'str':
      return str(v.v);
    case 'bool':
      return v.v;
    case 'model':
      return modelValue(v.name);
    case 'set':
      return setOf(v.elems.map(cfgValue));
  }
}

export interface BuildOptions {
  /** Check the model's safety part only, ignoring PROPERTY (said in a note). */
  readonly ignoreProperties?: boolean;
}

export function buildModel(spec: LoadedSpec, cfg: ModelConfig, options: BuildOptions = {}): CheckModel {
  resetInterning();
  for (const t of cfg.tokens) internName(t);
  for (const { text } of spec.texts) for (const t of tokensOf(text)) internName(t);

  const notes: string[] = [];
  const cfgLoc = (line?: number): SourceLoc => ({ file: cfg.file, module: spec.root.name, line: line ?? 1, col: 1, endLine: line ?? 1, endCol: 1 });

  const constants = new Map<string, GlobalBinding>();
  const aliases = new Map<string, Extract<GlobalBinding, { k: 'alias' }>>();
  for (const c of cfg.constants) if (c.module === undefined) constants.set(c.name, { k: 'const', name: c.name, value: cfgValue(c.value) });
  for (const o of cfg.overrides) {
    if (o.module !== undefined) continue;
    const alias: Extract<GlobalBinding, { k: 'alias' }> = { k: 'alias', name: o.name, target: undefined };
    aliases.set(o.name, alias);
    constants.set(o.name, alias);
  }
  const graph = new ModuleGraph(spec.modules, spec.root, { constant: (name) => constants.get(name) });
  const root = graph.rootCtx;

  const targetOf = (name: string, line: number): Exclude<GlobalBinding, { k: 'alias' }> => {
    const b = root.get(name);
    if (b === undefined) throw new ConfigError(`${name} is not defined in module ${spec.root.name}`, cfg.file, line);
    return b;
  };
  for (const o of cfg.overrides) {
    const target = targetOf(o.target, o.line);
    if (o.module !== undefined) {
      graph.overrides.set(`${o.module}!${o.name}`, target);
      continue;
    }
    const b = root.names.get(o.name);
    if (b === undefined) throw new ConfigError(`${o.name} <- ${o.target}: ${o.name} is not a constant or definition of ${spec.root.name}`, cfg.file, o.line);
    if (b.k === 'alias') b.target = target;
    else if (b.k === 'def' || b.k === 'fn') graph.overrides.set(b.def, target);
    else if (b.k === 'native') graph.overrides.set(b.native, target);
    else throw new ConfigError(`${o.name} <- ${o.target}: ${o.name} cannot be replaced`, cfg.file, o.line);
  }
  // Unresolved aliases (an override of a name that is not a constant) have no effect.
  for (const [name, a] of aliases) if (a.target === undefined) a.target = targetOf(cfg.overrides.find((o) => o.name === name)!.target, 1);
  for (const c of cfg.constants) {
    const value: GlobalBinding = { k: 'const', name: c.name, value: cfgValue(c.value) };
    if (c.module !== undefined) {
      graph.overrides.set(`${c.module}!${c.name}`, value);
      continue;
    }
    const b = root.names.get(c.name);
    if (b === undefined) {
      // TLC accepts assignments to names the spec does not declare (it ignores them); `v1 = v1`
      // is the usual way to introduce a model value, so it goes without a note.
      const selfNamed = c.value.k === 'model' && c.value.name === c.name;
      if (!selfNamed) notes.push(`the configuration assigns ${c.name}, which ${spec.root.name} does not declare; ignored`);
      continue;
    }
    if (b.k === 'def' || b.k === 'fn') graph.overrides.set(b.def, value);
    else if (b.k === 'native') graph.overrides.set(b.native, value);
  }
  for (const c of graph.rootConstants) {
    const b = root.get(c.name);
    if (b !== undefined && b.k === 'undefConst')
      throw new ConfigError(`The constant parameter ${c.name} is not assigned a value by the configuration file`, cfg.file);
  }

  const rt = new Runtime(graph.variables);
  const compiler = new Compiler(rt, graph);

  const nameExpr = (name: string, line?: number): Expr => {
    const b = root.get(name);
    if (b === undefined) throw new ConfigError(`${name} is not defined in module ${spec.root.name}`, cfg.file, line);
    return { k: 'name', name, args: null, loc: b.k === 'def' ? b.def.body.loc : cfgLoc(line) };
  };

  const value = (name: string, mode: 0 | 1 | 3, what: string): Compiled<ValFn> => {
    const e = nameExpr(name);
    const env = compiler.topEnv(root, mode);
    const level = compiler.level(e, env);
    if (mode === M_STATE && level >= L_ACTION) throw new ConfigError(`the ${what} ${name} is not a state predicate`, cfg.file);
    const fn = compiler.val(e, env);
    return { name, fn, frameSize: () => env.sc.frame.size, loc: e.loc };
  };

  if (cfg.properties.length > 0 && options.ignoreProperties === true) {
    notes.push(`PROPERTY ${cfg.properties.join(', ')} not checked (safety only, as asked)`);
  } else if (cfg.properties.length > 0) {
    throw new UnsupportedError(
      `PROPERTY ${cfg.properties.join(', ')} (temporal properties are not checked by the embedded checker; use --engine tlc with TLA2TOOLS_JAR)`,
      cfgLoc(),
    );
  }
  if (cfg.postconditions.length > 0) throw new UnsupportedError(`POSTCONDITION ${cfg.postconditions.join(', ')}`, cfgLoc());
  if (cfg.alias !== undefined) notes.push(`ALIAS ${cfg.alias} is ignored: traces show the variables`);

  let initE: { e: Expr; env: Env }[];
  let nextE: { e: Expr; env: Env; name: string };
  if (cfg.specification !== undefined) {
    const split = splitSpecification(compiler, root, cfg.specification, cfg.file);
    initE = split.init;
    nextE = split.next;
    if (split.fairness > 0) notes.push(`fairness and liveness conjuncts of ${cfg.specification} are ignored (safety checking only)`);
  } else {
    if (cfg.init === undefined || cfg.next === undefined) {
      if (cfg.init === undefined && cfg.next === undefined && cfg.invariants.length === 0) {
        return assumeOnlyModel(compiler, rt, graph, notes);
      }
      throw new ConfigError(`the configuration names no ${cfg.init === undefined ? 'INIT' : 'NEXT'} (and no SPECIFICATION)`, cfg.file);
    }
    initE = [{ e: nameExpr(cfg.init), env: compiler.topEnv(root, M_INIT) }];
    nextE = { e: nameExpr(cfg.next), env: compiler.topEnv(root, M_NEXT), name: cfg.next };
  }
  const init = compileInit(compiler, initE);
  const nextEnv = { ...nextE.env, mode: M_NEXT } as Env;
  const next: Compiled<ActFn> = { name: nextE.name, fn: compiler.act(nextE.e, nextEnv, true), frameSize: () => nextEnv.sc.frame.size, loc: nextE.e.loc };

  const invariants = cfg.invariants.map((n) => value(n, M_STATE, 'invariant'));
  const constraints = cfg.constraints.map((n) => value(n, M_STATE, 'constraint'));
  const actionConstraints = cfg.actionConstraints.map((n) => value(n, M_NEXT, 'action constraint'));
  const view = cfg.view === undefined ? null : value(cfg.view, M_STATE, 'view');

  let symmetry: Symmetry | null = null;
  if (cfg.symmetry !== undefined) {
    const s = value(cfg.symmetry, M_CONST, 'symmetry set');
    const frame: Frame = new Array(s.frameSize());
    const v = s.fn(frame);
    if (!isSet(v)) throw new ConfigError(`the symmetry set ${cfg.symmetry} is not a set`, cfg.file);
    const perms = elementsOf(v).map((p) => {
      if (!isFcn(p)) throw new ConfigError(`the symmetry set ${cfg.symmetry} contains a non-function`, cfg.file);
      return permutationOf(toFcnValue(p));
    });
    symmetry = new Symmetry(perms);
    if (!isGroup(perms)) {
      notes.push(
        `the symmetry set ${cfg.symmetry} is not closed under composition: the reduction is sound, but its distinct-state count depends on the value order and may differ from TLC's`,
      );
    }
    if (view !== null) notes.push('SYMMETRY is applied before VIEW');
  }

  return {
    rt,
    variables: graph.variables,
    init,
    next,
    invariants,
    constraints,
    actionConstraints,
    view,
    symmetry,
    checkDeadlock: cfg.checkDeadlock ?? true,
    assumes: compileAssumes(compiler, graph),
    notes,
  };
}

function compileAssumes(compiler: Compiler, graph: ModuleGraph): Compiled<ValFn>[] {
  const out: Compiled<ValFn>[] = [];
  const seen = new Set<object>();
  for (const ctx of graph.allContexts()) {
    if (ctx.paramScope !== null || !ctx.checkAssumes) continue;
    for (const a of ctx.assumes) {
      if (seen.has(a)) continue;
      seen.add(a);
      const env = compiler.topEnv(ctx, M_CONST);
      out.push({ name: a.name ?? 'ASSUME', fn: compiler.val(a.e, env), frameSize: () => env.sc.frame.size, loc: a.e.loc });
    }
  }
  return out;
}

function assumeOnlyModel(compiler: Compiler, rt: Runtime, graph: ModuleGraph, notes: string[]): CheckModel {
  const nothing: ActFn = () => {};
  const loc = graph.rootCtx.assumes[0]?.loc ?? { file: '?', module: graph.rootCtx.name, line: 1, col: 1, endLine: 1, endCol: 1 };
  notes.push('the configuration has no INIT/NEXT or SPECIFICATION: only the ASSUMEs are checked');
  return {
    rt,
    variables: graph.variables,
    init: { name: 'Init', fn: nothing, frameSize: () => 1, loc },
    next: { name: 'Next', fn: nothing, frameSize: () => 1, loc },
    invariants: [],
    constraints: [],
    actionConstraints: [],
    view: null,
    symmetry: null,
    checkDeadlock: false,
    assumes: compileAssumes(compiler, graph),
    notes,
  };
}

/**
 * Splits `Spec == Init /\ [][Next]_vars /\ Fairness` into Init and Next. Fairness (WF_/SF_,
 * possibly quantified or behind definitions) is recognised and ignored; any other temporal
 * conjunct is refused loudly.
 */
function splitSpecification(
  compiler: Compiler,
  root: ModCtx,
  name: string,
  file: string,
): { init: { e: Expr; env: Env }[]; next: { e: Expr; env: Env; name: string }; fairness: number } {
  const b = root.get(name);
  if (b === undefined || b.k !== 'def' || b.def.params.length > 0) throw new ConfigError(`SPECIFICATION ${name} is not a definition without parameters`, file);
  const inits: { e: Expr; env: Env }[] = [];
  let next: { e: Expr; env: Env; name: string } | null = null;
  let fairness = 0;
  // Fairness and other liveness conjuncts (<>P, P ~> Q, []<>P, <>[][A]_v) restrict which infinite
  // behaviors count, not which states are reachable: safety checking ignores them, as TLC's
  // state-space exploration does.
  const isFairness = (e: Expr, env: Env): boolean => {
    if (e.k === 'fair') return true;
    if (e.k === 'op' && (e.op === 'eventually' || e.op === 'leads_to')) return true;
    if (e.k === 'op' && e.op === 'always' && e.args[0]!.k === 'op' && e.args[0]!.op === 'eventually') return true;
    if (e.k === 'and') return e.items.every((i) => isFairness(i, env));
    if (e.k === 'quant') return isFairness(e.body, env);
    if (e.k === 'name' && (e.args === null || e.args.length === 0)) {
      const g = env.ctx.get(e.name);
      if (g !== undefined && g.k === 'def' && g.def.params.length === 0) return isFairness(g.def.body, compiler.topEnv(g.ctx, M_STATE));
    }
    return false;
  };
  const visit = (e: Expr, env: Env): void => {
    if (e.k === 'and') {
      for (const i of e.items) visit(i, env);
      return;
    }
    if (e.k === 'op' && e.op === 'always' && e.args[0]!.k === 'step' && (e.args[0] as Extract<Expr, { k: 'step' }>).stutter) {
      const step = e.args[0] as Extract<Expr, { k: 'step' }>;
      if (next !== null) throw new UnsupportedError(`SPECIFICATION ${name} has two [][Next]_vars conjuncts`, e.loc);
      const a = step.action;
      next = { e: a, env, name: a.k === 'name' ? a.name : 'Next' };
      if (a.k === 'name') {
        const g = env.ctx.get(a.name);
        if (g !== undefined && g.k === 'def') next = { e: { ...a, loc: g.def.body.loc }, env, name: a.name };
      }
      return;
    }
    if (isFairness(e, env)) {
      fairness++;
      return;
    }
    const level = compiler.level(e, { ...env, mode: M_STATE });
    if (level >= L_TEMPORAL) {
      if (e.k === 'name' && (e.args === null || e.args.length === 0)) {
        const g = env.ctx.get(e.name);
        if (g !== undefined && g.k === 'def' && g.def.params.length === 0) {
          visit(g.def.body, compiler.topEnv(g.ctx, M_STATE));
          return;
        }
      }
      throw new UnsupportedError(
        `the temporal conjunct of SPECIFICATION ${name} (only Init /\\ [][Next]_vars /\\ fairness or liveness conjuncts are supported)`,
        e.loc,
      );
    }
    if (level >= L_ACTION) throw new TlaParseError(`SPECIFICATION ${name} has an action-level conjunct outside [][...]_vars`, e.loc);
    inits.push({ e, env });
  };
  visit(b.def.body, compiler.topEnv(b.ctx, M_STATE));
  if (next === null) throw new UnsupportedError(`SPECIFICATION ${name} has no [][Next]_vars conjunct`, b.def.loc);
  if (inits.length === 0) throw new ConfigError(`SPECIFICATION ${name} has no initial predicate`, file);
  return { init: inits, next, fairness };
}

/** The initial predicate: the conjunction of the spec's state-level conjuncts, each in its module. */
function compileInit(compiler: Compiler, parts: readonly { e: Expr; env: Env }[]): Compiled<ActFn> {
  const compiled = parts.map((p) => {
    const env = { ...p.env, mode: M_INIT } as Env;
    return { fn: compiler.act(p.e, env, false), env };
  });
  // Each part has its own top-level frame; they run one after the other.
  const fn: ActFn = (_f, k) => {
    const run = (i: number): void => {
      if (i === compiled.length) return k();
      const c = compiled[i]!;
      c.fn(new Array(c.env.sc.frame.size), () => run(i + 1));
    };
    run(0);
  };
  return { name: 'Init', fn, frameSize: () => 1, loc: parts[0]!.e.loc };
}
