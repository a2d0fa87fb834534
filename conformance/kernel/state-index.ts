// An index of one observation, for the generator: which capabilities are
// reachable through which caprefs, which slots are free, which page-table
// entries are present. Built once per step in O(n).
import { archProfiles, type ArchProfile } from '../../spec/kernel/arch.js';
import { capref1, capref2, type Capref } from '../../spec/kernel/capref.js';
import { isMappingCap, type CoreState, type Cte, type KernelState, type MemoryCap } from '../../spec/kernel/state.js';
import { CTE_SIZE, isVNodeType, L2_CNODE_SLOTS } from '../../spec/kernel/types.js';

export interface Reachable {
  readonly cte: Cte;
  /** Every capref that resolves to this slot. */
  readonly refs: readonly Capref[];
}

/** A CNode that operations can address: its base, type, slot count and how to name its slots. */
export interface AddressableCNode {
  readonly base: number;
  readonly type: 'L1CNode' | 'L2CNode';
  readonly slots: number;
  readonly ref: (slot: number) => Capref;
}

export class KernelIndex {
  readonly arch: ArchProfile;
  readonly core: CoreState;
  readonly roots: readonly number[];
  readonly cnodes: readonly AddressableCNode[];
  readonly caps: readonly Reachable[];
  private readonly occupied = new Set<string>();
  private readonly presentEntries = new Set<string>();

  constructor(
    readonly state: KernelState,
    coreId = 0,
  ) {
    this.arch = archProfiles[state.arch];
    this.core = state.cores.find((c) => c.core === coreId) ?? { core: coreId, ctes: [], ptes: [] };
    for (const e of this.core.ctes) this.occupied.add(`${e.cnode}:${e.slot}`);
    for (const p of this.core.ptes) this.presentEntries.add(`${p.vnode}:${p.entry}`);
    const l1 = new Map<number, MemoryCap>();
    for (const e of this.core.ctes) if (!isMappingCap(e.cap) && e.cap.type === 'L1CNode') l1.set(e.cap.base, e.cap);
    this.roots = [...l1.keys()].sort((a, b) => a - b);
    const cnodes: AddressableCNode[] = [];
    const refsBySlot = new Map<string, Capref[]>();
    const addRefs = (cnode: number, slots: number, ref: (slot: number) => Capref) => {
      for (const e of this.core.ctes)
        if (e.cnode === cnode && e.slot < slots)
          (refsBySlot.get(`${cnode}:${e.slot}`) ?? refsBySlot.set(`${cnode}:${e.slot}`, []).get(`${cnode}:${e.slot}`)!).push(ref(e.slot));
    };
    for (const [root, cap] of l1) {
      const slots = cap.bytes / CTE_SIZE;
      cnodes.push({ base: root, type: 'L1CNode', slots, ref: (s) => capref1(root, s) });
      addRefs(root, slots, (s) => capref1(root, s));
    }
    for (const e of this.core.ctes) {
      const k = e.cap;
      if (isMappingCap(k) || k.type !== 'L2CNode' || !l1.has(e.cnode)) continue;
      const root = e.cnode;
      const l1Index = e.slot;
      cnodes.push({ base: k.base, type: 'L2CNode', slots: L2_CNODE_SLOTS, ref: (s) => capref2(root, l1Index, s) });
      addRefs(k.base, L2_CNODE_SLOTS, (s) => capref2(root, l1Index, s));
    }
    this.cnodes = cnodes;
    this.caps = this.core.ctes.filter((e) => refsBySlot.has(`${e.cnode}:${e.slot}`)).map((cte) => ({ cte, refs: refsBySlot.get(`${cte.cnode}:${cte.slot}`)! }));
  }

  isOccupied(cnode: number, slot: number): boolean {
    return this.occupied.has(`${cnode}:${slot}`);
  }

  isPresent(vnode: number, entry: number): boolean {
    return this.presentEntries.has(`${vnode}:${entry}`);
  }

  /** The first run of `count` free slots in `cn` at or after `from` (wrapping once), if any. */
  freeRun(cn: AddressableCNode, count: number, from: number): number | undefined {
    for (let k = 0; k < cn.slots; k++) {
      const start = (from + k) % cn.slots;
      if (start + count > cn.slots) continue;
      let free = true;
      for (let i = 0; i < count && free; i++) if (this.isOccupied(cn.base, start + i)) free = false;
      if (free) return start;
    }
    return undefined;
  }

  /** The first run of `count` absent entries in a page table at or after `from`. */
  freeEntries(vnode: number, entries: number, count: number, from: number): number | undefined {
    for (let k = 0; k < entries; k++) {
      const start = (from + k) % entries;
      if (start + count > entries) continue;
      let free = true;
      for (let i = 0; i < count && free; i++) if (this.isPresent(vnode, start + i)) free = false;
      if (free) return start;
    }
    return undefined;
  }

  /** Reachable capabilities of VNode types. */
  vnodes(): Reachable[] {
    return this.caps.filter((r) => !isMappingCap(r.cte.cap) && isVNodeType(r.cte.cap.type));
  }
}
