// The message-level contract (spec/ump/contract.ts): the model and the
// implementation driven from one thread give the same result for every
// operation, and the same observation after it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UmpModel } from '../../../model/ump/index.js';
import { UmpLocalChannel } from '../../../impl/ump/index.js';
import { checkUmpInvariants } from '../../../spec/ump/index.js';

type Op = { op: 'send'; side: 'A' | 'B'; payload: Uint8Array } | { op: 'recv'; side: 'A' | 'B' } | { op: 'close'; side: 'A' | 'B' };

const side = fc.constantFrom('A' as const, 'B' as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('send' as const), side, payload: fc.uint8Array({ maxLength: 40 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('recv' as const), side }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), side }) },
);

describe('conformance/ump contract: model and implementation agree on whole-message operations', () => {
  it('same results, same observations, invariants hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (slots, ops) => {
        const model = new UmpModel(slots, 8, 32);
        const impl = new UmpLocalChannel({ slots, payloadBytes: 8, maxMessageBytes: 32 });
        for (const o of ops) {
          const m = o.op === 'send' ? model.send(o.side, o.payload) : o.op === 'recv' ? model.recv(o.side) : model.close(o.side);
          const i = o.op === 'send' ? impl.send(o.side, o.payload) : o.op === 'recv' ? impl.recv(o.side) : impl.close(o.side);
          expect(i).toEqual(m);
          expect(impl.observe()).toEqual(model.observe());
        }
        expect(checkUmpInvariants(model.state())).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
