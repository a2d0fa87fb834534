// Starts the two workers of the real-thread exchange and collects their
// reports. Workers need JavaScript: the entry is the compiled worker.js
// beside this file in dist/ (npm test and npm run build produce it); when
// this module runs from its TypeScript source, the compiled one in dist/ is used.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UmpConfigInput } from '../../../spec/ump/index.js';
import type { UmpMutant } from '../../../impl/ump/index.js';
import { createUmpFrame } from '../../../impl/ump/index.js';
import type { ExchangeResult, ExchangeWorkerData } from './exchange.js';

export interface UmpThreadsOptions {
  /** Messages each end sends to the other (default 5,000,000: 10^7 in all). */
  readonly messagesPerDirection?: number;
  readonly config?: UmpConfigInput;
  readonly seed?: number;
  /** A peer gives up after sleeping this long without progress (default 10 s). */
  readonly stallMs?: number;
  readonly mutant?: UmpMutant;
}

export interface UmpThreadsResult {
  readonly ok: boolean;
  /** Messages delivered and checked, both directions. */
  readonly messages: number;
  readonly largeMessages: number;
  readonly bytes: number;
  readonly bad: number;
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

export async function runUmpThreads(options: UmpThreadsOptions = {}): Promise<UmpThreadsResult> {
  const count = options.messagesPerDirection ?? 5_000_000;
  const frame = createUmpFrame(options.config ?? {}, 'wasm');
  const common = {
    frame,
    count,
    seed: options.seed ?? 1,
    stallMs: options.stallMs ?? 10_000,
    ...(options.mutant === undefined ? {} : { mutant: options.mutant }),
  };
  const peers = await Promise.all([runPeer({ ...common, side: 'A' }), runPeer({ ...common, side: 'B' })]);
  const problems: string[] = [];
  for (const p of peers) {
    if (p.aborted !== undefined) problems.push(`${p.side}: ${p.aborted}`);
    if (p.received !== count) problems.push(`${p.side} received ${p.received} of ${count} messages`);
    problems.push(...p.errors.map((e) => `${p.side}: ${e}`));
  }
  const bad = peers.reduce((s, p) => s + p.bad, 0);
  return {
    ok: problems.length === 0 && bad === 0,
    messages: peers.reduce((s, p) => s + p.received, 0),
    largeMessages: peers.reduce((s, p) => s + p.largeReceived, 0),
    bytes: peers.reduce((s, p) => s + p.bytesReceived, 0),
    bad,
    peers,
    problems,
  };
}
