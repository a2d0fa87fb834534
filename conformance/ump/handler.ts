// UMP traces for `capref replay`, `capref explain` and `capref schema trace`.
import type { TraceHandler } from '../traces.js';
import { formatUmpSteps, replayUmpTrace } from './run.js';
import { traceMutant, UmpTraceSchema, type UmpTrace } from './trace.js';

export const umpTraceHandler: TraceHandler = {
  schema: UmpTraceSchema,
  replay: (t) => {
    const trace = t as UmpTrace;
    const r = replayUmpTrace(trace);
    const failing = r.failure?.stepIndex;
    const lines = formatUmpSteps(r.steps, failing).map((l, i) => `${i === failing ? '✗' : '✓'}${l}`);
    // The lines are the steps; the report only says what failed, so the steps print once.
    return r.ok ? { passed: true, lines } : { passed: false, lines, report: r.summary };
  },
  explain: (t) => {
    const trace = t as UmpTrace;
    const mutant = traceMutant(trace);
    const head = [
      `A UMP channel: ${trace.config.slots} slot(s) per direction, ${trace.config.payloadBytes} payload bytes per slot, messages up to ${trace.config.maxMessageBytes} bytes.`,
      'Each step is one atomic step of a sender or receiver (SendCheck, SendWrite of one word, SendPublish, RecvCheck, RecvRead, RecvRelease),',
      'or of the environment (Submit a message, Close an end); results are what the reference (a pair of queues) says.',
      ...(mutant !== undefined ? [`(The trace was recorded against the impl with mutant "${mutant}" switched on.)`] : []),
      '',
    ];
    const tail = trace.failure === undefined ? [] : ['', `What went wrong at step ${trace.failure.step}: ${trace.failure.message}`];
    return [...head, ...formatUmpSteps(trace.steps, trace.failure?.step), ...tail].join('\n') + '\n';
  },
};
