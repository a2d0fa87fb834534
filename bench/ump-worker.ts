// The peer thread of the UMP benchmark: receives (one-way) or echoes (round
// trip) for one variant, then reports the sum of the sequence numbers it saw
// so the main thread can check that the measured run delivered everything.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { UmpFrameRef } from '../impl/ump/index.js';
import { attachUmpEndpoint } from '../impl/ump/index.js';
import { AckRing, BareRing, ackRecv, ackSend, bareRecv, bareSend } from './ump-bare.js';

export interface UmpBenchWorkerData {
  readonly variant: 'ump' | 'bare-ring' | 'messageport' | 'ack-ring' | 'ack-ring-batch16';
  readonly mode: 'oneway' | 'rtt';
  readonly bytes: number;
  readonly count: number;
  readonly slots: number;
  readonly frame?: UmpFrameRef;
  readonly buffer?: SharedArrayBuffer;
  readonly port?: MessagePort;
}

function run(d: UmpBenchWorkerData): void {
  const words = (d.bytes + 3) >> 2;
  const buf = new Int32Array(Math.max(16, words));
  const done = (sum: number) => parentPort!.postMessage({ sum });
  if (d.variant === 'messageport') {
    const port = d.port!;
    let got = 0;
    let sum = 0;
    port.on('message', (m: Uint8Array) => {
      sum = (sum + new Int32Array(m.buffer, m.byteOffset, 1)[0]!) | 0;
      if (d.mode === 'rtt') port.postMessage(m);
      if (++got === d.count) {
        done(sum);
        port.close();
      }
    });
    parentPort!.postMessage('ready');
    return;
  }
  let sum = 0;
  if (d.variant === 'ump') {
    const r = attachUmpEndpoint(d.frame!, 'B');
    if (r.status !== 'OK') throw new Error(`${r.status}: ${r.detail}`);
    const end = r.endpoint;
    parentPort!.postMessage('ready');
    for (let k = 0; k < d.count; k++) {
      const len = end.recv(buf, 0);
      if (len !== d.bytes) throw new Error(`ump: received ${len}, expected ${d.bytes}`);
      sum = (sum + buf[0]!) | 0;
      if (d.mode === 'rtt' && end.send(buf, 0, len) !== 0) throw new Error('ump: echo failed');
    }
  } else if (d.variant === 'ack-ring' || d.variant === 'ack-ring-batch16') {
    const i32 = new Int32Array(d.buffer!);
    const every = d.variant === 'ack-ring' ? 1 : 16;
    const inbound = new AckRing(i32, 0, d.slots, every);
    const outbound = new AckRing(i32, (d.slots + 1) * 16, d.slots, every);
    parentPort!.postMessage('ready');
    for (let k = 0; k < d.count; k++) {
      ackRecv(inbound, buf, words);
      sum = (sum + buf[0]!) | 0;
      if (d.mode === 'rtt') ackSend(outbound, buf, words);
    }
  } else {
    const i32 = new Int32Array(d.buffer!);
    const inbound = new BareRing(i32, 0, d.slots);
    const outbound = new BareRing(i32, d.slots * 16, d.slots);
    parentPort!.postMessage('ready');
    for (let k = 0; k < d.count; k++) {
      bareRecv(inbound, buf, words);
      sum = (sum + buf[0]!) | 0;
      if (d.mode === 'rtt') bareSend(outbound, buf, words);
    }
  }
  done(sum);
}

run(workerData as UmpBenchWorkerData);
