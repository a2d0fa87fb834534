// Which TLA+ model's ITF traces replay against which implementation. `capref
// replay FILE` and `capref explain FILE` accept an ITF file (as written by
// `capref tla check SPEC --itf FILE`, by TLC through capref, or by another
// tool that names the module in #meta) and look its module up here.
//
// Adding a model is adding one entry: a bridge (conformance/itf/bridge.ts's
// ItfBridge) that maps the model's states onto a subsystem's step alphabet
// and returns the capref trace with a handler to replay and explain it. The
// distributed kernel's will be `DistCap: distCapItfBridge`, in
// conformance/kernel/itf-bridge.ts, once the kernel runs several cores: it
// recovers each DistCap action (UserOp, Receive, Finish, RevokeLocal,
// RevokeFinish) from the state difference the same way, and maps it to the
// kernel and monitor operations of a multi-core kernel trace.
import type { ItfTrace } from '../../proofs/tla-tools-runner/index.js';
import { ItfError, readItf } from '../../proofs/tla-tools-runner/index.js';
import { umpItfBridge } from '../ump/itf-replay.js';
import { TraceInputError } from '../trace.js';
import { type BridgedItf, type ItfBridge, ItfBridgeError, itfModuleName } from './bridge.js';

/** TLA+ module name -> the bridge that maps its traces. */
export const ITF_BRIDGES: Readonly<Record<string, ItfBridge>> = {
  UmpChannel: umpItfBridge,
  UmpChannelBuggy: umpItfBridge,
};

/** Reads an ITF document with the runner's reader; a malformed one is a TraceInputError naming the JSON path. */
export function parseItfDocument(file: string, json: unknown): ItfTrace {
  try {
    return readItf(json);
  } catch (e) {
    if (e instanceof ItfError) throw new TraceInputError(file, [`not a valid ITF trace: ${e.message}`]);
    throw e;
  }
}

/**
 * Bridges an ITF document to a replayable capref trace. An ITF of a model
 * with no bridge, or a trace the bridge cannot map, is a TraceInputError
 * (`capref replay` exits with 2 and one line naming the problem).
 */
export function bridgeItfDocument(file: string, json: unknown): BridgedItf {
  const itf = parseItfDocument(file, json);
  const module = itfModuleName(itf.meta);
  const known = Object.keys(ITF_BRIDGES).join(', ');
  if (module === undefined)
    throw new TraceInputError(file, [
      `#meta.module: the ITF trace does not name its TLA+ module (#meta.module or #meta.source); models with a trace bridge: ${known}`,
    ]);
  const bridge = ITF_BRIDGES[module];
  if (bridge === undefined) throw new TraceInputError(file, [`#meta.module: no trace bridge for the TLA+ model ${module}; models with one: ${known}`]);
  try {
    return bridge.bridge(itf, module, file);
  } catch (e) {
    if (e instanceof ItfBridgeError) throw new TraceInputError(file, [`cannot bridge this ${module} trace to ${bridge.subsystem}: ${e.message}`]);
    throw e;
  }
}
