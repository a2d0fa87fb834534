// Issue 5, item 5: an ITF counterexample of proofs/UmpChannel.tla replays as a
// conformance trace against the UMP implementation (conformance/ump/itf-bridge.ts,
// docs/ump.md section 10). The ITF files come from the embedded checker (checkSpec
// with itfPath) and, without Java, from TLC's committed output (proofs/expected/).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSpec, parseTlcState, readItf, writeItf, type CheckResult, type ItfTrace } from '../../../proofs/tla-tools-runner/index.js';
import { loadExpected } from '../../../proofs/expected.js';
import { replayBridgedUmp } from '../../../conformance/ump/itf-replay.js';
import {
  bridgeUmpItf,
  umpTlaInit,
  umpTlaNext,
  umpTlaPayload,
  type UmpItfBridged,
  type UmpTlaConstants,
  type UmpTlaState,
} from '../../../conformance/ump/itf-bridge.js';
import { UmpTraceSchema } from '../../../conformance/ump/trace.js';
import { bridgeItfDocument } from '../../../conformance/itf/registry.js';
import { ItfBridgeError, looksLikeItf } from '../../../conformance/itf/bridge.js';
import { TraceInputError } from '../../../conformance/trace.js';
import { runCli } from '../../../cli/program.js';
import { bufferIo } from '../../../cli/io.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
const proofs = join(root, 'proofs');
const fixtures = join(dirname(new URL(import.meta.url).pathname), 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'itf-bridge-'));

async function checkToItf(spec: string, cfg: string, out: string): Promise<string> {
  const file = join(tmp, out);
  const r = await checkSpec({ specPath: join(proofs, spec), configPath: join(proofs, cfg), engine: 'embedded', env: {}, itfPath: file });
  expect(r.kind).toBe('invariant');
  return file;
}

const itfOf = (file: string): ItfTrace => readItf(readFileSync(file, 'utf8'));
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
function writeJson(name: string, value: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

let buggyFile: string;
let witnessFile: string;
let buggy: UmpItfBridged;
let witness: UmpItfBridged;

beforeAll(async () => {
  buggyFile = await checkToItf('UmpChannelBuggy.tla', 'UmpChannelBuggy.cfg', 'buggy.itf.json');
  witnessFile = await checkToItf('UmpChannel.tla', 'UmpChannel_witness.cfg', 'witness.itf.json');
  buggy = bridgeUmpItf(itfOf(buggyFile), 'UmpChannelBuggy');
  witness = bridgeUmpItf(itfOf(witnessFile), 'UmpChannel');
});

describe('the runner writes what a bridge needs into ITF', () => {
  it('names the module and configuration in #meta, and the constants as params valued in the initial state (ADR-015)', () => {
    const doc = json(buggyFile);
    expect(doc['#meta']).toMatchObject({
      module: 'UmpChannelBuggy',
      source: join(proofs, 'UmpChannelBuggy.tla'),
      config: join(proofs, 'UmpChannelBuggy.cfg'),
      invariant: 'NoTornRead',
    });
    expect(doc['params']).toEqual(['N', 'W', 'MaxMsg']);
    const t = itfOf(buggyFile);
    expect(t.paramValues).toEqual({ N: { kind: 'int', value: 3 }, W: { kind: 'int', value: 2 }, MaxMsg: { kind: 'int', value: 7 } });
    expect(itfOf(witnessFile).paramValues['PublishFirst']).toEqual({ kind: 'bool', value: false });
  });
});

describe('ITF -> UMP steps: each transition is one action of the model, recovered from the state difference', () => {
  it("the transcription of Next reaches exactly the states the checker reaches (UmpChannel: TLC's 233; UmpChannelBuggy: the embedded checker's count)", async () => {
    const reachable = (c: UmpTlaConstants): number => {
      const seen = new Set<string>();
      const queue: UmpTlaState[] = [umpTlaInit(c)];
      seen.add(JSON.stringify(queue[0]));
      while (queue.length > 0) {
        for (const s of umpTlaNext(queue.shift()!, c)) {
          const k = JSON.stringify(s.next);
          if (!seen.has(k)) {
            seen.add(k);
            queue.push(s.next);
          }
        }
      }
      return seen.size;
    };
    const umpCfg = loadExpected(join(proofs, 'expected.json')).runs.find((r) => r.config === 'UmpChannel.cfg')!;
    expect(reachable({ N: 3, W: 2, MaxMsg: 7, PublishFirst: false, publishFirstFrom: 'params' })).toBe(umpCfg.tlc.distinctStates);
    const all = await checkSpec({
      specPath: join(proofs, 'UmpChannelBuggy.tla'),
      configPath: join(fixtures, 'UmpChannelBuggy_all.cfg'),
      engine: 'embedded',
      env: {},
    });
    expect(all.kind).toBe('success');
    expect(all.distinctStates).toBeGreaterThan(100);
    expect(reachable({ N: 3, W: 2, MaxMsg: 3, PublishFirst: true, publishFirstFrom: 'module' })).toBe(all.distinctStates);
  });

  it("UmpChannelBuggy: a zod-valid UMP trace with the mutant used-bit-first, the steps of the 7-state counterexample, and the model's violation", () => {
    expect(UmpTraceSchema.safeParse(buggy.trace).success).toBe(true);
    expect(buggy.constants).toMatchObject({ N: 3, W: 2, MaxMsg: 7, PublishFirst: true });
    expect(buggy.trace.config).toEqual({ slots: 3, payloadBytes: 8, maxMessageBytes: 8 });
    expect(buggy.trace.impl).toEqual({ mutant: 'used-bit-first' });
    expect(buggy.trace.steps).toEqual([
      { action: 'Submit', dir: 'AtoB', payload: '0100000001000000' },
      { action: 'SendCheck', dir: 'AtoB', result: 'OK' },
      { action: 'SendPublish', dir: 'AtoB' },
      { action: 'RecvCheck', dir: 'AtoB', result: 'OK' },
      { action: 'RecvRead', dir: 'AtoB', word: 0 },
      { action: 'RecvRead', dir: 'AtoB', word: 1 },
      { action: 'RecvRelease', dir: 'AtoB' },
    ]);
    expect(buggy.origins.map((o) => `${o.state} ${o.label}`)).toEqual([
      '1 message 1',
      '1 SendCheck',
      '2 SendPublish',
      '3 RecvCheck',
      '4 RecvReadWord(1)',
      '5 RecvReadWord(2)',
      '6 RecvRelease',
    ]);
    expect(buggy.violation).toEqual({ invariant: 'NoTornRead', state: 6, step: 6, check: 'UMP-NO-TORN', witness: false });
    expect(buggy.trace.failure).toMatchObject({ step: 6, kind: 'invariant', violated: ['UMP-NO-TORN'] });
  });

  it('message k is W little-endian 32-bit words holding k', () => {
    expect(umpTlaPayload(1, 2)).toBe('0100000001000000');
    expect(umpTlaPayload(0x01020304, 1)).toBe('04030201');
  });
});

describe('replaying the bridged traces against the implementation', () => {
  it("UmpChannelBuggy against used-bit-first: UMP-NO-TORN at the step of the model's violating state; the memory check sees it earlier", () => {
    const r = replayBridgedUmp(buggy);
    expect(r.mutant).toBe('used-bit-first');
    // Every check: the ring's memory already disagrees with the reference at the
    // premature SendPublish (a USED slot whose payload is not written yet).
    expect(r.full.ok).toBe(false);
    expect(r.full.failure).toMatchObject({ stepIndex: 2, check: 'UMP-NO-TORN' });
    // At the model's granularity (results, frames read, invariants) the implementation
    // fails exactly where the model violates NoTornRead: the receiver delivers <<0, 0>>.
    const g = r.atModelGranularity!;
    expect(g.ok).toBe(false);
    expect(g.failure!.stepIndex).toBe(buggy.violation!.step);
    expect(g.failure!.check).toBe('UMP-NO-TORN');
    expect(g.failure!.diff).toEqual(['payload: published 0100000001000000, read 0000000000000000']);
  });

  it('UmpChannelBuggy against the correct implementation: refused, since its sender cannot publish before writing', () => {
    const r = replayBridgedUmp(buggy, { correctImpl: true });
    expect(r.mutant).toBeUndefined();
    expect(r.full.failure).toMatchObject({ stepIndex: 2, check: 'STEP-NOT-ENABLED', message: "AtoB sender's next action is SendWrite, not SendPublish" });
    expect(r.atModelGranularity).toBeUndefined();
  });

  it('the witness of the correct model (UmpChannel_witness.cfg) passes every check against the real implementation, delivering all 7 messages as the model does', () => {
    expect(witness.violation).toMatchObject({ invariant: 'NotAllDelivered', witness: true });
    expect(witness.trace.impl).toBeUndefined();
    expect(witness.trace.failure).toBeUndefined();
    expect(witness.states).toHaveLength(57);
    const r = replayBridgedUmp(witness);
    expect(r.full.ok).toBe(true);
    expect(r.deliveredMismatch).toBeUndefined();
    const delivered = r.full.steps.flatMap((s) => (s.action === 'RecvRelease' && s.delivered !== undefined ? [s.delivered] : []));
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => umpTlaPayload(k, 2)));
  });

  it("TLC's counterexamples (the committed proofs/expected/ outputs, written as ITF by the runner) bridge to the same steps and verdicts", async () => {
    const expected = loadExpected(join(proofs, 'expected.json'));
    // The committed outputs are TLC's plain text (the runner itself reads -tool output):
    // cut them into states and read each with the runner's TLC value parser.
    const tlcTrace = (text: string, violated: string): CheckResult => {
      const blocks = text
        .split(/^State \d+: /m)
        .slice(1)
        .map((b) => b.split(/\n\n/)[0]!);
      const trace = blocks.map((b, i) => {
        const nl = b.indexOf('\n');
        const label = b.slice(1, b.indexOf('>'));
        const assignments = parseTlcState(b.slice(nl + 1));
        return {
          index: i + 1,
          label,
          action: i === 0 ? null : label.split(' ')[0]!,
          names: assignments.map((a) => a.name),
          values: assignments.map((a) => a.value),
        };
      });
      const variables = trace[0]!.names;
      return {
        engine: 'tlc',
        kind: 'invariant',
        exitCode: 12,
        variables,
        statesGenerated: null,
        distinctStates: null,
        statesLeftOnQueue: null,
        depth: null,
        initialStates: null,
        violatedInvariant: violated,
        durationMs: 0,
        notes: [],
        printed: [],
        trace: trace.map((t) => ({ index: t.index, label: t.label, action: t.action, values: variables.map((v) => t.values[t.names.indexOf(v)]!) })),
      };
    };
    const viaTlc = async (config: string, module: string): Promise<UmpItfBridged> => {
      const run = expected.runs.find((r) => r.config === config)!;
      const result = tlcTrace(readFileSync(join(proofs, run.tlc.fixture!), 'utf8'), run.tlc.violated!);
      expect(result.trace).toHaveLength(run.tlc.counterexampleLength!);
      const file = join(tmp, `tlc-${config}.itf.json`);
      await writeItf(file, result, join(proofs, run.module), join(proofs, config));
      return bridgeUmpItf(itfOf(file), module);
    };
    const b = await viaTlc('UmpChannelBuggy.cfg', 'UmpChannelBuggy');
    expect(b.trace.steps).toEqual(buggy.trace.steps);
    expect(replayBridgedUmp(b).atModelGranularity!.failure).toMatchObject({ stepIndex: 6, check: 'UMP-NO-TORN' });
    const w = await viaTlc('UmpChannel_witness.cfg', 'UmpChannel');
    expect(w.states).toHaveLength(57);
    expect(replayBridgedUmp(w).full.ok).toBe(true);
  });
});

describe('what the bridge refuses: a clear error with the state index and the changed variables, never a wrong trace', () => {
  const base = (): Record<string, unknown> => json(witnessFile);
  const states = (doc: Record<string, unknown>) => doc['states'] as Record<string, unknown>[];
  const bridgeError = (doc: Record<string, unknown>, module = 'UmpChannel'): string => {
    try {
      bridgeUmpItf(readItf(doc), module);
    } catch (e) {
      expect(e).toBeInstanceOf(ItfBridgeError);
      return (e as Error).message;
    }
    throw new Error('the bridge accepted the trace');
  };

  it('a transition no action explains (the sender jumps from check to publish)', () => {
    const doc = base();
    states(doc)[5]!['spc'] = 'publish';
    expect(bridgeError(doc)).toBe(
      'states[5]: no step of UmpChannel leads from state 4 to state 5 (changed: spc: "check" -> "publish"; enabled in state 4: SendCheck, RecvCheck, and none of them gives state 5)',
    );
  });

  it('a write of the wrong value, even where the program counters move as an action would', () => {
    const doc = base();
    const slot0 = (states(doc)[2]!['ring'] as { '#map': [number, { word: number[] }][] })['#map'][0]![1];
    slot0.word[0] = 5;
    expect(bridgeError(doc)).toBe(
      'states[2]: no step of UmpChannel leads from state 1 to state 2 (changed: ring, swi: 1 -> 2; enabled in state 1: SendWriteWord(1), and none of them gives state 2)',
    );
  });

  it('a first state that is not Init, a variable the model lacks, a missing one, a bad shape', () => {
    const notInit = base();
    states(notInit)[0]!['sent'] = 2;
    expect(bridgeError(notInit)).toBe(
      "states[0]: state 0 is not UmpChannel's initial state (the implementation starts there: an empty ring, both sides at slot 0); it differs in sent",
    );
    const extra = base();
    extra['vars'] = [...(extra['vars'] as string[]), 'ghost'];
    for (const s of states(extra)) s['ghost'] = 0;
    expect(bridgeError(extra)).toBe('vars: ghost is not a variable of UmpChannel (ring, spos, spc, swi, sent, rpos, rpc, rwi, rbuf, delivered)');
    const missing = base();
    missing['vars'] = (missing['vars'] as string[]).filter((v) => v !== 'rbuf');
    expect(bridgeError(missing)).toBe('vars: UmpChannel has a variable rbuf; the trace does not');
    const badPc = base();
    states(badPc)[3]!['rpc'] = 'peek';
    expect(bridgeError(badPc)).toBe('states[3].rpc: rpc = "peek" is not one of "check", "read", "release"');
    const badUsed = base();
    (states(badUsed)[1]!['ring'] as { '#map': [number, { used: unknown }][] })['#map'][2]![1].used = 1;
    expect(bridgeError(badUsed)).toBe('states[1].ring.#map[2][1].used: expected a boolean, found a integer');
  });

  it('constants that contradict the states, or that the implementation cannot take', () => {
    const n = base();
    states(n)[0]!['N'] = 4;
    expect(bridgeError(n)).toBe('states[0].N: the parameter N = 4 but the initial ring has 3 slots');
    const wide = base();
    const words = Array<number>(15).fill(0);
    for (const s of states(wide)) {
      s['rbuf'] = words;
      for (const [, slot] of (s['ring'] as { '#map': [number, { word: number[] }][] })['#map']) slot.word = words;
    }
    delete (wide as Record<string, unknown>)['params'];
    expect(bridgeError(wide)).toBe('states[0].ring: a slot carries 1..14 payload words (56 bytes), not 15');
  });

  it('a #meta.action label that contradicts the state difference', () => {
    const doc = base();
    (states(doc)[1]!['#meta'] as Record<string, unknown>)['action'] = 'RecvCheck';
    expect(bridgeError(doc)).toBe('states[1].#meta.action: state 1 is labelled RecvCheck, but the state difference is SendCheck');
    const word = base();
    (states(word)[2]!['#meta'] as Record<string, unknown>)['action'] = 'SendWriteWord(2)';
    expect(bridgeError(word)).toBe('states[2].#meta.action: state 2 is labelled SendWriteWord(2), but the state difference is SendWriteWord(1)');
    const ok = base();
    (states(ok)[2]!['#meta'] as Record<string, unknown>)['action'] = 'SendWriteWord(1)';
    (states(ok)[3]!['#meta'] as Record<string, unknown>)['action'] = 'SenderStep';
    expect(bridgeUmpItf(readItf(ok), 'UmpChannel').trace).toEqual(witness.trace);
  });

  it("an ITF without params or module (as other tools write it) bridges from the states' shape, #meta.source and the step order", () => {
    const doc = json(buggyFile);
    delete doc['params'];
    const meta = doc['#meta'] as Record<string, unknown>;
    delete meta['module'];
    meta['source'] = 'UmpChannelBuggy.tla';
    for (const s of states(doc)) for (const p of ['N', 'W', 'MaxMsg']) delete s[p];
    const b = bridgeItfDocument('x.itf.json', doc).trace;
    expect(b).toEqual(buggy.trace);
    // UmpChannel with the buggy step order and no PublishFirst: read off the first SendCheck.
    const inferred = bridgeUmpItf(readItf({ ...doc, '#meta': { source: 'UmpChannel.tla' } }), 'UmpChannel');
    expect(inferred.constants).toMatchObject({ PublishFirst: true, publishFirstFrom: 'steps', MaxMsg: undefined });
    expect(inferred.trace.impl).toEqual({ mutant: 'used-bit-first' });
  });

  it('the registry: unknown models and malformed ITF are input errors naming the problem', () => {
    const err = (doc: unknown): string => {
      try {
        bridgeItfDocument('t.itf.json', doc);
      } catch (e) {
        expect(e).toBeInstanceOf(TraceInputError);
        return (e as TraceInputError).problems.join('; ');
      }
      throw new Error('accepted');
    };
    expect(err({ '#meta': { module: 'DistCap' }, vars: ['x'], states: [{ x: 1 }] })).toBe(
      '#meta.module: no trace bridge for the TLA+ model DistCap; models with one: UmpChannel, UmpChannelBuggy',
    );
    expect(err({ '#meta': {}, vars: ['x'], states: [{ x: 1 }] })).toMatch(/^#meta.module: the ITF trace does not name its TLA\+ module/);
    expect(err({ '#meta': { module: 'UmpChannel' }, vars: ['x'], states: [{ y: 1 }] })).toBe(
      'not a valid ITF trace: .states[0].x: state 0 has no value for variable x',
    );
    expect(err({ '#meta': { module: 'UmpChannel' }, params: ['N'], vars: [], states: [{}] })).toBe(
      'not a valid ITF trace: .states[0].N: the initial state has no value for parameter N',
    );
    expect(looksLikeItf({ format: 'capref-trace', subsystem: 'ump', steps: [] })).toBe(false);
    expect(looksLikeItf({ '#meta': {}, states: 3 })).toBe(true);
  });
});

describe('capref replay and capref explain of an ITF file', () => {
  it("replay of the buggy model's counterexample: exit 1, naming the model, the steps and UMP-NO-TORN at the violating state's step", async () => {
    const r = await cli('replay', buggyFile);
    expect(r.code).toBe(1);
    expect(r.out).toContain('an ITF trace of the TLA+ model UmpChannelBuggy');
    expect(r.out).toContain('implementation: mutant used-bit-first');
    expect(r.out).toMatch(/✗ 2 {2}AtoB SendPublish +state 2 {2}SendPublish {3}<-- fails here/);
    expect(r.out).toContain('The TLA+ model violates NoTornRead in state 6, which step 6 (AtoB RecvRelease) reaches');
    expect(r.out).toContain('step 6 fails UMP-NO-TORN: AtoB receiver read a frame that differs from the one published');
    expect(r.out).toContain('as the model does: NoTornRead (UMP-NO-TORN) in state 6.');
    expect(r.out).toContain(`reproduce: capref replay ${buggyFile}`);
  });

  it('replay of the witness: exit 0, every message delivered', async () => {
    const r = await cli('replay', witnessFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain('an ITF trace of the TLA+ model UmpChannel');
    expect(r.out).toContain('every check passed: 7 message(s) delivered, the same as the TLA+ model (its witness NotAllDelivered)');
    expect(r.out).toContain(`${witnessFile}: 63 steps replayed; model and impl agree, every check holds`);
  });

  it("explain tells the counterexample in the model's terms", async () => {
    const r = await cli('explain', buggyFile);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/state 2 {2}SendPublish: the sender sets slot 0's used bit BEFORE writing message 1/);
    expect(r.out).toMatch(/state 6 {2}RecvRelease: the receiver delivers <<0, 0>> and frees slot 0 {3}<-- NoTornRead violated/);
  });

  it('an ITF of a model without a bridge, and a malformed ITF: exit 2 with one clear line', async () => {
    const distcap = writeJson('distcap.itf.json', { '#meta': { module: 'DistCap', source: 'proofs/DistCap.tla' }, vars: ['x'], states: [{ x: 1 }] });
    const r = await cli('replay', distcap);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`capref: ${distcap}: #meta.module: no trace bridge for the TLA+ model DistCap; models with one: UmpChannel, UmpChannelBuggy\n`);
    const bad = writeJson('bad.itf.json', { '#meta': { module: 'UmpChannel' }, vars: ['ring'], states: [{ ring: { '#set': 3 } }] });
    const e = await cli('explain', bad);
    expect(e.code).toBe(2);
    expect(e.err).toBe(`capref: ${bad}: not a valid ITF trace: .states[0].ring.#set: #set must hold an array\n`);
  });
});
