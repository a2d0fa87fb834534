// The configuration of one UMP channel. Validated with zod wherever it comes
// from outside (a trace file, a CLI flag, a worker's start message).
import { z } from 'zod';
import { MAX_PAYLOAD_BYTES } from './wire.js';

/** Barrelfish indexes slots with a uint16 (ump_index_t), so a ring has at most 65535 slots. */
export const UMP_MAX_SLOTS = 65535;
/** Largest message the chunking layer accepts by default (1 MiB); a ceiling keeps a receiver's buffer bounded. */
export const UMP_DEFAULT_MAX_MESSAGE = 1 << 20;
/** Polls before a blocked end goes to sleep: a wake-up costs ~33 µs here, a poll ~6 ns (research/ump-notes.md). */
export const UMP_DEFAULT_SPIN_POLLS = 2000;
/**
 * Barrelfish's default ring: DEFAULT_UMP_BUFLEN = BASE_PAGE_SIZE / 2 rounded to
 * slots, i.e. 32 slots of 64 bytes per direction. capref defaults to 64.
 */
export const UMP_DEFAULT_SLOTS = 64;

export const UmpConfigSchema = z
  .object({
    /** Slots per direction. */
    slots: z.number().int().min(1).max(UMP_MAX_SLOTS).default(UMP_DEFAULT_SLOTS),
    /** Payload bytes each slot carries: 56 for real channels; smaller (a multiple of 4) so conformance traces stay short. */
    payloadBytes: z.number().int().min(4).max(MAX_PAYLOAD_BYTES).multipleOf(4).default(MAX_PAYLOAD_BYTES),
    /** Longest message the chunking layer accepts. */
    maxMessageBytes: z.number().int().min(0).max(0x7fffffff).default(UMP_DEFAULT_MAX_MESSAGE),
    /** Polls a blocking call spends before sleeping in Atomics.wait. */
    spinPolls: z.number().int().min(0).max(1e9).default(UMP_DEFAULT_SPIN_POLLS),
  })
  .strict()
  .refine((c) => c.maxMessageBytes >= c.payloadBytes, {
    message: 'maxMessageBytes must be at least payloadBytes (a one-slot message is always allowed)',
    path: ['maxMessageBytes'],
  });
export type UmpConfig = z.infer<typeof UmpConfigSchema>;
export type UmpConfigInput = z.input<typeof UmpConfigSchema>;

/** A complete configuration from a partial one, with defaults. Throws a ZodError on bad input. */
export function umpConfig(input: UmpConfigInput = {}): UmpConfig {
  return UmpConfigSchema.parse(input);
}
