// The spec's table of contents: every kernel invariant, families 1-5.
import type { KernelState } from '../state.js';
import type { Invariant, Violation } from './framework.js';
import { mappingInvariants } from './mapping.js';
import { ownershipInvariants } from './ownership.js';
import { retypeLegalityInvariants } from './retype-legality.js';
import { revocationInvariants } from './revocation.js';
import { rightsInvariants } from './rights.js';

export type { Invariant, InvariantFamily, Violation } from './framework.js';
export { familyNames } from './framework.js';

export const kernelInvariants: readonly Invariant[] = [
  ...retypeLegalityInvariants,
  ...ownershipInvariants,
  ...revocationInvariants,
  ...mappingInvariants,
  ...rightsInvariants,
];

/** Runs every invariant; an empty list means the state is sound. */
export function checkInvariants(state: KernelState): Violation[] {
  return kernelInvariants.flatMap((i) => i.check(state));
}
