// DESIGN.md, "Layout and dependency direction": imports only point one way.
// This test reads every source file's import specifiers and fails on an arrow
// that points the wrong way, so the layout keeps showing the architecture.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const parts = ['spec', 'model', 'impl', 'conformance', 'proofs', 'cli', 'bench'] as const;
type Part = (typeof parts)[number];

// Which top-level parts each part may import from (itself always allowed).
const allowed: Record<Part, readonly Part[]> = {
  spec: [],
  model: ['spec'],
  impl: ['spec'],
  conformance: ['spec', 'model', 'impl', 'proofs'],
  proofs: [],
  cli: ['spec', 'model', 'impl', 'conformance', 'proofs'],
  bench: ['spec', 'model', 'impl', 'conformance'],
};

// The TLA+ runner is meant to be publishable on its own: nothing outside its folder.
const selfContained = ['proofs/tla-tools-runner'];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(full).isDirectory()) out = out.concat(sourceFiles(full));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(importRe)) specs.push((m[1] ?? m[2])!);
  return specs;
}

function partOf(rel: string): Part | undefined {
  const top = rel.split(sep)[0];
  return (parts as readonly string[]).includes(top!) ? (top as Part) : undefined;
}

describe('architecture: imports point one way (DESIGN.md)', () => {
  const violations: string[] = [];
  for (const part of parts) {
    for (const file of sourceFiles(join(root, part))) {
      const relFile = relative(root, file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue; // packages and node: builtins
        const target = relative(root, resolve(dirname(file), spec));
        const targetPart = partOf(target);
        if (targetPart === undefined) {
          violations.push(`${relFile} imports ${spec}, outside the project's parts`);
          continue;
        }
        if (targetPart !== part && !allowed[part].includes(targetPart)) {
          violations.push(`${relFile} (${part}) imports ${target} (${targetPart})`);
        }
        for (const sc of selfContained) {
          const inside = relFile.startsWith(sc + sep);
          const targetInside = target.startsWith(sc + sep) || target === sc;
          if (inside && !targetInside) violations.push(`${relFile} must stay self-contained but imports ${target}`);
        }
      }
    }
  }
  it('has no import against the dependency direction', () => {
    expect(violations).toEqual([]);
  });
});
