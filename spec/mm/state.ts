// The memory manager's abstract state: what `observe()` returns for model and
// impl alike. Plain JSON, canonically sorted, nothing implementation-specific:
// no list nodes, no tree nodes — the ranges, the allocations, and the
// metadata accounting (slab and slots), so that two managers that follow the
// same policy produce identical observations and conformance compares them.
import { z } from 'zod';
import { caprefSchema, type Capref } from '../kernel/capref.js';
import { addrSchema, type Region } from '../kernel/state.js';
import type { MemoryType } from '../kernel/types.js';

/** A RAM capability the manager took over. It keeps it for as long as it lives and never hands it out. */
export interface Parent extends Region {
  /** Where the capability sits (the capref it was added with). */
  readonly cap: Capref;
}

/**
 * What an allocation is for: `client` memory handed out as a RAM capability,
 * or the manager's own metadata — a slab `frame` of nodes, an `l2cnode` of
 * slots, an `l1cnode` that extends the CSpace when the root CNode is full.
 */
export const allocationUses = ['client', 'frame', 'l2cnode', 'l1cnode'] as const;
export type AllocationUse = (typeof allocationUses)[number];

/** The object type the manager retypes its own metadata allocations to. */
export const internalObjectType: Readonly<Record<Exclude<AllocationUse, 'client'>, MemoryType>> = {
  frame: 'Frame',
  l2cnode: 'L2CNode',
  l1cnode: 'L1CNode',
};

export interface Allocation extends Region {
  readonly use: AllocationUse;
  /** Where the manager keeps the object, for its own metadata (absent for client memory: that slot is the client's). */
  readonly cap?: Capref;
}

/** The slab of metadata nodes: one node per parent, per free range and per allocation. */
export interface SlabState {
  readonly nodeBytes: number;
  /** Nodes available: the static buffer plus every slab frame. */
  readonly capacity: number;
  /** Nodes in use. */
  readonly used: number;
}

/** One L2CNode of the slot allocator: where it sits (a level-1 capref) and its object's base. */
export interface SlotCNode {
  readonly cap: Capref;
  readonly base: number;
}

export interface SlotsState {
  /** The allocator's L2CNodes, in the order they were added (slots are handed out lowest first in this order). */
  readonly cnodes: readonly SlotCNode[];
  /** Slots neither the client nor the manager holds. */
  readonly free: number;
  /** Slots the client holds: those slot_alloc handed out and those allocations and partial frees delivered into. Sorted. */
  readonly client: readonly Capref[];
}

export interface MmState {
  /** Sorted by base; pairwise disjoint. */
  readonly parents: readonly Parent[];
  /** Free ranges, sorted by base; each inside one parent, coalesced within it. */
  readonly free: readonly Region[];
  /** Live allocations, client and internal, sorted by base. */
  readonly allocations: readonly Allocation[];
  readonly slab: SlabState;
  readonly slots: SlotsState;
}

const regionFields = { base: addrSchema, bytes: addrSchema };
export const mmStateSchema = z.strictObject({
  parents: z.array(z.strictObject({ ...regionFields, cap: caprefSchema })),
  free: z.array(z.strictObject(regionFields)),
  allocations: z.array(z.strictObject({ ...regionFields, use: z.enum(allocationUses), cap: caprefSchema.optional() })),
  slab: z.strictObject({ nodeBytes: z.number().int(), capacity: z.number().int(), used: z.number().int() }),
  slots: z.strictObject({
    cnodes: z.array(z.strictObject({ cap: caprefSchema, base: addrSchema })),
    free: z.number().int(),
    client: z.array(caprefSchema),
  }),
});

// --- canonical form -----------------------------------------------------------

export const compareCapref = (a: Capref, b: Capref): number => a.root - b.root || a.level - b.level || a.cptr - b.cptr;
export const sameCapref = (a: Capref, b: Capref): boolean => a.root === b.root && a.level === b.level && a.cptr === b.cptr;
export const caprefKey = (c: Capref): string => `${c.root}:${c.level}:${c.cptr}`;

const cref = (c: Capref): Capref => ({ root: c.root, cptr: c.cptr, level: c.level });
const byBase = <T extends Region>(a: T, b: T) => a.base - b.base;

/** Fixed key order and array order, so observations compare as JSON. */
export function canonicalMmState(s: MmState): MmState {
  return {
    parents: s.parents.map((p) => ({ base: p.base, bytes: p.bytes, cap: cref(p.cap) })).sort(byBase),
    free: s.free.map((r) => ({ base: r.base, bytes: r.bytes })).sort(byBase),
    allocations: s.allocations
      .map((a) => (a.cap === undefined ? { base: a.base, bytes: a.bytes, use: a.use } : { base: a.base, bytes: a.bytes, use: a.use, cap: cref(a.cap) }))
      .sort(byBase),
    slab: { nodeBytes: s.slab.nodeBytes, capacity: s.slab.capacity, used: s.slab.used },
    slots: {
      cnodes: s.slots.cnodes.map((c) => ({ cap: cref(c.cap), base: c.base })),
      free: s.slots.free,
      client: s.slots.client.map(cref).sort(compareCapref),
    },
  };
}
