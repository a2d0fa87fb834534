// Converts tree-sitter's concrete syntax tree into the runner's AST (ast.ts). Every node
// type the converter does not know becomes an `unsupported` node that names the construct,
// so that evaluating it fails loudly with its location instead of being misread.
import { TlaParseError, type SourceLoc } from '../errors.js';
import type { Arg, Bound, ExceptStep, ExceptUpdate, Expr, Field, InstanceSpec, ModuleAst, Param, Unit } from './ast.js';
import { nodeLoc, type SyntaxNode } from './parser.js';

const EXTRAS = new Set(['comment', 'block_comment']);
const PUNCT = new Set([
  'langle_bracket',
  'rangle_bracket',
  'rangle_bracket_sub',
  'all_map_to',
  'maps_to',
  'set_in',
  'case_arrow',
  'case_box',
  'def_eq',
  'gets',
  'colon',
  'label_as',
]);

function kids(n: SyntaxNode): SyntaxNode[] {
  return n.namedChildren.filter((c) => !EXTRAS.has(c.type));
}

function exprKids(n: SyntaxNode): SyntaxNode[] {
  return kids(n).filter((c) => !PUNCT.has(c.type));
}

class Converter {
  constructor(
    readonly file: string,
    private module: string,
  ) {}

  loc(n: SyntaxNode): SourceLoc {
    return nodeLoc(n, this.file, this.module);
  }

  module_(node: SyntaxNode): ModuleAst {
    const nameNode = node.childForFieldName('name');
    const name = nameNode?.text ?? '?';
    const outer = this.module;
    this.module = name;
    const exts: { name: string; loc: SourceLoc }[] = [];
    const units: Unit[] = [];
    const submodules: ModuleAst[] = [];
    for (const c of kids(node)) {
      if (nameNode !== null && c.id === nameNode.id) continue;
      switch (c.type) {
        case 'theorem': {
          // A named theorem defines its name as its statement (usable in ASSUME T1, say).
          const tn = c.childForFieldName('name');
          const st = c.childForFieldName('statement');
          if (tn !== null && st !== null && st.type !== 'assume_prove') {
            units.push({ k: 'opDef', name: tn.text, params: [], body: this.expr(st), local: false, loc: this.loc(c) });
          }
          break;
        }
        case 'header_line':
        case 'double_line':
        case 'single_line':
        case 'use_or_hide':
        case 'proof_step':
        case 'qed_step':
        case 'terminal_proof':
        case 'non_terminal_proof':
          break;
        case 'extends':
          for (const r of kids(c)) exts.push({ name: r.text, loc: this.loc(r) });
          break;
        case 'module':
          submodules.push(this.module_(c));
          break;
        default:
          units.push(...this.unit(c, false));
      }
    }
    this.module = outer;
    return { name, file: this.file, extends: exts, units, submodules, loc: this.loc(node) };
  }

  unit(c: SyntaxNode, local: boolean): Unit[] {
    const loc = this.loc(c);
    switch (c.type) {
      case 'constant_declaration':
        return [{ k: 'constants', decls: kids(c).map((d) => this.paramDecl(d)), loc }];
      case 'variable_declaration':
        return [{ k: 'variables', names: kids(c).map((d) => d.text), loc }];
      case 'recursive_declaration':
        return [{ k: 'recursive', decls: kids(c).map((d) => this.paramDecl(d)), loc }];
      case 'operator_definition':
        return [this.opDef(c, local)];
      case 'function_definition':
        return [this.fnDef(c, local)];
      case 'module_definition': {
        const def = c.childForFieldName('definition');
        if (def === null) throw new TlaParseError('module definition without INSTANCE', loc);
        return [{ k: 'instDef', name: c.childForFieldName('name')!.text, params: this.params(c), inst: this.instance(def), local, loc }];
      }
      case 'instance':
        return [{ k: 'instance', inst: this.instance(c), local, loc }];
      case 'local_definition':
        return kids(c).flatMap((d) => this.unit(d, true));
      case 'assumption': {
        const nameNode = c.childForFieldName('name');
        const body = kids(c).filter((x) => (nameNode === null || x.id !== nameNode.id) && x.type !== 'def_eq');
        const e = this.expr(body[body.length - 1]!);
        const named: Unit[] = nameNode === null ? [] : [{ k: 'opDef', name: nameNode.text, params: [], body: e, local: false, loc }];
        return [...named, { k: 'assume', name: nameNode?.text ?? null, e, loc }];
      }
      default:
        // Proof syntax, PlusCal and other module-level text carry no definitions TLC checks.
        if (/proof|step|^pcal/.test(c.type)) return [];
        throw new TlaParseError(`unexpected module-level construct ${c.type}`, loc);
    }
  }

  paramDecl(d: SyntaxNode): Param {
    if (d.type === 'operator_declaration') {
      const nameNode = d.childForFieldName('name')!;
      const arity = d.childrenForFieldName('parameter').filter((p) => p.type === 'placeholder').length;
      return { name: opName(nameNode), arity: arity === 0 ? kids(d).filter((p) => p.type === 'placeholder').length : arity };
    }
    return { name: d.text, arity: 0 };
  }

  params(def: SyntaxNode): Param[] {
    return def
      .childrenForFieldName('parameter')
      .filter((p) => p.isNamed && !EXTRAS.has(p.type))
      .map((p) => this.paramDecl(p));
  }

  opDef(c: SyntaxNode, local: boolean): Unit {
    const nameNode = c.childForFieldName('name')!;
    const body = c.childForFieldName('definition')!;
    return { k: 'opDef', name: opName(nameNode), params: this.params(c), body: this.expr(body), local, loc: this.loc(c) };
  }

  fnDef(c: SyntaxNode, local: boolean): Unit {
    const bounds = kids(c)
      .filter((x) => x.type === 'quantifier_bound')
      .map((b) => this.bound(b));
    return {
      k: 'fnDef',
      name: c.childForFieldName('name')!.text,
      bounds,
      body: this.expr(c.childForFieldName('definition')!),
      local,
      loc: this.loc(c),
    };
  }

  instance(c: SyntaxNode): InstanceSpec {
    const ks = kids(c);
    const mod = ks[0]!;
    const subs = ks
      .filter((s) => s.type === 'substitution')
      .map((s) => {
        const parts = kids(s).filter((p) => p.type !== 'gets');
        return { name: opName(parts[0]!), e: this.expr(parts[1]!) };
      });
    return { module: mod.text, subs, loc: this.loc(c) };
  }

  bound(b: SyntaxNode): Bound {
    const intros = b.childrenForFieldName('intro').filter((x) => x.isNamed && !EXTRAS.has(x.type));
    const set = b.childForFieldName('set')!;
    if (intros.length === 1 && intros[0]!.type === 'tuple_of_identifiers') {
      return { names: identifiersOf(intros[0]!), tuple: true, set: this.expr(set), loc: this.loc(b) };
    }
    return { names: intros.map((i) => i.text), tuple: false, set: this.expr(set), loc: this.loc(b) };
  }

  args(ns: SyntaxNode[]): Arg[] {
    return ns.map((a) => this.expr(a));
  }

  expr(n: SyntaxNode): Expr {
    const loc = this.loc(n);
    switch (n.type) {
      case 'nat_number':
        return { k: 'num', v: Number(n.text), loc };
      case 'binary_number':
      case 'octal_number':
      case 'hex_number': {
        const radix = n.type === 'binary_number' ? 2 : n.type === 'octal_number' ? 8 : 16;
        return { k: 'num', v: parseInt(kids(n).find((x) => x.type === 'value')!.text, radix), loc };
      }
      case 'real_number':
        return { k: 'unsupported', what: 'real numbers', loc };
      case 'string':
        return { k: 'str', v: unescapeString(n.text), loc };
      case 'boolean':
        return { k: 'bool', v: n.text === 'TRUE', loc };
      case 'identifier_ref':
      case 'identifier':
        return { k: 'name', name: n.text, args: null, loc };
      case 'nat_number_set':
        return { k: 'name', name: 'Nat', args: null, loc };
      case 'int_number_set':
        return { k: 'name', name: 'Int', args: null, loc };
      case 'real_number_set':
        return { k: 'name', name: 'Real', args: null, loc };
      case 'string_set':
        return { k: 'name', name: 'STRING', args: null, loc };
      case 'boolean_set':
        return { k: 'name', name: 'BOOLEAN', args: null, loc };
      case 'bound_op': {
        const name = n.childForFieldName('name')!;
        const args = n.childrenForFieldName('parameter').filter((p) => p.isNamed && !EXTRAS.has(p.type));
        return { k: 'name', name: name.text, args: this.args(args), loc };
      }
      case 'prefixed_op': {
        const prefix = n.childForFieldName('prefix')!;
        const path = kids(prefix)
          .filter((c) => c.type === 'subexpr_component')
          .map((comp) => {
            const inner = kids(comp)[0]!;
            if (inner.type === 'bound_op') {
              const args = inner.childrenForFieldName('parameter').filter((p) => p.isNamed && !EXTRAS.has(p.type));
              return { name: inner.childForFieldName('name')!.text, args: this.args(args) };
            }
            if (inner.type === 'identifier_ref') return { name: inner.text, args: [] as Arg[] };
            return { name: `<${inner.type}>`, args: [] as Arg[] };
          });
        if (path.some((p) => p.name.startsWith('<'))) return { k: 'unsupported', what: 'subexpression selector in M!...', loc };
        const op = n.childForFieldName('op')!;
        if (op.type === 'bound_op') {
          const args = op.childrenForFieldName('parameter').filter((p) => p.isNamed && !EXTRAS.has(p.type));
          return { k: 'inst', path, name: op.childForFieldName('name')!.text, args: this.args(args), loc };
        }
        if (op.type === 'identifier_ref') return { k: 'inst', path, name: op.text, args: null, loc };
        if (op.type === 'bound_infix_op' || op.type === 'bound_prefix_op' || op.type === 'bound_postfix_op' || op.type === 'bound_nonfix_op') {
          return { k: 'unsupported', what: 'operator symbol applied through M!', loc };
        }
        return { k: 'unsupported', what: `M!${op.type}`, loc };
      }
      case 'bound_infix_op': {
        const sym = n.childForFieldName('symbol')!;
        const lhs = this.expr(n.childForFieldName('lhs')!);
        const rhs = this.expr(n.childForFieldName('rhs')!);
        if (sym.type === 'times') {
          // A \X B \X C is a set of triples, not of nested pairs (unless parenthesized).
          const operands: SyntaxNode[] = [];
          const collect = (x: SyntaxNode): void => {
            if (x.type === 'bound_infix_op' && x.childForFieldName('symbol')!.type === 'times') {
              collect(x.childForFieldName('lhs')!);
              collect(x.childForFieldName('rhs')!);
            } else operands.push(x);
          };
          collect(n);
          return { k: 'op', op: 'times', args: operands.map((x) => this.expr(x)), loc };
        }
        if (sym.type === 'land' || sym.type === 'lor') {
          const k = sym.type === 'land' ? 'and' : 'or';
          return { k, items: [...flatten(lhs, k), ...flatten(rhs, k)], loc };
        }
        return { k: 'op', op: sym.type, args: [lhs, rhs], loc };
      }
      case 'bound_prefix_op': {
        const sym = n.childForFieldName('symbol')!;
        return { k: 'op', op: sym.type, args: [this.expr(n.childForFieldName('rhs')!)], loc };
      }
      case 'bound_postfix_op': {
        const sym = n.childForFieldName('symbol')!;
        return { k: 'op', op: sym.type, args: [this.expr(n.childForFieldName('lhs')!)], loc };
      }
      case 'bound_nonfix_op': {
        const sym = n.childForFieldName('symbol')!;
        const args = kids(n).filter((c) => c.id !== sym.id);
        return { k: 'op', op: opName(sym), args: this.args(args), loc };
      }
      case 'infix_op_symbol':
      case 'prefix_op_symbol':
      case 'postfix_op_symbol':
        return { k: 'opRef', op: opName(n), loc };
      case 'parentheses':
        return this.expr(exprKids(n)[0]!);
      case 'conj_list':
      case 'disj_list': {
        const k = n.type === 'conj_list' ? 'and' : 'or';
        const items = kids(n).map((item) => this.expr(kids(item).filter((x) => x.type !== 'bullet_conj' && x.type !== 'bullet_disj')[0]!));
        return { k, items, loc };
      }
      case 'bounded_quantification': {
        const q = n.childForFieldName('quantifier')!.type === 'forall' ? 'A' : 'E';
        const bounds = n
          .childrenForFieldName('bound')
          .filter((b) => b.type === 'quantifier_bound')
          .map((b) => this.bound(b));
        return { k: 'quant', q, bounds, body: this.expr(n.childForFieldName('expression')!), loc };
      }
      case 'unbounded_quantification': {
        const qt = n.childForFieldName('quantifier')!.type;
        if (qt === 'temporal_forall' || qt === 'temporal_exists') return { k: 'unsupported', what: `temporal quantifier ${n.childForFieldName('quantifier')!.text}`, loc };
        const names = n
          .childrenForFieldName('intro')
          .filter((x) => x.isNamed && !EXTRAS.has(x.type))
          .map((x) => x.text);
        return { k: 'uquant', q: qt === 'forall' ? 'A' : 'E', names, body: this.expr(n.childForFieldName('expression')!), loc };
      }
      case 'choose': {
        const intro = n.childForFieldName('intro')!;
        const set = n.childForFieldName('set');
        const tuple = intro.type === 'tuple_of_identifiers';
        return {
          k: 'choose',
          names: tuple ? identifiersOf(intro) : [intro.text],
          tuple,
          set: set === null ? null : this.expr(set),
          body: this.expr(n.childForFieldName('expression')!),
          loc,
        };
      }
      case 'finite_set_literal':
        return { k: 'setEnum', elems: this.args(exprKids(n)), loc };
      case 'set_filter':
        return {
          k: 'setFilter',
          bound: this.bound(n.childForFieldName('generator')!),
          pred: this.expr(n.childForFieldName('filter')!),
          loc,
        };
      case 'set_map':
        return {
          k: 'setMap',
          body: this.expr(n.childForFieldName('map')!),
          bounds: n
            .childrenForFieldName('generator')
            .filter((g) => g.type === 'quantifier_bound')
            .map((g) => this.bound(g)),
          loc,
        };
      case 'tuple_literal':
        return { k: 'tuple', elems: this.args(exprKids(n)), loc };
      case 'function_literal': {
        const parts = exprKids(n);
        const bounds = parts.filter((p) => p.type === 'quantifier_bound').map((b) => this.bound(b));
        return { k: 'fcn', bounds, body: this.expr(parts[parts.length - 1]!), loc };
      }
      case 'set_of_functions': {
        const parts = exprKids(n);
        return { k: 'fcnSet', dom: this.expr(parts[0]!), rng: this.expr(parts[1]!), loc };
      }
      case 'record_literal':
      case 'set_of_records': {
        const parts = exprKids(n);
        const fields: Field[] = [];
        for (let i = 0; i + 1 < parts.length; i += 2) fields.push({ name: parts[i]!.text, e: this.expr(parts[i + 1]!) });
        return { k: n.type === 'record_literal' ? 'record' : 'recordSet', fields, loc };
      }
      case 'function_evaluation': {
        const parts = exprKids(n);
        return { k: 'apply', fn: this.expr(parts[0]!), args: this.args(parts.slice(1)), loc };
      }
      case 'record_value': {
        const parts = exprKids(n);
        return { k: 'dot', rec: this.expr(parts[0]!), field: parts[1]!.text, loc };
      }
      case 'except': {
        const fn = this.expr(n.childForFieldName('expr_to_update')!);
        const updates: ExceptUpdate[] = kids(n)
          .filter((u) => u.type === 'except_update')
          .map((u) => {
            const spec = u.childrenForFieldName('update_specifier').find((s) => s.type === 'except_update_specifier')!;
            const path: ExceptStep[] = kids(spec).map((step) =>
              step.type === 'except_update_record_field'
                ? { k: 'fld', name: kids(step)[0]!.text }
                : { k: 'idx', args: this.args(exprKids(step)) },
            );
            return { path, val: this.expr(u.childForFieldName('new_val')!) };
          });
        return { k: 'except', fn, updates, loc };
      }
      case 'prev_func_val':
        return { k: 'at', loc };
      case 'if_then_else':
        return {
          k: 'if',
          c: this.expr(n.childForFieldName('if')!),
          t: this.expr(n.childForFieldName('then')!),
          e: this.expr(n.childForFieldName('else')!),
          loc,
        };
      case 'case': {
        const arms: { c: Expr; e: Expr }[] = [];
        let other: Expr | null = null;
        for (const arm of kids(n)) {
          const parts = exprKids(arm);
          if (arm.type === 'case_arm') arms.push({ c: this.expr(parts[0]!), e: this.expr(parts[1]!) });
          else if (arm.type === 'other_arm') other = this.expr(parts[0]!);
        }
        return { k: 'case', arms, other, loc };
      }
      case 'let_in': {
        const defs = n.childrenForFieldName('definitions').flatMap((d) => (EXTRAS.has(d.type) ? [] : this.unit(d, false)));
        return { k: 'let', defs, body: this.expr(n.childForFieldName('expression')!), loc };
      }
      case 'lambda': {
        const parts = exprKids(n);
        return { k: 'lambda', params: parts.slice(0, -1).map((p) => p.text), body: this.expr(parts[parts.length - 1]!), loc };
      }
      case 'step_expr_or_stutter':
      case 'step_expr_no_stutter': {
        const parts = exprKids(n);
        return { k: 'step', stutter: n.type === 'step_expr_or_stutter', action: this.expr(parts[0]!), sub: this.expr(parts[1]!), loc };
      }
      case 'fairness': {
        const parts = exprKids(n);
        return { k: 'fair', strong: n.text.startsWith('SF_'), sub: this.expr(parts[0]!), action: this.expr(parts[1]!), loc };
      }
      case 'label':
        return this.expr(n.childForFieldName('expression')!);
      case 'subexpression':
        return { k: 'unsupported', what: 'subexpression reference (Op!1, Op!:)', loc };
      default:
        return { k: 'unsupported', what: `syntax ${n.type}`, loc };
    }
  }
}

function identifiersOf(tuple: SyntaxNode): string[] {
  return kids(tuple)
    .filter((x) => x.type === 'identifier')
    .map((x) => x.text);
}

/** The name of a defined operator: an identifier, or the node type of its symbol (`plusplus`). */
function opName(n: SyntaxNode): string {
  if (n.type === 'infix_op_symbol' || n.type === 'prefix_op_symbol' || n.type === 'postfix_op_symbol') {
    const inner = n.namedChildren[0];
    return inner === undefined ? n.text : inner.type;
  }
  return n.text;
}

function flatten(e: Expr, k: 'and' | 'or'): readonly Expr[] {
  return e.k === k ? e.items : [e];
}

export function unescapeString(text: string): string {
  const body = text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === 'f' ? '\f' : c));
}

/** Converts every module in a parsed file; the first is the file's main module. */
export function toModules(root: SyntaxNode, file: string): ModuleAst[] {
  const conv = new Converter(file, '?');
  const mods = kids(root)
    .filter((c) => c.type === 'module')
    .map((m) => conv.module_(m));
  if (mods.length === 0) throw new TlaParseError('no MODULE found', nodeLoc(root, file, '?'));
  return mods;
}
