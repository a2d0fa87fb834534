// The capref lookups every operation starts with, as preconditions: resolve an
// argument of the operation and keep what was found in the context for the
// checks after it. Their errors are the lookup errors of lookup.ts, in
// Barrelfish's order.
import type { Capref } from '../capref.js';
import type { ArgName } from '../errors.js';
import { lookupCap, resolveSlot, type LookupPurpose } from '../lookup.js';
import { LOOKUP_SOURCE, type Precondition, type PreconditionContext } from './framework.js';

const argNoun: Readonly<Record<ArgName, string>> = {
  core: 'core',
  src: 'source',
  dest: 'destination',
  target: 'target',
  vnode: 'page-table',
  mapping: 'mapping',
};
const rightsNeeded = (p: LookupPurpose) => (p === 'read' ? 'READ' : 'READ and WRITE');

type Ctx = PreconditionContext<object>;
const argOf = (c: Ctx, arg: ArgName): Capref => (c.op as Record<string, Capref>)[arg]!;

/** `op[arg]` must name an occupied slot; its capability table entry goes into `ctx[into]` (default: the argument's name). */
export function capabilityLookup<C extends Ctx>(id: string, arg: ArgName, purpose: LookupPurpose, into: string = arg): Precondition<C> {
  return {
    id,
    error: 'lookup',
    rule: `The ${argNoun[arg]} capref resolves to a capability (${rightsNeeded(purpose)} on the CNodes it passes).`,
    source: LOOKUP_SOURCE,
    check: (c) => {
      const r = lookupCap(c.core, argOf(c, arg), arg, purpose);
      if (!r.ok) return r;
      (c as unknown as Record<string, unknown>)[into] = r.value;
      return undefined;
    },
  };
}

/** `op[arg]` must name a slot (empty or not); the resolved slot goes into `ctx[arg]`. */
export function slotLookup<C extends Ctx>(id: string, arg: ArgName, purpose: LookupPurpose, note = '', source = LOOKUP_SOURCE): Precondition<C> {
  return {
    id,
    error: 'lookup',
    rule: `The ${argNoun[arg]} capref resolves to a slot (${rightsNeeded(purpose)} on the CNodes it passes)${note}.`,
    source,
    check: (c) => {
      const r = resolveSlot(c.core, argOf(c, arg), arg, purpose);
      if (!r.ok) return r;
      (c as unknown as Record<string, unknown>)[arg] = r.value;
      return undefined;
    },
  };
}
