// The abstract kernel state: what `observe()` returns for model and impl alike.
// Plain JSON, canonically sorted, with nothing implementation-specific in it:
// slots are named by the CNode object they belong to (its base address) and
// their index, so two implementations that agree on the semantics produce
// byte-identical observations.
import { z } from 'zod';
import { rightsSchema } from './rights.js';
import { mappingTypes, memoryTypes, typeOrder, type MappingType, type MemoryType } from './types.js';
import type { Rights } from './rights.js';
import type { ArchName } from './arch.js';

/** Physical addresses and sizes are byte counts below 2^53 (JavaScript's exact integers). */
export const addrSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export interface Region {
  readonly base: number;
  readonly bytes: number;
}
export const regionSchema = z.object({ base: addrSchema, bytes: addrSchema });

/** A slot of a CNode object: the CNode's base address and the slot index. */
export interface SlotAddr {
  readonly cnode: number;
  readonly slot: number;
}
export const slotAddrSchema = z.object({ cnode: addrSchema, slot: z.number().int().min(0) });

/**
 * Distributed metadata every copy carries (cap-invariants.md A.6): the owner
 * core, the lock a protocol holds, and the cached remote-relation bits.
 */
export interface RemoteRelations {
  readonly copies: boolean;
  readonly ancs: boolean;
  readonly descs: boolean;
}
export const remoteRelationsSchema = z.object({ copies: z.boolean(), ancs: z.boolean(), descs: z.boolean() });
export const NO_REMOTE: RemoteRelations = { copies: false, ancs: false, descs: false };

interface CapCommon {
  readonly rights: Rights;
  readonly owner: number;
  readonly locked: boolean;
  readonly remote: RemoteRelations;
}

/** A capability to a region of physical memory (every type but the Mapping types). */
export interface MemoryCap extends CapCommon {
  readonly type: MemoryType;
  readonly base: number;
  readonly bytes: number;
}

/**
 * A Mapping capability: created by vnode_map, it records which capability copy
 * (slot) is mapped, into which page table, at which entries (caps.hl `Mapping`).
 */
export interface MappingCap extends CapCommon {
  readonly type: MappingType;
  readonly mapped: SlotAddr;
  /** Base address of the VNode (page table) holding the entries. */
  readonly ptable: number;
  readonly entry: number;
  readonly pteCount: number;
  /** Byte offset into the mapped capability's region. */
  readonly offset: number;
}

export type Capability = MemoryCap | MappingCap;

export const isMappingCap = (c: Capability): c is MappingCap => 'mapped' in c;
export const isMemoryCap = (c: Capability): c is MemoryCap => !('mapped' in c);

const capCommon = {
  rights: rightsSchema,
  owner: z.number().int().min(0),
  locked: z.boolean(),
  remote: remoteRelationsSchema,
};
export const memoryCapSchema = z.object({ type: z.enum(memoryTypes), base: addrSchema, bytes: addrSchema, ...capCommon });
export const mappingCapSchema = z.object({
  type: z.enum(mappingTypes),
  mapped: slotAddrSchema,
  ptable: addrSchema,
  entry: z.number().int().min(0),
  pteCount: z.number().int().min(1),
  offset: addrSchema,
  ...capCommon,
});
export const capabilitySchema = z.union([memoryCapSchema, mappingCapSchema]);

/** A capability table entry: an occupied slot and what it holds. */
export interface Cte extends SlotAddr {
  readonly cap: Capability;
}
export const cteSchema = z.object({ cnode: addrSchema, slot: z.number().int().min(0), cap: capabilitySchema });

/**
 * A present page-table entry as the kernel's page tables hold it: the VNode
 * (by base address), the entry index, the physical address it points at (a
 * page, a block, or a next-level table) and the access rights it grants.
 */
export interface Pte {
  readonly vnode: number;
  readonly entry: number;
  readonly target: number;
  readonly rights: Rights;
}
export const pteSchema = z.object({ vnode: addrSchema, entry: z.number().int().min(0), target: addrSchema, rights: rightsSchema });

/** One core's kernel state: its capability slots and its page tables. */
export interface CoreState {
  readonly core: number;
  /** Occupied slots, sorted by (cnode, slot). */
  readonly ctes: readonly Cte[];
  /** Present page-table entries, sorted by (vnode, entry). */
  readonly ptes: readonly Pte[];
}
export const coreStateSchema = z.object({ core: z.number().int().min(0), ctes: z.array(cteSchema), ptes: z.array(pteSchema) });

export interface MemoryRegionConfig extends Region {
  readonly kind: 'ram' | 'device';
}

/**
 * The whole kernel: the platform (architecture profile, memory map) and one
 * entry per core (DESIGN.md "Ownership": the state has one entry per core from
 * the start, even while only one core is exercised).
 */
export interface KernelState {
  readonly arch: ArchName;
  readonly memory: readonly MemoryRegionConfig[];
  readonly cores: readonly CoreState[];
}

// --- canonical order -------------------------------------------------------

export const compareSlotAddr = (a: SlotAddr, b: SlotAddr): number => a.cnode - b.cnode || a.slot - b.slot;
export const compareCte = compareSlotAddr;
export const comparePte = (a: Pte, b: Pte): number => a.vnode - b.vnode || a.entry - b.entry;
export const sameSlot = (a: SlotAddr, b: SlotAddr): boolean => a.cnode === b.cnode && a.slot === b.slot;

/** Barrelfish's MDB order on capabilities: address ascending, size descending, then type. */
export function compareCapsMdbOrder(a: MemoryCap, b: MemoryCap): number {
  return a.base - b.base || b.bytes - a.bytes || typeOrder[a.type] - typeOrder[b.type];
}

export const regionEnd = (r: Region): number => r.base + r.bytes;

/**
 * True when base + offset is a multiple of `align`, computed without forming
 * the sum: base and offset are each below 2^53, but their sum need not be, and
 * a rounded sum can look aligned when it is not (2^53 - 1 + 0x80021000 rounds
 * to a multiple of 4096).
 */
export const isAlignedSum = (base: number, offset: number, align: number): boolean => ((base % align) + (offset % align)) % align === 0;
export const overlaps = (a: Region, b: Region): boolean => a.base < regionEnd(b) && b.base < regionEnd(a);
export const contains = (outer: Region, inner: Region): boolean =>
  outer.base <= inner.base && regionEnd(inner) <= regionEnd(outer);
export const sameRegion = (a: Region, b: Region): boolean => a.base === b.base && a.bytes === b.bytes;

// --- canonical form -----------------------------------------------------------
// Observations are compared as JSON and printed for users; both kernels build
// them through these functions so that key order and array order are fixed.

export function canonicalCap(c: Capability): Capability {
  const common = {
    rights: [...c.rights],
    owner: c.owner,
    locked: c.locked,
    remote: { copies: c.remote.copies, ancs: c.remote.ancs, descs: c.remote.descs },
  };
  if (isMappingCap(c))
    return {
      type: c.type,
      mapped: { cnode: c.mapped.cnode, slot: c.mapped.slot },
      ptable: c.ptable,
      entry: c.entry,
      pteCount: c.pteCount,
      offset: c.offset,
      ...common,
    };
  return { type: c.type, base: c.base, bytes: c.bytes, ...common };
}

export function canonicalCore(c: CoreState): CoreState {
  return {
    core: c.core,
    ctes: c.ctes.map((e) => ({ cnode: e.cnode, slot: e.slot, cap: canonicalCap(e.cap) })).sort(compareCte),
    ptes: c.ptes.map((p) => ({ vnode: p.vnode, entry: p.entry, target: p.target, rights: [...p.rights] })).sort(comparePte),
  };
}

export function canonicalState(s: KernelState): KernelState {
  return {
    arch: s.arch,
    memory: s.memory.map((r) => ({ base: r.base, bytes: r.bytes, kind: r.kind })).sort((a, b) => a.base - b.base),
    cores: s.cores.map(canonicalCore).sort((a, b) => a.core - b.core),
  };
}

export const kernelStateSchema = z.object({
  arch: z.enum(['aarch64', 'armv7']),
  memory: z.array(z.object({ base: addrSchema, bytes: addrSchema, kind: z.enum(['ram', 'device']) })),
  cores: z.array(coreStateSchema),
});
