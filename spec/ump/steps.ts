// The step alphabet: the atomic actions of a UMP channel's two processes per
// direction (a sender and a receiver) plus the environment's actions. A
// deterministic driver executes these one at a time, so any interleaving of
// the two processes can be written down, replayed and shrunk.
//
// The names are shared with the TLA+ model proofs/UmpChannel.tla (its actions
// carry the same names, and its per-process program counters `spc`/`rpc` hold
// the name of the process's next action), so that a TLA+ counterexample can be
// replayed step by step against the implementation.
//
//   sender:   SendCheck   read the control word of the slot at the write position; USED -> ring full
//             SendWrite   write payload word i of the current frame (one step per word, so a torn read is expressible)
//             SendPublish write the token, then store the control word with USED set; advance the write position
//   receiver: RecvCheck   read the control word of the slot at the read position; USED -> a frame is there
//             RecvRead    read payload word i
//             RecvRelease store 0 into the control word (clear USED); advance the read position
//   environment: Submit   hand a message to the sender of a direction (it is cut into frames)
//                Close    one end closes the channel
//
// A correct sender runs SendCheck, SendWrite x n, SendPublish per frame; a
// correct receiver RecvCheck, RecvRead x n, RecvRelease. Mutants reorder them.
import { z } from 'zod';
import { HexSchema, UmpDirSchema, UmpSideSchema } from './state.js';
import { MAX_PAYLOAD_WORDS } from './wire.js';

const Word = z.number().int().min(0).max(MAX_PAYLOAD_WORDS - 1);
const SendCheckResult = z.enum(['OK', 'LIB_ERR_UMP_CHAN_FULL', 'LIB_ERR_UMP_NOT_CONNECTED']);
const RecvCheckResult = z.enum(['OK', 'LIB_ERR_NO_UMP_MSG', 'LIB_ERR_UMP_NOT_CONNECTED']);

export const UMP_STEP_ACTIONS = [
  'Submit',
  'SendCheck',
  'SendWrite',
  'SendPublish',
  'RecvCheck',
  'RecvRead',
  'RecvRelease',
  'Close',
] as const;
export type UmpStepAction = (typeof UMP_STEP_ACTIONS)[number];
export type UmpSendAction = 'SendCheck' | 'SendWrite' | 'SendPublish';
export type UmpRecvAction = 'RecvCheck' | 'RecvRead' | 'RecvRelease';

export const UmpStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('Submit'), dir: UmpDirSchema, payload: HexSchema }).strict(),
  z.object({ action: z.literal('SendCheck'), dir: UmpDirSchema, result: SendCheckResult.optional() }).strict(),
  z.object({ action: z.literal('SendWrite'), dir: UmpDirSchema, word: Word }).strict(),
  z.object({ action: z.literal('SendPublish'), dir: UmpDirSchema }).strict(),
  z.object({ action: z.literal('RecvCheck'), dir: UmpDirSchema, result: RecvCheckResult.optional() }).strict(),
  z.object({ action: z.literal('RecvRead'), dir: UmpDirSchema, word: Word }).strict(),
  z
    .object({
      action: z.literal('RecvRelease'),
      dir: UmpDirSchema,
      /** The message this release completed, if any (recorded by the reference). */
      delivered: HexSchema.optional(),
    })
    .strict(),
  z.object({ action: z.literal('Close'), side: UmpSideSchema }).strict(),
]);
export type UmpStep = z.infer<typeof UmpStepSchema>;
export type UmpSendCheckResult = z.infer<typeof SendCheckResult>;
export type UmpRecvCheckResult = z.infer<typeof RecvCheckResult>;

/** A step in the short form used in reports: `AtoB SendWrite[1]`, `B Close`. */
export function formatUmpStep(step: UmpStep): string {
  switch (step.action) {
    case 'Close':
      return `${step.side} Close`;
    case 'Submit':
      return `${step.dir} Submit ${step.payload === '' ? '(empty)' : step.payload} (${step.payload.length / 2} B)`;
    case 'SendWrite':
    case 'RecvRead':
      return `${step.dir} ${step.action}[${step.word}]`;
    case 'SendCheck':
    case 'RecvCheck':
      return `${step.dir} ${step.action}${step.result === undefined ? '' : ` -> ${step.result}`}`;
    case 'RecvRelease':
      return `${step.dir} RecvRelease${step.delivered === undefined ? '' : ` -> delivered ${step.delivered || '(empty)'}`}`;
    case 'SendPublish':
      return `${step.dir} SendPublish`;
  }
}
