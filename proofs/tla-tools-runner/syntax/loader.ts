// Loads a spec and every module it EXTENDS or INSTANCEs: standard modules are native
// (eval/natives.ts); any other module must be a file next to the spec (`Name.tla`) or a module
// nested inside a loaded file.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TlaParseError, UnsupportedError, type SourceLoc } from '../errors.js';
import { STANDARD_MODULES, UNSUPPORTED_STANDARD } from '../eval/natives.js';
import type { Expr, ModuleAst, Unit } from './ast.js';
import { parseTla } from './parser.js';
import { toModules } from './to-ast.js';

export interface LoadedSpec {
  readonly root: ModuleAst;
  /** User modules by name (files and nested modules). */
  readonly modules: ReadonlyMap<string, ModuleAst>;
  /** Source texts in load order (root first): TLC interns their tokens in this order. */
  readonly texts: readonly { readonly file: string; readonly text: string }[];
}

function referencedModules(m: ModuleAst): { name: string; loc: SourceLoc }[] {
  const out: { name: string; loc: SourceLoc }[] = [...m.extends];
  const fromUnits = (units: readonly Unit[]): void => {
    for (const u of units) {
      if (u.k === 'instance' || u.k === 'instDef') out.push({ name: u.inst.module, loc: u.inst.loc });
      if (u.k === 'opDef') fromExpr(u.body);
    }
  };
  const fromExpr = (e: Expr): void => {
    if (e.k === 'let') {
      fromUnits(e.defs);
      fromExpr(e.body);
    }
  };
  fromUnits(m.units);
  for (const s of m.submodules) out.push(...referencedModules(s));
  return out;
}

function registerNested(m: ModuleAst, into: Map<string, ModuleAst>): void {
  for (const s of m.submodules) {
    into.set(s.name, s);
    registerNested(s, into);
  }
}

/** Reads and parses `specPath` and the modules it depends on. */
export async function loadSpec(specPath: string, readText: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<LoadedSpec> {
  const dir = dirname(specPath);
  const modules = new Map<string, ModuleAst>();
  const texts: { file: string; text: string }[] = [];

  const loadFile = async (path: string): Promise<ModuleAst> => {
    const text = await readText(path);
    texts.push({ file: path, text });
    const tree = await parseTla(text, path);
    const [main] = toModules(tree.rootNode, path);
    tree.delete();
    return main!;
  };

  const root = await loadFile(specPath);
  const expected = basename(specPath).replace(/\.tla$/, '');
  if (root.name !== expected) {
    throw new TlaParseError(`the file ${basename(specPath)} contains module ${root.name}; TLC requires the module name to match the file name`, root.loc);
  }
  modules.set(root.name, root);
  registerNested(root, modules);

  const queue = [root];
  while (queue.length > 0) {
    const m = queue.shift()!;
    for (const ref of referencedModules(m)) {
      if (modules.has(ref.name) || STANDARD_MODULES.has(ref.name)) continue;
      const path = join(dir, `${ref.name}.tla`);
      let loaded: ModuleAst;
      try {
        loaded = await loadFile(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        if (UNSUPPORTED_STANDARD.has(ref.name)) throw new UnsupportedError(`the standard module ${ref.name}`, ref.loc);
        throw new TlaParseError(`cannot find module ${ref.name} (looked for ${path}; the embedded checker implements ${[...STANDARD_MODULES.keys()].join(', ')})`, ref.loc);
      }
      modules.set(loaded.name, loaded);
      registerNested(loaded, modules);
      queue.push(loaded);
    }
  }
  return { root, modules, texts };
}
