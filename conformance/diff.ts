// Field-level differences between two JSON values, for failure reports.
// Arrays of records are matched by their identity fields (a slot by cnode and
// slot, an entry by vnode and entry, a core by its number) rather than by
// position, so one extra capability shows as one difference, not a cascade.

export interface FieldDiff {
  readonly path: string;
  /** Absent when the field exists only in the impl's value. */
  readonly model?: unknown;
  /** Absent when the field exists only in the model's value. */
  readonly impl?: unknown;
}

// Slots, page-table entries, cores; and the address space's page tables (depth, virtual
// address), mappings and pieces (virtual address) and regions (base).
const identityKeys: readonly (readonly string[])[] = [['cnode', 'slot'], ['vnode', 'entry'], ['core'], ['depth', 'vaddr'], ['vaddr'], ['base']];
const addressKeys = new Set(['cnode', 'vnode', 'vaddr', 'base']);

function identityOf(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const r = x as Record<string, unknown>;
  for (const keys of identityKeys)
    if (keys.every((k) => typeof r[k] === 'number'))
      return keys.map((k) => (addressKeys.has(k) ? `0x${(r[k] as number).toString(16)}` : String(r[k]))).join(':');
  return undefined;
}

function keyed(xs: readonly unknown[]): Map<string, unknown> | undefined {
  const m = new Map<string, unknown>();
  for (const x of xs) {
    const id = identityOf(x);
    if (id === undefined || m.has(id)) return undefined;
    m.set(id, x);
  }
  return m;
}

export function jsonDiff(a: unknown, b: unknown, path = '', out: FieldDiff[] = [], limit = 50): FieldDiff[] {
  if (out.length >= limit) return out;
  if (a === b) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keyed(a);
    const kb = keyed(b);
    if (ka !== undefined && kb !== undefined) {
      for (const [id, x] of ka) jsonDiff(x, kb.get(id), `${path}[${id}]`, out, limit);
      for (const [id, y] of kb) if (!ka.has(id)) jsonDiff(undefined, y, `${path}[${id}]`, out, limit);
      return out;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, out, limit);
    return out;
  }
  out.push({ path: path === '' ? '(top level)' : path, model: a, impl: b });
  return out;
}

export function formatDiff(diffs: readonly FieldDiff[]): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return diffs.map((d) => `  ${d.path}\n    model: ${show(d.model)}\n    impl:  ${show(d.impl)}`).join('\n');
}
