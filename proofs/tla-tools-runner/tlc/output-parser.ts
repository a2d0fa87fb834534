// Reads the output of `java tlc2.TLC -tool ...`: every message is framed as
//   @!@!@STARTMSG <code>:<class> @!@!@ ... @!@!@ENDMSG <code> @!@!@
// (codes from tlc2.output.EC). Text outside the frames is SANY's parse report or Print output.
import type { CheckResult, ResultKind, TraceState } from '../result.js';
import { parseTlcState } from './value-parser.js';

export interface TlcMessage {
  readonly code: number;
  readonly cls: number;
  readonly text: string;
}

export interface TlcOutput {
  readonly messages: readonly TlcMessage[];
  /** Lines outside any message (SANY output, Print/PrintT). */
  readonly loose: readonly string[];
  /** The lines outside messages after model checking started: Print/PrintT output. */
  readonly printed: readonly string[];
  /** The non-empty lines outside messages before model checking started: SANY's report. */
  readonly sany: readonly string[];
}

export const EC = {
  VERSION: 2262,
  STARTING: 2185,
  FINISHED: 2186,
  INIT_STATES: 2190,
  SUCCESS: 2193,
  STATS: 2199,
  DEPTH: 2194,
  PROGRESS: 2200,
  INVARIANT_VIOLATED: 2110,
  INVARIANT_VIOLATED_INITIAL: 2107,
  BEHAVIOR: 2121,
  COUNTEREXAMPLE: 2264,
  STATE: 2217,
  STUTTER: 2218,
  BACK_TO_STATE: 2122,
  DEADLOCK: 2114,
  ASSUMPTION_FALSE: 2104,
  TEMPORAL_VIOLATED: 2116,
  ACTION_PROPERTY_VIOLATED: 2112,
  NESTED_EXPRESSION: 2103,
  PARSE_FAILED: 3002,
} as const;

const FRAME = /^@!@!@STARTMSG (\d+):(\d+) @!@!@$/;
const END = /^@!@!@ENDMSG (\d+) @!@!@$/;

export function splitTlcOutput(text: string): TlcOutput {
  const messages: TlcMessage[] = [];
  const loose: string[] = [];
  const printed: string[] = [];
  const sany: string[] = [];
  let started = false;
  let cur: { code: number; cls: number; lines: string[] } | null = null;
  for (const line of text.split(/\r?\n/)) {
    const start = FRAME.exec(line);
    if (start !== null) {
      if (cur !== null) messages.push({ code: cur.code, cls: cur.cls, text: cur.lines.join('\n') });
      cur = { code: Number(start[1]), cls: Number(start[2]), lines: [] };
      if (cur.code === EC.STARTING) started = true;
      continue;
    }
    if (END.test(line)) {
      if (cur !== null) messages.push({ code: cur.code, cls: cur.cls, text: cur.lines.join('\n') });
      cur = null;
      continue;
    }
    if (cur !== null) cur.lines.push(line);
    else {
      loose.push(line);
      if (line.trim() !== '') (started ? printed : sany).push(line);
    }
  }
  if (cur !== null) messages.push({ code: cur.code, cls: cur.cls, text: cur.lines.join('\n') });
  return { messages, loose, printed, sany };
}

function kindOfExit(code: number): ResultKind {
  switch (code) {
    case 0:
      return 'success';
    case 10:
      return 'assumption';
    case 11:
      return 'deadlock';
    case 12:
      return 'invariant';
    case 13:
      return 'property';
    default:
      return 'error';
  }
}

/** One trace state message: `3: <Done(p1) line 11, col 12 to ... of module Demo>` then assignments. */
function parseStateMessage(m: TlcMessage, variables: string[]): TraceState {
  const nl = m.text.indexOf('\n');
  const head = (nl < 0 ? m.text : m.text.slice(0, nl)).trim();
  const body = nl < 0 ? '' : m.text.slice(nl + 1);
  const h = /^(?:State )?(\d+): (.*)$/.exec(head);
  if (h === null) throw new Error(`unexpected TLC state header: ${head}`);
  const index = Number(h[1]);
  let label = h[2]!.trim();
  if (label.startsWith('<') && label.endsWith('>')) label = label.slice(1, -1);
  const action = label === 'Initial predicate' || label === 'Stuttering' ? null : (/^([A-Za-z_][A-Za-z0-9_!]*)/.exec(label)?.[1] ?? null);
  const assignments = parseTlcState(body);
  for (const a of assignments) if (!variables.includes(a.name)) variables.push(a.name);
  const values = variables.map((v) => {
    const a = assignments.find((x) => x.name === v);
    if (a === undefined) throw new Error(`TLC state ${index} has no value for ${v}`);
    return a.value;
  });
  return { index, label, action, values };
}

function parseInitialViolation(text: string, variables: string[]): TraceState {
  const nl = text.indexOf('\n');
  const assignments = parseTlcState(nl < 0 ? '' : text.slice(nl + 1));
  for (const a of assignments) if (!variables.includes(a.name)) variables.push(a.name);
  return { index: 1, label: 'Initial predicate', action: null, values: variables.map((v) => assignments.find((a) => a.name === v)!.value) };
}

/** TLC's -tool output and exit code as a CheckResult (engine 'tlc'). */
export function parseTlcResult(text: string, exitCode: number, durationMs: number, notes: readonly string[] = []): CheckResult {
  const { messages, printed, sany } = splitTlcOutput(text);
  const variables: string[] = [];
  const trace: TraceState[] = [];
  let statesGenerated: number | null = null;
  let distinctStates: number | null = null;
  let statesLeftOnQueue: number | null = null;
  let depth: number | null = null;
  let initialStates: number | null = null;
  let violatedInvariant: string | undefined;
  let initialStateViolation = false;
  let loopBackTo: number | undefined;
  let collisionProbability: string | undefined;
  const errors: string[] = [];

  for (const m of messages) {
    switch (m.code) {
      case EC.INIT_STATES: {
        const x = /(\d+) distinct states? generated/.exec(m.text);
        if (x !== null) initialStates = Number(x[1]);
        break;
      }
      case EC.STATS: {
        const x = /(\d+) states generated, (\d+) distinct states found, (\d+) states left on queue/.exec(m.text);
        if (x !== null) {
          statesGenerated = Number(x[1]);
          distinctStates = Number(x[2]);
          statesLeftOnQueue = Number(x[3]);
        }
        break;
      }
      case EC.DEPTH: {
        const x = /is (\d+)\./.exec(m.text);
        if (x !== null) depth = Number(x[1]);
        break;
      }
      case EC.SUCCESS: {
        const x = /calculated \(optimistic\):\s+val = (\S+)/.exec(m.text);
        if (x !== null) collisionProbability = x[1]!;
        break;
      }
      case EC.INVARIANT_VIOLATED: {
        const x = /Invariant (\S+) is violated/.exec(m.text);
        if (x !== null) violatedInvariant = x[1]!;
        break;
      }
      case EC.INVARIANT_VIOLATED_INITIAL: {
        const x = /Invariant (\S+) is violated by the initial state/.exec(m.text);
        if (x !== null) violatedInvariant = x[1]!;
        initialStateViolation = true;
        trace.push(parseInitialViolation(m.text, variables));
        break;
      }
      case EC.STATE:
        trace.push(parseStateMessage(m, variables));
        break;
      case EC.STUTTER: {
        const x = /^(\d+): Stuttering/.exec(m.text.trim());
        const prev = trace[trace.length - 1];
        if (x !== null && prev !== undefined) trace.push({ index: Number(x[1]), label: 'Stuttering', action: null, values: prev.values });
        break;
      }
      case EC.BACK_TO_STATE: {
        const x = /Back to state (\d+)/.exec(m.text);
        if (x !== null) loopBackTo = Number(x[1]);
        break;
      }
      default:
        if (m.cls === 1 && m.code !== EC.BEHAVIOR && m.code !== EC.COUNTEREXAMPLE) errors.push(m.text.trim());
    }
  }
  const kind = kindOfExit(exitCode);
  let message: string | undefined = errors.length > 0 ? errors.join('\n') : undefined;
  if (kind === 'error' && sany.some((l) => /Error|error|Unknown|Could not/.test(l))) {
    const report = sany.filter((l) => !/^(Parsing file|Semantic processing of module|Linting of module)/.test(l));
    message = [...report, ...(message === undefined ? [] : [message])].join('\n');
  }
  return {
    engine: 'tlc',
    kind,
    exitCode,
    variables,
    statesGenerated,
    distinctStates,
    statesLeftOnQueue,
    depth,
    initialStates,
    trace,
    durationMs,
    notes,
    printed,
    ...(violatedInvariant !== undefined && { violatedInvariant }),
    ...(initialStateViolation && { initialStateViolation }),
    ...(loopBackTo !== undefined && { loopBackTo }),
    ...(message !== undefined && { message }),
    ...(collisionProbability !== undefined && { collisionProbability }),
  };
}
