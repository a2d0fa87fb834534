// mm traces for `capref replay` and `capref explain`: the entry the trace
// registry (../traces.ts, traceHandlers) needs for `"subsystem": "mm"`.
import type { TraceHandler } from '../traces.js';
import { explainMmTrace } from './explain.js';
import { formatMmOp, formatMmResult } from './format.js';
import { replayMmTrace } from './replay.js';
import { formatMmFailure } from './report.js';
import { mmOpOf, mmTraceSchema, type MmTrace } from './trace.js';

export const mmTraceHandler: TraceHandler = {
  schema: mmTraceSchema,
  replay: (t) => {
    const trace = t as MmTrace;
    const r = replayMmTrace(trace);
    const lines = r.steps.map((s) => {
      const op = mmOpOf(trace.steps[s.index]!);
      const same = JSON.stringify(s.model) === JSON.stringify(s.impl);
      const res = same ? formatMmResult(op, s.model) : `model ${formatMmResult(op, s.model)} | impl ${formatMmResult(op, s.impl)}`;
      return `${r.failure?.step === s.index ? '✗' : '✓'} ${String(s.index).padStart(3)} ${formatMmOp(op)} → ${res}`;
    });
    return r.failure === undefined ? { passed: true, lines } : { passed: false, lines, report: formatMmFailure(trace, r.failure, r.steps) };
  },
  explain: (t) => explainMmTrace(t as MmTrace),
};
