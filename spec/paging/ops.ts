// The address space's operations: the trace alphabet of the `paging`
// subsystem. Every step of a paging trace is one of these; zod validates them
// when a trace is loaded and `capref schema trace` exports them.
//
// Sources: the course's paging interface (seeds/002 "paging_map_fixed_attr";
// the report seeds/001 §3: paging_alloc, paging_map_frame_attr,
// paging_map_fixed_attr, paging_unmap, the lazily backed heap and its page
// fault handler) and Barrelfish's vspace layer (lib/barrelfish/vspace:
// vregion_map, vregion_map_fixed, vregion_destroy, memobj_pagefault_handler).
//
// The client steps (`frame_alloc`, `slot_alloc`, `ram_free`, `client`) are
// what the address space's own domain does around it: it allocates frames,
// copies and mints them, deletes and revokes them, and gives RAM back — so
// that paging is checked against a client that really throws away what it
// mapped (see DEC-PAGING-CLIENT-REVOKE in decisions.ts).
import { z } from 'zod';
import { caprefSchema, type Capref } from '../kernel/capref.js';
import {
  copyOpSchema,
  deleteOpSchema,
  identifyOpSchema,
  mintOpSchema,
  revokeOpSchema,
  type CopyOp,
  type DeleteOp,
  type IdentifyOp,
  type KernelOpValue,
  type MintOp,
  type RevokeOp,
} from '../kernel/ops.js';
import { mapRightsSchema, type MapRightName } from '../kernel/rights.js';
import { addrSchema } from '../kernel/state.js';

export const reserveOpSchema = z.strictObject({
  op: z.literal('reserve'),
  bytes: addrSchema.describe('size of the region: a non-zero multiple of 4 KiB'),
  vaddr: addrSchema.optional().describe('where the region starts; absent: the lowest free range that fits (first fit)'),
  lazy: z.boolean().default(false).describe('a lazily backed region (a heap): pages are allocated and mapped when they fault'),
});
export const mapOpSchema = z.strictObject({
  op: z.literal('map'),
  frame: caprefSchema.describe('a Frame or DevFrame capability the client holds'),
  offset: addrSchema.default(0).describe('byte offset into the frame: a multiple of 4 KiB'),
  bytes: addrSchema.optional().describe('bytes to map: a non-zero multiple of 4 KiB; absent: the rest of the frame from offset'),
  vaddr: addrSchema.optional().describe('where to map; absent: at the lowest free range that fits (first fit), in a region of its own'),
  rights: mapRightsSchema,
});
export const unmapOpSchema = z.strictObject({ op: z.literal('unmap'), vaddr: addrSchema.describe('the address a client mapping starts at') });
export const releaseOpSchema = z.strictObject({
  op: z.literal('release'),
  vaddr: addrSchema.describe('the address a region starts at; whatever is mapped in it is unmapped'),
});
export const faultOpSchema = z.strictObject({ op: z.literal('fault'), vaddr: addrSchema.describe('the faulting address (any byte of the page)') });

export const frameAllocOpSchema = z.strictObject({
  op: z.literal('frame_alloc'),
  bytes: addrSchema.describe('size of the frame: a non-zero multiple of 4 KiB'),
});
export const slotAllocOpSchema = z.strictObject({ op: z.literal('slot_alloc') });
export const ramFreeOpSchema = z.strictObject({
  op: z.literal('ram_free'),
  cap: caprefSchema.describe('a RAM capability frame_alloc handed the client; the allocator revokes it, so the frames retyped from it go too'),
});
/** The kernel operations a paging client performs on what it holds. */
export const pagingClientCallSchemas = [deleteOpSchema, revokeOpSchema, copyOpSchema, mintOpSchema, identifyOpSchema] as const;
export const pagingClientCallSchema = z.discriminatedUnion('op', pagingClientCallSchemas);
export const clientOpSchema = z.strictObject({
  op: z.literal('client'),
  call: pagingClientCallSchema.describe('a kernel operation the client performs; every slot it names must be one the client holds'),
});

export const pagingOpSchemas = [
  reserveOpSchema,
  mapOpSchema,
  unmapOpSchema,
  releaseOpSchema,
  faultOpSchema,
  frameAllocOpSchema,
  slotAllocOpSchema,
  ramFreeOpSchema,
  clientOpSchema,
] as const;
export const pagingOpSchema = z.discriminatedUnion('op', pagingOpSchemas);

export interface ReserveOp {
  readonly op: 'reserve';
  readonly bytes: number;
  readonly vaddr?: number;
  /** Defaults to false. */
  readonly lazy?: boolean;
}
export interface MapOp {
  readonly op: 'map';
  readonly frame: Capref;
  /** Defaults to 0. */
  readonly offset?: number;
  /** Defaults to the rest of the frame. */
  readonly bytes?: number;
  readonly vaddr?: number;
  readonly rights: readonly MapRightName[];
}
export interface UnmapOp {
  readonly op: 'unmap';
  readonly vaddr: number;
}
export interface ReleaseOp {
  readonly op: 'release';
  readonly vaddr: number;
}
export interface FaultOp {
  readonly op: 'fault';
  readonly vaddr: number;
}
export interface FrameAllocOp {
  readonly op: 'frame_alloc';
  readonly bytes: number;
}
export interface SlotAllocOp {
  readonly op: 'slot_alloc';
}
export interface RamFreeOp {
  readonly op: 'ram_free';
  readonly cap: Capref;
}
export type PagingClientCall = DeleteOp | RevokeOp | CopyOp | MintOp | IdentifyOp;
export interface ClientOp {
  readonly op: 'client';
  readonly call: PagingClientCall;
}

/** Operations of the address space proper. */
export type AddressSpaceOp = ReserveOp | MapOp | UnmapOp | ReleaseOp | FaultOp;
/** What the client does around it. */
export type ClientStepOp = FrameAllocOp | SlotAllocOp | RamFreeOp | ClientOp;
export type PagingOp = AddressSpaceOp | ClientStepOp;
export type PagingOpName = PagingOp['op'];
export const pagingOpNames: readonly PagingOpName[] = ['reserve', 'map', 'unmap', 'release', 'fault', 'frame_alloc', 'slot_alloc', 'ram_free', 'client'];

// --- success values -----------------------------------------------------------

export interface FrameGrant {
  /** The Frame capability, in a slot the client now holds. */
  readonly frame: Capref;
  /** The RAM capability it was retyped from, also the client's: ram_free gives it back. */
  readonly ram: Capref;
  readonly base: number;
  readonly bytes: number;
}

export interface PagingOpValue {
  reserve: { readonly vaddr: number };
  map: { readonly vaddr: number };
  unmap: Record<string, never>;
  release: Record<string, never>;
  /** The page the fault backed. */
  fault: { readonly vaddr: number };
  frame_alloc: FrameGrant;
  slot_alloc: { readonly slot: Capref };
  ram_free: Record<string, never>;
  client: KernelOpValue[keyof KernelOpValue];
}

/** The slots a client call names, by field, in checking order. */
export function clientCallSlots(call: PagingClientCall): readonly ['src' | 'dest' | 'target', Capref][] {
  switch (call.op) {
    case 'copy':
    case 'mint':
      return [
        ['src', call.src],
        ['dest', call.dest],
      ];
    default:
      return [['target', call.target]];
  }
}
