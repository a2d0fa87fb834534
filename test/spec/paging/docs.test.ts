// docs/paging.md is written by hand; this keeps it from going stale: it must
// name every invariant, postcondition, decision, error code and mutant the
// code has.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pagingMutantNames } from '../../../impl/paging/index.js';
import { pagingDecisions } from '../../../spec/paging/decisions.js';
import { pagingErrors } from '../../../spec/paging/errors.js';
import { pagingInvariants } from '../../../spec/paging/invariants.js';
import { pagingPostconditions } from '../../../spec/paging/postconditions.js';

const doc = readFileSync(new URL('../../../docs/paging.md', import.meta.url), 'utf8');

describe('docs/paging.md', () => {
  it.each([
    ['invariant', pagingInvariants.map((i) => i.id)],
    ['postcondition', pagingPostconditions.map((p) => p.id)],
    ['decision', pagingDecisions.map((d) => d.id)],
    ['error code', Object.keys(pagingErrors)],
    ['mutant', [...pagingMutantNames]],
  ] as const)('names every %s', (_what, names) => {
    expect(names.filter((n) => !doc.includes(n))).toEqual([]);
  });
});
