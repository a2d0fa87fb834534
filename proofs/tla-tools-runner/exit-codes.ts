// TLC's exit codes (tlc2.output.EC.ExitStatus), which both engines use, plus 2 for
// usage errors of the runner itself (no spec file, bad flag), which TLC has no code for.
export const EXIT = {
  SUCCESS: 0,
  USAGE: 2,
  ASSUMPTION: 10,
  DEADLOCK: 11,
  SAFETY: 12,
  LIVENESS: 13,
  ASSERT_FAILED: 14,
  EVAL_ERROR: 75,
  SAFETY_EVAL_ERROR: 76,
  LIVENESS_EVAL_ERROR: 77,
  PARSE_ERROR: 150,
  CONFIG_ERROR: 151,
  STATE_SPACE_TOO_LARGE: 152,
  SYSTEM_ERROR: 153,
  OTHER_ERROR: 255,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
