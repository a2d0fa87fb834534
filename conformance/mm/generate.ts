// The mm trace generator. It looks at the current world (the manager's and
// the kernel's observations) and builds one step: adds of the boot RAM
// capabilities, allocations of mixed sizes and alignments (some ranged, some
// exactly a free range or a whole parent), whole and partial frees of what
// the client holds, reclaims of what it threw away, slot traffic, and the
// client's own kernel calls on its capabilities — copies, retypes into
// pieces, deletes, revokes — plus deliberate misuse at low rates (bad sizes
// and alignments, foreign slots, occupied slots, ranges outside an allocation).
import { bootLayout, ROOTCN_SLOT_PACN, ROOTCN_SLOT_SUPERCN } from '../../spec/kernel/boot.js';
import { capref2, l1IndexOf, l2SlotOf, type Capref } from '../../spec/kernel/capref.js';
import { cteAt } from '../../spec/kernel/query.js';
import { maskToRights } from '../../spec/kernel/rights.js';
import { isMappingCap, regionEnd, type Capability, type MemoryCap } from '../../spec/kernel/state.js';
import { BASE_PAGE_SIZE, type MemoryType } from '../../spec/kernel/types.js';
import type { MmWorld } from '../../spec/mm/invariants.js';
import type { ClientCall, MmOp, MmOpName } from '../../spec/mm/ops.js';
import { caprefKey, type Allocation } from '../../spec/mm/state.js';
import { drawMakers, type Chooser } from '../chooser.js';

export type MmMakerName = Exclude<MmOpName, 'client'> | 'client_copy' | 'client_retype' | 'client_delete' | 'client_revoke' | 'client_identify' | 'misuse';
export type MmGeneratorWeights = Readonly<Record<MmMakerName, number>>;

export const defaultMmWeights: MmGeneratorWeights = {
  add: 4,
  alloc: 26,
  free: 12,
  reclaim: 7,
  slot_alloc: 6,
  slot_free: 4,
  client_copy: 6,
  client_retype: 9,
  client_delete: 9,
  client_revoke: 4,
  client_identify: 1,
  misuse: 3,
};

interface Held {
  readonly ref: Capref;
  readonly cap: Capability | undefined;
}

/** What the client holds and what the manager manages, indexed for the makers. Built once per step. */
export class MmView {
  readonly held: readonly Held[];
  readonly empty: readonly Capref[];
  readonly occupied: readonly (Held & { cap: Capability })[];
  readonly clientAllocs: readonly Allocation[];
  /** Client slots holding a RAM capability of exactly a live client allocation. */
  readonly grants: readonly { ref: Capref; alloc: Allocation }[];
  readonly unaddedRoots: readonly Capref[];
  readonly ramRoots: readonly Capref[];
  readonly physRoots: readonly Capref[];
  private readonly heldKeys: Set<string>;

  constructor(readonly world: MmWorld) {
    const { mm, kernel } = world;
    const core = kernel.cores[0]!;
    const cnodeBase = new Map(mm.slots.cnodes.map((c) => [`${c.cap.root}/${l1IndexOf(c.cap.cptr)}`, c.base] as const));
    this.held = mm.slots.client.map((ref) => {
      const base = cnodeBase.get(`${ref.root}/${l1IndexOf(ref.cptr)}`);
      return { ref, cap: base === undefined ? undefined : cteAt(core, { cnode: base, slot: l2SlotOf(ref.cptr) })?.cap };
    });
    this.heldKeys = new Set(mm.slots.client.map(caprefKey));
    this.empty = this.held.filter((h) => h.cap === undefined).map((h) => h.ref);
    this.occupied = this.held.filter((h): h is Held & { cap: Capability } => h.cap !== undefined);
    this.clientAllocs = mm.allocations.filter((a) => a.use === 'client');
    const byBase = new Map(this.clientAllocs.map((a) => [a.base, a] as const));
    this.grants = this.occupied.flatMap((h) => {
      const k = h.cap;
      if (isMappingCap(k) || k.type !== 'RAM') return [];
      const a = byBase.get(k.base);
      return a !== undefined && a.bytes === k.bytes ? [{ ref: h.ref, alloc: a }] : [];
    });
    const layout = bootLayout(world.config.kernel);
    this.ramRoots = layout.ramRoots.map((_, i) => capref2(layout.rootCNode, ROOTCN_SLOT_SUPERCN, i));
    this.physRoots = layout.deviceRoots.map((_, i) => capref2(layout.rootCNode, ROOTCN_SLOT_PACN, i));
    const parents = new Set(mm.parents.map((p) => caprefKey(p.cap)));
    this.unaddedRoots = this.ramRoots.filter((r) => !parents.has(caprefKey(r)));
  }

  isHeld(ref: Capref): boolean {
    return this.heldKeys.has(caprefKey(ref));
  }

  /** `count` consecutive empty client slots (same CNode), if the client has them. */
  emptyRun(count: number): Capref | undefined {
    for (const r of this.empty) {
      let ok = l2SlotOf(r.cptr) + count <= 256;
      for (let i = 1; i < count && ok; i++) ok = this.empty.some((e) => e.root === r.root && e.level === 2 && e.cptr === r.cptr + i);
      if (ok) return r;
    }
    return undefined;
  }

  /** A capref the client does not hold: a parent, a metadata slot, a free slot of the allocator. */
  foreign(c: Chooser): Capref {
    const options: Capref[] = [...this.world.mm.parents.map((p) => p.cap), ...this.world.mm.allocations.flatMap((a) => (a.cap !== undefined ? [a.cap] : []))];
    for (const cn of this.world.mm.slots.cnodes) {
      const r = capref2(cn.cap.root, l1IndexOf(cn.cap.cptr), c.int(0, 255));
      if (!this.isHeld(r)) options.push(r);
    }
    return options.length > 0 ? c.pick(options) : capref2(0, 0, 0);
  }
}

const pages = (n: number) => n * BASE_PAGE_SIZE;
const log2 = (x: number) => Math.floor(Math.log2(Math.max(1, x)));

type Maker = (v: MmView, c: Chooser) => MmOp | undefined;

function allocSize(v: MmView, c: Chooser): number {
  switch (c.weighted([55, 15, 12, 3, 3])) {
    case 0:
      return pages(c.int(1, 8));
    case 1:
      return pages(2 ** c.int(3, 5));
    case 2: {
      // Exactly a free range: first fit at its very base, or alignment pushes it on.
      const f = v.world.mm.free;
      return f.length > 0 ? c.pick(f).bytes : pages(1);
    }
    case 3: {
      // Exactly a parent: never met from that parent (DEC-MM-NO-PARENT-COPY).
      const p = v.world.mm.parents;
      return p.length > 0 ? c.pick(p).bytes : pages(4);
    }
    default:
      return c.pick([0, 100, pages(1) + 512, pages(1 << 20)]);
  }
}

function allocAlignment(c: Chooser): number | undefined {
  switch (c.weighted([60, 25, 3, 3])) {
    case 0:
      return undefined;
    case 1:
      return 2 ** c.int(13, 18);
    case 2:
      return 2 ** c.int(19, 32);
    default:
      return c.pick([0, 3, 6144, 2 ** 33]);
  }
}

const alloc: Maker = (v, c) => {
  const bytes = allocSize(v, c);
  const alignment = allocAlignment(c);
  const op: MmOp = { op: 'alloc', bytes, ...(alignment !== undefined ? { alignment } : {}) };
  if (!c.chance(0.18) || v.world.mm.parents.length === 0) return op;
  const p = c.pick(v.world.mm.parents);
  if (c.chance(0.3)) {
    // The tail of a parent: where a freed range meets the next parent's memory.
    const base = regionEnd(p) - pages(c.int(1, Math.max(1, Math.min(16, p.bytes / BASE_PAGE_SIZE))));
    return { ...op, bytes: c.chance(0.5) ? regionEnd(p) - base : op.bytes, range: { base, limit: regionEnd(p) } };
  }
  const base = p.base + pages(c.int(0, Math.max(0, p.bytes / BASE_PAGE_SIZE - 1)));
  const limit = c.chance(0.05) ? base - pages(1) : Math.min(regionEnd(p) + pages(c.int(0, 2)), base + pages(c.int(1, 64)));
  const room = limit - base;
  return { ...op, bytes: room > 0 && op.bytes > room && c.chance(0.7) ? room : op.bytes, range: { base, limit } };
};

const add: Maker = (v, c) => {
  if (v.unaddedRoots.length > 0 && !c.chance(0.1)) return { op: 'add', cap: c.pick(v.unaddedRoots) };
  // Misuse: a root already added, a PhysAddr root, what the client holds, or an empty slot.
  const misuse = [...v.ramRoots, ...v.physRoots, ...v.occupied.map((h) => h.ref), ...(c.chance(0.15) ? v.empty : [])];
  return misuse.length > 0 ? { op: 'add', cap: c.pick(misuse) } : undefined;
};

const free: Maker = (v, c) => {
  if (v.grants.length === 0 || c.chance(0.06)) {
    const from = v.occupied.length > 0 && c.chance(0.7) ? c.pick(v.occupied).ref : v.foreign(c);
    return { op: 'free', cap: from };
  }
  // With no slot left, a partial free from the middle needs one more slot than it frees (free.slots): try it.
  const wide = v.world.mm.slots.free === 0 ? v.grants.filter((x) => x.alloc.bytes >= pages(3)) : [];
  if (wide.length > 0 && c.chance(0.5)) {
    const w = c.pick(wide);
    return { op: 'free', cap: w.ref, range: { base: w.alloc.base + pages(1), bytes: pages(c.int(1, w.alloc.bytes / BASE_PAGE_SIZE - 2)) } };
  }
  const g = c.pick(v.grants);
  if (c.chance(0.55)) return { op: 'free', cap: g.ref };
  const n = g.alloc.bytes / BASE_PAGE_SIZE;
  const start = c.int(0, n - 1);
  const len = c.int(1, n - start);
  const range = c.chance(0.06) ? { base: g.alloc.base + pages(start), bytes: pages(n + 1) } : { base: g.alloc.base + pages(start), bytes: pages(len) };
  return { op: 'free', cap: g.ref, range };
};

const reclaim: Maker = (v, c) => {
  if (v.clientAllocs.length === 0 || c.chance(0.05)) return { op: 'reclaim', base: v.world.mm.free[0]?.base ?? 0 };
  const granted = new Set(v.grants.map((g) => g.alloc.base));
  const thrownAway = v.clientAllocs.filter((a) => !granted.has(a.base));
  const a = thrownAway.length > 0 && c.chance(0.8) ? c.pick(thrownAway) : c.pick(v.clientAllocs);
  return { op: 'reclaim', base: a.base };
};

const slotFree: Maker = (v, c) => {
  if (v.empty.length > 0 && !c.chance(0.15)) return { op: 'slot_free', slot: c.pick(v.empty) };
  if (v.occupied.length > 0 && c.chance(0.5)) return { op: 'slot_free', slot: c.pick(v.occupied).ref };
  return { op: 'slot_free', slot: c.chance(0.5) ? v.foreign(c) : capref2(v.world.boot.root, 200, c.int(0, 255)) };
};

const client = (call: ClientCall): MmOp => ({ op: 'client', call });

/** Client calls need an empty slot of the client's: when it has none, getting one is the step. */
const needSlot: MmOp = { op: 'slot_alloc' };

const clientCopy: Maker = (v, c) => {
  if (v.occupied.length === 0) return undefined;
  if (v.empty.length === 0) return needSlot;
  const src = c.pick(v.occupied).ref;
  const dest = c.pick(v.empty);
  return client(c.chance(0.25) ? { op: 'mint', src, dest, rights: maskToRights(c.int(0, 31)) } : { op: 'copy', src, dest });
};

const retypeTypes: readonly [MemoryType, number][] = [
  ['RAM', 40],
  ['Frame', 40],
  ['L2CNode', 5],
  ['VNode_AARCH64_l3', 8],
  ['Dispatcher', 4],
];

const clientRetype: Maker = (v, c) => {
  const sources = v.occupied.filter((h) => !isMappingCap(h.cap) && (h.cap.type === 'RAM' || h.cap.type === 'Frame'));
  if (sources.length === 0) return v.grants.length === 0 ? alloc(v, c) : undefined;
  if (v.empty.length === 0) return needSlot;
  const h = c.pick(sources);
  const src = h.cap as MemoryCap;
  let type: MemoryType;
  if (src.type === 'Frame') type = 'Frame';
  else type = retypeTypes[c.weighted(retypeTypes.map(([, w]) => w))]![0];
  const n = src.bytes / BASE_PAGE_SIZE;
  const objsize = type === 'L2CNode' ? pages(4) : type === 'VNode_AARCH64_l3' ? pages(1) : type === 'Dispatcher' ? 1024 : pages(2 ** c.int(0, log2(n)));
  const maxobjs = Math.floor(src.bytes / objsize);
  if (maxobjs === 0) return undefined;
  const want = c.chance(0.25) ? 2 : 1;
  const run = want === 2 ? v.emptyRun(2) : undefined;
  const count = run !== undefined && maxobjs >= 2 ? 2 : 1;
  const dest = run !== undefined && count === 2 ? run : c.pick(v.empty);
  const offset = c.int(0, maxobjs - count) * objsize;
  return client({ op: 'retype', src: h.ref, offset, type, objsize, count, dest });
};

const clientRemove =
  (op: 'delete' | 'revoke'): Maker =>
  (v, c) => {
    if (v.occupied.length === 0) return alloc(v, c);
    // Deleting a grant is how a client throws memory away without telling the manager (the reclaim path).
    const grantRefs = new Set(v.grants.map((g) => caprefKey(g.ref)));
    const target = v.occupied[c.weighted(v.occupied.map((h) => (grantRefs.has(caprefKey(h.ref)) ? 3 : 2)))]!.ref;
    return client({ op, target });
  };

const clientIdentify: Maker = (v, c) => (v.held.length === 0 ? undefined : client({ op: 'identify', target: c.pick(v.held).ref }));

/** Client calls that name slots the client does not hold: the manager must refuse them before the kernel sees them. */
const misuse: Maker = (v, c) => {
  const foreign = v.foreign(c);
  const mine = v.empty.length > 0 ? c.pick(v.empty) : foreign;
  switch (c.int(0, 3)) {
    case 0:
      return client({ op: 'delete', target: foreign });
    case 1:
      return client({ op: 'revoke', target: foreign });
    case 2:
      return client({ op: 'copy', src: foreign, dest: mine });
    default:
      return client({ op: 'retype', src: foreign, offset: 0, type: 'RAM', objsize: BASE_PAGE_SIZE, count: 1, dest: mine });
  }
};

const makers: Readonly<Record<MmMakerName, Maker>> = {
  add,
  alloc,
  free,
  reclaim,
  slot_alloc: () => ({ op: 'slot_alloc' }),
  slot_free: slotFree,
  client_copy: clientCopy,
  client_retype: clientRetype,
  client_delete: clientRemove('delete'),
  client_revoke: clientRemove('revoke'),
  client_identify: clientIdentify,
  misuse,
};

const makerNames = Object.keys(makers) as MmMakerName[];

export interface GeneratedMmStep {
  readonly op: MmOp;
  /** Makers that found nothing to build from before one succeeded. */
  readonly rejected: readonly MmMakerName[];
}

/** One step from the current world. Never undefined: slot_alloc is always meaningful. */
export function generateMmOp(v: MmView, c: Chooser, weights: MmGeneratorWeights = defaultMmWeights): GeneratedMmStep {
  // Until the manager has memory, adding it is what matters; when little is
  // left, giving memory back is (so traces see exhaustion without staying there).
  const managed = v.world.mm.parents.reduce((n, p) => n + p.bytes, 0);
  const free = v.world.mm.free.reduce((n, f) => n + f.bytes, 0);
  const scarce = managed > 0 && free < managed / 4;
  const ws = makerNames.map((n) => {
    if (n === 'add' && v.unaddedRoots.length > 0 && v.world.mm.parents.length === 0) return weights[n] * 50;
    if (scarce && (n === 'free' || n === 'reclaim' || n === 'client_delete')) return weights[n] * 3;
    return weights[n];
  });
  const d = drawMakers(c, makerNames, ws, 4, (name) => makers[name](v, c));
  return { op: d.made ?? { op: 'slot_alloc' }, rejected: d.rejected };
}
