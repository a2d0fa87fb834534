// The runner's own abstract syntax, converted once from tree-sitter's concrete tree
// (to-ast.ts). The evaluator compiles this to closures and never touches tree-sitter
// nodes at run time. Built-in operators are named by tree-sitter's node type for their
// symbol (`plus`, `cup`, `land`, ...), so `\land` and `/\` are the same operator.
import type { SourceLoc } from '../errors.js';

export type Expr =
  | { readonly k: 'num'; readonly v: number; readonly loc: SourceLoc }
  | { readonly k: 'str'; readonly v: string; readonly loc: SourceLoc }
  | { readonly k: 'bool'; readonly v: boolean; readonly loc: SourceLoc }
  /** A name, possibly applied: `x`, `Op(a, b)`. */
  | { readonly k: 'name'; readonly name: string; readonly args: readonly Arg[] | null; readonly loc: SourceLoc }
  /** `M!Op`, `M(1)!N!Op(2)`: a path through named instances, then the operator. */
  | {
      readonly k: 'inst';
      readonly path: readonly { readonly name: string; readonly args: readonly Arg[] }[];
      readonly name: string;
      readonly args: readonly Arg[] | null;
      readonly loc: SourceLoc;
    }
  /** A built-in or user-defined prefix/infix/postfix operator symbol applied to operands. */
  | { readonly k: 'op'; readonly op: string; readonly args: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly k: 'and' | 'or'; readonly items: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly k: 'quant'; readonly q: 'A' | 'E'; readonly bounds: readonly Bound[]; readonly body: Expr; readonly loc: SourceLoc }
  | { readonly k: 'uquant'; readonly q: 'A' | 'E'; readonly names: readonly string[]; readonly body: Expr; readonly loc: SourceLoc }
  | {
      readonly k: 'choose';
      readonly names: readonly string[];
      readonly tuple: boolean;
      readonly set: Expr | null;
      readonly body: Expr;
      readonly loc: SourceLoc;
    }
  | { readonly k: 'setEnum'; readonly elems: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly k: 'setFilter'; readonly bound: Bound; readonly pred: Expr; readonly loc: SourceLoc }
  | { readonly k: 'setMap'; readonly body: Expr; readonly bounds: readonly Bound[]; readonly loc: SourceLoc }
  | { readonly k: 'tuple'; readonly elems: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly k: 'fcn'; readonly bounds: readonly Bound[]; readonly body: Expr; readonly loc: SourceLoc }
  | { readonly k: 'fcnSet'; readonly dom: Expr; readonly rng: Expr; readonly loc: SourceLoc }
  | { readonly k: 'record'; readonly fields: readonly Field[]; readonly loc: SourceLoc }
  | { readonly k: 'recordSet'; readonly fields: readonly Field[]; readonly loc: SourceLoc }
  | { readonly k: 'apply'; readonly fn: Expr; readonly args: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly k: 'dot'; readonly rec: Expr; readonly field: string; readonly loc: SourceLoc }
  | { readonly k: 'except'; readonly fn: Expr; readonly updates: readonly ExceptUpdate[]; readonly loc: SourceLoc }
  | { readonly k: 'at'; readonly loc: SourceLoc }
  | { readonly k: 'if'; readonly c: Expr; readonly t: Expr; readonly e: Expr; readonly loc: SourceLoc }
  | {
      readonly k: 'case';
      readonly arms: readonly { readonly c: Expr; readonly e: Expr }[];
      readonly other: Expr | null;
      readonly loc: SourceLoc;
    }
  | { readonly k: 'let'; readonly defs: readonly Unit[]; readonly body: Expr; readonly loc: SourceLoc }
  | { readonly k: 'lambda'; readonly params: readonly string[]; readonly body: Expr; readonly loc: SourceLoc }
  /** `[A]_v` (stutter allowed) and `<<A>>_v` (must change v). */
  | { readonly k: 'step'; readonly stutter: boolean; readonly action: Expr; readonly sub: Expr; readonly loc: SourceLoc }
  /** WF_v(A) / SF_v(A): recognised so SPECIFICATION can be split; never evaluated. */
  | { readonly k: 'fair'; readonly strong: boolean; readonly sub: Expr; readonly action: Expr; readonly loc: SourceLoc }
  /** An operator passed as an argument: `+`, `-.`, or a user-defined infix symbol. */
  | { readonly k: 'opRef'; readonly op: string; readonly loc: SourceLoc }
  | { readonly k: 'unsupported'; readonly what: string; readonly loc: SourceLoc };

/** Operator arguments are expressions; LAMBDA and operator symbols are expressions too. */
export type Arg = Expr;

export interface Field {
  readonly name: string;
  readonly e: Expr;
}

/** `x, y \in S` (names) or `<<a, b>> \in S` (tuple pattern). */
export interface Bound {
  readonly names: readonly string[];
  readonly tuple: boolean;
  readonly set: Expr;
  readonly loc: SourceLoc;
}

export type ExceptStep = { readonly k: 'idx'; readonly args: readonly Expr[] } | { readonly k: 'fld'; readonly name: string };

export interface ExceptUpdate {
  readonly path: readonly ExceptStep[];
  readonly val: Expr;
}

export interface Param {
  readonly name: string;
  readonly arity: number;
}

export interface InstanceSpec {
  readonly module: string;
  readonly subs: readonly { readonly name: string; readonly e: Expr }[];
  readonly loc: SourceLoc;
}

export type Unit =
  | {
      readonly k: 'opDef';
      readonly name: string;
      readonly params: readonly Param[];
      readonly body: Expr;
      readonly local: boolean;
      readonly loc: SourceLoc;
    }
  | { readonly k: 'fnDef'; readonly name: string; readonly bounds: readonly Bound[]; readonly body: Expr; readonly local: boolean; readonly loc: SourceLoc }
  | {
      readonly k: 'instDef';
      readonly name: string;
      readonly params: readonly Param[];
      readonly inst: InstanceSpec;
      readonly local: boolean;
      readonly loc: SourceLoc;
    }
  | { readonly k: 'instance'; readonly inst: InstanceSpec; readonly local: boolean; readonly loc: SourceLoc }
  | { readonly k: 'assume'; readonly name: string | null; readonly e: Expr; readonly loc: SourceLoc }
  | { readonly k: 'constants'; readonly decls: readonly Param[]; readonly loc: SourceLoc }
  | { readonly k: 'variables'; readonly names: readonly string[]; readonly loc: SourceLoc }
  | { readonly k: 'recursive'; readonly decls: readonly Param[]; readonly loc: SourceLoc };

export type OpDefUnit = Extract<Unit, { k: 'opDef' }>;
export type FnDefUnit = Extract<Unit, { k: 'fnDef' }>;
export type InstDefUnit = Extract<Unit, { k: 'instDef' }>;

export interface ModuleAst {
  readonly name: string;
  readonly file: string;
  readonly extends: readonly { readonly name: string; readonly loc: SourceLoc }[];
  readonly units: readonly Unit[];
  /** Modules nested inside this one (`---- MODULE Inner ----` ... `====`). */
  readonly submodules: readonly ModuleAst[];
  readonly loc: SourceLoc;
}
