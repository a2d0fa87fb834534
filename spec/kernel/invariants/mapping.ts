// Family 4: mapping-once and page tables — the page tables, as the kernel
// holds them, say exactly what the Mapping capabilities say.
import { archProfiles } from '../arch.js';
import { mapKind } from '../preconditions/vnode.js';
import { hasRights } from '../rights.js';
import { isMappingCap, type CoreState, type MappingCap, type MemoryCap, type Pte } from '../state.js';
import { isVNodeType, type VNodeType } from '../types.js';
import { at, hex, type Invariant, type Violation } from './framework.js';

interface Indexed {
  readonly bySlot: Map<string, MemoryCap>;
  readonly vnodeType: Map<number, VNodeType>;
  readonly ptes: Map<string, Pte>;
  readonly mappings: { readonly where: string; readonly m: MappingCap }[];
}

function index(c: CoreState): Indexed {
  const bySlot = new Map<string, MemoryCap>();
  const vnodeType = new Map<number, VNodeType>();
  const mappings: Indexed['mappings'] = [];
  for (const e of c.ctes) {
    const k = e.cap;
    if (isMappingCap(k)) mappings.push({ where: at(e.cnode, e.slot), m: k });
    else {
      bySlot.set(`${e.cnode}:${e.slot}`, k);
      if (isVNodeType(k.type)) vnodeType.set(k.base, k.type);
    }
  }
  return { bySlot, vnodeType, ptes: new Map(c.ptes.map((p) => [`${p.vnode}:${p.entry}`, p] as const)), mappings };
}

export const mappingInvariants: readonly Invariant[] = [
  {
    id: 'MAP-ONCE',
    family: 4,
    title: 'Each capability copy is mapped at most once',
    explanation:
      'At most one Mapping capability names any one slot: a copy is mapped at most once, so mapping a large frame piecewise needs a copy per piece.',
    source: 'course hand-out seeds/002 ("each copy of a capability is mapped at most once"); DESIGN.md "Mapping-once"',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const seen = new Map<string, string>();
        for (const { where, m } of index(c).mappings) {
          const k = `${m.mapped.cnode}:${m.mapped.slot}`;
          const prev = seen.get(k);
          if (prev !== undefined) out.push({ invariant: 'MAP-ONCE', core: c.core, message: `the copy at ${at(m.mapped.cnode, m.mapped.slot)} is mapped twice (by ${prev} and ${where})` });
          seen.set(k, where);
        }
      }
      return out;
    },
  },
  {
    id: 'MAP-MAPPING-PRESENT',
    family: 4,
    title: 'A Mapping capability\'s entries are present and point where it says',
    explanation:
      'For every Mapping capability, its pteCount entries of its page table are present and point at the mapped object: the frame\'s base + offset + i * page size for pages and blocks, the child table\'s base for a table entry. The mapped pages lie inside the mapped capability (offset + pteCount * page size <= its size; a table is mapped whole, by one entry). Their rights do not exceed the mapped capability\'s rights, for every page size.',
    source: 'cap-invariants.md A.7 [MAP], E.7; kernel/paging_generic.c; DEC-LARGE-PAGE-RIGHTS',
    check: (s) => {
      const out: Violation[] = [];
      const arch = archProfiles[s.arch];
      for (const c of s.cores) {
        const ix = index(c);
        for (const { where, m } of ix.mappings) {
          const src = ix.bySlot.get(`${m.mapped.cnode}:${m.mapped.slot}`);
          const vt = ix.vnodeType.get(m.ptable);
          const level = vt === undefined ? undefined : arch.levels[vt];
          if (src === undefined || level === undefined) continue; // RV-NO-DANGLING-MAPPING reports it
          const kind = mapKind(level, src);
          if (kind === undefined) {
            out.push({ invariant: 'MAP-MAPPING-PRESENT', core: c.core, message: `${m.type} at ${where} maps a ${src.type} into a ${vt}, which cannot hold it` });
            continue;
          }
          // Entries pointing where the Mapping says are not enough: what it says must lie inside what it maps.
          const inside = kind.kind === 'table' ? m.offset === 0 && m.pteCount === 1 : m.offset + m.pteCount * kind.pageSize <= src.bytes;
          if (!inside)
            out.push({
              invariant: 'MAP-MAPPING-PRESENT',
              core: c.core,
              message: `${m.type} at ${where} maps ${m.pteCount} entries from offset ${m.offset}, beyond the ${src.bytes} bytes of the ${src.type} it maps`,
            });
          for (let i = 0; i < m.pteCount; i++) {
            const p = ix.ptes.get(`${m.ptable}:${m.entry + i}`);
            const want = kind.kind === 'table' ? src.base : src.base + m.offset + i * kind.pageSize;
            if (p === undefined) out.push({ invariant: 'MAP-MAPPING-PRESENT', core: c.core, message: `${m.type} at ${where}: entry ${m.entry + i} of ${hex(m.ptable)} is not present` });
            else if (p.target !== want) out.push({ invariant: 'MAP-MAPPING-PRESENT', core: c.core, message: `${m.type} at ${where}: entry ${m.entry + i} of ${hex(m.ptable)} points at ${hex(p.target)}, not ${hex(want)}` });
            else if (!hasRights(src.rights, p.rights)) out.push({ invariant: 'MAP-MAPPING-PRESENT', core: c.core, message: `entry ${m.entry + i} of ${hex(m.ptable)} grants ${p.rights.join('|')}, more than the mapped capability's ${src.rights.join('|')}` });
          }
        }
      }
      return out;
    },
  },
  {
    id: 'MAP-PTE-BACKED',
    family: 4,
    title: 'Every present entry is backed by exactly one Mapping capability',
    explanation:
      'Every present page-table entry lies inside the entry range of exactly one Mapping capability of that table: no entry exists without a capability that accounts for it, and no entry is claimed twice.',
    source: 'cap-invariants.md A.7 [MAP], E.5; DESIGN.md family 4',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const claims = new Map<string, number>();
        for (const { m } of index(c).mappings)
          for (let i = 0; i < m.pteCount; i++) {
            const k = `${m.ptable}:${m.entry + i}`;
            claims.set(k, (claims.get(k) ?? 0) + 1);
          }
        for (const p of c.ptes) {
          const n = claims.get(`${p.vnode}:${p.entry}`) ?? 0;
          if (n !== 1) out.push({ invariant: 'MAP-PTE-BACKED', core: c.core, message: `entry ${p.entry} of ${hex(p.vnode)} is claimed by ${n} Mapping capabilities` });
        }
      }
      return out;
    },
  },
];
