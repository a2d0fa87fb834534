// A small seeded generator of kernel operations for the differential test of
// impl against the model. It reads the current observation to find live
// caprefs and empty slots, and weights its choices towards deep states:
// nested retypes, copies across CNodes and CSpaces, nearly full CNodes,
// mapping frames piecewise through copies, revokes of large subtrees, deletes
// of CNodes that hold capabilities, and some deliberate misuse. (The project's
// conformance generator lives in conformance/; this one only has to reach the
// implementation's corners.)
import { archProfiles, type ArchName } from '../../../spec/kernel/arch.js';
import { capref1, capref2, type Capref } from '../../../spec/kernel/capref.js';
import type { KernelOp } from '../../../spec/kernel/ops.js';
import { mapRightNames, rightNames, type MapRightName, type RightName } from '../../../spec/kernel/rights.js';
import { isMappingCap, type Capability, type KernelState, type MappingCap, type MemoryCap } from '../../../spec/kernel/state.js';
import { isVNodeType, memoryTypes, typeTable, type MemoryType, type ObjType, objTypes, BASE_PAGE_SIZE } from '../../../spec/kernel/types.js';

/** Mulberry32: a tiny deterministic PRNG (seeds, never Math.random). */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  subset<T>(xs: readonly T[]): T[] {
    return xs.filter(() => this.chance(0.6));
  }
}

export interface Handle {
  readonly ref: Capref;
  readonly cnode: number;
  readonly slot: number;
  readonly cap?: Capability;
  /** The slot belongs to an L1CNode. */
  readonly l1: boolean;
}

/** A CNode reachable from some root, and how to name its slots. */
interface CNodeView {
  readonly base: number;
  readonly l1: boolean;
  /** Slots the generator uses (the first 600 of a large L1CNode suffice). */
  readonly slots: number;
  readonly ref: (slot: number) => Capref;
  readonly occupied: ReadonlyMap<number, Capability>;
}

/** The observed state (core 0) as the generator sees it: live caprefs, and empty slots to sample. */
export class View {
  readonly full: Handle[] = [];
  readonly cnodes: CNodeView[] = [];

  constructor(s: KernelState) {
    const core = s.cores[0];
    if (core === undefined) return;
    const byCNode = new Map<number, Map<number, Capability>>();
    for (const c of core.ctes) (byCNode.get(c.cnode) ?? byCNode.set(c.cnode, new Map()).get(c.cnode)!).set(c.slot, c.cap);
    const seenRoots = new Set<number>();
    const seenL2 = new Set<number>();
    for (const c of core.ctes) {
      if (isMappingCap(c.cap) || c.cap.type !== 'L1CNode' || seenRoots.has(c.cap.base)) continue;
      const root = c.cap.base;
      seenRoots.add(root);
      const rootSlots = byCNode.get(root) ?? new Map<number, Capability>();
      this.add({ base: root, l1: true, slots: Math.min(c.cap.bytes / 64, 600), ref: (i) => capref1(root, i), occupied: rootSlots });
      for (const [i, k] of rootSlots) {
        if (isMappingCap(k) || k.type !== 'L2CNode' || seenL2.has(k.base)) continue;
        seenL2.add(k.base);
        this.add({ base: k.base, l1: false, slots: 256, ref: (j) => capref2(root, i, j), occupied: byCNode.get(k.base) ?? new Map() });
      }
    }
  }

  private add(v: CNodeView): void {
    this.cnodes.push(v);
    for (const [slot, cap] of v.occupied) if (slot < v.slots) this.full.push({ ref: v.ref(slot), cnode: v.base, slot, cap, l1: v.l1 });
  }

  /** A random empty slot (of an L2CNode, an L1CNode, or either), if one is found quickly. */
  empty(r: Rng, where: 'l1' | 'l2' | 'any' = 'any'): Handle | undefined {
    const cns = where === 'any' ? this.cnodes : this.cnodes.filter((c) => c.l1 === (where === 'l1'));
    for (let i = 0; i < 16 && cns.length > 0; i++) {
      const c = r.pick(cns);
      const slot = r.chance(0.3) ? r.int(8) : r.int(c.slots);
      if (slot < c.slots && !c.occupied.has(slot)) return { ref: c.ref(slot), cnode: c.base, slot, l1: c.l1 };
    }
    return undefined;
  }

  /** The first of `count` consecutive empty L2CNode slots, if one is found quickly. */
  emptyRun(r: Rng, count: number): Handle | undefined {
    const cns = this.cnodes.filter((c) => !c.l1);
    if (count > 256) return undefined;
    for (let i = 0; i < 8 && cns.length > 0; i++) {
      const c = r.pick(cns);
      const start = r.chance(0.2) ? 256 - count : r.int(Math.max(1, 257 - count));
      let free = true;
      for (let j = start; j < start + count && free; j++) free = !c.occupied.has(j);
      if (free) return { ref: c.ref(start), cnode: c.base, slot: start, l1: false };
    }
    return undefined;
  }
}

const retypeTargets = (arch: ArchName): Readonly<Partial<Record<MemoryType, readonly MemoryType[]>>> => ({
  PhysAddr: ['PhysAddr', 'RAM', 'DevFrame', 'DevFrame'],
  RAM: [
    'RAM',
    'RAM',
    'Frame',
    'Frame',
    'Frame',
    'L1CNode',
    'L2CNode',
    'L2CNode',
    'Dispatcher',
    ...(arch === 'aarch64'
      ? (['VNode_AARCH64_l1', 'VNode_AARCH64_l2', 'VNode_AARCH64_l3', 'VNode_AARCH64_l3'] as const)
      : (['VNode_ARM_l1', 'VNode_ARM_l2', 'VNode_ARM_l2'] as const)),
  ],
  Frame: ['Frame'],
  DevFrame: ['DevFrame'],
  Dispatcher: ['EndPointLMP'],
});

export class OpGenerator {
  constructor(
    private readonly rng: Rng,
    private readonly arch: ArchName,
  ) {}

  next(s: KernelState): KernelOp {
    const r = this.rng;
    const view = new View(s);
    const full = view.full;
    const mem = full.filter((h) => h.cap && !isMappingCap(h.cap)) as (Handle & { cap: MemoryCap })[];
    const maps = full.filter((h) => h.cap && isMappingCap(h.cap)) as (Handle & { cap: MappingCap })[];
    const roll = r.int(100);
    if (roll < 30 && mem.length > 0) return this.retype(mem, view);
    if (roll < 48 && mem.length > 0) return this.copy(full, view);
    if (roll < 58 && full.length > 0) return { op: 'delete', target: this.victim(full).ref };
    if (roll < 65 && mem.length > 0) return { op: 'revoke', target: this.victim(mem).ref };
    if (roll < 80 && mem.length > 0) return this.map(mem, full, view);
    if (roll < 85 && maps.length > 0) return this.unmap(maps, mem);
    if (roll < 88 && full.length > 0) return { op: 'identify', target: r.pick(full).ref };
    if (roll < 91 && full.length > 0) return { op: r.chance(0.35) ? 'lock' : 'unlock', target: r.pick(full).ref };
    if (roll < 95 && mem.length > 0 && r.chance(0.4)) {
      const h = r.pick(mem);
      const objsize = 4096 * 2 ** r.int(Math.max(1, Math.floor(Math.log2(Math.max(1, h.cap.bytes / 4096))) + 1));
      const count = 1 + r.int(2);
      const offset = objsize * r.int(Math.max(1, Math.floor(h.cap.bytes / objsize)));
      return { op: 'is_retypeable', src: h.ref, offset, objsize, count };
    }
    if (roll < 95 && full.length > 0)
      return { op: 'remote_relations', target: r.pick(full).ref, set: { ...(r.chance(0.5) ? { copies: r.chance(0.5) } : {}), ...(r.chance(0.4) ? { ancs: r.chance(0.5) } : {}), ...(r.chance(0.4) ? { descs: r.chance(0.5) } : {}) } };
    return this.misuse(full, view, s);
  }

  /** Deletes and revokes rarely hit the CSpace's spine (L1CNodes, boot's task, page, super and PhysAddr CNodes, the root page table). */
  private victim<H extends Handle>(hs: readonly H[]): H {
    const r = this.rng;
    const root = archProfiles[this.arch].rootVNode;
    const spine = (h: Handle) => {
      const t = h.cap?.type;
      return t === 'L1CNode' || t === root || (h.l1 && t === 'L2CNode' && [0, 1, 3, 5].includes(h.slot));
    };
    const rest = hs.filter((h) => !spine(h));
    return rest.length > 0 && !r.chance(0.01) ? r.pick(rest) : r.pick(hs);
  }

  private slotFor(view: View, type: ObjType | undefined, count = 1): Handle | undefined {
    const r = this.rng;
    if (type === 'L2CNode' && r.chance(0.4)) {
      const h = view.empty(r, 'l1');
      if (h !== undefined) return h;
    }
    if (count > 1 && r.chance(0.8)) {
      const h = view.emptyRun(r, count);
      if (h !== undefined) return h;
    }
    return view.empty(r, r.chance(0.97) ? 'l2' : 'any');
  }

  private retype(mem: readonly (Handle & { cap: MemoryCap })[], view: View, want?: MemoryType): KernelOp {
    const r = this.rng;
    if (want !== undefined) {
      const rams = mem.filter((h) => h.cap.type === 'RAM' && !h.cap.locked);
      const dest = this.slotFor(view, want);
      if (rams.length > 0 && dest !== undefined) {
        const src = r.pick(rams);
        const objsize = typeTable[want].fixedSize ?? BASE_PAGE_SIZE * r.pick([1, 2, 4, 16]);
        const count = 1 + r.int(3);
        const offset = r.int(Math.max(1, Math.min(64, Math.floor(src.cap.bytes / objsize) - count))) * objsize;
        return { op: 'retype', src: src.ref, offset, type: want, objsize, count, dest: dest.ref };
      }
    }
    const table = retypeTargets(this.arch);
    const srcs = mem.filter((h) => table[h.cap.type] !== undefined && (!h.cap.locked || r.chance(0.15)));
    const src = srcs.length > 0 && r.chance(0.95) ? r.pick(srcs) : r.pick(mem);
    const cap = src.cap;
    const targets = table[cap.type] ?? memoryTypes;
    const type: ObjType = r.chance(0.95) ? r.pick(targets) : r.pick(objTypes);
    const info = typeTable[type as MemoryType] as (typeof typeTable)[MemoryType] | undefined;
    let objsize: number;
    if (info?.fixedSize !== undefined) objsize = info.fixedSize;
    else {
      const g = info?.sizeGranule ?? BASE_PAGE_SIZE;
      const options = [g, g, 2 * g, 4 * g, 16 * g, 512 * g, cap.bytes, cap.bytes / 2, cap.bytes / 4, cap.bytes / 16].filter((x) => x >= g && x % g === 0 && x <= cap.bytes);
      objsize = r.pick(options.length > 0 ? options : [g]);
    }
    if (r.chance(0.03)) objsize = r.pick([0, 512, 3 * BASE_PAGE_SIZE + 8]);
    const fit = Math.max(1, Math.floor(cap.bytes / Math.max(objsize, 1)));
    let count = r.chance(0.6) ? 1 : 1 + r.int(Math.min(fit, r.chance(0.2) ? 64 : 6));
    if (r.chance(0.02)) count = r.pick([0, fit + 1]);
    const slots = Math.max(1, Math.floor(cap.bytes / Math.max(objsize, 1)) - count + 1);
    // Offsets cluster at the start of the source so that retypes collide.
    let offset = r.chance(0.5) ? 0 : Math.min(r.int(Math.min(slots, 8)), slots - 1) * objsize;
    if (r.chance(0.05)) offset = r.pick([BASE_PAGE_SIZE, 1024, cap.bytes]);
    const dest = this.slotFor(view, type, count) ?? src;
    return { op: 'retype', src: src.ref, offset, type, objsize, count, dest: dest.ref };
  }

  private copy(full: readonly Handle[], view: View): KernelOp {
    const r = this.rng;
    const src = r.pick(full);
    const dest = r.chance(0.9) ? (this.slotFor(view, src.cap?.type) ?? r.pick(full)) : r.pick(full);
    if (r.chance(0.35)) return { op: 'mint', src: src.ref, dest: dest.ref, rights: r.subset(rightNames) as RightName[] };
    return { op: 'copy', src: src.ref, dest: dest.ref };
  }

  private map(mem: readonly (Handle & { cap: MemoryCap })[], full: readonly Handle[], view: View): KernelOp {
    const r = this.rng;
    const levels = archProfiles[this.arch].levels;
    const levelOf = (h: Handle) => (h.cap && isVNodeType(h.cap.type) ? levels[h.cap.type as keyof typeof levels] : undefined);
    const fits = (v: Handle, h: Handle & { cap: MemoryCap }) => {
      const l = levelOf(v);
      if (l === undefined) return false;
      if (h.cap.type === l.childTable) return true;
      return (h.cap.type === 'Frame' || h.cap.type === 'DevFrame') && l.pageSize !== undefined && h.cap.bytes >= l.pageSize;
    };
    const vnodes = mem.filter((h) => isVNodeType(h.cap.type));
    const useful = vnodes.filter((v) => mem.some((h) => fits(v, h)));
    if (useful.length === 0 && r.chance(0.8)) {
      // Nothing fits anywhere: make a leaf page table or a frame first.
      const leaf = this.arch === 'aarch64' ? 'VNode_AARCH64_l3' : 'VNode_ARM_l2';
      return this.retype(mem, view, vnodes.some((v) => v.cap.type === leaf) ? 'Frame' : leaf);
    }
    const vnode = useful.length > 0 && r.chance(0.85) ? r.pick(useful) : vnodes.length > 0 && r.chance(0.9) ? r.pick(vnodes) : r.pick(full);
    const level = levelOf(vnode);
    const fitting = mem.filter((h) => fits(vnode, h));
    const src = fitting.length > 0 && r.chance(0.9) ? r.pick(fitting) : r.pick(mem.length > 0 ? mem : full);
    const entries = level?.entries ?? 512;
    const ps = level?.pageSize ?? BASE_PAGE_SIZE;
    const srcBytes = src.cap && !isMappingCap(src.cap) ? src.cap.bytes : BASE_PAGE_SIZE;
    const pages = Math.max(1, Math.floor(srcBytes / ps));
    const isTable = src.cap?.type === level?.childTable;
    const pteCount = isTable && r.chance(0.9) ? 1 : r.chance(0.9) ? 1 + r.int(Math.min(pages, 4)) : r.pick([0, pages + 1, 2]);
    const entry = r.chance(0.5) ? r.int(4) : r.chance(0.95) ? r.int(entries) : entries - 1 + r.int(3);
    const offset = isTable && r.chance(0.9) ? 0 : r.chance(0.85) ? r.int(Math.max(1, pages - pteCount + 1)) * ps : r.pick([BASE_PAGE_SIZE, 1024, srcBytes]);
    const mapping = (r.chance(0.95) ? view.empty(r, 'l2') : undefined) ?? r.pick(full);
    return { op: 'vnode_map', vnode: vnode.ref, src: src.ref, entry, offset, pteCount, rights: (r.chance(0.8) ? mapRightNames.filter((n) => src.cap?.rights.includes(n) && r.chance(0.7)) : r.subset(mapRightNames)) as MapRightName[], mapping: mapping.ref };
  }

  private unmap(maps: readonly (Handle & { cap: MappingCap })[], mem: readonly (Handle & { cap: MemoryCap })[]): KernelOp {
    const r = this.rng;
    const m = r.pick(maps);
    const own = mem.filter((h) => isVNodeType(h.cap.type) && h.cap.base === m.cap.ptable);
    const others = mem.filter((h) => isVNodeType(h.cap.type));
    const vnode = own.length > 0 && r.chance(0.85) ? r.pick(own) : others.length > 0 ? r.pick(others) : r.pick(maps);
    return { op: 'vnode_unmap', vnode: vnode.ref, mapping: (r.chance(0.95) || mem.length === 0 ? m.ref : r.pick(mem).ref) };
  }

  private misuse(full: readonly Handle[], view: View, s: KernelState): KernelOp {
    const r = this.rng;
    const e = view.empty(r);
    const any = e === undefined ? [...full] : [...full, e];
    if (any.length === 0) return { op: 'identify', target: capref1(0, 0) }; // the CSpace is gone: only misuse is left
    const h = r.pick(any);
    const roots = [...new Set(full.filter((x) => x.l1).map((x) => x.cnode))];
    const bad: Capref[] = [
      { ...h.ref, level: r.pick([0, 3]) },
      { root: (roots.length > 0 ? r.pick(roots) : 0) + 4096, cptr: h.ref.cptr, level: h.ref.level },
      { root: h.ref.root, cptr: 0xffffff00 + r.int(256), level: 2 },
      { root: h.ref.root, cptr: r.int(20), level: 2 },
      { root: h.ref.root, cptr: 0xffff, level: 1 },
      (e ?? r.pick(any)).ref,
    ];
    const ref = r.pick(bad);
    const other = r.pick(any).ref;
    switch (r.int(6)) {
      case 0:
        return { op: 'copy', src: ref, dest: other };
      case 1:
        return { op: 'copy', src: other, dest: ref };
      case 2:
        return { op: 'delete', target: ref };
      case 3:
        return { op: 'retype', src: ref, offset: 0, type: 'Frame', objsize: BASE_PAGE_SIZE, count: 1, dest: other };
      case 4:
        return { op: 'identify', target: ref, core: r.chance(0.2) ? 1 : 0 };
      default:
        return { op: 'revoke', target: ref, ...(s.cores.length > 0 && r.chance(0.1) ? { core: 7 } : {}) };
    }
  }
}
