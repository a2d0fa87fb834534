// The paging half of DESIGN.md family 4 ("mapping-once and page tables"), as
// pure functions over the address space's observation and the kernel's.
// Conformance runs every one after every step, on the model stack's
// observations (which the impl's must equal).
import { archProfiles } from '../kernel/arch.js';
import type { Capref } from '../kernel/capref.js';
import { formatCapref } from '../kernel/capref.js';
import type { Violation } from '../kernel/invariants/framework.js';
import { lookupCap, resolveSlot } from '../kernel/lookup.js';
import { coreOf } from '../kernel/query.js';
import { contains, isMappingCap, sameSlot, type CoreState, type Cte, type KernelState, type MappingCap, type MemoryCap } from '../kernel/state.js';
import { isVNodeType } from '../kernel/types.js';
import { caprefKey, type MmState } from '../mm/state.js';
import { pagingBoot } from './address-space.js';
import type { PagingConfig } from './config.js';
import { kernelView, translate } from './kernel-view.js';
import { entryIndex, leafPieces, PAGE_SIZE, pagingLevels, tableBase, type PagingLevel } from './layout.js';
import { addressSpaceSlots, rangesOverlap, rangeWithin } from './query.js';
import { regionEndOf, type PagingState, type VMapping } from './state.js';

export interface PagingWorld {
  readonly paging: PagingState;
  readonly kernel: KernelState;
  /** The memory manager the address space draws its RAM and slots from (spec/mm's observation). */
  readonly memory: MmState;
  readonly config: PagingConfig;
}

export interface PagingInvariant {
  readonly id: string;
  readonly family: 4;
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (w: PagingWorld) => Violation[];
}

const hex = (n: number) => `0x${n.toString(16)}`;
const v = (invariant: string, message: string): Violation => ({ invariant, message });
const coreZero = (k: KernelState): CoreState => coreOf(k, 0) ?? { core: 0, ctes: [], ptes: [] };
const levelsOf = (w: PagingWorld): readonly PagingLevel[] => pagingLevels(archProfiles[w.kernel.arch]);

function cteOf(core: CoreState, ref: Capref): Cte | undefined {
  const r = lookupCap(core, ref, 'src', 'read');
  return r.ok ? r.value : undefined;
}

/** The pages the address space believes it mapped, one per 4 KiB. */
function believedPages(s: PagingState): { vaddr: number; phys: number; rights: string }[] {
  const out: { vaddr: number; phys: number; rights: string }[] = [];
  for (const m of s.mappings) for (let off = 0; off < m.bytes; off += PAGE_SIZE) out.push({ vaddr: m.vaddr + off, phys: m.phys + off, rights: m.rights.join('|') });
  return out;
}

export const pagingInvariants: readonly PagingInvariant[] = [
  {
    id: 'PG-REGIONS-DISJOINT',
    family: 4,
    title: 'Regions never overlap and lie inside the window',
    explanation:
      'Every region is a non-empty range of whole pages inside the window of virtual addresses the address space manages, and no two regions share an address: a free address is only ever chosen from the gaps between them.',
    source: 'seeds/001 §3.2 (the region list); lib/barrelfish/vspace/vspace.c vspace_add_region',
    check: (w) => {
      const out: Violation[] = [];
      const { vbase, vlimit } = w.config.paging;
      const rs = [...w.paging.regions].sort((a, b) => a.base - b.base);
      rs.forEach((r, i) => {
        if (r.bytes <= 0 || r.base % PAGE_SIZE !== 0 || r.bytes % PAGE_SIZE !== 0) out.push(v('PG-REGIONS-DISJOINT', `region ${hex(r.base)}+${hex(r.bytes)} is not a non-empty range of whole pages`));
        if (r.base < vbase || regionEndOf(r) > vlimit) out.push(v('PG-REGIONS-DISJOINT', `region ${hex(r.base)}+${hex(r.bytes)} lies outside the window ${hex(vbase)}..${hex(vlimit)}`));
        const next = rs[i + 1];
        if (next !== undefined && rangesOverlap(r, next)) out.push(v('PG-REGIONS-DISJOINT', `regions ${hex(r.base)}+${hex(r.bytes)} and ${hex(next.base)}+${hex(next.bytes)} overlap`));
      });
      return out;
    },
  },
  {
    id: 'PG-NULL-NEVER-MAPPED',
    family: 4,
    title: 'The NULL page is never mapped',
    explanation:
      'No region contains virtual address 0, and walking the page tables from the root finds no entry that translates it: a NULL-pointer dereference always faults, and the fault handler refuses it.',
    source: 'seeds/001 §3.4 (the fault handler checks for NULL dereferences)',
    check: (w) => {
      const out: Violation[] = [];
      for (const r of w.paging.regions) if (r.base < PAGE_SIZE) out.push(v('PG-NULL-NEVER-MAPPED', `region ${hex(r.base)}+${hex(r.bytes)} contains the NULL page`));
      const at0 = translate(coreZero(w.kernel), archProfiles[w.kernel.arch], pagingBoot(w.config).rootPhys, 0);
      if (at0 !== undefined) out.push(v('PG-NULL-NEVER-MAPPED', `the page tables translate virtual address 0 to ${hex(at0.phys)}`));
      return out;
    },
  },
  {
    id: 'PG-MAPPINGS-IN-REGIONS',
    family: 4,
    title: 'Every mapping lies in a region that may hold it, split at leaf tables',
    explanation:
      'A client mapping lies inside a reserved region or is the whole of its own `frame` region; a lazily backed page lies inside a lazy region; mappings never overlap; a `frame` region holds exactly its one mapping. Each mapping is split into pieces exactly at leaf-table boundaries (one capability copy per piece: mapping-once).',
    source: 'DEC-PAGING-FIXED-PLACEMENT; DEC-PAGING-4K-PAGES; DEC-PAGING-OWN-COPIES',
    check: (w) => {
      const out: Violation[] = [];
      const leaf = levelsOf(w).at(-1)!;
      const ms = [...w.paging.mappings].sort((a, b) => a.vaddr - b.vaddr);
      const name = (m: VMapping) => `${m.kind} mapping ${hex(m.vaddr)}+${hex(m.bytes)}`;
      ms.forEach((m, i) => {
        const next = ms[i + 1];
        if (next !== undefined && m.vaddr + m.bytes > next.vaddr) out.push(v('PG-MAPPINGS-IN-REGIONS', `${name(m)} overlaps ${name(next)}`));
        const range = { base: m.vaddr, bytes: m.bytes };
        const home = w.paging.regions.find((r) => rangeWithin(range, r));
        const fits = home !== undefined && (m.kind === 'lazy' ? home.kind === 'lazy' && m.bytes === PAGE_SIZE : home.kind === 'reserved' || (home.kind === 'frame' && home.base === m.vaddr && home.bytes === m.bytes));
        if (!fits) out.push(v('PG-MAPPINGS-IN-REGIONS', `${name(m)} lies in ${home === undefined ? 'no region' : `a ${home.kind} region that cannot hold it`}`));
        const want = leafPieces(leaf, m.vaddr, m.bytes);
        const got = [...m.pieces].sort((a, b) => a.vaddr - b.vaddr);
        if (want.length !== got.length || want.some((p, j) => p.vaddr !== got[j]!.vaddr || p.pages !== got[j]!.pages))
          out.push(v('PG-MAPPINGS-IN-REGIONS', `${name(m)} is not split at leaf-table boundaries (${got.length} pieces, ${want.length} expected)`));
      });
      for (const r of w.paging.regions)
        if (r.kind === 'frame' && !ms.some((m) => m.kind === 'client' && m.vaddr === r.base && m.bytes === r.bytes))
          out.push(v('PG-MAPPINGS-IN-REGIONS', `frame region ${hex(r.base)}+${hex(r.bytes)} holds no mapping of its exact size`));
      return out;
    },
  },
  {
    id: 'PG-PAGE-TABLES-AGREE',
    family: 4,
    title: 'The page tables map exactly what the address space believes it mapped',
    explanation:
      'Walking the kernel\'s page tables from the root (each present entry classified by the Mapping capability that claims it) finds exactly the address space\'s tables, at the virtual addresses it believes they translate, and exactly its pages: every page of every mapping translates to the physical address and rights it recorded, and nothing else translates.',
    source: 'issue 3 ("the page tables, as the kernel sees them, map exactly what the address space believes it mapped"); seeds/003 (capabilities and page tables aware of each other)',
    check: (w) => {
      const out: Violation[] = [];
      const view = kernelView(coreZero(w.kernel), archProfiles[w.kernel.arch], pagingBoot(w.config).rootPhys);
      for (const p of view.problems.slice(0, 5)) out.push(v('PG-PAGE-TABLES-AGREE', p));
      const tkey = (t: { depth: number; vaddr: number; phys: number }) => `${t.depth}:${t.vaddr}:${t.phys}`;
      const kt = new Set(view.tables.map(tkey));
      const bt = new Set(w.paging.tables.map(tkey));
      for (const t of w.paging.tables) if (!kt.has(tkey(t))) out.push(v('PG-PAGE-TABLES-AGREE', `the address space's depth-${t.depth} table for ${hex(t.vaddr)} at ${hex(t.phys)} is not in the kernel's page tables`));
      for (const t of view.tables) if (!bt.has(tkey(t))) out.push(v('PG-PAGE-TABLES-AGREE', `the kernel's depth-${t.depth} table for ${hex(t.vaddr)} at ${hex(t.phys)} is unknown to the address space`));
      const pkey = (p: { vaddr: number; phys: number; rights: string }) => `${p.vaddr}>${p.phys}:${p.rights}`;
      const kp = new Map(view.pages.map((p) => [p.vaddr, { ...p, rights: p.rights.join('|') }] as const));
      const bp = believedPages(w.paging);
      const bpm = new Map(bp.map((p) => [p.vaddr, p] as const));
      let reported = 0;
      for (const p of bp) {
        const k = kp.get(p.vaddr);
        if ((k === undefined || pkey(k) !== pkey(p) || k.bytes !== PAGE_SIZE) && reported++ < 5)
          out.push(v('PG-PAGE-TABLES-AGREE', `page ${hex(p.vaddr)}: the address space believes ${hex(p.phys)} (${p.rights || 'no rights'}), the page tables say ${k === undefined ? 'nothing' : `${hex(k.phys)} (${k.rights || 'no rights'})`}`));
      }
      for (const k of view.pages)
        if (!bpm.has(k.vaddr) && reported++ < 5) out.push(v('PG-PAGE-TABLES-AGREE', `the page tables translate ${hex(k.vaddr)} to ${hex(k.phys)}, which the address space did not map`));
      return out;
    },
  },
  {
    id: 'PG-MAPPING-CAPS',
    family: 4,
    title: 'Every piece and every table is backed by the capabilities the address space recorded',
    explanation:
      "Each piece's Mapping capability exists in the recorded slot and maps the recorded copy into the leaf table of the piece, at the piece's entries, from the right offset of the frame; each table's VNode capability, the RAM it was retyped from and its Mapping capability in the parent table are where the address space says. This is what lets the address space unmap and free in O(1) kernel calls, without searching.",
    source: 'cap-invariants.md A.7 [MAP]; DEC-UNMAP-DELETES-MAPPING; DEC-PAGING-TABLE-LIFETIME',
    check: (w) => {
      const out: Violation[] = [];
      const core = coreZero(w.kernel);
      const levels = levelsOf(w);
      const leaf = levels.at(-1)!;
      const tableAt = new Map(w.paging.tables.map((t) => [`${t.depth}:${t.vaddr}`, t] as const));
      const slotOf = (ref: Capref) => {
        const r = resolveSlot(core, ref, 'src', 'read');
        return r.ok ? r.value.addr : undefined;
      };
      const mappingCap = (ref: Capref, what: string): MappingCap | undefined => {
        const c = cteOf(core, ref)?.cap;
        if (c === undefined || !isMappingCap(c)) {
          out.push(v('PG-MAPPING-CAPS', `${what}: slot ${formatCapref(ref)} holds ${c === undefined ? 'nothing' : `a ${c.type}`}, not a Mapping capability`));
          return undefined;
        }
        return c;
      };
      for (const m of w.paging.mappings) {
        for (const p of m.pieces) {
          const what = `piece ${hex(p.vaddr)}+${p.pages} pages of ${m.kind} mapping ${hex(m.vaddr)}`;
          const mc = mappingCap(p.mapping, what);
          const frame = cteOf(core, p.mapped);
          if (frame === undefined || isMappingCap(frame.cap) || (frame.cap.type !== 'Frame' && frame.cap.type !== 'DevFrame')) {
            out.push(v('PG-MAPPING-CAPS', `${what}: slot ${formatCapref(p.mapped)} holds no frame`));
            continue;
          }
          const table = tableAt.get(`${leaf.depth}:${tableBase(leaf, p.vaddr)}`);
          if (mc === undefined) continue;
          const fr = frame.cap as MemoryCap;
          const wantOffset = m.phys - fr.base + (p.vaddr - m.vaddr);
          const slot = slotOf(p.mapped);
          if (slot === undefined || !sameSlot(mc.mapped, slot)) out.push(v('PG-MAPPING-CAPS', `${what}: its Mapping capability maps another slot`));
          if (table === undefined || mc.ptable !== table.phys) out.push(v('PG-MAPPING-CAPS', `${what}: its Mapping capability is in table ${hex(mc.ptable)}, not the piece's leaf table`));
          if (mc.entry !== entryIndex(leaf, p.vaddr) || mc.pteCount !== p.pages || mc.offset !== wantOffset)
            out.push(v('PG-MAPPING-CAPS', `${what}: its Mapping capability covers entries ${mc.entry}+${mc.pteCount} at offset ${hex(mc.offset)}, not ${entryIndex(leaf, p.vaddr)}+${p.pages} at ${hex(wantOffset)}`));
        }
      }
      for (const t of w.paging.tables) {
        if (t.depth === 0) continue;
        const what = `depth-${t.depth} table for ${hex(t.vaddr)}`;
        const vn = cteOf(core, t.vnode);
        if (vn === undefined || isMappingCap(vn.cap) || vn.cap.type !== t.type || vn.cap.base !== t.phys) {
          out.push(v('PG-MAPPING-CAPS', `${what}: slot ${formatCapref(t.vnode)} does not hold its ${t.type}`));
          continue;
        }
        const ram = t.ram === undefined ? undefined : cteOf(core, t.ram);
        if (ram === undefined || isMappingCap(ram.cap) || ram.cap.type !== 'RAM' || !contains(ram.cap, vn.cap))
          out.push(v('PG-MAPPING-CAPS', `${what}: its RAM slot does not hold the RAM it was retyped from`));
        const parent = tableAt.get(`${t.depth - 1}:${tableBase(levels[t.depth - 1]!, t.vaddr)}`);
        const mc = t.mapping === undefined ? undefined : mappingCap(t.mapping, what);
        if (mc !== undefined && (parent === undefined || mc.ptable !== parent.phys || mc.entry !== entryIndex(levels[t.depth - 1]!, t.vaddr) || !sameSlot(mc.mapped, slotOf(t.vnode) ?? { cnode: -1, slot: -1 })))
          out.push(v('PG-MAPPING-CAPS', `${what}: its Mapping capability does not install it at its entry of the parent table`));
      }
      return out;
    },
  },
  {
    id: 'PG-TABLES-NEEDED',
    family: 4,
    title: 'No page table is empty or stray',
    explanation:
      'Every table but the root has at least one present entry (a table is freed when its last entry goes), and every page-table object the kernel holds a capability to is the root or one of the address space\'s tables (a freed table\'s capability is deleted and its RAM returned).',
    source: 'issue 3 ("unmap frees tables that become empty"); DEC-PAGING-TABLE-LIFETIME',
    check: (w) => {
      const out: Violation[] = [];
      const core = coreZero(w.kernel);
      const present = new Map<number, number>();
      for (const p of core.ptes) present.set(p.vnode, (present.get(p.vnode) ?? 0) + 1);
      const known = new Set(w.paging.tables.map((t) => t.phys));
      for (const t of w.paging.tables) if (t.depth > 0 && (present.get(t.phys) ?? 0) === 0) out.push(v('PG-TABLES-NEEDED', `the depth-${t.depth} table for ${hex(t.vaddr)} at ${hex(t.phys)} has no present entry`));
      for (const e of core.ctes) {
        const k = e.cap;
        if (!isMappingCap(k) && isVNodeType(k.type) && !known.has(k.base)) out.push(v('PG-TABLES-NEEDED', `a ${k.type} at ${hex(k.base)} is no table of the address space`));
      }
      return out;
    },
  },
  {
    id: 'PG-SLOTS-APART',
    family: 4,
    title: "The client's slots and the address space's slots are apart",
    explanation:
      'Every slot the address space keeps (tables, copies, Mapping capabilities, lazy pages) is distinct from every other one and from every slot the client holds: the client can only delete or revoke its own capabilities, never the ones the page tables depend on.',
    source: 'spec/mm (slots handed out belong to one holder); DEC-PAGING-OWN-COPIES',
    check: (w) => {
      const out: Violation[] = [];
      const seen = new Map<string, string>();
      for (const c of w.paging.client) seen.set(caprefKey(c), 'the client');
      for (const c of addressSpaceSlots(w.paging)) {
        const prev = seen.get(caprefKey(c));
        if (prev !== undefined) out.push(v('PG-SLOTS-APART', `slot ${formatCapref(c)} is held by the address space and by ${prev}`));
        seen.set(caprefKey(c), 'the address space');
      }
      return out;
    },
  },
  {
    id: 'PG-SLOTS-ACCOUNTED',
    family: 4,
    title: 'The slots the allocator handed out are exactly those the address space and its client hold',
    explanation:
      "Every slot the slot allocator handed to its client (the paging layer) is held by the address space (a table's, a copy's, a Mapping's, a lazy page's) or by the client of the address space — and every slot either of them holds was handed out by the allocator and not given back: no slot leaks, none is used after being freed. Every RAM capability the address space keeps (a table's, a lazy page's) is exactly a live allocation of the memory manager, so giving it back frees exactly that memory.",
    source: 'spec/mm (SlotAllocator, RamAllocator: what is handed out belongs to one holder until it is given back); DEC-PAGING-TABLE-LIFETIME',
    check: (w) => {
      const out: Violation[] = [];
      const handedOut = new Set(w.memory.slots.client.map(caprefKey));
      const held = new Map<string, { ref: Capref; by: string }>();
      for (const c of w.paging.client) held.set(caprefKey(c), { ref: c, by: 'the client' });
      for (const c of addressSpaceSlots(w.paging)) held.set(caprefKey(c), { ref: c, by: 'the address space' });
      for (const [k, h] of held)
        if (!handedOut.has(k)) out.push(v('PG-SLOTS-ACCOUNTED', `${h.by} holds slot ${formatCapref(h.ref)}, which the slot allocator has not handed out`));
      for (const c of w.memory.slots.client)
        if (!held.has(caprefKey(c))) out.push(v('PG-SLOTS-ACCOUNTED', `the slot allocator handed out ${formatCapref(c)}, which neither the address space nor its client holds`));
      // A table's RAM starts at the table (it is retyped at offset 0: PG-MAPPING-CAPS checks the capabilities); a lazy page's RAM is the page's.
      const granted = new Set(w.memory.allocations.filter((a) => a.use === 'client').map((a) => `${a.base}+${a.bytes}`));
      const levels = levelsOf(w);
      const rams = [
        ...w.paging.tables.flatMap((t) => (t.ram !== undefined ? [{ what: `the depth-${t.depth} table for ${hex(t.vaddr)}`, base: t.phys, bytes: levels[t.depth]!.ramBytes }] : [])),
        ...w.paging.mappings.flatMap((m) => (m.kind === 'lazy' ? [{ what: `the lazy page at ${hex(m.vaddr)}`, base: m.phys, bytes: PAGE_SIZE }] : [])),
      ];
      for (const r of rams)
        if (!granted.has(`${r.base}+${r.bytes}`)) out.push(v('PG-SLOTS-ACCOUNTED', `the RAM of ${r.what} (${hex(r.base)}+${hex(r.bytes)}) is no live allocation of the memory manager`));
      return out;
    },
  },
];

export function checkPagingInvariants(w: PagingWorld): Violation[] {
  return pagingInvariants.flatMap((i) => i.check(w));
}
