// The page tables as the kernel sees them: walk the present entries from the
// root table down, classifying each entry by the Mapping capability that
// claims it (a next-level table, or pages of a frame). The paging invariants
// compare this view with what the address space believes it mapped.
import type { ArchProfile } from '../kernel/arch.js';
import { isMappingCap, type CoreState, type MappingCap, type MemoryCap, type Pte } from '../kernel/state.js';
import { isVNodeType, type VNodeType } from '../kernel/types.js';
import type { Rights } from '../kernel/rights.js';
import { pagingLevels } from './layout.js';

export interface KernelTable {
  readonly depth: number;
  readonly type: VNodeType;
  readonly vaddr: number;
  readonly phys: number;
}

export interface KernelPage {
  readonly vaddr: number;
  /** Bytes one entry maps (4 KiB at the leaf; a block above it). */
  readonly bytes: number;
  readonly phys: number;
  readonly rights: Rights;
}

export interface KernelView {
  readonly tables: readonly KernelTable[];
  readonly pages: readonly KernelPage[];
  /** Entries the walk could not account for (no Mapping capability claims them, or a loop). */
  readonly problems: readonly string[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * What the page tables translate `va` to, following only its path from the
 * root: at each level the entry for `va`; a present entry that installs the
 * next level's table (a Mapping of a VNode of that type claims it) leads
 * down, any other present entry translates `va` (a page, or a block above the
 * leaf). Undefined when an entry on the path is absent. A walk of one path,
 * where kernelView walks every table.
 */
export function translate(core: CoreState, arch: ArchProfile, rootPhys: number, va: number): KernelPage | undefined {
  const levels = pagingLevels(arch);
  let phys = rootPhys;
  for (let depth = 0; depth < levels.length; depth++) {
    const level = levels[depth]!;
    const entry = Math.floor(va / level.entrySpan) % level.entries;
    const pte = core.ptes.find((p) => p.vnode === phys && p.entry === entry);
    if (pte === undefined) return undefined;
    const claim = core.ctes.find((e) => isMappingCap(e.cap) && e.cap.ptable === phys && entry >= e.cap.entry && entry < e.cap.entry + e.cap.pteCount)?.cap as MappingCap | undefined;
    const src = claim === undefined ? undefined : core.ctes.find((e) => e.cnode === claim.mapped.cnode && e.slot === claim.mapped.slot)?.cap;
    const next = levels[depth + 1];
    if (src !== undefined && !isMappingCap(src) && next !== undefined && src.type === next.type) {
      phys = pte.target;
      continue;
    }
    return { vaddr: va - (va % level.entrySpan), bytes: level.entrySpan, phys: pte.target, rights: pte.rights };
  }
  return undefined;
}

/** Walks the tables reachable from the root table at `rootPhys`. Pure: every call walks again. */
export function kernelView(core: CoreState, arch: ArchProfile, rootPhys: number): KernelView {
  const levels = pagingLevels(arch);
  const bySlot = new Map<string, MemoryCap>();
  const claims = new Map<string, MappingCap>();
  for (const e of core.ctes) {
    if (isMappingCap(e.cap)) {
      const m = e.cap;
      for (let i = 0; i < m.pteCount; i++) claims.set(`${m.ptable}:${m.entry + i}`, m);
    } else bySlot.set(`${e.cnode}:${e.slot}`, e.cap);
  }
  const ptesOf = new Map<number, Pte[]>();
  for (const p of core.ptes) (ptesOf.get(p.vnode) ?? ptesOf.set(p.vnode, []).get(p.vnode)!).push(p);

  const tables: KernelTable[] = [];
  const pages: KernelPage[] = [];
  const problems: string[] = [];
  const seen = new Set<number>();
  const walk = (depth: number, phys: number, vaddr: number) => {
    const level = levels[depth]!;
    if (seen.has(phys)) {
      problems.push(`table ${hex(phys)} is reachable twice`);
      return;
    }
    seen.add(phys);
    tables.push({ depth, type: level.type, vaddr, phys });
    for (const p of ptesOf.get(phys) ?? []) {
      const va = vaddr + p.entry * level.entrySpan;
      const m = claims.get(`${phys}:${p.entry}`);
      const src = m === undefined ? undefined : bySlot.get(`${m.mapped.cnode}:${m.mapped.slot}`);
      if (src === undefined) {
        problems.push(`entry ${p.entry} of table ${hex(phys)} (va ${hex(va)}) is claimed by no Mapping capability of a live capability`);
        continue;
      }
      const child = levels[depth + 1];
      if (isVNodeType(src.type)) {
        if (child === undefined || src.type !== child.type) problems.push(`entry ${p.entry} of table ${hex(phys)} points at a ${src.type}, not a ${child?.type ?? 'page'}`);
        else walk(depth + 1, p.target, va);
      } else pages.push({ vaddr: va, bytes: level.entrySpan, phys: p.target, rights: p.rights });
    }
  };
  walk(0, rootPhys, 0);
  pages.sort((a, b) => a.vaddr - b.vaddr);
  tables.sort((a, b) => a.depth - b.depth || a.vaddr - b.vaddr);
  return { tables, pages, problems };
}
