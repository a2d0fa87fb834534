// Queries over one core's abstract state, written as full scans: the spec and
// the model use them; they are obviously right and slow on purpose.
import { archProfiles, type ArchProfile, type VNodeLevel } from './arch.js';
import {
  type Capability,
  type CoreState,
  type Cte,
  type KernelState,
  type MappingCap,
  type MemoryCap,
  type SlotAddr,
  isMappingCap,
  sameSlot,
} from './state.js';
import { isCopy } from './relations.js';
import { CTE_SIZE, isCNodeType, isVNodeType, L2_CNODE_SLOTS, type VNodeType } from './types.js';

export const coreOf = (s: KernelState, core: number): CoreState | undefined => s.cores.find((c) => c.core === core);
export const archOf = (s: KernelState): ArchProfile => archProfiles[s.arch];

export const cteAt = (core: CoreState, addr: SlotAddr): Cte | undefined => core.ctes.find((c) => sameSlot(c, addr));
export const capAt = (core: CoreState, addr: SlotAddr): Capability | undefined => cteAt(core, addr)?.cap;

/** Number of slots of a CNode capability: 256 for an L2CNode, bytes/64 for an L1CNode. */
export const cnodeSlotCount = (c: MemoryCap): number => (c.type === 'L2CNode' ? L2_CNODE_SLOTS : c.bytes / CTE_SIZE);

/** Some capability to the CNode object at `base` of the given type, if the object is alive. */
export function cnodeObject(core: CoreState, base: number, type?: 'L1CNode' | 'L2CNode'): MemoryCap | undefined {
  for (const c of core.ctes) {
    const k = c.cap;
    if (!isMappingCap(k) && isCNodeType(k.type) && k.base === base && (type === undefined || k.type === type)) return k;
  }
  return undefined;
}

/** Some capability to the VNode object at `base`, if the object is alive. */
export function vnodeObject(core: CoreState, base: number): (MemoryCap & { type: VNodeType }) | undefined {
  for (const c of core.ctes) {
    const k = c.cap;
    if (!isMappingCap(k) && isVNodeType(k.type) && k.base === base) return k as MemoryCap & { type: VNodeType };
  }
  return undefined;
}

export const copiesOf = (core: CoreState, cap: Capability): Cte[] => core.ctes.filter((c) => isCopy(c.cap, cap));

/** The Mapping capability that maps the copy in `slot`, if any (mapping-once: at most one). */
export const mappingOf = (core: CoreState, slot: SlotAddr): (Cte & { cap: MappingCap }) | undefined =>
  core.ctes.find((c) => isMappingCap(c.cap) && sameSlot(c.cap.mapped, slot)) as (Cte & { cap: MappingCap }) | undefined;

export const levelOf = (arch: ArchProfile, t: VNodeType): VNodeLevel | undefined => arch.levels[t];

export const slotsOfCNode = (core: CoreState, cnode: number): Cte[] => core.ctes.filter((c) => c.cnode === cnode);
