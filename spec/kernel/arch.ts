// Page-table profiles (DESIGN.md "Types"): the course has used both ARMv7 and
// AArch64, so capref carries both and AArch64 is the default.
//
// For each VNode type: how many entries it has and what each entry may point
// at — a next-level table, or a page/block of a given size (a Frame or DevFrame
// mapped directly). Sources: Barrelfish kernel/arch/armv8/paging.c and
// kernel/arch/armv7/paging.c (which table types each level accepts), the ARM
// Architecture Reference Manuals (granule and block sizes).
import { GIB, KIB, MIB, type MemoryType, type VNodeType } from './types.js';

export const archNames = ['aarch64', 'armv7'] as const;
export type ArchName = (typeof archNames)[number];

export interface VNodeLevel {
  readonly entries: number;
  /** The table type an entry may point at, if any. */
  readonly childTable?: VNodeType;
  /** The size of the page or block an entry maps directly, if any. */
  readonly pageSize?: number;
}

export interface ArchProfile {
  readonly name: ArchName;
  /** The root page-table type of an address space. */
  readonly rootVNode: VNodeType;
  readonly levels: Readonly<Partial<Record<VNodeType, VNodeLevel>>>;
  /** Highest physical address + 1 the profile can name. */
  readonly physLimit: number;
}

export const archProfiles: Readonly<Record<ArchName, ArchProfile>> = {
  aarch64: {
    name: 'aarch64',
    rootVNode: 'VNode_AARCH64_l0',
    levels: {
      VNode_AARCH64_l0: { entries: 512, childTable: 'VNode_AARCH64_l1' },
      // 1 GiB and 2 MiB blocks: DEC-AARCH64-BLOCKS.
      VNode_AARCH64_l1: { entries: 512, childTable: 'VNode_AARCH64_l2', pageSize: 1 * GIB },
      VNode_AARCH64_l2: { entries: 512, childTable: 'VNode_AARCH64_l3', pageSize: 2 * MIB },
      VNode_AARCH64_l3: { entries: 512, pageSize: 4 * KIB },
    },
    physLimit: 2 ** 48,
  },
  armv7: {
    name: 'armv7',
    rootVNode: 'VNode_ARM_l1',
    levels: {
      VNode_ARM_l1: { entries: 4096, childTable: 'VNode_ARM_l2', pageSize: 1 * MIB },
      VNode_ARM_l2: { entries: 256, pageSize: 4 * KIB },
    },
    physLimit: 2 ** 32,
  },
};

/** The VNode types that exist in a profile; the others cannot be created there. */
export function vnodeTypesOf(arch: ArchProfile): readonly VNodeType[] {
  return Object.keys(arch.levels) as VNodeType[];
}

export function isTypeInArch(arch: ArchProfile, t: MemoryType): boolean {
  return !t.startsWith('VNode_') || t in arch.levels;
}
