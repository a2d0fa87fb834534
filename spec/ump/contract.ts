// The message-level contract of a bidirectional UMP channel, implemented by
// both the reference model (model/ump) and the implementation driving both of
// its ends in one thread (impl/ump). Every operation returns a status; misuse
// is never an exception.
import type { UmpErrorCode, UmpStatus } from './errors.js';
import type { UmpObservation, UmpSide } from './state.js';

export type UmpRecvResult =
  | { readonly status: 'OK'; readonly payload: Uint8Array }
  | { readonly status: UmpErrorCode };

export interface UmpChannelContract {
  /**
   * Sends one whole message from `from` without waiting. A message longer than
   * one slot's payload is cut into chunks; it is sent only if all of its
   * frames fit now (otherwise LIB_ERR_UMP_CHAN_FULL and nothing is written).
   * Errors, in checking order: FLOUNDER_ERR_TX_MSG_SIZE (longer than
   * maxMessageBytes or than the whole ring), LIB_ERR_UMP_NOT_CONNECTED,
   * LIB_ERR_UMP_CHAN_FULL.
   */
  send(from: UmpSide, payload: Uint8Array): UmpStatus;
  /**
   * Receives the oldest whole message sent to `at`, or reports
   * LIB_ERR_NO_UMP_MSG (nothing complete yet) or LIB_ERR_UMP_NOT_CONNECTED
   * (closed and nothing left).
   */
  recv(at: UmpSide): UmpRecvResult;
  /** Closes the channel from `side`; closing twice is allowed. */
  close(side: UmpSide): UmpStatus;
  observe(): UmpObservation;
}

/** The order in which `send` checks its preconditions (documented once, used by model and impl). */
export const UMP_SEND_CHECK_ORDER = ['FLOUNDER_ERR_TX_MSG_SIZE', 'LIB_ERR_UMP_NOT_CONNECTED', 'LIB_ERR_UMP_CHAN_FULL'] as const;
