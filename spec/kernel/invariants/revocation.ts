// Family 3: revocation and deletion leave nothing dangling. (What revoke and
// delete must achieve is checked on each transition: see postconditions.ts.)
import { archProfiles } from '../arch.js';
import { isMappingCap, type MemoryCap } from '../state.js';
import { isVNodeType, mappingTypeFor } from '../types.js';
import { at, hex, type Invariant, type Violation } from './framework.js';

export const revocationInvariants: readonly Invariant[] = [
  {
    id: 'RV-NO-DANGLING-MAPPING',
    family: 3,
    title: 'No Mapping capability outlives what it maps or the table it is in',
    explanation:
      'Every Mapping capability names a slot that still holds the capability it maps (of the matching type), and a page table that still exists. Deleting a copy deletes its mapping; deleting the last copy of a page table deletes the mappings in it.',
    source: 'cap-invariants.md A.4.18, E.8; kernel/cap_delete.c cleanup_copy; DEC-DELETED-PTABLE',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const bySlot = new Map(c.ctes.map((e) => [`${e.cnode}:${e.slot}`, e.cap] as const));
        const vnodes = new Set(c.ctes.filter((e) => !isMappingCap(e.cap) && isVNodeType(e.cap.type)).map((e) => (e.cap as MemoryCap).base));
        for (const e of c.ctes) {
          const m = e.cap;
          if (!isMappingCap(m)) continue;
          const mapped = bySlot.get(`${m.mapped.cnode}:${m.mapped.slot}`);
          if (mapped === undefined || isMappingCap(mapped) || mappingTypeFor(mapped.type) !== m.type)
            out.push({
              invariant: 'RV-NO-DANGLING-MAPPING',
              core: c.core,
              message: `${m.type} at ${at(e.cnode, e.slot)} maps ${at(m.mapped.cnode, m.mapped.slot)}, which does not hold a matching capability`,
            });
          if (!vnodes.has(m.ptable))
            out.push({
              invariant: 'RV-NO-DANGLING-MAPPING',
              core: c.core,
              message: `${m.type} at ${at(e.cnode, e.slot)} is in page table ${hex(m.ptable)}, which no longer exists`,
            });
        }
      }
      return out;
    },
  },
  {
    id: 'RV-NO-ORPHAN-PTE',
    family: 3,
    title: 'Page-table entries live in existing page tables',
    explanation: 'Every present page-table entry belongs to a page table that still exists, at an index inside it.',
    source: 'cap-invariants.md A.1.24 (valid_vs_lookup); DESIGN.md family 3',
    check: (s) => {
      const out: Violation[] = [];
      const arch = archProfiles[s.arch];
      for (const c of s.cores) {
        const entries = new Map<number, number>();
        for (const e of c.ctes) if (!isMappingCap(e.cap) && isVNodeType(e.cap.type)) entries.set(e.cap.base, arch.levels[e.cap.type]?.entries ?? 0);
        for (const p of c.ptes) {
          const n = entries.get(p.vnode);
          if (n === undefined)
            out.push({
              invariant: 'RV-NO-ORPHAN-PTE',
              core: c.core,
              message: `entry ${p.entry} of page table ${hex(p.vnode)}, which no longer exists, is present`,
            });
          else if (p.entry >= n)
            out.push({ invariant: 'RV-NO-ORPHAN-PTE', core: c.core, message: `entry ${p.entry} of page table ${hex(p.vnode)} is beyond its ${n} entries` });
        }
      }
      return out;
    },
  },
];
