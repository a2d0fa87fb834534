// Delta debugging over a trace's steps (Zeller's ddmin, then single-step
// removal to a fixpoint). It works on any trace — generated, imported or
// hand-written — because it only replays: each candidate is run from boot and
// kept if it still fails the same way. Removing a step that created a
// capability turns later steps into lookup failures; that is still a valid
// trace, so no step is ever "invalid".

export interface ShrinkResult<S> {
  readonly steps: readonly S[];
  /** How many candidates were replayed. */
  readonly replays: number;
}

export function shrinkSteps<S>(steps: readonly S[], stillFails: (candidate: readonly S[]) => boolean, maxReplays = 5000): ShrinkResult<S> {
  let current = [...steps];
  let replays = 0;
  const test = (c: readonly S[]) => {
    replays++;
    return stillFails(c);
  };
  // ddmin: remove chunks of decreasing size.
  let n = 2;
  while (current.length >= 2 && replays < maxReplays) {
    const chunk = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length && replays < maxReplays; start += chunk) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (candidate.length > 0 && test(candidate)) {
        current = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  // One step at a time, from the end (later steps depend on earlier ones), until nothing more goes.
  let progress = true;
  while (progress && replays < maxReplays) {
    progress = false;
    for (let i = current.length - 1; i >= 0 && replays < maxReplays; i--) {
      if (current.length === 1) break;
      const candidate = [...current.slice(0, i), ...current.slice(i + 1)];
      if (test(candidate)) {
        current = candidate;
        progress = true;
      }
    }
  }
  return { steps: current, replays };
}
