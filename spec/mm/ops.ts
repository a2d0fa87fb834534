// The memory manager's operations: the trace alphabet of the `mm` subsystem.
// Every step of an mm trace is one of these; zod validates them when a trace
// is loaded and `capref schema trace` exports them.
//
// Sources: Barrelfish include/mm/mm.h (mm_add, mm_alloc, mm_alloc_range,
// mm_free) and the course's libmm (mm_alloc_aligned; seeds/002), the report's
// partial frees and ranged allocation (seeds/001 §2.7, §2.8), Barrelfish's
// slot allocator (include/barrelfish/slot_alloc.h: slot_alloc, slot_free), and
// capref's reclaim path (decisions.ts, DEC-MM-RECLAIM).
//
// A `client` step is a kernel operation the memory manager's client performs
// on what it was given (it copies, retypes, deletes, revokes): mm traces
// interleave the two so that the manager is checked against a client that
// really uses — and throws away — its capabilities.
import { z } from 'zod';
import { caprefSchema, type Capref } from '../kernel/capref.js';
import {
  copyOpSchema,
  deleteOpSchema,
  identifyOpSchema,
  isRetypeableOpSchema,
  mintOpSchema,
  retypeOpSchema,
  revokeOpSchema,
  vnodeMapOpSchema,
  vnodeUnmapOpSchema,
  type KernelOp,
  type KernelOpValue,
  type LockOp,
  type RemoteRelationsOp,
  type UnlockOp,
} from '../kernel/ops.js';
import { addrSchema, type Region } from '../kernel/state.js';

/** Physical range a ranged allocation must lie in: [base, limit). */
export interface PhysRange {
  readonly base: number;
  /** Exclusive. */
  readonly limit: number;
}
export const physRangeSchema = z.strictObject({ base: addrSchema, limit: addrSchema });

export const addOpSchema = z.strictObject({
  op: z.literal('add'),
  cap: caprefSchema.describe('a RAM capability the manager takes over; it keeps it, as the parent of everything it hands out from that memory'),
});
export const allocOpSchema = z.strictObject({
  op: z.literal('alloc'),
  bytes: addrSchema.describe('size of the allocation: a non-zero multiple of 4 KiB'),
  alignment: addrSchema.default(4096).describe('alignment of the base: a power of two, at least 4 KiB'),
  range: physRangeSchema.optional().describe('when present, the allocation lies within [base, limit)'),
});
export const freeOpSchema = z.strictObject({
  op: z.literal('free'),
  cap: caprefSchema.describe('the RAM capability the manager handed out (the client gives it back)'),
  range: z.strictObject({ base: addrSchema, bytes: addrSchema }).optional().describe('the part to free (a partial free); absent frees the whole allocation'),
});
export const reclaimOpSchema = z.strictObject({
  op: z.literal('reclaim'),
  base: addrSchema.describe('the base of an allocation whose capabilities the client has deleted'),
});
export const slotAllocOpSchema = z.strictObject({ op: z.literal('slot_alloc') });
export const slotFreeOpSchema = z.strictObject({ op: z.literal('slot_free'), slot: caprefSchema });
/**
 * The kernel operations a client may perform: everything but the monitor's
 * lock, unlock and remote_relations, which belong to the monitors' protocols.
 */
export const clientCallSchemas = [
  retypeOpSchema,
  copyOpSchema,
  mintOpSchema,
  deleteOpSchema,
  revokeOpSchema,
  vnodeMapOpSchema,
  vnodeUnmapOpSchema,
  identifyOpSchema,
  isRetypeableOpSchema,
] as const;
export const clientCallSchema = z.discriminatedUnion('op', clientCallSchemas);
export type ClientCall = Exclude<KernelOp, LockOp | UnlockOp | RemoteRelationsOp>;

export const clientOpSchema = z.strictObject({
  op: z.literal('client'),
  call: clientCallSchema.describe('a kernel operation the client performs; every slot it names must be one the client holds'),
});

export const mmOpSchemas = [addOpSchema, allocOpSchema, freeOpSchema, reclaimOpSchema, slotAllocOpSchema, slotFreeOpSchema, clientOpSchema] as const;
export const mmOpSchema = z.discriminatedUnion('op', mmOpSchemas);

export interface AddOp {
  readonly op: 'add';
  readonly cap: Capref;
}
export interface AllocOp {
  readonly op: 'alloc';
  readonly bytes: number;
  /** Defaults to 4096 when absent. */
  readonly alignment?: number;
  readonly range?: PhysRange;
}
export interface FreeOp {
  readonly op: 'free';
  readonly cap: Capref;
  /** The part to free; absent frees the whole allocation. */
  readonly range?: Region;
}
export interface ReclaimOp {
  readonly op: 'reclaim';
  readonly base: number;
}
export interface SlotAllocOp {
  readonly op: 'slot_alloc';
}
export interface SlotFreeOp {
  readonly op: 'slot_free';
  readonly slot: Capref;
}
export interface ClientOp {
  readonly op: 'client';
  readonly call: ClientCall;
}

/** Operations of the memory manager proper. */
export type MmOwnOp = AddOp | AllocOp | FreeOp | ReclaimOp | SlotAllocOp | SlotFreeOp;
/** A step of an mm trace. */
export type MmOp = MmOwnOp | ClientOp;
export type MmOpName = MmOp['op'];
export const mmOpNames: readonly MmOpName[] = ['add', 'alloc', 'free', 'reclaim', 'slot_alloc', 'slot_free', 'client'];

export const DEFAULT_ALIGNMENT = 4096;
export const alignmentOf = (op: AllocOp): number => op.alignment ?? DEFAULT_ALIGNMENT;

// --- success values -----------------------------------------------------------

/** What an allocation hands out: a RAM capability of exactly the region, in a slot the client now holds. */
export interface RamGrant {
  readonly cap: Capref;
  readonly base: number;
  readonly bytes: number;
}
export const ramGrantSchema = z.strictObject({ cap: caprefSchema, base: addrSchema, bytes: addrSchema });

export interface FreeValue {
  /** A partial free re-issues the parts kept, each with a new capability (at most two). */
  readonly remainders: readonly RamGrant[];
}

export interface MmOpValue {
  add: Region;
  alloc: RamGrant;
  free: FreeValue;
  reclaim: Region;
  slot_alloc: { readonly slot: Capref };
  slot_free: Record<string, never>;
  client: KernelOpValue[keyof KernelOpValue];
}
