// The kernel's operations: the trace alphabet. Every step of a kernel trace is
// one of these objects; zod validates them when a trace is loaded, and
// `capref schema trace` exports them as JSON Schema.
//
// Sources: Barrelfish's syscall interface (kernel/syscall.c: sys_retype,
// sys_copy_or_mint, sys_delete, sys_revoke, sys_map, handle_unmap,
// sys_identify_cap; the monitor's sys_lock_cap, sys_unlock_cap,
// sys_monitor_remote_relations, KernelCmd_Is_retypeable) and the course hand-out (seeds/002:
// cap_retype(dest, src, offset, type, objsize, count), cap_copy,
// vnode_map(dest, src, slot, attr, off, pte_count)).
import { z } from 'zod';
import { caprefSchema } from './capref.js';
import { mapRightsSchema, rightsSchema } from './rights.js';
import { addrSchema, capabilitySchema, regionSchema, remoteRelationsSchema } from './state.js';
import { memoryTypes, mappingTypes } from './types.js';
import type { Capref } from './capref.js';
import type { Capability, Region, RemoteRelations } from './state.js';
import type { ObjType } from './types.js';
import type { MapRightName, RightName } from './rights.js';

const core = z.number().int().min(0).max(255).default(0).describe('the core whose kernel runs the operation');

export const retypeOpSchema = z.strictObject({
  op: z.literal('retype'),
  core,
  src: caprefSchema,
  offset: addrSchema,
  type: z.enum([...memoryTypes, ...mappingTypes]),
  objsize: addrSchema,
  count: z
    .number()
    .int()
    .min(0)
    .max(2 ** 24),
  dest: caprefSchema.describe('the first destination slot; the objects go into consecutive slots of its CNode'),
});

export const copyOpSchema = z.strictObject({ op: z.literal('copy'), core, src: caprefSchema, dest: caprefSchema });
export const mintOpSchema = z.strictObject({ op: z.literal('mint'), core, src: caprefSchema, dest: caprefSchema, rights: rightsSchema });
export const deleteOpSchema = z.strictObject({ op: z.literal('delete'), core, target: caprefSchema });
export const revokeOpSchema = z.strictObject({ op: z.literal('revoke'), core, target: caprefSchema });
export const vnodeMapOpSchema = z.strictObject({
  op: z.literal('vnode_map'),
  core,
  vnode: caprefSchema.describe('the page table to write'),
  src: caprefSchema.describe('the capability to map: a Frame, DevFrame or next-level VNode'),
  entry: z
    .number()
    .int()
    .min(0)
    .max(2 ** 16),
  offset: addrSchema,
  pteCount: z
    .number()
    .int()
    .min(0)
    .max(2 ** 16),
  rights: mapRightsSchema,
  mapping: caprefSchema.describe('an empty slot of an L2CNode for the new Mapping capability'),
});
export const vnodeUnmapOpSchema = z.strictObject({ op: z.literal('vnode_unmap'), core, vnode: caprefSchema, mapping: caprefSchema });
export const identifyOpSchema = z.strictObject({ op: z.literal('identify'), core, target: caprefSchema });
export const lockOpSchema = z.strictObject({ op: z.literal('lock'), core, target: caprefSchema });
export const unlockOpSchema = z.strictObject({ op: z.literal('unlock'), core, target: caprefSchema });
export const isRetypeableOpSchema = z.strictObject({
  op: z.literal('is_retypeable'),
  core,
  src: caprefSchema,
  offset: addrSchema,
  objsize: addrSchema,
  count: z
    .number()
    .int()
    .min(0)
    .max(2 ** 24),
});
export const remoteRelationsOpSchema = z.strictObject({
  op: z.literal('remote_relations'),
  core,
  target: caprefSchema,
  set: remoteRelationsSchema.partial().describe('the bits to set or clear on every local copy; absent bits stay'),
});

/** Every operation's schema; strict, so a misspelt field is reported rather than ignored. */
export const kernelOpSchemas = [
  retypeOpSchema,
  copyOpSchema,
  mintOpSchema,
  deleteOpSchema,
  revokeOpSchema,
  vnodeMapOpSchema,
  vnodeUnmapOpSchema,
  identifyOpSchema,
  lockOpSchema,
  unlockOpSchema,
  remoteRelationsOpSchema,
  isRetypeableOpSchema,
] as const;

export const kernelOpSchema = z.discriminatedUnion('op', kernelOpSchemas);

interface OpBase {
  readonly core?: number;
}
export interface RetypeOp extends OpBase {
  readonly op: 'retype';
  readonly src: Capref;
  readonly offset: number;
  readonly type: ObjType;
  readonly objsize: number;
  readonly count: number;
  readonly dest: Capref;
}
export interface CopyOp extends OpBase {
  readonly op: 'copy';
  readonly src: Capref;
  readonly dest: Capref;
}
export interface MintOp extends OpBase {
  readonly op: 'mint';
  readonly src: Capref;
  readonly dest: Capref;
  readonly rights: readonly RightName[];
}
export interface DeleteOp extends OpBase {
  readonly op: 'delete';
  readonly target: Capref;
}
export interface RevokeOp extends OpBase {
  readonly op: 'revoke';
  readonly target: Capref;
}
export interface VNodeMapOp extends OpBase {
  readonly op: 'vnode_map';
  readonly vnode: Capref;
  readonly src: Capref;
  readonly entry: number;
  readonly offset: number;
  readonly pteCount: number;
  readonly rights: readonly MapRightName[];
  readonly mapping: Capref;
}
export interface VNodeUnmapOp extends OpBase {
  readonly op: 'vnode_unmap';
  readonly vnode: Capref;
  readonly mapping: Capref;
}
export interface IdentifyOp extends OpBase {
  readonly op: 'identify';
  readonly target: Capref;
}
export interface LockOp extends OpBase {
  readonly op: 'lock';
  readonly target: Capref;
}
export interface UnlockOp extends OpBase {
  readonly op: 'unlock';
  readonly target: Capref;
}
/** The monitor's query (KernelCmd_Is_retypeable): would a retype of this range meet an existing descendant? */
export interface IsRetypeableOp extends OpBase {
  readonly op: 'is_retypeable';
  readonly src: Capref;
  readonly offset: number;
  readonly objsize: number;
  readonly count: number;
}
export interface RemoteRelationsOp extends OpBase {
  readonly op: 'remote_relations';
  readonly target: Capref;
  readonly set: Partial<RemoteRelations>;
}

export type KernelOp =
  RetypeOp | CopyOp | MintOp | DeleteOp | RevokeOp | VNodeMapOp | VNodeUnmapOp | IdentifyOp | LockOp | UnlockOp | RemoteRelationsOp | IsRetypeableOp;

export type KernelOpName = KernelOp['op'];
export const kernelOpNames: readonly KernelOpName[] = [
  'retype',
  'copy',
  'mint',
  'delete',
  'revoke',
  'vnode_map',
  'vnode_unmap',
  'identify',
  'lock',
  'unlock',
  'remote_relations',
  'is_retypeable',
];

// --- success values -----------------------------------------------------------

/** What delete and revoke removed: the count of capabilities and the memory handed back. */
export interface RemovalValue {
  readonly deleted: number;
  /** Regions returned to the memory server, sorted by base (DEC-RECLAIM-MAXIMAL). */
  readonly reclaimed: readonly Region[];
}
export const removalValueSchema = z.object({ deleted: z.number().int().min(0), reclaimed: z.array(regionSchema) });

export interface IdentifyValue {
  readonly cap: Capability;
}
export const identifyValueSchema = z.object({ cap: capabilitySchema });

/** The success value of each operation. */
export interface KernelOpValue {
  retype: Record<string, never>;
  copy: Record<string, never>;
  mint: Record<string, never>;
  delete: RemovalValue;
  revoke: RemovalValue;
  vnode_map: Record<string, never>;
  vnode_unmap: Record<string, never>;
  identify: IdentifyValue;
  lock: Record<string, never>;
  unlock: Record<string, never>;
  remote_relations: { readonly remote: RemoteRelations };
  is_retypeable: Record<string, never>;
}

export const opCore = (op: KernelOp): number => op.core ?? 0;
