// Every mm invariant (family 6) and transition check: it holds on states the
// manager reaches, and it reports a hand-built violation by its id.
import { describe, expect, it } from 'vitest';
import { capref2 } from '../../../spec/kernel/capref.js';
import { KIB } from '../../../spec/kernel/types.js';
import { mmInvariants, type MmWorld } from '../../../spec/mm/invariants.js';
import { mmPostconditions } from '../../../spec/mm/postconditions.js';
import type { MmOp, RamGrant } from '../../../spec/mm/ops.js';
import type { MmResult } from '../../../spec/mm/mm.js';
import { Driver, configWith, ramRoot } from '../../mm/fixtures.js';

const config = configWith({ nodeBytes: 512, staticNodes: 8, slabFrameBytes: 4 * KIB, slabLowWater: 5, slotCNodes: 1, slotLowWater: 300, rootSlotsEnd: 15 });

function reached() {
  const d = new Driver(config);
  d.ok({ op: 'add', cap: ramRoot(config, 0) });
  d.ok({ op: 'add', cap: ramRoot(config, 1) });
  const gs = [d.grant(8 * KIB), d.grant(16 * KIB, 16 * KIB), d.grant(4 * KIB), d.grant(12 * KIB)];
  d.ok({ op: 'free', cap: gs[2]!.cap });
  d.ok({ op: 'free', cap: gs[3]!.cap, range: { base: gs[3]!.base + 4 * KIB, bytes: 4 * KIB } });
  d.ok({ op: 'client', call: { op: 'delete', target: gs[0]!.cap } });
  return { d, w: d.world(), gs };
}

type Edit = (w: MmWorld) => MmWorld;
const mm = (w: MmWorld, f: (m: MmWorld['mm']) => MmWorld['mm']): MmWorld => ({ ...w, mm: f(w.mm) });

describe('mm invariants (spec/mm/invariants.ts)', () => {
  const { w, gs } = reached();

  it('all hold on a state the manager reached (refills, partial frees, a deleted grant)', () => {
    expect(w.mm.allocations.some((a) => a.use === 'frame')).toBe(true);
    expect(w.mm.allocations.some((a) => a.use === 'l2cnode')).toBe(true);
    expect(mmInvariants.flatMap((i) => i.check(w))).toEqual([]);
  });

  const client = w.mm.allocations.find((a) => a.use === 'client')!;
  const frame = w.mm.allocations.find((a) => a.use === 'frame')!;
  const violations: Record<string, Edit> = {
    'MM-PARENTS-KEPT': (x) => mm(x, (m) => ({ ...m, parents: m.parents.map((p, i) => (i === 0 ? { ...p, bytes: p.bytes + 4 * KIB } : p)) })),
    'MM-NO-DOUBLE-HANDOUT': (x) => mm(x, (m) => ({ ...m, allocations: [...m.allocations, { base: client.base, bytes: 4 * KIB, use: 'client' as const }] })),
    'MM-PARTITION': (x) => mm(x, (m) => ({ ...m, free: m.free.slice(1) })),
    'MM-NEVER-MERGES': (x) =>
      mm(x, (m) => {
        const end0 = m.parents[0]!.base + m.parents[0]!.bytes;
        return { ...m, free: [...m.free, { base: end0 - 4 * KIB, bytes: 8 * KIB }].sort((a, b) => a.base - b.base) };
      }),
    'MM-STRICT-DESCENT': (x) =>
      mm(x, (m) => ({ ...m, allocations: [...m.allocations, { base: m.parents[1]!.base, bytes: m.parents[1]!.bytes, use: 'client' as const }] })),
    'MM-COALESCED': (x) =>
      mm(x, (m) => {
        const f = m.free.find((r) => r.bytes >= 8 * KIB)!;
        return {
          ...m,
          free: [...m.free.filter((r) => r !== f), { base: f.base, bytes: 4 * KIB }, { base: f.base + 4 * KIB, bytes: f.bytes - 4 * KIB }].sort(
            (a, b) => a.base - b.base,
          ),
        };
      }),
    // A free range the client still holds a capability to (its grant, listed free).
    'MM-FREE-UNCOVERED': (x) =>
      mm(x, (m) => ({
        ...m,
        allocations: m.allocations.filter((a) => a.base !== gs[1]!.base),
        free: [...m.free, { base: gs[1]!.base, bytes: gs[1]!.bytes }].sort((a, b) => a.base - b.base),
      })),
    'MM-METADATA-PRESENT': (x) =>
      mm(x, (m) => ({ ...m, allocations: m.allocations.map((a) => (a === frame ? { ...a, cap: capref2(x.boot.root, 7, 250) } : a)) })),
    'MM-SLAB-ACCOUNTING': (x) => mm(x, (m) => ({ ...m, slab: { ...m.slab, used: m.slab.used + 1 } })),
    'MM-SLOT-ACCOUNTING': (x) => mm(x, (m) => ({ ...m, slots: { ...m.slots, free: m.slots.free + 1 } })),
    'MM-REFILLED': (x) => mm(x, (m) => ({ ...m, slab: { ...m.slab, capacity: m.slab.used + 3 } })), // 3 free nodes < 5, and a refill could be made
  };

  for (const inv of mmInvariants) {
    it(`${inv.id} reports a hand-built violation`, () => {
      const edit = violations[inv.id];
      expect(edit, `no hand-built violation for ${inv.id}`).toBeDefined();
      const ids = inv.check(edit!(w)).map((v) => v.invariant);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids)).toEqual(new Set([inv.id]));
      expect(inv.explanation.length).toBeGreaterThan(40);
      expect(inv.source.length).toBeGreaterThan(5);
    });
  }

  it('MM-SLOT-ACCOUNTING also sees a capability in a slot the allocator counts free', () => {
    const d = new Driver(config);
    const root = d.world().boot.root;
    d.stack.kernel.apply({ op: 'retype', src: ramRoot(config, 0), offset: 0, type: 'Frame', objsize: 4 * KIB, count: 1, dest: capref2(root, 7, 100) });
    expect(
      mmInvariants
        .find((i) => i.id === 'MM-SLOT-ACCOUNTING')!
        .check(d.world())
        .map((v) => v.message),
    ).toEqual([expect.stringContaining('holds a Frame')]);
  });
});

describe('mm transition checks (spec/mm/postconditions.ts)', () => {
  const { d, w } = reached();
  const byId = (id: string) => mmPostconditions.find((p) => p.id === id)!;

  it('MM-ATOMIC-FAILURE: a failed step that changed the state', () => {
    const after = d.world();
    const changed = { ...after, mm: { ...after.mm, free: [] } };
    expect(byId('MM-ATOMIC-FAILURE').check(w, { op: 'alloc', bytes: 0 }, { ok: false, error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' }, changed)).toHaveLength(1);
    expect(byId('MM-ATOMIC-FAILURE').check(w, { op: 'alloc', bytes: 0 }, { ok: false, error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE' }, after)).toEqual([]);
  });

  it('MM-GRANT-MEETS-REQUEST: wrong size, misaligned, outside the range, not in a held slot', () => {
    const pre = d.world();
    const op: MmOp = { op: 'alloc', bytes: 8 * KIB, alignment: 16 * KIB, range: { base: 0, limit: 1 } };
    const r = d.do({ op: 'alloc', bytes: 4 * KIB, alignment: 4 * KIB });
    const post = d.world();
    const msgs = byId('MM-GRANT-MEETS-REQUEST')
      .check(pre, op, r, post)
      .map((v) => v.message);
    expect(msgs.some((m) => m.includes('asked for'))).toBe(true);
    expect(msgs.some((m) => m.includes('outside'))).toBe(true);
    const g = (r as { value: RamGrant }).value;
    const lie: MmResult = { ok: true, value: { ...g, cap: capref2(post.boot.root, 7, 254) } };
    expect(byId('MM-GRANT-MEETS-REQUEST').check(pre, { op: 'alloc', bytes: 4 * KIB }, lie, post).length).toBeGreaterThan(0);
  });

  it('MM-FREED-ALLOCATABLE: freed memory that is not free afterwards', () => {
    const pre = d.world();
    const g = d.grant(8 * KIB);
    const mid = d.world();
    const r = d.do({ op: 'free', cap: g.cap });
    const post = d.world();
    expect(byId('MM-FREED-ALLOCATABLE').check(mid, { op: 'free', cap: g.cap }, r, post)).toEqual([]);
    expect(byId('MM-FREED-ALLOCATABLE').check(mid, { op: 'free', cap: g.cap }, r, mid).length).toBeGreaterThan(0);
    expect(byId('MM-FREED-ALLOCATABLE').check(pre, { op: 'reclaim', base: g.base }, { ok: true, value: { base: g.base, bytes: 8 * KIB } }, mid)).toHaveLength(
      1,
    );
  });

  it('MM-CLIENT-CANNOT-TOUCH: a client step that changed the manager', () => {
    const pre = d.world();
    const post = { ...pre, mm: { ...pre.mm, slots: { ...pre.mm.slots, free: 0 } } };
    const op: MmOp = { op: 'client', call: { op: 'identify', target: capref2(pre.boot.root, 7, 0) } };
    expect(byId('MM-CLIENT-CANNOT-TOUCH').check(pre, op, { ok: false, error: 'SYS_ERR_CAP_NOT_FOUND' }, post)).toHaveLength(1);
  });
});
