// The shared frame of one bidirectional channel: a single shared buffer that
// holds the channel header, one cache line per end, and the two rings (see the
// layout in spec/ump/wire.ts). One end creates it, both ends attach to it; the
// frame reference is plain data and crosses to a worker with postMessage.
//
// Alignment: slots must start on 64-byte cache-line boundaries, or every slot
// straddles two lines (about 35% slower, research/ump-notes.md). JavaScript
// does not expose addresses, and `new SharedArrayBuffer` came back 16 bytes
// off a line on this machine, so frames are carved from a shared
// WebAssembly.Memory, whose buffer is page-aligned (measured: offset 0 of such
// a buffer runs as fast as the best offset of any SharedArrayBuffer; offset 16
// of it loses a third; docs/ump.md).
import type { UmpConfig, UmpConfigInput, UmpErrorCode } from '../../spec/ump/index.js';
import {
  FRAME_MAGIC,
  FRAME_VERSION,
  HDR_CLOSED,
  HDR_MAGIC,
  HDR_PAYLOAD_BYTES,
  HDR_SLOTS,
  HDR_VERSION,
  SLOT_BYTES,
  frameBytes,
  umpConfig,
} from '../../spec/ump/index.js';

/** Everything a second end needs to attach: postMessage-able plain data. */
export interface UmpFrameRef {
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the frame in the buffer: a multiple of 64. */
  readonly byteOffset: number;
  readonly config: UmpConfig;
}

export type UmpMemoryKind = 'wasm' | 'sab';

interface WasmMemoryCtor {
  new (descriptor: { initial: number; maximum: number; shared: boolean }): { buffer: SharedArrayBuffer };
}
const WASM_PAGE = 65536;

/** A zeroed shared buffer of at least `bytes` bytes; page-aligned when kind is 'wasm'. */
export function allocateShared(bytes: number, kind: UmpMemoryKind): SharedArrayBuffer {
  if (kind === 'sab') return new SharedArrayBuffer(bytes);
  const Memory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } }).WebAssembly.Memory;
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  return new Memory({ initial: pages, maximum: pages, shared: true }).buffer;
}

/**
 * Creates a channel's frame and writes its header. `memory: 'wasm'` (the
 * default) gives cache-line-aligned slots; 'sab' is a plain SharedArrayBuffer,
 * fine where speed does not matter (single-threaded conformance runs).
 */
export function createUmpFrame(config: UmpConfigInput = {}, memory: UmpMemoryKind = 'wasm'): UmpFrameRef {
  const c = umpConfig(config);
  const buffer = allocateShared(frameBytes(c.slots), memory);
  const words = new Int32Array(buffer, 0, frameBytes(c.slots) >> 2);
  words[HDR_MAGIC] = FRAME_MAGIC;
  words[HDR_VERSION] = FRAME_VERSION;
  words[HDR_SLOTS] = c.slots;
  words[HDR_PAYLOAD_BYTES] = c.payloadBytes;
  Atomics.store(words, HDR_CLOSED, 0);
  return { buffer, byteOffset: 0, config: c };
}

export type AttachResult =
  | { readonly status: 'OK'; readonly words: Int32Array }
  | { readonly status: UmpErrorCode; readonly detail: string };

/**
 * Checks a frame reference before an end uses it (it may come from another
 * thread or a file): the offset is line-aligned, the buffer holds the whole
 * frame, and the header agrees with the configuration.
 */
export function validateFrame(ref: UmpFrameRef): AttachResult {
  if (!(ref.buffer instanceof SharedArrayBuffer))
    return { status: 'LIB_ERR_UMP_BUFADDR_INVALID', detail: 'the frame buffer is not a SharedArrayBuffer' };
  if (!Number.isInteger(ref.byteOffset) || ref.byteOffset < 0 || ref.byteOffset % SLOT_BYTES !== 0)
    return { status: 'LIB_ERR_UMP_BUFADDR_INVALID', detail: `frame offset ${ref.byteOffset} is not a multiple of ${SLOT_BYTES}` };
  const need = frameBytes(ref.config.slots);
  if (ref.buffer.byteLength - ref.byteOffset < need)
    return {
      status: 'LIB_ERR_UMP_FRAME_OVERFLOW',
      detail: `a channel of ${ref.config.slots} slots per direction needs ${need} bytes, the buffer has ${ref.buffer.byteLength - ref.byteOffset}`,
    };
  const words = new Int32Array(ref.buffer, ref.byteOffset, need >> 2);
  if (words[HDR_MAGIC] !== FRAME_MAGIC || words[HDR_VERSION] !== FRAME_VERSION)
    return { status: 'LIB_ERR_UMP_CHAN_INIT', detail: 'the buffer does not hold an initialised UMP frame (magic or version differ)' };
  if (words[HDR_SLOTS] !== ref.config.slots || words[HDR_PAYLOAD_BYTES] !== ref.config.payloadBytes)
    return {
      status: 'LIB_ERR_UMP_BUFSIZE_INVALID',
      detail: `the frame was set up with ${words[HDR_SLOTS]} slots of ${words[HDR_PAYLOAD_BYTES]} payload bytes, the configuration says ${ref.config.slots} of ${ref.config.payloadBytes}`,
    };
  return { status: 'OK', words };
}
