// docs/mm.md is written by hand; this keeps it from going stale: it must
// name every invariant, transition check, decision, error code and mutant
// the code has (as test/spec/paging/docs.test.ts does for docs/paging.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mmMutantNames } from '../../../impl/mm/mutants.js';
import { mmDecisions } from '../../../spec/mm/decisions.js';
import { mmErrors } from '../../../spec/mm/errors.js';
import { mmInvariants } from '../../../spec/mm/invariants.js';
import { mmPostconditions } from '../../../spec/mm/postconditions.js';

const doc = readFileSync(new URL('../../../docs/mm.md', import.meta.url), 'utf8');

describe('docs/mm.md', () => {
  it.each([
    ['invariant', mmInvariants.map((i) => i.id)],
    ['transition check', mmPostconditions.map((p) => p.id)],
    ['decision', mmDecisions.map((d) => d.id)],
    ['error code', Object.keys(mmErrors)],
    ['mutant', [...mmMutantNames]],
  ] as const)('names every %s', (_what, names) => {
    expect(names.filter((n) => !doc.includes(n))).toEqual([]);
  });
});
