// Reads TLC model configuration files (.cfg), following tlc2.tool.impl.ModelConfig:
// keywords start sections, a section's arguments may span lines, comments are `\*` and `(* *)`.
import { ConfigError } from '../errors.js';

export type CfgValue =
  | { readonly k: 'int'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'model'; readonly name: string }
  | { readonly k: 'set'; readonly elems: readonly CfgValue[] };

export interface CfgConstant {
  readonly name: string;
  readonly value: CfgValue;
  /** `N = [Mod]v`: the constant of module Mod. */
  readonly module?: string;
  readonly line: number;
}

export interface CfgOverride {
  /** The constant or definition replaced (`Nat` in `Nat <- MCNat`). */
  readonly name: string;
  /** The definition that replaces it. */
  readonly target: string;
  /** `X <-[Mod] Y`: replaces Mod's X. */
  readonly module?: string;
  readonly line: number;
}

export interface ModelConfig {
  readonly file: string;
  readonly constants: readonly CfgConstant[];
  readonly overrides: readonly CfgOverride[];
  readonly init?: string;
  readonly next?: string;
  readonly specification?: string;
  readonly invariants: readonly string[];
  readonly properties: readonly string[];
  readonly constraints: readonly string[];
  readonly actionConstraints: readonly string[];
  readonly symmetry?: string;
  readonly view?: string;
  readonly alias?: string;
  readonly postconditions: readonly string[];
  readonly checkDeadlock?: boolean;
  /** Identifiers and strings in order of appearance: TLC interns them before the spec's. */
  readonly tokens: readonly string[];
}

const SINGLE = new Set(['INIT', 'NEXT', 'SPECIFICATION', 'SYMMETRY', 'VIEW', 'ALIAS', '_PERIODIC', '_RL_REWARD', 'CHECK_DEADLOCK']);
const LISTS = new Set([
  'INVARIANT',
  'INVARIANTS',
  'PROPERTY',
  'PROPERTIES',
  'CONSTRAINT',
  'CONSTRAINTS',
  'ACTION_CONSTRAINT',
  'ACTION_CONSTRAINTS',
  'POSTCONDITION',
  'POSTCONDITIONS',
  'POSSIBLE',
]);
const KEYWORDS = new Set([...SINGLE, ...LISTS, 'CONSTANT', 'CONSTANTS']);

interface Token {
  readonly kind: 'id' | 'num' | 'str' | 'sym';
  readonly text: string;
  readonly line: number;
}

/** Where the (nested) comment `(* ... *)` opened at `start` ends, just after its `*)`; -1 if it never does. */
export function commentEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('(*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*)', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return -1;
}

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('\\*', i)) {
      while (i < n && text[i] !== '\n') i++;
    } else if (text.startsWith('(*', i)) {
      const end = commentEnd(text, i);
      if (end < 0) throw new ConfigError('unterminated comment (* ...', file, line);
      for (; i < end; i++) if (text[i] === '\n') line++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < n) {
          const e = text[j + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else {
          if (text[j] === '\n') throw new ConfigError('unterminated string', file, line);
          s += text[j++];
        }
      }
      if (j >= n) throw new ConfigError('unterminated string', file, line);
      out.push({ kind: 'str', text: s, line });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(text[j]!)) j++;
      out.push({ kind: 'num', text: text.slice(i, j), line });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      out.push({ kind: 'id', text: text.slice(i, j), line });
      i = j;
    } else if (text.startsWith('<-', i)) {
      out.push({ kind: 'sym', text: '<-', line });
      i += 2;
    } else if ('={},[]()!'.includes(c)) {
      out.push({ kind: 'sym', text: c, line });
      i++;
    } else {
      // An operator symbol (an override like `+ <- Plus`): take the run of symbol characters.
      let j = i + 1;
      while (j < n && /[^\sA-Za-z0-9_"{}(),[\]]/.test(text[j]!) && !text.startsWith('<-', j)) j++;
      out.push({ kind: 'sym', text: text.slice(i, j), line });
      i = j;
    }
  }
  return out;
}

export function parseConfig(text: string, file: string): ModelConfig {
  const toks = tokenize(text, file);
  let p = 0;
  const constants: CfgConstant[] = [];
  const overrides: CfgOverride[] = [];
  const lists: Record<string, string[]> = {};
  const singles: Record<string, string> = {};
  let checkDeadlock: boolean | undefined;
  const tokens = toks.filter((t) => t.kind === 'id' || t.kind === 'str').map((t) => t.text);

  const peek = (): Token | undefined => toks[p];
  const next = (what: string, line: number): Token => {
    const t = toks[p++];
    if (t === undefined) throw new ConfigError(`missing ${what}`, file, line);
    return t;
  };
  const isKeyword = (t: Token | undefined): boolean => t !== undefined && t.kind === 'id' && KEYWORDS.has(t.text);

  const value = (line: number): CfgValue => {
    const t = next('a value', line);
    if (t.kind === 'num') return { k: 'int', v: Number(t.text) };
    if (t.kind === 'str') return { k: 'str', v: t.text };
    if (t.kind === 'id') {
      if (t.text === 'TRUE' || t.text === 'FALSE') return { k: 'bool', v: t.text === 'TRUE' };
      return { k: 'model', name: t.text };
    }
    if (t.text === '{') {
      const elems: CfgValue[] = [];
      if (peek()?.text === '}') {
        p++;
        return { k: 'set', elems };
      }
      for (;;) {
        elems.push(value(t.line));
        const sep = next('"," or "}"', t.line);
        if (sep.text === '}') return { k: 'set', elems };
        if (sep.text !== ',') throw new ConfigError(`expected "," or "}" in a set, found "${sep.text}"`, file, sep.line);
      }
    }
    throw new ConfigError(`expected a value, found "${t.text}"`, file, t.line);
  };

  while (p < toks.length) {
    const kw = toks[p++]!;
    if (kw.kind !== 'id' || !KEYWORDS.has(kw.text)) throw new ConfigError(`expected a keyword, found "${kw.text}"`, file, kw.line);
    const key = kw.text;
    if (key === 'CONSTANT' || key === 'CONSTANTS') {
      while (p < toks.length && !isKeyword(peek())) {
        const lhsTok = next('a constant name', kw.line);
        let lhs = lhsTok.text;
        while (peek()?.text === '!') {
          p++;
          lhs += `!${next('a name after !', lhsTok.line).text}`;
        }
        const op = next('"=" or "<-"', lhsTok.line);
        // `N <-[Mod] Def`, `N =[Mod] v`: the constant of module Mod.
        const moduleTag = (): string | undefined => {
          if (peek()?.text !== '[') return undefined;
          p++;
          const module = next('a module name', op.line).text;
          if (next('"]"', op.line).text !== ']') throw new ConfigError(`expected "]" after ${op.text}[Module`, file, op.line);
          return module;
        };
        if (op.text === '<-') {
          const module = moduleTag();
          const target = next('a definition name after <-', op.line);
          if (target.kind !== 'id') throw new ConfigError(`expected a definition name after <-, found "${target.text}"`, file, target.line);
          overrides.push(module === undefined ? { name: lhs, target: target.text, line: op.line } : { name: lhs, target: target.text, module, line: op.line });
        } else if (op.text === '=') {
          const module = moduleTag();
          const v = value(op.line);
          constants.push(module === undefined ? { name: lhs, value: v, line: lhsTok.line } : { name: lhs, value: v, module, line: lhsTok.line });
        } else if (op.text === '(') {
          throw new ConfigError(`assigning values to operator constants (${lhs}(...) = ...) is not supported`, file, op.line);
        } else {
          throw new ConfigError(`expected "=" or "<-" after ${lhs}, found "${op.text}"`, file, op.line);
        }
      }
    } else if (key === 'CHECK_DEADLOCK') {
      const t = next('TRUE or FALSE after CHECK_DEADLOCK', kw.line);
      if (t.text !== 'TRUE' && t.text !== 'FALSE') throw new ConfigError(`expected TRUE or FALSE after CHECK_DEADLOCK, found "${t.text}"`, file, t.line);
      if (checkDeadlock !== undefined) throw new ConfigError('CHECK_DEADLOCK appears twice', file, kw.line);
      checkDeadlock = t.text === 'TRUE';
    } else if (SINGLE.has(key)) {
      const t = next(`a name after ${key}`, kw.line);
      if (t.kind !== 'id' || isKeyword(t)) throw new ConfigError(`expected a name after ${key}, found "${t.text}"`, file, t.line);
      if (singles[key] !== undefined) throw new ConfigError(`${key} appears twice`, file, kw.line);
      singles[key] = t.text;
    } else {
      const canon = key.replace(/S$/, '').replace(/IE$/, 'Y');
      const list = (lists[canon] ??= []);
      while (p < toks.length && !isKeyword(peek())) {
        const t = next('a name', kw.line);
        if (t.kind !== 'id') throw new ConfigError(`expected a name after ${key}, found "${t.text}"`, file, t.line);
        list.push(t.text);
      }
    }
  }

  const cfg: ModelConfig = {
    file,
    constants,
    overrides,
    invariants: lists['INVARIANT'] ?? [],
    properties: lists['PROPERTY'] ?? [],
    constraints: lists['CONSTRAINT'] ?? [],
    actionConstraints: lists['ACTION_CONSTRAINT'] ?? [],
    postconditions: lists['POSTCONDITION'] ?? [],
    tokens,
    ...(singles['INIT'] !== undefined && { init: singles['INIT'] }),
    ...(singles['NEXT'] !== undefined && { next: singles['NEXT'] }),
    ...(singles['SPECIFICATION'] !== undefined && { specification: singles['SPECIFICATION'] }),
    ...(singles['SYMMETRY'] !== undefined && { symmetry: singles['SYMMETRY'] }),
    ...(singles['VIEW'] !== undefined && { view: singles['VIEW'] }),
    ...(singles['ALIAS'] !== undefined && { alias: singles['ALIAS'] }),
    ...(checkDeadlock !== undefined && { checkDeadlock }),
  };
  if (cfg.specification !== undefined && (cfg.init !== undefined || cfg.next !== undefined)) {
    throw new ConfigError('SPECIFICATION cannot be combined with INIT/NEXT', file);
  }
  return cfg;
}
