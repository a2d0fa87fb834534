// The results a UMP operation can return. Misuse by a caller is never an
// exception: every operation returns one of these codes. The hot path returns
// them as small integers (no allocation); UMP_STATUS_NAMES maps each integer to
// its name, which is what traces, reports and the model use.
//
// Names follow Barrelfish's errors/errno.fugu (LIB_ERR_* and FLOUNDER_ERR_*)
// wherever Barrelfish has the error. Where it has none, because Barrelfish's
// UMP can neither be closed nor block, capref names its own in the same style
// and says so below.
import { z } from 'zod';

export const UMP_OK = 0;
/** Barrelfish LIB_ERR_UMP_CHAN_FULL, "Cannot send UMP: channel is full". The slot at the write position is still in use. */
export const UMP_CHAN_FULL = -1;
/** Barrelfish LIB_ERR_NO_UMP_MSG, "No UMP message available". */
export const UMP_NO_MSG = -2;
/**
 * capref's own, modelled on Barrelfish's LIB_ERR_LMP_NOT_CONNECTED ("Channel is
 * disconnected"): the channel was closed by either end. Sends fail at once;
 * receives still deliver every frame published before, then report this.
 */
export const UMP_NOT_CONNECTED = -3;
/** Barrelfish FLOUNDER_ERR_TX_MSG_SIZE: a message longer than one slot (single-slot API) or than maxMessageBytes. */
export const UMP_TX_MSG_SIZE = -4;
/** Barrelfish LIB_ERR_MSGBUF_OVERFLOW: the caller's receive buffer is too small; the message stays in the ring. */
export const UMP_MSGBUF_OVERFLOW = -5;
/** Barrelfish FLOUNDER_ERR_RX_INVALID_LENGTH: a frame header claims more bytes than a slot holds, or a reassembled length disagrees. */
export const UMP_RX_INVALID_LENGTH = -6;
/** Barrelfish FLOUNDER_ERR_INVALID_STATE: a fragment arrived out of sequence (a MIDDLE without a FIRST, a skipped chunk). */
export const UMP_INVALID_STATE = -7;
/** capref's own: a blocking call's timeout expired before the ring became ready. */
export const UMP_TIMEOUT = -8;
/**
 * Barrelfish SYS_ERR_INVALID_USER_BUFFER, "Invalid user space buffer": an
 * offset or a length that is not a whole, non-negative number (3.5 bytes, word
 * -1, NaN). Reported before anything is sent or consumed.
 */
export const UMP_INVALID_USER_BUFFER = -9;

export const UMP_ERROR_CODES = [
  'LIB_ERR_UMP_CHAN_FULL',
  'LIB_ERR_NO_UMP_MSG',
  'LIB_ERR_UMP_NOT_CONNECTED',
  'FLOUNDER_ERR_TX_MSG_SIZE',
  'LIB_ERR_MSGBUF_OVERFLOW',
  'FLOUNDER_ERR_RX_INVALID_LENGTH',
  'FLOUNDER_ERR_INVALID_STATE',
  'UMP_ERR_TIMEOUT',
  'SYS_ERR_INVALID_USER_BUFFER',
  // Set-up errors (attaching to a frame), Barrelfish's names:
  'LIB_ERR_UMP_BUFSIZE_INVALID',
  'LIB_ERR_UMP_BUFADDR_INVALID',
  'LIB_ERR_UMP_FRAME_OVERFLOW',
  'LIB_ERR_UMP_CHAN_INIT',
] as const;
export type UmpErrorCode = (typeof UMP_ERROR_CODES)[number];
export const UmpErrorCodeSchema = z.enum(UMP_ERROR_CODES);

/** A status is OK or an error code: what a step or operation reports. */
export const UmpStatusSchema = z.union([z.literal('OK'), UmpErrorCodeSchema]);
export type UmpStatus = z.infer<typeof UmpStatusSchema>;

/** The hot path's integer codes, by name. */
export const UMP_STATUS_NAMES: Readonly<Record<number, UmpStatus>> = {
  [UMP_OK]: 'OK',
  [UMP_CHAN_FULL]: 'LIB_ERR_UMP_CHAN_FULL',
  [UMP_NO_MSG]: 'LIB_ERR_NO_UMP_MSG',
  [UMP_NOT_CONNECTED]: 'LIB_ERR_UMP_NOT_CONNECTED',
  [UMP_TX_MSG_SIZE]: 'FLOUNDER_ERR_TX_MSG_SIZE',
  [UMP_MSGBUF_OVERFLOW]: 'LIB_ERR_MSGBUF_OVERFLOW',
  [UMP_RX_INVALID_LENGTH]: 'FLOUNDER_ERR_RX_INVALID_LENGTH',
  [UMP_INVALID_STATE]: 'FLOUNDER_ERR_INVALID_STATE',
  [UMP_TIMEOUT]: 'UMP_ERR_TIMEOUT',
  [UMP_INVALID_USER_BUFFER]: 'SYS_ERR_INVALID_USER_BUFFER',
};

/** The name of an integer status; a non-negative number (a received length) reads as OK. */
export function umpStatusName(code: number): UmpStatus {
  if (code >= 0) return 'OK';
  const name = UMP_STATUS_NAMES[code];
  if (name === undefined) throw new Error(`capref bug: unknown UMP status code ${code}`);
  return name;
}

/** A one-line description of each error, for reports (Barrelfish's own wording where it has one). */
export const UMP_ERROR_TEXT: Readonly<Record<UmpErrorCode, string>> = {
  LIB_ERR_UMP_CHAN_FULL: 'Cannot send UMP: channel is full',
  LIB_ERR_NO_UMP_MSG: 'No UMP message available',
  LIB_ERR_UMP_NOT_CONNECTED: 'Channel is disconnected (closed by one of its ends)',
  FLOUNDER_ERR_TX_MSG_SIZE: 'Trying to send a message which is larger than declared',
  LIB_ERR_MSGBUF_OVERFLOW: 'Attempted to demarshall beyond bounds of message buffer',
  FLOUNDER_ERR_RX_INVALID_LENGTH: 'Incoming message has invalid length',
  FLOUNDER_ERR_INVALID_STATE: 'Invalid/corrupt state in binding structure (fragment out of sequence)',
  UMP_ERR_TIMEOUT: 'Timed out waiting for the peer',
  SYS_ERR_INVALID_USER_BUFFER: 'Invalid user space buffer (an offset or length that is not a whole, non-negative number)',
  LIB_ERR_UMP_BUFSIZE_INVALID: 'Size of UMP buffer is invalid (must be multiple of message size)',
  LIB_ERR_UMP_BUFADDR_INVALID: 'Address of UMP buffer is invalid (must be cache-aligned)',
  LIB_ERR_UMP_FRAME_OVERFLOW: 'Provided frame is too small for requested UMP channel sizes',
  LIB_ERR_UMP_CHAN_INIT: 'Failure in ump_chan_init() (the buffer holds no initialised UMP frame)',
};
