// The exit codes every capref command uses. A CI gate depends on them, so they
// are fixed here once: 0 passed, 1 a counterexample was found, 2 bad usage or
// bad input (a missing file, invalid JSON, a schema violation, an unknown flag).
// `capref tla check` is the exception: it mirrors TLC's own exit codes.
export const EXIT_OK = 0;
export const EXIT_COUNTEREXAMPLE = 1;
export const EXIT_USAGE = 2;
