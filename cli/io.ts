// Where a command writes. Tests pass buffers; the binary passes the process streams.
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when `out` is an interactive terminal (progress display on). */
  readonly isTty: boolean;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
};

/** Collects output in memory, for tests and for in-process runs. */
export function bufferIo(): CliIo & { readonly stdout: () => string; readonly stderr: () => string } {
  let o = '';
  let e = '';
  return {
    out: (t) => void (o += t),
    err: (t) => void (e += t),
    isTty: false,
    stdout: () => o,
    stderr: () => e,
  };
}

/** A usage or input error: reported as one line naming the problem, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
