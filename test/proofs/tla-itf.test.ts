// ITF (Apalache ADR-015): what the runner writes, and the reader other parts of capref use to
// replay counterexamples (zod-validated; a bad field is reported by its JSON path).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSpec,
  decodeItfValue,
  ItfError,
  itfToValue,
  modelValue,
  printValue,
  readItf,
  record,
  setOf,
  str,
  traceToItf,
  tuple,
  valueToItf,
  eq,
} from '../../proofs/tla-tools-runner/index.js';
import { fcnFromPairs } from '../../proofs/tla-tools-runner/eval/natives.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('ITF encoding of TLC values', () => {
  it('integers are JSON numbers, sets #set, sequences arrays, records objects, other functions #map', () => {
    expect(valueToItf(3)).toBe(3);
    expect(valueToItf(true)).toBe(true);
    expect(valueToItf(str('x'))).toBe('x');
    expect(valueToItf(setOf([2, 1]))).toEqual({ '#set': [1, 2] });
    expect(valueToItf(tuple([1, str('a')]))).toEqual([1, 'a']);
    expect(valueToItf(record([str('b'), str('a')], [1, 2]))).toEqual({ a: 2, b: 1 });
    expect(valueToItf(fcnFromPairs([modelValue('p1')], [0]))).toEqual({ '#map': [['p1_OF_UNTYPED', 0]] });
  });
  it("model values follow Apalache's uninterpreted-value convention name_OF_TYPE", () => {
    expect(valueToItf(modelValue('p1'))).toBe('p1_OF_UNTYPED');
    expect(valueToItf(modelValue('A_p1'))).toBe('p1_OF_A');
    expect(decodeItfValue('p1_OF_UNTYPED')).toEqual({ kind: 'model', name: 'p1', type: 'UNTYPED' });
  });
  it('round-trips values through ITF', () => {
    for (const v of [setOf([tuple([1, 2]), tuple([])]), record([str('f')], [setOf([modelValue('m'), modelValue('A_n')])]), fcnFromPairs([setOf([1])], [str('s')])]) {
      const back = itfToValue(decodeItfValue(valueToItf(v)));
      expect(eq(back, v)).toBe(true);
      expect(printValue(back)).toBe(printValue(v));
    }
  });
  it('reads #bigint and #tup, which other tools write', () => {
    expect(decodeItfValue({ '#bigint': '-12' })).toEqual({ kind: 'int', value: -12 });
    expect(decodeItfValue({ '#bigint': '123456789012345678901234567890' })).toEqual({ kind: 'int', value: 123456789012345678901234567890n });
    expect(decodeItfValue({ '#tup': [1, 'a'] })).toEqual({ kind: 'seq', elems: [{ kind: 'int', value: 1 }, { kind: 'str', value: 'a' }] });
    expect(() => itfToValue(decodeItfValue({ '#bigint': '99999999999' }))).toThrow(/32-bit/);
  });
});

describe('ITF documents', () => {
  it('a trace has #meta, vars and states with #meta.index (and the action)', () => {
    const doc = traceToItf({ variables: ['x'], states: [{ values: [0], action: 'Init' }, { values: [1], action: 'Inc' }], meta: { source: 'A.tla' } });
    expect(doc).toMatchObject({ '#meta': { format: 'ITF', source: 'A.tla' }, vars: ['x'], states: [{ '#meta': { index: 0, action: 'Init' }, x: 0 }, { '#meta': { index: 1, action: 'Inc' }, x: 1 }] });
    const t = readItf(JSON.stringify(doc));
    expect(t.states.map((s) => s.values['x'])).toEqual([{ kind: 'int', value: 0 }, { kind: 'int', value: 1 }]);
    expect(t.states[1]!.meta['action']).toBe('Inc');
  });
  it("params: the model's constants, valued in the initial state only (ADR-015), read back as paramValues", () => {
    const doc = traceToItf({ variables: ['x'], states: [{ values: [0] }, { values: [1] }], params: [{ name: 'N', value: 3 }, { name: 'P', value: { '#set': ['p1_OF_UNTYPED'] } }] });
    expect(doc['params']).toEqual(['N', 'P']);
    const states = doc['states'] as Record<string, unknown>[];
    expect(states[0]).toMatchObject({ N: 3, P: { '#set': ['p1_OF_UNTYPED'] }, x: 0 });
    expect(states[1]).not.toHaveProperty('N');
    const t = readItf(JSON.stringify(doc));
    expect(t.params).toEqual(['N', 'P']);
    expect(t.paramValues).toEqual({ N: { kind: 'int', value: 3 }, P: { kind: 'set', elems: [{ kind: 'model', name: 'p1', type: 'UNTYPED' }] } });
    expect(traceToItf({ variables: ['x'], states: [{ values: [0] }] })).not.toHaveProperty('params');
  });
  it.each([
    [{ params: ['N'], vars: [], states: [{}] }, '.states[0].N: the initial state has no value for parameter N'],
    ['not json', '(root): not JSON'],
    [{ states: [] }, '.vars: '],
    [{ vars: ['x'], states: [{ y: 1 }] }, '.states[0].x: state 0 has no value for variable x'],
    [{ vars: ['x'], states: [{ x: { '#set': 3 } }] }, '.states[0].x.#set: #set must hold an array'],
    [{ vars: ['x'], states: [{ x: { '#map': [[1]] } }] }, '.states[0].x.#map[0]: a #map entry must be a [key, value] pair'],
    [{ vars: ['x'], states: [{ x: { '#bigint': 'ten' } }] }, '.states[0].x.#bigint: #bigint must be a string'],
    [{ vars: ['x'], states: [{ x: { '#frob': 1 } }] }, '.states[0].x.#frob: unknown ITF construct'],
    [{ vars: ['x'], states: [{ x: 1.5 }] }, '.states[0].x'],
    [{ vars: ['x'], states: [{ x: 2 ** 60 }] }, '.states[0].x: an integer outside'],
    [{ vars: ['x'], states: [{ x: { '#unserializable': 'f' } }] }, 'cannot be replayed'],
    [{ vars: ['x'], states: [{ x: { a: 1, '#b': 2 } }] }, '.states[0].x.#b: record field names'],
  ])('rejects %j naming the JSON path', (input, message) => {
    let err: unknown;
    try {
      readItf(typeof input === 'string' ? input : JSON.stringify(input));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ItfError);
    expect((err as ItfError).message).toContain(message);
  });
});

describe('counterexamples as ITF', () => {
  it('--itf writes the embedded checker trace; it reads back to the same states', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tla-itf-')), 'sub', 'demo.itf.json');
    const r = await checkSpec({ specPath: join(fixtures, 'Demo.tla'), engine: 'embedded', itfPath: out });
    const t = readItf(readFileSync(out, 'utf8'));
    expect(t.vars).toEqual(['msgs', 'st', 'log']);
    expect(t.meta).toMatchObject({ format: 'ITF', result: 'invariant', invariant: 'NotAllDone', module: 'Demo', config: join(fixtures, 'Demo.cfg') });
    expect(t.params).toEqual(['Procs']);
    expect(t.paramValues['Procs']).toEqual({ kind: 'set', elems: [{ kind: 'model', name: 'p1', type: 'UNTYPED' }, { kind: 'model', name: 'p2', type: 'UNTYPED' }] });
    expect(t.states.map((s) => s.meta['action'])).toEqual(['Init', 'Send', 'Done', 'Send', 'Done']);
    t.states.forEach((s, i) => {
      r.variables.forEach((v, j) => expect(eq(itfToValue(s.values[v]!), r.trace[i]!.values[j]!)).toBe(true));
    });
    expect(t.states[4]!.values['st']).toEqual({
      kind: 'map',
      pairs: [
        [{ kind: 'model', name: 'p1', type: 'UNTYPED' }, { kind: 'str', value: 'done' }],
        [{ kind: 'model', name: 'p2', type: 'UNTYPED' }, { kind: 'str', value: 'done' }],
      ],
    });
  });
});
