// Parsing with the tree-sitter TLA+ grammar compiled to WebAssembly
// (@tlaplus/tree-sitter-tlaplus's .wasm in web-tree-sitter): no native build, works offline.
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import Parser from 'web-tree-sitter';
import { TlaParseError, type SourceLoc } from '../errors.js';

export type SyntaxNode = Parser.SyntaxNode;

let parserPromise: Promise<Parser> | undefined;

/** The shared parser; the grammar is loaded once per process. */
export function tlaParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Parser.Language.load(require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** The last token of a node: bullet lists end after trailing layout, TLC's spans at the last token. */
function lastToken(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    let next: SyntaxNode | null = null;
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i)!;
      if (c.endIndex > c.startIndex && c.type !== 'comment' && c.type !== 'block_comment') {
        next = c;
        break;
      }
    }
    if (next === null) return n;
    n = next;
  }
}

export function nodeLoc(node: SyntaxNode, file: string, module: string): SourceLoc {
  const end = node.childCount === 0 ? node : lastToken(node);
  return {
    file,
    module,
    line: node.startPosition.row + 1,
    col: node.startPosition.column + 1,
    endLine: end.endPosition.row + 1,
    endCol: end.endPosition.column,
  };
}

/** Parses TLA+ text; a syntax error becomes a TlaParseError at the first ERROR or MISSING node. */
export async function parseTla(text: string, file: string): Promise<Parser.Tree> {
  const parser = await tlaParser();
  const tree = parser.parse(text);
  if (tree.rootNode.hasError) {
    const bad = firstError(tree.rootNode);
    const where = bad ?? tree.rootNode;
    const what = bad?.isMissing ? `missing ${bad.type}` : `unexpected ${JSON.stringify(snippet(where.text))}`;
    throw new TlaParseError(`TLA+ syntax error: ${what}`, nodeLoc(where, file, basename(file).replace(/\.tla$/, '')));
  }
  return tree;
}

function snippet(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}...` : line;
}

function firstError(node: SyntaxNode): SyntaxNode | null {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child.hasError || child.isMissing || child.isError) {
      const found = firstError(child);
      if (found !== null) return found;
    }
  }
  return null;
}
