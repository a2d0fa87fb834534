import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UmpStep } from '../../../spec/ump/index.js';
import type { UmpTrace } from '../../../conformance/ump/index.js';
import {
  UmpStepDriver,
  diffObservations,
  loadUmpTrace,
  parseUmpTrace,
  replayUmpSteps,
  replayUmpTrace,
  shrinkUmpSteps,
  umpTraceJsonSchema,
  writeUmpTrace,
} from '../../../conformance/ump/index.js';

const config = { slots: 2, payloadBytes: 8, maxMessageBytes: 24 };
const oneMessage: UmpStep[] = [
  { action: 'Submit', dir: 'AtoB', payload: '0102030405' },
  { action: 'SendCheck', dir: 'AtoB' },
  { action: 'SendWrite', dir: 'AtoB', word: 0 },
  { action: 'SendWrite', dir: 'AtoB', word: 1 },
  { action: 'SendPublish', dir: 'AtoB' },
  { action: 'RecvCheck', dir: 'AtoB' },
  { action: 'RecvRead', dir: 'AtoB', word: 0 },
  { action: 'RecvRead', dir: 'AtoB', word: 1 },
  { action: 'RecvRelease', dir: 'AtoB' },
  { action: 'RecvCheck', dir: 'AtoB' },
];

describe('conformance/ump traces: plain JSON, replayable without fast-check', () => {
  it('replays a hand-written trace and fills in the reference results', () => {
    const r = replayUmpSteps(config, oneMessage);
    expect(r.ok).toBe(true);
    expect(r.steps[1]).toEqual({ action: 'SendCheck', dir: 'AtoB', result: 'OK' });
    expect(r.steps[8]).toEqual({ action: 'RecvRelease', dir: 'AtoB', delivered: '0102030405' });
    expect(r.steps[9]).toEqual({ action: 'RecvCheck', dir: 'AtoB', result: 'LIB_ERR_NO_UMP_MSG' });
  });

  it('a step that is not enabled is reported, or skipped when asked', () => {
    const bad: UmpStep[] = [oneMessage[0]!, { action: 'SendPublish', dir: 'AtoB' }];
    expect(replayUmpSteps(config, bad).failure).toMatchObject({ check: 'STEP-NOT-ENABLED', stepIndex: 1 });
    expect(replayUmpSteps(config, [oneMessage[0]!, oneMessage[1]!, { action: 'SendWrite', dir: 'AtoB', word: 1 }]).failure?.check).toBe('STEP-NOT-ENABLED');
    expect(replayUmpSteps(config, [{ action: 'RecvRead', dir: 'BtoA', word: 0 }]).failure?.check).toBe('STEP-NOT-ENABLED');
    expect(replayUmpSteps(config, [{ action: 'RecvCheck', dir: 'BtoA' }, { action: 'RecvRead', dir: 'BtoA', word: 1 }]).failure?.check).toBe('STEP-NOT-ENABLED');
    expect(replayUmpSteps(config, bad, { skipDisabled: true }).ok).toBe(true);
    expect(replayUmpSteps(config, [{ action: 'Submit', dir: 'AtoB', payload: '00'.repeat(25) }]).failure?.message).toMatch(/longer than maxMessageBytes/);
  });

  it('a recorded result that the reference does not give is a TRACE-MISMATCH', () => {
    const lying = oneMessage.map((s) => (s.action === 'SendCheck' ? { ...s, result: 'LIB_ERR_UMP_CHAN_FULL' as const } : s));
    expect(replayUmpSteps(config, lying).failure?.check).toBe('TRACE-MISMATCH');
    const lyingRecv: UmpStep[] = [{ action: 'RecvCheck', dir: 'AtoB', result: 'OK' }];
    expect(replayUmpSteps(config, lyingRecv).failure?.check).toBe('TRACE-MISMATCH');
    const lyingDelivery = oneMessage.map((s) => (s.action === 'RecvRelease' ? { ...s, delivered: 'ff' } : s));
    expect(replayUmpSteps(config, lyingDelivery).failure?.check).toBe('TRACE-MISMATCH');
  });

  it('the driver exposes program counters (spc/rpc) and next steps for the TLA+ bridge', () => {
    const d = new UmpStepDriver(config);
    expect(d.pcs()).toEqual({ AtoB: { spc: 'Idle', rpc: 'RecvCheck' }, BtoA: { spc: 'Idle', rpc: 'RecvCheck' } });
    expect(d.apply(oneMessage[0]!)).toBeUndefined();
    expect(d.apply(oneMessage[1]!)).toBeUndefined();
    expect(d.pcs().AtoB.spc).toBe('SendWrite');
    expect(d.nextStep('AtoB.send')).toEqual({ action: 'SendWrite', dir: 'AtoB', word: 0 });
    expect(d.nextStep('BtoA.send')).toBeUndefined();
    expect(d.nextStep('BtoA.recv')).toEqual({ action: 'RecvCheck', dir: 'BtoA' });
    expect(d.apply({ action: 'Close', side: 'B' })).toBeUndefined();
    expect(d.modelState().closed).toEqual({ A: false, B: true });
    expect(d.implState().closed).toEqual({ A: false, B: true });
  });

  it('observation differences name the field and the check', () => {
    const base = { slots: 1, payloadBytes: 8, closed: { A: false, B: false }, AtoB: { inFlight: [] }, BtoA: { inFlight: [] } };
    const f = { frag: 'single' as const, token: 0, payload: '01' };
    expect(diffObservations(base, base)).toBeUndefined();
    expect(diffObservations(base, { ...base, closed: { A: true, B: false } })?.check).toBe('UMP-CLOSE');
    expect(diffObservations({ ...base, AtoB: { inFlight: [f] } }, base)?.check).toBe('UMP-NO-LOSS');
    expect(diffObservations(base, { ...base, AtoB: { inFlight: [f] } })?.check).toBe('UMP-NO-PHANTOM');
    expect(diffObservations({ ...base, AtoB: { inFlight: [f] } }, { ...base, AtoB: { inFlight: [{ ...f, payload: '02' }] } })).toEqual({
      check: 'UMP-NO-TORN',
      diff: ['AtoB.inFlight[0].payload: model 01, impl 02'],
    });
  });

  it('shrinks an explicit failing trace step by step, and a smaller ring too', () => {
    const steps: UmpStep[] = [];
    for (let k = 0; k < 3; k++) steps.push({ action: 'Submit', dir: 'BtoA', payload: `0${k}` }, { action: 'SendCheck', dir: 'BtoA' }, { action: 'SendWrite', dir: 'BtoA', word: 0 }, { action: 'SendPublish', dir: 'BtoA' });
    steps.push({ action: 'Submit', dir: 'BtoA', payload: '09' }, { action: 'SendCheck', dir: 'BtoA' });
    const big = { ...config, slots: 3 };
    const r = replayUmpSteps(big, steps, { mutant: 'overwrite-full-ring' });
    expect(r.failure?.check).toBe('UMP-NO-OVERWRITE');
    const s = shrinkUmpSteps(big, steps, 'UMP-NO-OVERWRITE', { mutant: 'overwrite-full-ring' });
    expect(s.config.slots).toBe(1);
    expect(s.replay.steps.length).toBeLessThan(steps.length);
    expect(() => shrinkUmpSteps(big, oneMessage, 'UMP-FIFO')).toThrow(/does not fail/);
  });

  it('writes, loads and validates a trace file; bad input is reported with its JSON path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capref-ump-trace-'));
    const trace: UmpTrace = { format: 'capref-trace', version: 1, subsystem: 'ump', config, steps: oneMessage };
    const path = join(dir, 't.json');
    writeUmpTrace(path, trace);
    const loaded = loadUmpTrace(path);
    expect(loaded).toEqual({ ok: true, value: trace });
    expect(replayUmpTrace(trace).report).toContain('every check passed');

    expect(loadUmpTrace(join(dir, 'missing.json'))).toEqual({ ok: false, errors: [expect.stringContaining('ENOENT')] });
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(loadUmpTrace(join(dir, 'bad.json')).ok).toBe(false);
    const wrong = parseUmpTrace({ ...trace, config: { ...config, slots: 0 }, steps: [{ action: 'SendWrite', dir: 'AtoB', word: 'x' }] });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors).toEqual([expect.stringMatching(/^\$\.config\.slots: /), expect.stringMatching(/^\$\.steps\[0\]\.word: /)]);
    expect(parseUmpTrace({ ...trace, subsystem: 'kernel' }).ok).toBe(false);
    const unknown = parseUmpTrace({ ...trace, impl: { mutant: 'no-such-bug' } });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.errors).toEqual([expect.stringMatching(/^\$\.impl\.mutant: unknown ump mutant/)]);
  });

  it('a failing replay says where and why', () => {
    const trace: UmpTrace = { format: 'capref-trace', version: 1, subsystem: 'ump', config, impl: { mutant: 'close-drops-pending' }, steps: [oneMessage[0]!, ...oneMessage.slice(1, 5), { action: 'Close', side: 'A' }, oneMessage[5]!] };
    const r = replayUmpTrace(trace);
    expect(r.ok).toBe(false);
    expect(r.report).toMatch(/step 6 fails UMP-CLOSE/);
    expect(replayUmpTrace(trace, { mutant: undefined }).failure?.check).toBe('UMP-CLOSE'); // the trace's own mutant applies
  });

  it('exports the trace format as JSON Schema for other languages', () => {
    const schema = umpTraceJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['format', 'version', 'subsystem', 'origin', 'impl', 'config', 'steps', 'failure']));
  });
});
