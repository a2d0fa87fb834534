// Starts the two workers of the real-thread exchange and collects their
// reports. Workers need JavaScript: the entry is the compiled worker.js
// beside this file in dist/ (npm test and npm run build produce it); when
// this module runs from its TypeScript source, the compiled one in dist/ is used.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UmpConfigInput } from '../../../spec/ump/index.js';
import type { UmpMutant, UmpThreadFault } from '../../../impl/ump/index.js';
import { createUmpFrame } from '../../../impl/ump/index.js';
import type { ExchangePattern, ExchangeResult, ExchangeWorkerData } from './exchange.js';
import { LARGE_EVERY } from './exchange.js';

export interface UmpThreadsOptions {
  /** Messages each end sends to the other (default 5,000,000: 10^7 in all); in 'one-way', the messages A sends. */
  readonly messagesPerDirection?: number;
  readonly config?: UmpConfigInput;
  readonly seed?: number;
  /**
   * The timeout of every sleep: a peer gives up after sleeping this long
   * without progress, and a sleep that times out although the peer had moved
   * counts as a suspected lost wake-up (default 10 s).
   */
  readonly stallMs?: number;
  /** How the ends drive the channel (exchange.ts; default 'exchange'). */
  readonly pattern?: ExchangePattern;
  /** Every largeEvery-th message spans several slots (default 97). */
  readonly largeEvery?: number;
  readonly mutant?: UmpMutant;
  readonly fault?: UmpThreadFault;
}

export interface UmpThreadsResult {
  readonly ok: boolean;
  /** Messages delivered and checked, both directions. */
  readonly messages: number;
  readonly largeMessages: number;
  readonly bytes: number;
  readonly bad: number;
  /** Sleeps of both ends, and the suspected lost wake-ups among them. */
  readonly sleeps: number;
  readonly lostWakeups: number;
  /** The slower worker's time from the start barrier to its end. */
  readonly seconds: number;
  readonly peers: readonly ExchangeResult[];
  readonly problems: readonly string[];
}

/** The compiled worker entry. */
export function exchangeWorkerUrl(): URL {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'worker.js');
  if (existsSync(sibling)) return pathToFileURL(sibling);
  const compiled = resolve(here, '..', '..', '..', 'dist', 'conformance', 'ump', 'threads', 'worker.js');
  if (existsSync(compiled)) return pathToFileURL(compiled);
  throw new Error(`the worker entry ${compiled} is missing: run "npm run build" first`);
}

function runPeer(data: ExchangeWorkerData): Promise<ExchangeResult> {
  return new Promise((resolvePeer, reject) => {
    const w = new Worker(exchangeWorkerUrl(), { workerData: data });
    w.once('message', (m: ExchangeResult) => {
      resolvePeer(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`exchange worker ${data.side} exited with code ${code}`));
    });
  });
}

/** What went wrong in the two peers' reports (empty when the run is good). */
export function umpThreadsProblems(peers: readonly ExchangeResult[], count: number, pattern: ExchangePattern): string[] {
  const problems: string[] = [];
  for (const p of peers) {
    const expected = pattern === 'one-way' && p.side === 'A' ? 0 : count;
    if (p.aborted !== undefined) problems.push(`${p.side}: ${p.aborted}`);
    if (p.received !== expected) problems.push(`${p.side} received ${p.received} of ${expected} messages`);
    problems.push(...p.errors.map((e) => `${p.side}: ${e}`));
    if (p.waits.lostWakeups > 0)
      problems.push(`${p.side}: ${p.waits.lostWakeups} of ${p.waits.sleeps} sleeps timed out although the peer had already moved (suspected lost wake-ups)`);
  }
  return problems;
}

export async function runUmpThreads(options: UmpThreadsOptions = {}): Promise<UmpThreadsResult> {
  const count = options.messagesPerDirection ?? 5_000_000;
  const pattern = options.pattern ?? 'exchange';
  const frame = createUmpFrame(options.config ?? {}, 'wasm');
  const common = {
    frame,
    count,
    seed: options.seed ?? 1,
    stallMs: options.stallMs ?? 10_000,
    pattern,
    largeEvery: options.largeEvery ?? LARGE_EVERY,
    start: new SharedArrayBuffer(4),
    ...(options.mutant === undefined ? {} : { mutant: options.mutant }),
    ...(options.fault === undefined ? {} : { fault: options.fault }),
  };
  const peers = await Promise.all([runPeer({ ...common, side: 'A' }), runPeer({ ...common, side: 'B' })]);
  const problems = umpThreadsProblems(peers, count, pattern);
  const bad = peers.reduce((s, p) => s + p.bad, 0);
  return {
    ok: problems.length === 0 && bad === 0,
    messages: peers.reduce((s, p) => s + p.received, 0),
    largeMessages: peers.reduce((s, p) => s + p.largeReceived, 0),
    bytes: peers.reduce((s, p) => s + p.bytesReceived, 0),
    bad,
    sleeps: peers.reduce((s, p) => s + p.waits.sleeps, 0),
    lostWakeups: peers.reduce((s, p) => s + p.waits.lostWakeups, 0),
    seconds: Math.max(...peers.map((p) => p.seconds ?? 0)),
    peers,
    problems,
  };
}
