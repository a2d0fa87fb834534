// Worker entry of the real-thread exchange: validates its start message,
// attaches its end of the channel, waits at the start barrier for the other
// worker, runs its peer and reports. The logic lives in exchange.ts, which the
// tests also run in-process.
import { parentPort, workerData } from 'node:worker_threads';
import { attachUmpEndpoint } from '../../../impl/ump/index.js';
import { ExchangePeer, ExchangeWorkerDataSchema, runBlockingPeer, runExchangePeer, startTogether } from './exchange.js';

/** How long a worker waits for the other one to start (a worker starts in tens of milliseconds). */
const START_TIMEOUT_MS = 60_000;

const data = ExchangeWorkerDataSchema.parse(workerData);
const attached = attachUmpEndpoint(data.frame, data.side, { mutant: data.mutant, fault: data.fault });
if (attached.status !== 'OK') throw new Error(`${attached.status}: ${attached.detail}`);
const end = attached.endpoint;
if (!startTogether(new Int32Array(data.start), 2, START_TIMEOUT_MS)) {
  parentPort!.postMessage({
    side: data.side,
    sent: 0,
    received: 0,
    largeReceived: 0,
    bytesReceived: 0,
    longest: 0,
    bad: 0,
    errors: [],
    aborted: `the other worker did not start within ${START_TIMEOUT_MS} ms`,
    waits: end.stats,
  });
} else {
  const t0 = performance.now();
  const result =
    data.pattern === 'exchange'
      ? runExchangePeer(new ExchangePeer(end, data.count, data.seed, data.largeEvery), data.stallMs)
      : runBlockingPeer(end, { pattern: data.pattern, count: data.count, seed: data.seed, waitMs: data.stallMs, largeEvery: data.largeEvery });
  parentPort!.postMessage({ ...result, seconds: (performance.now() - t0) / 1000 });
}
