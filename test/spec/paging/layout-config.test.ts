// The geometry of both page-table profiles, the configuration's validation
// (every bad field reported with its path), the canonical state, and the
// decision registry.
import { describe, expect, it } from 'vitest';
import { archProfiles } from '../../../spec/kernel/arch.js';
import { decisions } from '../../../spec/kernel/decisions.js';
import { defaultKernelConfig } from '../../../spec/kernel/config.js';
import { zodProblems } from '../../../conformance/trace.js';
import { pagingConfigSchema } from '../../../spec/paging/config.js';
import { pagingDecisions, pagingProcedures } from '../../../spec/paging/decisions.js';
import { entryIndex, leafPieces, pagingLevels, tableBase, vspaceBytes } from '../../../spec/paging/layout.js';
import { canonicalPagingState } from '../../../spec/paging/state.js';
import { MIB, PAGE } from './fixtures.js';

describe('page-table geometry', () => {
  it('AArch64: four levels of 512 entries over 4 KiB pages, a 48-bit address space', () => {
    const levels = pagingLevels(archProfiles.aarch64);
    expect(levels.map((l) => [l.type, l.entries, l.entrySpan, l.tableSpan, l.ramBytes])).toEqual([
      ['VNode_AARCH64_l0', 512, 2 ** 39, 2 ** 48, PAGE],
      ['VNode_AARCH64_l1', 512, 2 ** 30, 2 ** 39, PAGE],
      ['VNode_AARCH64_l2', 512, 2 ** 21, 2 ** 30, PAGE],
      ['VNode_AARCH64_l3', 512, PAGE, 2 * MIB, PAGE],
    ]);
    expect(vspaceBytes(archProfiles.aarch64)).toBe(2 ** 48);
  });

  it('ARMv7: a 4096-entry L1 over 256-entry L2 tables of 1 KiB (retyped from a page of RAM), a 32-bit address space', () => {
    const levels = pagingLevels(archProfiles.armv7);
    expect(levels.map((l) => [l.type, l.entries, l.entrySpan, l.tableSpan, l.tableBytes, l.ramBytes])).toEqual([
      ['VNode_ARM_l1', 4096, MIB, 2 ** 32, 16 * 1024, 16 * 1024],
      ['VNode_ARM_l2', 256, PAGE, MIB, 1024, PAGE],
    ]);
  });

  it('splits a range at leaf-table boundaries, one piece per leaf table', () => {
    const leaf = pagingLevels(archProfiles.aarch64).at(-1)!;
    expect(leafPieces(leaf, 2 * MIB - PAGE, 3 * PAGE + 2 * MIB)).toEqual([
      { vaddr: 2 * MIB - PAGE, pages: 1 },
      { vaddr: 2 * MIB, pages: 512 },
      { vaddr: 4 * MIB, pages: 2 },
    ]);
    expect(leafPieces(leaf, PAGE, PAGE)).toEqual([{ vaddr: PAGE, pages: 1 }]);
    expect(entryIndex(leaf, 2 * MIB + 5 * PAGE + 7)).toBe(5);
    expect(tableBase(leaf, 2 * MIB + 5 * PAGE)).toBe(2 * MIB);
  });
});

describe('paging configuration', () => {
  const parse = (paging: unknown, arch: 'aarch64' | 'armv7' = 'aarch64') => pagingConfigSchema.safeParse({ kernel: { ...defaultKernelConfig, arch }, paging });
  const problems = (paging: unknown, arch: 'aarch64' | 'armv7' = 'aarch64') => {
    const r = parse(paging, arch);
    return r.success ? [] : zodProblems(r.error);
  };

  it('defaults the window to [4 KiB, 2 GiB)', () => {
    const r = pagingConfigSchema.parse({ kernel: defaultKernelConfig });
    expect(r.paging).toEqual({ vbase: PAGE, vlimit: 0x8000_0000 });
  });

  it('reports every bad field with its path', () => {
    expect(problems({ vbase: 0, vlimit: 0 })).toEqual(expect.arrayContaining(['paging.vbase: must be at least 4096: the NULL page is never managed', 'paging.vlimit: must be above vbase']));
    expect(problems({ vbase: PAGE + 1, vlimit: 3 * PAGE + 5 })).toEqual(['paging.vbase: must be a multiple of 4096', 'paging.vlimit: must be a multiple of 4096']);
    expect(problems({ vbase: PAGE, vlimit: 2 ** 33 }, 'armv7')).toEqual(['paging.vlimit: must not exceed the armv7 address space (0x100000000)']);
    expect(problems({ vbase: PAGE, vlimit: 2 ** 33 })).toEqual([]);
    expect(problems({ vbase: PAGE, vlimit: 2 ** 33, extra: 1 })[0]).toContain('paging');
  });
});

describe('canonical paging state', () => {
  it('sorts regions, mappings, pieces, tables and client slots, and fixes key order', () => {
    const c = (cptr: number) => ({ level: 2, cptr, root: 7 });
    const s = canonicalPagingState({
      regions: [
        { kind: 'frame', bytes: PAGE, base: 2 * PAGE },
        { kind: 'lazy', bytes: PAGE, base: PAGE },
      ],
      mappings: [
        { vaddr: 2 * PAGE, bytes: PAGE, kind: 'client', phys: 0, rights: ['WRITE', 'READ'], frame: c(1), pieces: [{ vaddr: 2 * PAGE, pages: 1, mapped: c(2), mapping: c(3) }] },
        { vaddr: PAGE, bytes: PAGE, kind: 'lazy', phys: 0, rights: ['READ'], frame: c(4), ram: c(5), pieces: [{ vaddr: PAGE, pages: 1, mapped: c(4), mapping: c(6) }] },
      ],
      tables: [
        { depth: 1, type: 'VNode_AARCH64_l1', vaddr: 0, phys: 9, vnode: c(8), ram: c(7), mapping: c(9) },
        { depth: 0, type: 'VNode_AARCH64_l0', vaddr: 0, phys: 1, vnode: c(0) },
      ],
      client: [c(5), c(1)],
    });
    expect(s.regions.map((r) => r.base)).toEqual([PAGE, 2 * PAGE]);
    expect(Object.keys(s.regions[0]!)).toEqual(['base', 'bytes', 'kind']);
    expect(s.mappings.map((m) => m.vaddr)).toEqual([PAGE, 2 * PAGE]);
    expect(s.mappings[1]!.rights).toEqual(['READ', 'WRITE']);
    expect(s.tables.map((t) => t.depth)).toEqual([0, 1]);
    expect(s.client.map((x) => x.cptr)).toEqual([1, 5]);
    expect(Object.keys(s.client[0]!)).toEqual(['root', 'cptr', 'level']);
  });
});

describe('paging decisions', () => {
  it('have unique ids that do not clash with the kernel\'s, and say what Barrelfish does and why capref differs', () => {
    const ids = pagingDecisions.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(decisions.some((d) => d.id === id)).toBe(false);
    for (const d of pagingDecisions) {
      expect(d.id).toMatch(/^DEC-PAGING-/);
      expect(d.barrelfish.length).toBeGreaterThan(20);
      expect(d.capref.length).toBeGreaterThan(40);
    }
    expect(pagingProcedures.length).toBeGreaterThanOrEqual(4);
  });
});
