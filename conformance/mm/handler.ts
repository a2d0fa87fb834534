// mm traces for `capref replay` and `capref explain`: the entry the trace
// registry (../traces.ts, traceHandlers) needs for `"subsystem": "mm"`.
import { replayOutcome } from '../step-report.js';
import type { TraceHandler } from '../traces.js';
import { explainMmTrace } from './explain.js';
import { replayMmTrace } from './replay.js';
import { mmWording } from './report.js';
import { mmTraceSchema, type MmTrace } from './trace.js';

export const mmTraceHandler: TraceHandler = {
  schema: mmTraceSchema,
  replay: (t) => replayOutcome(mmWording, t as MmTrace, replayMmTrace(t as MmTrace)),
  explain: (t) => explainMmTrace(t as MmTrace),
};
