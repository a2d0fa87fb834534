// Every paging precondition, by id: the state and step that make it the first
// to fail, and the error it prescribes. The completeness test compares the
// ids covered here with the registry, so a new check cannot go untested.
import { describe, expect, it } from 'vitest';
import { pagingErrors } from '../../../spec/paging/errors.js';
import type { PagingOp } from '../../../spec/paging/ops.js';
import { acceptableInsteadOfSuccess, expectedPagingResult, pagingPreconditionsByOp } from '../../../spec/paging/preconditions.js';
import { kernelErrors } from '../../../spec/kernel/errors.js';
import { mmErrors } from '../../../spec/mm/errors.js';
import type { FrameGrant } from '../../../spec/paging/ops.js';
import { freeRanges } from '../../../spec/paging/query.js';
import { PAGE, Space } from './fixtures.js';

/** A state with a frame, a one-page mapping of it, a reserved and a lazy region, an empty client slot, a RAM-holding client slot. */
function world() {
  const s = new Space('model');
  const f = s.frame(4 * PAGE);
  const small = s.frame(PAGE);
  const mapped = s.map(small.frame); // 0x1000
  const reserved = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 8 * PAGE, vaddr: 64 * PAGE, lazy: false }).vaddr;
  const lazy = s.must<{ vaddr: number }>({ op: 'reserve', bytes: 4 * PAGE, vaddr: 128 * PAGE, lazy: true }).vaddr;
  s.map(f.frame, { vaddr: reserved, bytes: PAGE });
  s.must({ op: 'fault', vaddr: lazy });
  const slot = s.must<{ slot: FrameGrant['frame'] }>({ op: 'slot_alloc' }).slot;
  const own = s.world().paging.tables[1]!.vnode; // a slot the address space keeps
  return { s, f, small, mapped, reserved, lazy, slot, own };
}

const covered = new Set<string>();

function expectFirst(id: string, op: (w: ReturnType<typeof world>) => PagingOp, error: string, arg: string | undefined): void {
  covered.add(id);
  it(`${id}: ${error}`, () => {
    const w = world();
    const step = op(w);
    const r = expectedPagingResult(w.s.world().paging, w.s.world().kernel, w.s.config, step);
    expect(r).toEqual(arg === undefined ? { ok: false, error } : { ok: false, error, arg });
    // The model stack returns exactly what the spec prescribes.
    expect(w.s.apply(step)).toEqual(r);
  });
}

describe('reserve', () => {
  expectFirst('reserve.size', () => ({ op: 'reserve', bytes: 100, vaddr: 1, lazy: false }), 'LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes');
  expectFirst('reserve.vaddr-aligned', () => ({ op: 'reserve', bytes: PAGE, vaddr: 0x1001, lazy: false }), 'LIB_ERR_VREGION_BAD_ALIGNMENT', 'vaddr');
  expectFirst('reserve.not-null', () => ({ op: 'reserve', bytes: 2 * PAGE, vaddr: 0, lazy: true }), 'PAGING_ERR_NULL_PAGE', 'vaddr');
  expectFirst('reserve.in-window', (w) => ({ op: 'reserve', bytes: 2 * PAGE, vaddr: w.s.config.paging.vlimit - PAGE, lazy: false }), 'PAGING_ERR_OUTSIDE_WINDOW', 'vaddr');
  expectFirst('reserve.free', (w) => ({ op: 'reserve', bytes: 2 * PAGE, vaddr: w.reserved - PAGE, lazy: false }), 'LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr');
  expectFirst('reserve.fit', (w) => ({ op: 'reserve', bytes: w.s.config.paging.vlimit, lazy: false }), 'LIB_ERR_OUT_OF_VIRTUAL_ADDR', 'bytes');
});

describe('map', () => {
  expectFirst('map.client-slot', (w) => ({ op: 'map', frame: w.own, vaddr: 3, rights: ['READ'] }), 'MM_ERR_FOREIGN_SLOT', 'frame');
  expectFirst('map.frame', (w) => ({ op: 'map', frame: w.slot, rights: ['READ'] }), 'SYS_ERR_CAP_NOT_FOUND', 'frame');
  expectFirst('map.mappable', (w) => ({ op: 'map', frame: w.f.ram, rights: ['READ'] }), 'LIB_ERR_CAP_NOT_MAPPABLE', 'frame');
  expectFirst('map.offset-aligned', (w) => ({ op: 'map', frame: w.f.frame, offset: 512, bytes: 3, rights: ['READ'] }), 'LIB_ERR_VREGION_BAD_ALIGNMENT', 'offset');
  expectFirst('map.size', (w) => ({ op: 'map', frame: w.f.frame, bytes: 0, rights: ['READ'] }), 'LIB_ERR_VREGION_BAD_ALIGNMENT', 'bytes');
  expectFirst('map.frame-size', (w) => ({ op: 'map', frame: w.f.frame, offset: PAGE, bytes: 4 * PAGE, vaddr: 0, rights: ['READ'] }), 'LIB_ERR_PMAP_FRAME_SIZE', 'bytes');
  expectFirst(
    'map.rights',
    (w) => {
      w.s.must({ op: 'client', call: { op: 'mint', src: w.f.frame, dest: w.slot, rights: ['READ'] } });
      return { op: 'map', frame: w.slot, vaddr: 1, rights: ['READ', 'WRITE'] };
    },
    'SYS_ERR_VM_MAP_RIGHTS',
    'rights',
  );
  expectFirst('map.vaddr-aligned', (w) => ({ op: 'map', frame: w.f.frame, vaddr: 0x2001, rights: ['READ'] }), 'LIB_ERR_VREGION_BAD_ALIGNMENT', 'vaddr');
  expectFirst('map.not-null', (w) => ({ op: 'map', frame: w.f.frame, vaddr: 0, rights: ['READ'] }), 'PAGING_ERR_NULL_PAGE', 'vaddr');
  expectFirst('map.in-window', (w) => ({ op: 'map', frame: w.f.frame, vaddr: w.s.config.paging.vlimit, rights: ['READ'] }), 'PAGING_ERR_OUTSIDE_WINDOW', 'vaddr');
  expectFirst('map.placement', (w) => ({ op: 'map', frame: w.f.frame, vaddr: w.lazy, bytes: PAGE, rights: ['READ'] }), 'LIB_ERR_VSPACE_REGION_OVERLAP', 'vaddr');
  expectFirst('map.pages-free', (w) => ({ op: 'map', frame: w.small.frame, vaddr: w.reserved, rights: ['READ'] }), 'LIB_ERR_PMAP_EXISTING_MAPPING', 'vaddr');
  expectFirst(
    'map.fit',
    (w) => {
      for (const g of freeRanges(w.s.world().paging, w.s.config.paging)) if (g.bytes > PAGE) w.s.must({ op: 'reserve', bytes: g.bytes - PAGE, vaddr: g.base, lazy: false });
      return { op: 'map', frame: w.f.frame, rights: ['READ'] };
    },
    'LIB_ERR_OUT_OF_VIRTUAL_ADDR',
    'bytes',
  );
});

describe('unmap, release, fault', () => {
  expectFirst('unmap.mapping', (w) => ({ op: 'unmap', vaddr: w.lazy }), 'LIB_ERR_PMAP_NOT_MAPPED', 'vaddr');
  expectFirst('release.region', (w) => ({ op: 'release', vaddr: w.reserved + PAGE }), 'LIB_ERR_VREGION_NOT_FOUND', 'vaddr');
  expectFirst('fault.not-null', () => ({ op: 'fault', vaddr: 4095 }), 'PAGING_ERR_NULL_PAGE', 'vaddr');
  expectFirst('fault.lazy-region', (w) => ({ op: 'fault', vaddr: w.reserved }), 'LIB_ERR_VSPACE_PAGEFAULT_ADDR_NOT_FOUND', 'vaddr');
  expectFirst('fault.unbacked', (w) => ({ op: 'fault', vaddr: w.lazy + 17 }), 'LIB_ERR_MEMOBJ_DUPLICATE_FILL', 'vaddr');
});

describe("the client's steps", () => {
  expectFirst('frame_alloc.size', () => ({ op: 'frame_alloc', bytes: 0 }), 'LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes');
  expectFirst('ram_free.client-slot', (w) => ({ op: 'ram_free', cap: w.own }), 'MM_ERR_FOREIGN_SLOT', 'cap');
  expectFirst('client.slots', (w) => ({ op: 'client', call: { op: 'copy', src: w.f.frame, dest: w.own } }), 'MM_ERR_FOREIGN_SLOT', 'dest');
  expectFirst('client.kernel', (w) => ({ op: 'client', call: { op: 'copy', src: w.f.frame, dest: w.small.frame } }), 'SYS_ERR_SLOT_IN_USE', 'dest');
});

describe('the registry', () => {
  it('has unique ids, and every one is exercised above', () => {
    const ids = Object.values(pagingPreconditionsByOp).flatMap((ps) => ps.map((p) => p.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...covered].sort());
  });

  it('names only known error codes, with a rule and a source for each check', () => {
    const known = new Set([...Object.keys(pagingErrors), ...Object.keys(mmErrors), ...Object.keys(kernelErrors), 'lookup', 'kernel']);
    for (const p of Object.values(pagingPreconditionsByOp).flat()) {
      expect(known.has(p.error), p.id).toBe(true);
      expect(p.rule.length).toBeGreaterThan(10);
      expect(p.source.length).toBeGreaterThan(3);
    }
  });

  it('checks in order: a step that breaks several rules gets the first one\'s error', () => {
    const w = world();
    // Misaligned, in the NULL page and overlapping nothing: alignment comes first.
    expect(expectedPagingResult(w.s.world().paging, w.s.world().kernel, w.s.config, { op: 'reserve', bytes: PAGE, vaddr: 1, lazy: false })).toMatchObject({ error: 'LIB_ERR_VREGION_BAD_ALIGNMENT' });
    // A foreign slot with a bad offset: the slot comes first.
    expect(expectedPagingResult(w.s.world().paging, w.s.world().kernel, w.s.config, { op: 'map', frame: w.own, offset: 3, rights: ['READ'] })).toMatchObject({ error: 'MM_ERR_FOREIGN_SLOT' });
    // The kernel state may be passed as a thunk; steps that do not need it never call it.
    let asked = 0;
    const thunk = () => (asked++, w.s.world().kernel);
    expect(expectedPagingResult(w.s.world().paging, thunk, w.s.config, { op: 'fault', vaddr: w.lazy + PAGE })).toEqual({ ok: true });
    expect(asked).toBe(0);
    expect(expectedPagingResult(w.s.world().paging, thunk, w.s.config, { op: 'map', frame: w.f.frame, rights: ['READ'] })).toEqual({ ok: true });
    expect(asked).toBe(1);
  });

  it('lets allocator errors stand in for success only where a step takes memory or slots', () => {
    expect(acceptableInsteadOfSuccess({ op: 'map', frame: { root: 0, cptr: 0, level: 2 }, rights: [] })).toContain('MM_ERR_OUT_OF_MEMORY');
    expect(acceptableInsteadOfSuccess({ op: 'fault', vaddr: 0 })).toContain('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    expect(acceptableInsteadOfSuccess({ op: 'ram_free', cap: { root: 0, cptr: 0, level: 2 } })).toContain('MM_ERR_NOT_FOUND');
    expect(acceptableInsteadOfSuccess({ op: 'unmap', vaddr: 0 })).toEqual([]);
    expect(acceptableInsteadOfSuccess({ op: 'reserve', bytes: PAGE })).toEqual([]);
  });
});
