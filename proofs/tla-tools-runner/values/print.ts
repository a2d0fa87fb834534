// Prints values in TLC's syntax: `{1, 2}`, `<<a, b>>`, `[f |-> 1]`, `(p1 :> 0 @@ p2 :> 1)`,
// strings in quotes, model values bare, TRUE/FALSE.
import { DOM_RECORD, DOM_SEQ, type FcnValue, type Str, TAG_FCN, TAG_LFCN, TAG_LSET, TAG_MODEL, TAG_SET, TAG_STR, type Value } from './value.js';

export function quoteString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

export function printValue(v: Value): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  switch (v.tag) {
    case TAG_STR:
      return quoteString(v.s);
    case TAG_MODEL:
      return v.name;
    case TAG_SET:
      return `{${v.elems.map(printValue).join(', ')}}`;
    case TAG_LSET:
      return v.isFinite() ? printValue(v.enumerate()) : v.describe();
    case TAG_FCN:
      return printFcn(v);
    case TAG_LFCN:
      return printFcn(v.force());
  }
}

function printFcn(f: FcnValue): string {
  const { dom, vals } = f;
  if (dom.kind === DOM_SEQ) return `<<${vals.map(printValue).join(', ')}>>`;
  if (dom.kind === DOM_RECORD) return `[${dom.keys.map((k, i) => `${(k as Str).s} |-> ${printValue(vals[i]!)}`).join(', ')}]`;
  return `(${dom.keys.map((k, i) => `${printValue(k)} :> ${printValue(vals[i]!)}`).join(' @@ ')})`;
}


