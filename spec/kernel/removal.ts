// What delete and revoke remove, as a set computed by a fixpoint — the same
// answer whatever order a kernel processes its delete list in.
//
// Rules (Barrelfish kernel/cap_delete.c cleanup_copy / cleanup_last /
// caps_delete_last, with capref's decisions from decisions.ts):
//  1. A removed copy takes its Mapping capability with it (A.4.18: deleting a
//     copy unmaps it).
//  2. When every copy of a CNode is removed, everything its slots hold is
//     removed too (DESIGN.md "Delete") — a revoke's own target included, when
//     it sits in a CNode the revoke destroys (DEC-REVOKE-OWN-CNODE).
//  3. When every copy of a VNode is removed, the Mapping capabilities of the
//     entries in it are removed (DEC-DELETED-PTABLE).
// Memory handed back (DEC-RECLAIM-MAXIMAL): a removed RAM-backed object in RAM,
// whose every copy is removed, which no surviving capability overlaps (no
// ancestor, no descendant left) and which has no remote relations returns to
// the memory server; nested such regions are reported once, as the largest.
import { cnodeSlotCount } from './query.js';
import { isCopy } from './relations.js';
import {
  compareSlotAddr,
  contains,
  isMappingCap,
  overlaps,
  type CoreState,
  type Cte,
  type MemoryCap,
  type MemoryRegionConfig,
  type Region,
  type SlotAddr,
} from './state.js';
import { isCNodeType, isVNodeType, typeTable } from './types.js';

const key = (a: SlotAddr): string => `${a.cnode}:${a.slot}`;

export interface Removal {
  /** The removed slots, in canonical order. */
  readonly ctes: readonly Cte[];
  /** Memory returned to the memory server, sorted by base. */
  readonly reclaimed: readonly Region[];
}

/** Removes `initial` and everything rules 1-3 drag along. */
export function removalClosure(core: CoreState, initial: readonly SlotAddr[], memory: readonly MemoryRegionConfig[]): Removal {
  const bySlot = new Map(core.ctes.map((c) => [key(c), c] as const));
  const removed = new Map<string, Cte>();
  const work: Cte[] = [];
  const add = (a: SlotAddr) => {
    const k = key(a);
    const c = bySlot.get(k);
    if (c !== undefined && !removed.has(k)) {
      removed.set(k, c);
      work.push(c);
    }
  };
  const allCopiesRemoved = (c: Cte) => core.ctes.every((o) => !isCopy(o.cap, c.cap) || removed.has(key(o)));
  initial.forEach(add);
  // Iterate to a fixpoint: a later removal can make an earlier CNode's or
  // VNode's copies all removed, so every removed object is re-examined.
  let changed = true;
  while (changed) {
    changed = false;
    while (work.length > 0) {
      const c = work.pop()!;
      for (const m of core.ctes) if (isMappingCap(m.cap) && m.cap.mapped.cnode === c.cnode && m.cap.mapped.slot === c.slot) add(m);
    }
    for (const c of [...removed.values()]) {
      const cap = c.cap;
      if (isMappingCap(cap) || !(isCNodeType(cap.type) || isVNodeType(cap.type)) || !allCopiesRemoved(c)) continue;
      const before = removed.size;
      if (isCNodeType(cap.type)) {
        const slots = cnodeSlotCount(cap);
        for (const o of core.ctes) if (o.cnode === cap.base && o.slot < slots) add(o);
      } else if (isVNodeType(cap.type)) {
        for (const o of core.ctes) if (isMappingCap(o.cap) && o.cap.ptable === cap.base) add(o);
      }
      if (removed.size !== before) changed = true;
    }
  }
  const ctes = [...removed.values()].sort(compareSlotAddr);
  return { ctes, reclaimed: reclaimedRegions(core, removed, memory) };
}

function reclaimedRegions(core: CoreState, removed: ReadonlyMap<string, Cte>, memory: readonly MemoryRegionConfig[]): Region[] {
  const ram = memory.filter((m) => m.kind === 'ram');
  const survivors = core.ctes.filter((c) => !removed.has(key(c)) && !isMappingCap(c.cap)).map((c) => c.cap as MemoryCap);
  const candidates: Region[] = [];
  for (const c of removed.values()) {
    const cap = c.cap;
    if (isMappingCap(cap) || !typeTable[cap.type].ramBacked) continue;
    // Only RAM goes back to the memory server (a RAM capability retyped from a
    // device window's PhysAddr is not memory to hand out), and nothing another
    // core may still relate to.
    if (!ram.some((m) => contains(m, cap))) continue;
    if (cap.remote.copies || cap.remote.ancs || cap.remote.descs) continue;
    if (survivors.some((s) => overlaps(s, cap))) continue;
    if (!candidates.some((r) => r.base === cap.base && r.bytes === cap.bytes)) candidates.push({ base: cap.base, bytes: cap.bytes });
  }
  return candidates
    .filter((r) => !candidates.some((o) => o !== r && contains(o, r)))
    .sort((a, b) => a.base - b.base);
}
