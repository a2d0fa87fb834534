// The Informal Trace Format (Apalache ADR-015): a counterexample as JSON that needs no TLA+
// to read. Encoding of TLC values:
//   integers            JSON numbers (TLC's are 32-bit, always in JSON's safe range);
//                       the reader also accepts {"#bigint": "-12"}
//   strings, booleans   JSON strings and booleans
//   sets                {"#set": [...]} in TLC's order
//   functions on 1..n   JSON arrays (sequences); the reader also accepts {"#tup": [...]}
//                       (TLC does not tell tuples from sequences)
//   records             JSON objects (functions whose domain is a set of strings)
//   other functions     {"#map": [[key, value], ...]}
//   model values        Apalache's convention for uninterpreted values, strings "name_OF_TYPE":
//                       TLC's typed model value A_p1 is "p1_OF_A", an untyped p1 is "p1_OF_UNTYPED"
// The reader validates with zod and reports a bad field by its JSON path.
import { z } from 'zod';
import { DOM_RECORD, DOM_SEQ, type FcnValue, type ModelValue, modelValue, record, setOf, str, type Str, TAG_FCN, TAG_LFCN, TAG_LSET, TAG_MODEL, TAG_SET, TAG_STR, tuple, type Value } from '../values/value.js';
import { fcnFromPairs } from '../eval/natives.js';

export type ItfJson = null | boolean | number | string | ItfJson[] | { [k: string]: ItfJson };

export const UNTYPED = 'UNTYPED';

/** TLC's typed model values are named `T_name` with a single uppercase letter type. */
export function modelNameToItf(name: string): string {
  const typed = /^([A-Za-z])_(.+)$/.exec(name);
  return typed === null ? `${name}_OF_${UNTYPED}` : `${typed[2]}_OF_${typed[1]}`;
}

function modelToItf(m: ModelValue): string {
  return modelNameToItf(m.name);
}

function fcnToItf(f: FcnValue): ItfJson {
  if (f.dom.kind === DOM_SEQ) return f.vals.map(valueToItf);
  if (f.dom.kind === DOM_RECORD) {
    const o: { [k: string]: ItfJson } = {};
    f.dom.keys.forEach((k, i) => (o[(k as Str).s] = valueToItf(f.vals[i]!)));
    return o;
  }
  return { '#map': f.dom.keys.map((k, i) => [valueToItf(k), valueToItf(f.vals[i]!)]) };
}

/** One TLA+ value as ITF JSON. */
export function valueToItf(v: Value): ItfJson {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v;
  switch (v.tag) {
    case TAG_STR:
      return v.s;
    case TAG_MODEL:
      return modelToItf(v);
    case TAG_SET:
      return { '#set': v.elems.map(valueToItf) };
    case TAG_LSET:
      return { '#set': v.enumerate().elems.map(valueToItf) };
    case TAG_FCN:
      return fcnToItf(v);
    case TAG_LFCN:
      return fcnToItf(v.force());
  }
}

export interface ItfMeta {
  readonly source?: string;
  readonly description?: string;
  readonly [k: string]: ItfJson | undefined;
}

/** A constant of the model and its value, written as an ITF parameter. */
export interface ItfParam {
  readonly name: string;
  readonly value: ItfJson;
}

export interface TraceForItf {
  readonly variables: readonly string[];
  readonly states: readonly { readonly values: readonly Value[]; readonly action?: string | undefined }[];
  readonly meta?: ItfMeta;
  /** The model's constants: ADR-015's `params`, whose values are set in the initial state. */
  readonly params?: readonly ItfParam[];
}

/**
 * A trace as an ITF document. Each state's `#meta` carries its index and, if known, its action;
 * the parameters (the model's constants) are listed in `params` and valued in the initial state,
 * as ADR-015 asks, so that a reader can rebuild the model's configuration from the trace alone.
 */
export function traceToItf(t: TraceForItf): { [k: string]: ItfJson } {
  const meta: { [k: string]: ItfJson } = { format: 'ITF', 'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html' };
  for (const [k, v] of Object.entries(t.meta ?? {})) if (v !== undefined) meta[k] = v;
  const params = t.params ?? [];
  return {
    '#meta': meta,
    ...(params.length > 0 && { params: params.map((p) => p.name) }),
    vars: [...t.variables],
    states: t.states.map((s, index) => {
      const o: { [k: string]: ItfJson } = { '#meta': s.action === undefined ? { index } : { index, action: s.action } };
      if (index === 0) for (const p of params) o[p.name] = p.value;
      t.variables.forEach((name, i) => (o[name] = valueToItf(s.values[i]!)));
      return o;
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

const itfExpr: z.ZodType<ItfJson> = z.lazy(() =>
  z.union([z.boolean(), z.number(), z.string(), z.array(itfExpr), z.record(z.string(), itfExpr)]),
) as z.ZodType<ItfJson>;

const stateSchema = z.record(z.string(), itfExpr).and(z.object({ '#meta': z.record(z.string(), itfExpr).optional() }));

export const itfTraceSchema = z
  .object({
    '#meta': z.record(z.string(), itfExpr).optional(),
    params: z.array(z.string()).optional(),
    vars: z.array(z.string()),
    states: z.array(stateSchema),
    loop: z.number().int().nonnegative().optional(),
  })
  .superRefine((t, ctx) => {
    t.states.forEach((s, i) => {
      for (const v of t.vars) if (!(v in s)) ctx.addIssue({ code: 'custom', path: ['states', i, v], message: `state ${i} has no value for variable ${v}` });
    });
    const first = t.states[0];
    if (first !== undefined)
      for (const p of t.params ?? [])
        if (!(p in first)) ctx.addIssue({ code: 'custom', path: ['states', 0, p], message: `the initial state has no value for parameter ${p}` });
  });

/** A decoded ITF value: plain data, with integers as numbers (or bigint beyond 2^53). */
export type ItfValue =
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'model'; readonly name: string; readonly type: string }
  | { readonly kind: 'set'; readonly elems: readonly ItfValue[] }
  | { readonly kind: 'seq'; readonly elems: readonly ItfValue[] }
  | { readonly kind: 'record'; readonly fields: Readonly<Record<string, ItfValue>> }
  | { readonly kind: 'map'; readonly pairs: readonly (readonly [ItfValue, ItfValue])[] };

export interface ItfState {
  readonly index: number;
  readonly meta: Readonly<Record<string, ItfJson>>;
  readonly values: Readonly<Record<string, ItfValue>>;
}

export interface ItfTrace {
  readonly meta: Readonly<Record<string, ItfJson>>;
  readonly params: readonly string[];
  /** Each parameter's value, from the initial state (ADR-015). */
  readonly paramValues: Readonly<Record<string, ItfValue>>;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  readonly loop?: number;
}

export class ItfError extends Error {
  override name = 'ItfError';
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(`${path.length === 0 ? '(root)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${message}`);
  }
}

const MODEL = /^(.+)_OF_([A-Za-z][A-Za-z0-9_]*)$/;

export function decodeItfValue(j: ItfJson, path: (string | number)[] = []): ItfValue {
  if (typeof j === 'boolean') return { kind: 'bool', value: j };
  if (typeof j === 'number') {
    if (!Number.isInteger(j)) throw new ItfError(`ITF numbers are integers, not ${j}`, path);
    if (!Number.isSafeInteger(j)) throw new ItfError('an integer outside [-(2^53)+1, 2^53-1] must be written as {"#bigint": "..."}', path);
    return { kind: 'int', value: j };
  }
  if (typeof j === 'string') {
    const m = MODEL.exec(j);
    if (m !== null) return { kind: 'model', name: m[1]!, type: m[2]! };
    return { kind: 'str', value: j };
  }
  if (j === null) throw new ItfError('null is not an ITF value', path);
  if (Array.isArray(j)) return { kind: 'seq', elems: j.map((x, i) => decodeItfValue(x, [...path, i])) };
  const keys = Object.keys(j);
  if (keys.length === 1 && keys[0]!.startsWith('#')) {
    const k = keys[0]!;
    const body = j[k]!;
    switch (k) {
      case '#bigint': {
        if (typeof body !== 'string' || !/^-?[0-9]+$/.test(body)) throw new ItfError('#bigint must be a string of digits with an optional minus sign', [...path, k]);
        const b = BigInt(body);
        return { kind: 'int', value: b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b };
      }
      case '#set':
      case '#tup': {
        if (!Array.isArray(body)) throw new ItfError(`${k} must hold an array`, [...path, k]);
        const elems = body.map((x, i) => decodeItfValue(x, [...path, k, i]));
        return k === '#set' ? { kind: 'set', elems } : { kind: 'seq', elems };
      }
      case '#map': {
        if (!Array.isArray(body)) throw new ItfError('#map must hold an array of [key, value] pairs', [...path, k]);
        return {
          kind: 'map',
          pairs: body.map((p, i) => {
            if (!Array.isArray(p) || p.length !== 2) throw new ItfError('a #map entry must be a [key, value] pair', [...path, k, i]);
            return [decodeItfValue(p[0]!, [...path, k, i, 0]), decodeItfValue(p[1]!, [...path, k, i, 1])] as const;
          }),
        };
      }
      case '#unserializable':
        throw new ItfError('an #unserializable value cannot be replayed', [...path, k]);
      default:
        throw new ItfError(`unknown ITF construct ${k}`, [...path, k]);
    }
  }
  const fields: Record<string, ItfValue> = {};
  for (const key of keys) {
    if (key.startsWith('#')) throw new ItfError(`record field names must not start with #`, [...path, key]);
    fields[key] = decodeItfValue(j[key]!, [...path, key]);
  }
  return { kind: 'record', fields };
}

/** Parses and validates an ITF document (text or parsed JSON). */
export function readItf(input: string | unknown): ItfTrace {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new ItfError(`not JSON: ${(e as Error).message}`, []);
    }
  }
  const parsed = itfTraceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ItfError(issue.message, issue.path as (string | number)[]);
  }
  const t = parsed.data;
  const states = t.states.map((s, i) => {
    const values: Record<string, ItfValue> = {};
    for (const v of t.vars) values[v] = decodeItfValue(s[v]!, ['states', i, v]);
    const meta = (s['#meta'] ?? {}) as Record<string, ItfJson>;
    const index = typeof meta['index'] === 'number' ? meta['index'] : i;
    return { index, meta, values };
  });
  const paramValues: Record<string, ItfValue> = {};
  const first = t.states[0];
  if (first !== undefined) for (const p of t.params ?? []) paramValues[p] = decodeItfValue(first[p]!, ['states', 0, p]);
  return {
    meta: (t['#meta'] ?? {}) as Record<string, ItfJson>,
    params: t.params ?? [],
    paramValues,
    vars: t.vars,
    states,
    ...(t.loop !== undefined && { loop: t.loop }),
  };
}

/** A decoded ITF value as a TLA+ value (the inverse of valueToItf). */
export function itfToValue(v: ItfValue, path: (string | number)[] = []): Value {
  switch (v.kind) {
    case 'int':
      if (typeof v.value === 'bigint' || v.value > 2147483647 || v.value < -2147483648) throw new ItfError('an integer outside TLC\'s 32-bit range', path);
      return v.value;
    case 'bool':
      return v.value;
    case 'str':
      return str(v.value);
    case 'model':
      return modelValue(v.type === UNTYPED ? v.name : `${v.type}_${v.name}`);
    case 'set':
      return setOf(v.elems.map((e, i) => itfToValue(e, [...path, i])));
    case 'seq':
      return tuple(v.elems.map((e, i) => itfToValue(e, [...path, i])));
    case 'record': {
      const names = Object.keys(v.fields);
      return record(
        names.map((n) => str(n)),
        names.map((n) => itfToValue(v.fields[n]!, [...path, n])),
      );
    }
    case 'map':
      return fcnFromPairs(
        v.pairs.map(([k], i) => itfToValue(k, [...path, i, 0])),
        v.pairs.map(([, x], i) => itfToValue(x, [...path, i, 1])),
      );
  }
}

