// The CommunityModules operators the embedded checker implements (Functions, FiniteSetsExt,
// SequencesExt, Folds) and the TLAPS library modules it accepts as operator-free: every ASSUME
// of fixtures/Community.tla states the value the operator's TLA+ definition gives.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../proofs/tla-tools-runner/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('CommunityModules operators', () => {
  it('every ASSUME of Community.tla holds', async () => {
    const r = await checkSpec({ specPath: join(fixtures, 'Community.tla'), engine: 'embedded' });
    expect(r.message).toBeUndefined();
    expect(r.kind).toBe('success');
  });
});
