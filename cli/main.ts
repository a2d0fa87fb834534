#!/usr/bin/env node
// The `capref` binary. All logic is in program.ts so that tests run it in-process.
import { runCli } from './program.js';
import { processIo } from './io.js';

// A reader that stops early (`capref schema trace | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // An exception here is a bug in capref, never a user's mistake: say so.
    process.stderr.write(`capref: internal error (a bug in capref, please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
