// The address space's behaviour, scenario by scenario, on the reference model
// and on the implementation alike (each scenario runs on both, and their
// observations must be identical at the end).
import { describe, expect, it } from 'vitest';
import { lookupCap } from '../../../spec/kernel/lookup.js';
import { isMappingCap, sameSlot } from '../../../spec/kernel/state.js';
import { resolveSlot } from '../../../spec/kernel/lookup.js';
import { defaultPagingConfig } from '../../../spec/paging/config.js';
import { configFor, MIB, PAGE, smallMemory, Space, variants, type Variant } from '../../spec/paging/fixtures.js';

function both(name: string, scenario: (s: Space) => void, config = defaultPagingConfig): void {
  it(name, () => {
    const spaces = variants.map((v: Variant) => new Space(v, config));
    for (const s of spaces) {
      scenario(s);
      s.sound();
    }
    expect(spaces[1]!.world()).toEqual(spaces[0]!.world());
  });
}

describe.each(['aarch64', 'armv7'] as const)('address space on %s', (arch) => {
  const leafSpan = arch === 'aarch64' ? 2 * MIB : 1 * MIB;
  const leafPages = leafSpan / PAGE;
  const depth = arch === 'aarch64' ? 4 : 2;
  const config = configFor(arch, PAGE);

  both(
    'maps a frame larger than a leaf table through one copy of its own per leaf table (DEC-PAGING-OWN-COPIES, mapping-once)',
    (s) => {
      const f = s.frame((2 * leafPages + 77) * PAGE);
      const va = s.map(f.frame);
      expect(va).toBe(PAGE);
      const m = s.world().paging.mappings[0]!;
      expect(m.pieces.map((p) => p.pages)).toEqual([leafPages - 1, leafPages, 78]);
      const slots = new Set(m.pieces.map((p) => JSON.stringify(p.mapped)));
      expect(slots.size).toBe(3);
      expect(slots.has(JSON.stringify(f.frame))).toBe(false);
      // The client's own slot is not mapped: no Mapping capability names it.
      const core = s.world().kernel.cores[0]!;
      const clientSlot = resolveSlot(core, f.frame, 'src', 'read');
      expect(clientSlot.ok).toBe(true);
      expect(core.ctes.some((e) => isMappingCap(e.cap) && clientSlot.ok && sameSlot(e.cap.mapped, clientSlot.value.addr))).toBe(false);
      // Tables: the root, one per inner level, three leaves.
      expect(s.world().paging.tables.length).toBe(depth - 1 + 3);
    },
    config,
  );

  both(
    'creates a table only when a mapping needs it, and shares it with the next mapping in its range',
    (s) => {
      const a = s.frame(PAGE);
      const b = s.frame(PAGE);
      s.map(a.frame);
      const tables = s.world().paging.tables.length;
      expect(tables).toBe(depth);
      s.map(b.frame);
      expect(s.world().paging.tables.length).toBe(tables);
    },
    config,
  );

  both(
    'frees the tables an unmap leaves empty and gives their RAM and slots back (DEC-PAGING-TABLE-LIFETIME)',
    (s) => {
      const f = s.frame(3 * PAGE);
      const before = s.handedOut();
      const va = s.map(f.frame, { vaddr: leafSpan - PAGE }); // crosses a leaf boundary: two leaves
      expect(s.world().paging.tables.length).toBe(depth + 1);
      s.must({ op: 'unmap', vaddr: va });
      expect(s.world().paging.tables.length).toBe(1);
      expect(s.world().paging.regions).toEqual([]);
      expect(s.handedOut()).toEqual(before);
    },
    config,
  );

  both(
    'first fit takes the lowest free range that holds the size, an exact hole included (DEC-PAGING-FIRST-FIT)',
    (s) => {
      const frames = [2, 1, 3, 2, 1].map((n) => s.frame(n * PAGE));
      const a = s.map(frames[0]!.frame);
      const b = s.map(frames[1]!.frame);
      s.map(frames[2]!.frame);
      expect([a, b]).toEqual([PAGE, 3 * PAGE]);
      s.must({ op: 'unmap', vaddr: a });
      expect(s.map(frames[3]!.frame)).toBe(PAGE); // the exact two-page hole
      expect(s.must<{ vaddr: number }>({ op: 'reserve', bytes: PAGE, lazy: false }).vaddr).toBe(7 * PAGE);
      s.must({ op: 'unmap', vaddr: b });
      expect(s.map(frames[4]!.frame)).toBe(3 * PAGE);
    },
    config,
  );

  both(
    'a fault backs exactly the faulting page of a lazy region; elsewhere it is refused',
    (s) => {
      const base = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 4 * PAGE, lazy: true }).vaddr;
      expect(s.must({ op: 'fault', vaddr: base + PAGE + 123 })).toEqual({ vaddr: base + PAGE });
      expect(s.apply({ op: 'fault', vaddr: base + PAGE })).toEqual({ ok: false, error: 'LIB_ERR_MEMOBJ_DUPLICATE_FILL', arg: 'vaddr' });
      expect(s.apply({ op: 'fault', vaddr: base + 4 * PAGE })).toEqual({ ok: false, error: 'LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND', arg: 'vaddr' });
      expect(s.apply({ op: 'fault', vaddr: 8 })).toEqual({ ok: false, error: 'PAGING_ERR_NULL_PAGE', arg: 'vaddr' });
      expect(s.apply({ op: 'unmap', vaddr: base + PAGE })).toEqual({ ok: false, error: 'LIB_ERR_PMAP_NOT_MAPPED', arg: 'vaddr' });
      const lazy = s.world().paging.mappings.filter((m) => m.kind === 'lazy');
      expect(lazy).toHaveLength(1);
      expect(lazy[0]!.ram).toBeDefined();
      const before = s.freeBytes();
      s.must({ op: 'release', vaddr: base });
      expect(s.world().paging.mappings).toEqual([]);
      expect(s.freeBytes()).toBeGreaterThan(before);
    },
    config,
  );

  both(
    "deleting the client's frame capability leaves the mapping (DEC-PAGING-CLIENT-DELETE)",
    (s) => {
      const f = s.frame(4 * PAGE);
      s.map(f.frame);
      const before = s.world().paging.mappings;
      s.must({ op: 'client', call: { op: 'delete', target: f.frame } });
      expect(s.world().paging.mappings).toEqual(before);
      expect(s.world().kernel.cores[0]!.ptes.length).toBeGreaterThan(0);
    },
    config,
  );

  both(
    'revoking the frame takes the mapping: the address space forgets it, frees its slots and its empty tables (DEC-PAGING-CLIENT-REVOKE)',
    (s) => {
      const keep = s.frame(PAGE);
      const f = s.frame((leafPages + 2) * PAGE);
      const before = s.handedOut();
      s.map(keep.frame);
      const va = s.map(f.frame);
      s.must({ op: 'client', call: { op: 'revoke', target: f.frame } });
      const w = s.world().paging;
      expect(w.mappings.map((m) => m.vaddr)).toEqual([PAGE]);
      expect(w.regions.map((r) => r.base)).toEqual([PAGE]);
      expect(w.mappings.some((m) => m.vaddr === va)).toBe(false);
      s.must({ op: 'unmap', vaddr: PAGE });
      expect(s.handedOut()).toEqual(before);
    },
    config,
  );

  both(
    "giving the frame's RAM back takes the mapping too (ram_free revokes)",
    (s) => {
      const f = s.frame(2 * PAGE);
      s.map(f.frame);
      s.must({ op: 'ram_free', cap: f.ram });
      expect(s.world().paging.mappings).toEqual([]);
      expect(s.world().paging.client.some((c) => c.cptr === f.ram.cptr)).toBe(false);
      // The frame's slot stays the client's, now empty.
      expect(lookupCap(s.world().kernel.cores[0]!, f.frame, 'src', 'read').ok).toBe(false);
    },
    config,
  );

  both(
    'a fixed map goes into free space or inside one reserved region, never over a mapped page (DEC-PAGING-FIXED-PLACEMENT)',
    (s) => {
      const region = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 8 * PAGE, vaddr: 16 * PAGE, lazy: false }).vaddr;
      const f = s.frame(2 * PAGE);
      const g = s.frame(2 * PAGE);
      expect(s.map(f.frame, { vaddr: region + 2 * PAGE })).toBe(region + 2 * PAGE);
      expect(s.apply({ op: 'map', frame: g.frame, rights: ['READ'], vaddr: region + 3 * PAGE })).toEqual({ ok: false, error: 'LIB_ERR_PMAP_EXISTING_MAPPING', arg: 'vaddr' });
      expect(s.apply({ op: 'map', frame: g.frame, rights: ['READ'], vaddr: region + 7 * PAGE })).toEqual({ ok: false, error: 'LIB_ERR_VSPACE_REGION_OVERLAP', arg: 'vaddr' });
      expect(s.apply({ op: 'map', frame: g.frame, rights: ['READ'], vaddr: region - PAGE })).toEqual({ ok: false, error: 'LIB_ERR_VSPACE_REGION_OVERLAP', arg: 'vaddr' });
      expect(s.map(g.frame, { vaddr: region + 8 * PAGE })).toBe(region + 8 * PAGE); // right after it, in free space
      // Unmapping inside a reserved region keeps the region; releasing it unmaps what is left.
      s.must({ op: 'unmap', vaddr: region + 2 * PAGE });
      expect(s.world().paging.regions.some((r) => r.base === region)).toBe(true);
      s.map(f.frame, { vaddr: region });
      s.must({ op: 'release', vaddr: region });
      expect(s.world().paging.mappings.map((m) => m.vaddr)).toEqual([region + 8 * PAGE]);
    },
    config,
  );
});

describe('a step an allocator refuses changes nothing (DEC-PAGING-ACQUIRE-FIRST)', () => {
  for (const variant of variants)
    it(`${variant}: a map that runs out of RAM for its third table gives the first two back`, () => {
      const s = new Space(variant, smallMemory(512 * 1024));
      const f = s.frame(64 * PAGE);
      // Use up the rest of RAM but two pages: room for two of the three tables the map needs.
      while (s.freeBytes() > 2 * PAGE) s.frame(PAGE);
      const paging = s.world().paging;
      const stats = s.handedOut();
      expect(s.apply({ op: 'map', frame: f.frame, rights: ['READ'] })).toEqual({ ok: false, error: 'MM_ERR_OUT_OF_MEMORY' });
      expect(s.world().paging).toEqual(paging);
      expect(s.handedOut()).toEqual(stats);
      s.sound();
      // A lazy fault refused the same way changes nothing either.
      const heap = s.must<{ vaddr: number }>({ op: 'reserve', bytes: PAGE, lazy: true }).vaddr;
      const before = s.world().paging;
      expect(s.apply({ op: 'fault', vaddr: heap })).toMatchObject({ ok: false, error: 'MM_ERR_OUT_OF_MEMORY' });
      expect(s.world().paging).toEqual(before);
    });
});
