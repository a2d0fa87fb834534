// What every trace bridge shares: a bridge turns an ITF trace (the Informal
// Trace Format that `capref tla check --itf` writes, read with the runner's
// readItf) of one TLA+ model into a capref trace of one subsystem, which then
// replays against that subsystem's implementation like any other trace.
//
// A bridge is total or refuses: every transition of the ITF trace must be
// exactly one step of the model (or a stutter), recovered from the difference
// of the two states; anything else is an ItfBridgeError naming the state and
// the variables that changed, never a guessed trace.
import type { ItfJson, ItfTrace, ItfValue } from '../../proofs/tla-tools-runner/index.js';
import type { TraceHandler } from '../traces.js';

export type ItfPath = readonly (string | number)[];

/** `states[3].ring.#map[1][1].used`, the way the runner's ItfError names a field. */
export function formatItfPath(path: ItfPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(top level)' : out;
}

/** An ITF trace that cannot be mapped onto the subsystem: the message names where (JSON path) and why. */
export class ItfBridgeError extends Error {
  override readonly name = 'ItfBridgeError';
  constructor(
    readonly detail: string,
    readonly path: ItfPath,
  ) {
    super(`${formatItfPath(path)}: ${detail}`);
  }
}

/** A bridged ITF trace, ready for `capref replay` and `capref explain`. */
export interface BridgedItf {
  /** Which model, which constants, which steps: printed before the replay or the story. */
  readonly about: readonly string[];
  /** The capref trace (valid for handler.schema). */
  readonly trace: unknown;
  /** Replays and explains the trace, each step annotated with the model state it stands for. */
  readonly handler: TraceHandler;
}

export interface ItfBridge {
  /** The capref subsystem whose implementation the model's traces replay against. */
  readonly subsystem: string;
  /** Throws ItfBridgeError for a trace it cannot map. `source` names the file, for reproduce lines. */
  readonly bridge: (itf: ItfTrace, module: string, source: string) => BridgedItf;
}

/**
 * The TLA+ module an ITF trace belongs to: `#meta.module` (the runner writes
 * it), else the file named by `#meta.source` (Apalache writes that; TLA+
 * names a file after its module).
 */
export function itfModuleName(meta: Readonly<Record<string, ItfJson>>): string | undefined {
  const m = meta['module'];
  if (typeof m === 'string' && m !== '') return m;
  const s = meta['source'];
  if (typeof s !== 'string') return undefined;
  const base = /([^/\\]+)\.tla$/.exec(s);
  return base === null ? undefined : base[1];
}

/**
 * Does a parsed JSON document look like ITF rather than a capref trace? ITF
 * has `vars` and `states` (and usually `#meta`); a capref trace has `format`
 * and `subsystem`. A document that looks like ITF is then validated as ITF,
 * so a malformed one is reported with ITF's JSON paths.
 */
export function looksLikeItf(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  if ('subsystem' in json || 'format' in json) return false;
  return '#meta' in json || ('vars' in json && 'states' in json);
}

// ---------------------------------------------------------------------------
// Reading decoded ITF values with their paths.

function kindName(v: ItfValue): string {
  return v.kind === 'seq'
    ? 'sequence'
    : v.kind === 'map'
      ? 'function (#map)'
      : v.kind === 'int'
        ? 'integer'
        : v.kind === 'bool'
          ? 'boolean'
          : v.kind === 'str'
            ? 'string'
            : v.kind === 'model'
              ? 'model value'
              : v.kind;
}

export function itfInt(v: ItfValue, path: ItfPath): number {
  if (v.kind !== 'int') throw new ItfBridgeError(`expected an integer, found a ${kindName(v)}`, path);
  if (typeof v.value === 'bigint') throw new ItfBridgeError(`integer ${v.value} is out of range`, path);
  return v.value;
}

export function itfBool(v: ItfValue, path: ItfPath): boolean {
  if (v.kind !== 'bool') throw new ItfBridgeError(`expected a boolean, found a ${kindName(v)}`, path);
  return v.value;
}

export function itfStr(v: ItfValue, path: ItfPath): string {
  if (v.kind !== 'str') throw new ItfBridgeError(`expected a string, found a ${kindName(v)}`, path);
  return v.value;
}

export function itfField(v: ItfValue, field: string, path: ItfPath): ItfValue {
  if (v.kind !== 'record') throw new ItfBridgeError(`expected a record with field ${field}, found a ${kindName(v)}`, path);
  const f = v.fields[field];
  if (f === undefined) throw new ItfBridgeError(`the record has no field ${field}`, path);
  return f;
}

/**
 * A function on lo..lo+n-1 as its n values in order, with the path of each.
 * TLA+ tuples and sequences (functions on 1..n) are JSON arrays in ITF; other
 * writers, and every function on 0..n-1, use `#map`: both are accepted.
 */
export function itfFunctionOnRange(v: ItfValue, lo: number, path: ItfPath): { value: ItfValue; path: ItfPath }[] {
  if (v.kind === 'seq') {
    if (lo !== 1 && v.elems.length > 0)
      throw new ItfBridgeError(`expected a function on ${lo}..${lo + v.elems.length - 1}, found a sequence (a function on 1..${v.elems.length})`, path);
    return v.elems.map((value, i) => ({ value, path: [...path, i] }));
  }
  if (v.kind !== 'map') throw new ItfBridgeError(`expected a function on ${lo}..n, found a ${kindName(v)}`, path);
  const out: { value: ItfValue; path: ItfPath }[] = [];
  v.pairs.forEach(([k, value], i) => {
    const key = itfInt(k, [...path, '#map', i, 0]);
    const at = key - lo;
    if (at < 0 || at >= v.pairs.length || out[at] !== undefined)
      throw new ItfBridgeError(`expected a function on ${lo}..${lo + v.pairs.length - 1}; key ${key} is out of that range or repeated`, [
        ...path,
        '#map',
        i,
        0,
      ]);
    out[at] = { value, path: [...path, '#map', i, 1] };
  });
  return out;
}

/** A short TLA+-like rendering of a value for messages (`<<1, 1>>`, `"check"`). */
export function showItf(v: ItfValue): string {
  switch (v.kind) {
    case 'int':
    case 'bool':
      return v.kind === 'bool' ? (v.value ? 'TRUE' : 'FALSE') : String(v.value);
    case 'str':
      return JSON.stringify(v.value);
    case 'model':
      return v.name;
    case 'set':
      return `{${v.elems.map(showItf).join(', ')}}`;
    case 'seq':
      return `<<${v.elems.map(showItf).join(', ')}>>`;
    case 'record':
      return `[${Object.entries(v.fields)
        .map(([k, x]) => `${k} |-> ${showItf(x)}`)
        .join(', ')}]`;
    case 'map':
      return `(${v.pairs.map(([k, x]) => `${showItf(k)} :> ${showItf(x)}`).join(' @@ ')})`;
  }
}

/**
 * The variables whose values differ between two ITF states, each as
 * `name` or, for a scalar, `name: before -> after`: what a bridge's error
 * names when no step of the model explains a transition.
 */
export function changedVariables(vars: readonly string[], before: Readonly<Record<string, ItfValue>>, after: Readonly<Record<string, ItfValue>>): string[] {
  const out: string[] = [];
  for (const v of vars) {
    const a = before[v]!;
    const b = after[v]!;
    const sa = showItf(a);
    const sb = showItf(b);
    if (sa === sb) continue;
    const scalar = (x: ItfValue) => x.kind === 'int' || x.kind === 'bool' || x.kind === 'str' || x.kind === 'model';
    out.push(scalar(a) && scalar(b) ? `${v}: ${sa} -> ${sb}` : v);
  }
  return out;
}
