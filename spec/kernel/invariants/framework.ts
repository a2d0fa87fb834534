// Invariants as data: each has a stable id, its family (DESIGN.md "Invariant
// families"), a plain-language explanation, the source it follows, and a pure
// check over the abstract state. Conformance runs every one after every step.
import type { KernelState } from '../state.js';

export type InvariantFamily = 1 | 2 | 3 | 4 | 5;

export const familyNames: Readonly<Record<InvariantFamily, string>> = {
  1: 'Retype legality',
  2: 'Ownership and derivation',
  3: 'Revocation',
  4: 'Mapping-once and page tables',
  5: 'Rights',
};

export interface Violation {
  readonly invariant: string;
  readonly core?: number;
  readonly message: string;
}

export interface Invariant {
  readonly id: string;
  readonly family: InvariantFamily;
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (state: KernelState) => Violation[];
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
export const at = (cnode: number, slot: number): string => `${hex(cnode)}[${slot}]`;
