// Worker entry of the real-thread exchange: validates its start message,
// attaches its end of the channel, runs the peer and reports. The logic lives
// in exchange.ts, which the tests also run in-process.
import { parentPort, workerData } from 'node:worker_threads';
import { attachUmpEndpoint } from '../../../impl/ump/index.js';
import { ExchangePeer, ExchangeWorkerDataSchema, runExchangePeer } from './exchange.js';

const data = ExchangeWorkerDataSchema.parse(workerData);
const attached = attachUmpEndpoint(data.frame, data.side, { mutant: data.mutant });
if (attached.status !== 'OK') throw new Error(`${attached.status}: ${attached.detail}`);
parentPort!.postMessage(runExchangePeer(new ExchangePeer(attached.endpoint, data.count, data.seed), data.stallMs));
