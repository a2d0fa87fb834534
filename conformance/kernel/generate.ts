// The kernel operation generator. It looks at the current state (an index of
// the model's observation) and builds one operation from it: live caprefs as
// handles, free slots and free entries where an operation needs them — plus
// deliberate misuse (wrong types, occupied or out-of-range slots, overlapping
// ranges, double maps, malformed caprefs) at low rates. Weights favour deep
// states: nested retypes, full CNodes, revokes of large subtrees, piecewise
// mapping of large frames through copies.
import { isTypeInArch } from '../../spec/kernel/arch.js';
import type { Capref } from '../../spec/kernel/capref.js';
import type { KernelOp, KernelOpName } from '../../spec/kernel/ops.js';
import { mapRightNames, maskToRights, type MapRightName } from '../../spec/kernel/rights.js';
import { isMappingCap, type MemoryCap } from '../../spec/kernel/state.js';
import { BASE_PAGE_SIZE, isRetypeEdge, memoryTypes, objTypes, typeTable, type MemoryType, type ObjType } from '../../spec/kernel/types.js';
import { drawMakers, type Chooser } from '../chooser.js';
import type { AddressableCNode, KernelIndex, Reachable } from './state-index.js';

export type MakerName = KernelOpName | 'misuse';

export type GeneratorWeights = Readonly<Record<MakerName, number>>;

export const defaultWeights: GeneratorWeights = {
  retype: 26,
  copy: 12,
  mint: 5,
  delete: 11,
  revoke: 6,
  vnode_map: 18,
  vnode_unmap: 5,
  identify: 2,
  lock: 2,
  unlock: 2,
  remote_relations: 1,
  is_retypeable: 2,
  misuse: 4,
};

type Maker = (ix: KernelIndex, c: Chooser) => KernelOp | undefined;

const mem = (r: Reachable): MemoryCap | undefined => (isMappingCap(r.cte.cap) ? undefined : r.cte.cap);
const refOf = (c: Chooser, r: Reachable): Capref => c.pick(r.refs);
const log2 = (x: number) => Math.floor(Math.log2(Math.max(1, x)));

function pickWeighted<T>(c: Chooser, xs: readonly T[], weight: (x: T) => number): T | undefined {
  if (xs.length === 0) return undefined;
  const ws = xs.map(weight);
  if (ws.every((w) => w === 0)) return undefined;
  return xs[c.weighted(ws)];
}

/** A free slot (or, rarely, an occupied one) in some addressable CNode of the given type. */
function destSlot(ix: KernelIndex, c: Chooser, type: 'L1CNode' | 'L2CNode', count = 1): Capref | undefined {
  const cns = ix.cnodes.filter((cn) => cn.type === type);
  if (cns.length === 0) return undefined;
  const cn: AddressableCNode = c.pick(cns);
  const start = c.chance(0.04) ? undefined : ix.freeRun(cn, count, c.int(0, cn.slots - 1));
  return cn.ref(start ?? c.int(0, cn.slots - 1));
}

const retypeTargets: Partial<Record<MemoryType, number>> = {
  RAM: 24,
  Frame: 26,
  L2CNode: 9,
  L1CNode: 3,
  Dispatcher: 3,
  VNode_AARCH64_l0: 2,
  VNode_AARCH64_l1: 3,
  VNode_AARCH64_l2: 4,
  VNode_AARCH64_l3: 12,
  VNode_ARM_l1: 3,
  VNode_ARM_l2: 8,
  DevFrame: 20,
  PhysAddr: 6,
  EndPointLMP: 10,
};

const retype: Maker = (ix, c) => {
  const sources = ix.caps.filter((r) => {
    const k = mem(r);
    return k !== undefined && (k.type === 'RAM' || k.type === 'PhysAddr' || k.type === 'Frame' || k.type === 'DevFrame' || k.type === 'Dispatcher');
  });
  const r = pickWeighted(c, sources, (x) => (mem(x)!.type === 'RAM' ? 6 : mem(x)!.type === 'Frame' ? 2 : 1));
  if (r === undefined) return undefined;
  const src = mem(r)!;
  let type: ObjType;
  if (c.chance(0.04)) type = c.pick(objTypes);
  else {
    const edges = memoryTypes.filter((t) => isRetypeEdge(src.type, t) && isTypeInArch(ix.arch, t));
    const t = pickWeighted(c, edges, (x) => retypeTargets[x] ?? 1);
    if (t === undefined) return undefined;
    type = t;
  }
  const info = type in typeTable ? typeTable[type as MemoryType] : undefined;
  let objsize: number;
  if (info?.fixedSize !== undefined) objsize = info.fixedSize;
  else {
    const granule = info?.sizeGranule ?? BASE_PAGE_SIZE;
    const units = Math.max(1, Math.floor(src.bytes / granule));
    if (type === src.type && c.chance(0.12))
      objsize = src.bytes; // full-size same-type retype: a copy
    else objsize = 2 ** c.int(0, Math.min(log2(units), c.chance(0.5) ? 3 : 12)) * granule;
  }
  if (c.chance(0.03)) objsize = c.pick([0, objsize + 1024, objsize * 2]);
  const maxobjs = type === 'EndPointLMP' ? 1 : objsize === 0 ? 0 : Math.floor(src.bytes / objsize);
  const count = maxobjs === 0 ? 1 : c.chance(0.08) ? c.int(1, Math.min(maxobjs, 256)) : c.int(1, Math.min(maxobjs, 4));
  let offset = type === 'EndPointLMP' || objsize === 0 ? 0 : c.int(0, Math.max(0, maxobjs - count)) * objsize;
  if (c.chance(0.12)) offset = c.int(0, Math.max(0, Math.floor(src.bytes / BASE_PAGE_SIZE) - 1)) * BASE_PAGE_SIZE;
  if (c.chance(0.02)) offset += 1024;
  const dest = type === 'L2CNode' && c.chance(0.5) ? destSlot(ix, c, 'L1CNode') : destSlot(ix, c, 'L2CNode', count);
  if (dest === undefined) return undefined;
  return { op: 'retype', src: refOf(c, r), offset, type, objsize, count, dest };
};

const copyOrMint =
  (mint: boolean): Maker =>
  (ix, c) => {
    const r = pickWeighted(c, ix.caps, (x) => (isMappingCap(x.cte.cap) ? 1 : 6));
    if (r === undefined) return undefined;
    const intoL1 = r.cte.cap.type === 'L2CNode' ? c.chance(0.4) : c.chance(0.03);
    const dest = c.chance(0.04) ? refOf(c, c.pick(ix.caps)) : destSlot(ix, c, intoL1 ? 'L1CNode' : 'L2CNode');
    if (dest === undefined) return undefined;
    const src = refOf(c, r);
    if (!mint) return { op: 'copy', src, dest };
    // Minting a CNode without WRITE makes every slot behind it read-only: keep it rarer.
    const keep = r.cte.cap.type.endsWith('CNode') && c.chance(0.7) ? 3 : 0;
    return { op: 'mint', src, dest, rights: maskToRights(c.int(0, 31) | keep) };
  };

/** Deleting the only copy of a CSpace root ends the interesting part of a trace: rare, not never. */
function removalWeight(ix: KernelIndex, r: Reachable, base: (k: MemoryCap) => number): number {
  const k = r.cte.cap;
  if (isMappingCap(k)) return 4;
  if (k.type === 'L1CNode') return ix.caps.filter((o) => o.cte.cap.type === 'L1CNode' && (o.cte.cap as MemoryCap).base === k.base).length > 1 ? 1 : 0.02;
  if (k.type === 'L2CNode') return 1;
  return base(k);
}

const remove =
  (op: 'delete' | 'revoke'): Maker =>
  (ix, c) => {
    const weights = ix.caps.map((r) =>
      Math.round(100 * removalWeight(ix, r, (k) => (op === 'revoke' ? (k.type === 'RAM' || k.type === 'PhysAddr' || k.type === 'Frame' ? 8 : 3) : 10))),
    );
    if (weights.every((w) => w === 0)) return undefined;
    const r = ix.caps[c.weighted(weights)]!;
    return { op, target: refOf(c, r) };
  };

function mapRights(c: Chooser, have: readonly string[]): MapRightName[] {
  if (c.chance(0.05)) return [...mapRightNames];
  return mapRightNames.filter((n) => have.includes(n) && c.chance(0.7));
}

/** Frames (by slot) that already have a Mapping capability. */
function mappedSlots(ix: KernelIndex): Set<string> {
  const out = new Set<string>();
  for (const r of ix.caps) {
    const k = r.cte.cap;
    if (isMappingCap(k)) out.add(`${k.mapped.cnode}:${k.mapped.slot}`);
  }
  return out;
}

interface MapOptions {
  readonly vnodes: readonly Reachable[];
  /** Frame mappings possible: a frame and the tables whose page size it can fill. */
  readonly pages: readonly { readonly frame: Reachable; readonly tables: readonly Reachable[] }[];
  /** Tables that can take a next-level table that exists. */
  readonly tableParents: readonly Reachable[];
}

function mapOptions(ix: KernelIndex): MapOptions {
  const vnodes = ix.vnodes();
  const pageSize = (v: Reachable) => ix.arch.levels[mem(v)!.type as keyof typeof ix.arch.levels]?.pageSize;
  const pages = ix.caps
    .filter((r) => r.cte.cap.type === 'Frame' || r.cte.cap.type === 'DevFrame')
    .map((frame) => ({ frame, tables: vnodes.filter((v) => (pageSize(v) ?? Infinity) <= mem(frame)!.bytes) }))
    .filter((p) => p.tables.length > 0);
  const tableParents = vnodes.filter((v) => {
    const child = ix.arch.levels[mem(v)!.type as keyof typeof ix.arch.levels]?.childTable;
    return child !== undefined && ix.caps.some((r) => r.cte.cap.type === child);
  });
  return { vnodes, pages, tableParents };
}

const vnodeMap: Maker = (ix, c) => {
  const { vnodes, pages, tableParents } = mapOptions(ix);
  const levelOf = (v: Reachable) => ix.arch.levels[mem(v)!.type as keyof typeof ix.arch.levels]!;
  let v: Reachable;
  let src: Reachable;
  let offset = 0;
  let pteCount = 1;
  if (pages.length > 0 && (tableParents.length === 0 || c.chance(0.7))) {
    // A page or block mapping: prefer unmapped copies (piecewise mapping of a
    // large frame goes through copies), and a table whose page size the frame fills.
    const mapped = mappedSlots(ix);
    const p = pickWeighted(c, pages, (x) => (mapped.has(`${x.frame.cte.cnode}:${x.frame.cte.slot}`) ? 1 : 5))!;
    src = p.frame;
    v = c.chance(0.05) ? c.pick(vnodes) : pickWeighted(c, p.tables, (x) => ((levelOf(x).pageSize ?? 0) <= 4096 ? 4 : 1))!;
    const ps = levelOf(v).pageSize ?? 4096;
    const n = Math.max(1, Math.floor(mem(src)!.bytes / ps));
    const j = c.int(0, n - 1);
    offset = j * ps;
    pteCount = c.int(1, Math.min(n - j, 8));
    if (c.chance(0.03)) offset += 512;
    if (c.chance(0.03)) pteCount = c.pick([0, n + 1]);
  } else if (tableParents.length > 0) {
    v = c.pick(tableParents);
    const child = levelOf(v).childTable!;
    src = c.chance(0.05) ? c.pick(ix.caps) : c.pick(ix.caps.filter((r) => r.cte.cap.type === child));
    if (c.chance(0.05)) pteCount = 2; // a table takes exactly one entry
    if (c.chance(0.05)) offset = BASE_PAGE_SIZE; // and is mapped whole
  } else return undefined;
  const level = levelOf(v);
  const vbase = mem(v)!.base;
  // Mostly a free run of entries; sometimes one that is present already.
  const present = ix.core.ptes.filter((p) => p.vnode === vbase);
  const entry =
    c.chance(0.05) && present.length > 0
      ? c.pick(present).entry
      : (ix.freeEntries(vbase, level.entries, Math.max(1, pteCount), c.int(0, level.entries - 1)) ?? c.int(0, level.entries - 1));
  const mapping = destSlot(ix, c, 'L2CNode');
  if (mapping === undefined) return undefined;
  return { op: 'vnode_map', vnode: refOf(c, v), src: refOf(c, src), entry, offset, pteCount, rights: mapRights(c, src.cte.cap.rights), mapping };
};

const vnodeUnmap: Maker = (ix, c) => {
  const mappings = ix.caps.filter((r) => isMappingCap(r.cte.cap));
  if (mappings.length === 0) return undefined;
  const m = c.pick(mappings);
  const ptable = (m.cte.cap as { ptable: number }).ptable;
  const own = ix.vnodes().filter((v) => mem(v)!.base === ptable);
  const v = own.length > 0 && !c.chance(0.1) ? c.pick(own) : ix.vnodes().length > 0 ? c.pick(ix.vnodes()) : undefined;
  if (v === undefined) return undefined;
  return { op: 'vnode_unmap', vnode: refOf(c, v), mapping: refOf(c, m) };
};

const onTarget =
  (op: 'identify' | 'lock' | 'unlock'): Maker =>
  (ix, c) => {
    // unlock mostly targets what is locked, so that locks do not pile up.
    const r = op === 'unlock' ? pickWeighted(c, ix.caps, (x) => (x.cte.cap.locked ? 20 : 1)) : ix.caps.length > 0 ? c.pick(ix.caps) : undefined;
    return r === undefined ? undefined : { op, target: refOf(c, r) };
  };

const isRetypeable: Maker = (ix, c) => {
  const r = pickWeighted(c, ix.caps, (x) => (isMappingCap(x.cte.cap) ? 1 : x.cte.cap.type === 'RAM' || x.cte.cap.type === 'Frame' ? 8 : 2));
  if (r === undefined) return undefined;
  const bytes = isMappingCap(r.cte.cap) ? BASE_PAGE_SIZE : r.cte.cap.bytes;
  const objsize = 2 ** c.int(0, log2(bytes / BASE_PAGE_SIZE)) * BASE_PAGE_SIZE;
  const max = Math.max(1, Math.floor(bytes / objsize));
  const count = c.int(1, Math.min(max, 4));
  const offset = c.int(0, Math.max(0, max - count)) * objsize;
  return { op: 'is_retypeable', src: refOf(c, r), offset, objsize: c.chance(0.02) ? 0 : objsize, count };
};

const remoteRelations: Maker = (ix, c) => {
  if (ix.caps.length === 0) return undefined;
  const bit = () => c.chance(0.3);
  return { op: 'remote_relations', target: refOf(c, c.pick(ix.caps)), set: { copies: bit(), ancs: bit(), descs: bit() } };
};

/** A malformed capref: wrong level, a root that is no CNode, an index beyond the CNode. */
function corrupt(c: Chooser, ref: Capref, ix: KernelIndex): Capref {
  switch (c.int(0, 4)) {
    case 0:
      return { ...ref, level: c.pick([0, 3]) };
    case 1:
      return { ...ref, root: ref.root + c.pick([BASE_PAGE_SIZE, 64, -ref.root]) };
    case 2:
      return { ...ref, cptr: c.int(256, 4096) * 256 + (ref.cptr % 256) }; // an L1 index past a 256-slot root
    case 3:
      return { ...ref, level: ref.level === 1 ? 2 : 1 }; // the other decoding of the same bits
    default:
      return { root: c.pick(ix.roots.length > 0 ? ix.roots : [0]), cptr: c.int(0, 255) * 256 + c.int(0, 255), level: 2 };
  }
}

const caprefFields = ['src', 'dest', 'target', 'vnode', 'mapping'] as const;

const hasCaps = (ix: KernelIndex) => ix.caps.length > 0;
const hasL2 = (ix: KernelIndex) => ix.cnodes.some((cn) => cn.type === 'L2CNode');

/** Whether a maker can build anything in this state: makers that cannot are not chosen (Hypothesis-style rule preconditions). */
const applicable: Readonly<Record<KernelOpName, (ix: KernelIndex) => boolean>> = {
  retype: (ix) => hasL2(ix) && ix.caps.some((r) => ['RAM', 'PhysAddr', 'Frame', 'DevFrame', 'Dispatcher'].includes(r.cte.cap.type)),
  copy: (ix) => hasCaps(ix) && hasL2(ix),
  mint: (ix) => hasCaps(ix) && hasL2(ix),
  delete: hasCaps,
  revoke: hasCaps,
  vnode_map: (ix) => {
    if (!hasL2(ix)) return false;
    const o = mapOptions(ix);
    return o.pages.length > 0 || o.tableParents.length > 0;
  },
  vnode_unmap: (ix) => ix.vnodes().length > 0 && ix.caps.some((r) => isMappingCap(r.cte.cap)),
  identify: hasCaps,
  lock: hasCaps,
  unlock: hasCaps,
  remote_relations: hasCaps,
  is_retypeable: hasCaps,
};

const makers: Readonly<Record<KernelOpName, Maker>> = {
  retype,
  copy: copyOrMint(false),
  mint: copyOrMint(true),
  delete: remove('delete'),
  revoke: remove('revoke'),
  vnode_map: vnodeMap,
  vnode_unmap: vnodeUnmap,
  identify: onTarget('identify'),
  lock: onTarget('lock'),
  unlock: onTarget('unlock'),
  remote_relations: remoteRelations,
  is_retypeable: isRetypeable,
};

/** A capability of a type the argument does not take (a Frame as a page table, a RAM capability as a mapping). */
function wrongKind(ix: KernelIndex, c: Chooser, want: (r: Reachable) => boolean): Capref | undefined {
  const others = ix.caps.filter((r) => !want(r));
  return others.length === 0 ? undefined : refOf(c, c.pick(others));
}

/** A value outside what an argument takes: no such core, a zero or too large count, an entry past any table, a table mapped partially. */
function corruptValue(op: KernelOp, ix: KernelIndex, c: Chooser): KernelOp | undefined {
  const isVNode = (r: Reachable) => !isMappingCap(r.cte.cap) && r.cte.cap.type.startsWith('VNode_');
  switch (op.op) {
    case 'retype':
      return { ...op, count: c.pick([0, 1 << 20]) };
    case 'is_retypeable':
      return { ...op, count: 0 };
    case 'vnode_map': {
      const choice = c.int(0, 3);
      if (choice === 0) return { ...op, entry: 5000 }; // past every profile's largest table (4096 entries)
      if (choice === 1) return { ...op, pteCount: op.pteCount === 1 ? 2 : 0 };
      if (choice === 2) return { ...op, offset: op.offset + BASE_PAGE_SIZE };
      const vnode = wrongKind(ix, c, isVNode);
      return vnode === undefined ? undefined : { ...op, vnode };
    }
    case 'vnode_unmap': {
      const mapping = c.chance(0.5) ? wrongKind(ix, c, (r) => isMappingCap(r.cte.cap)) : undefined;
      if (mapping !== undefined) return { ...op, mapping };
      const vnode = wrongKind(ix, c, isVNode);
      return vnode === undefined ? undefined : { ...op, vnode };
    }
    default:
      return c.chance(0.3) ? { ...op, core: 1 } : undefined; // a core that does not exist
  }
}

const misuse: Maker = (ix, c) => {
  const names = (Object.keys(makers) as KernelOpName[]).filter((n) => applicable[n](ix));
  if (names.length === 0) return undefined;
  const op = makers[c.pick(names)](ix, c);
  if (op === undefined) return undefined;
  const wrong = c.chance(0.4) ? corruptValue(op, ix, c) : undefined;
  if (wrong !== undefined) return wrong;
  const fields = caprefFields.filter((f) => f in op);
  const f = c.pick(fields);
  return { ...op, [f]: corrupt(c, (op as unknown as Record<string, Capref>)[f]!, ix) } as KernelOp;
};

export interface GeneratedStep {
  readonly op: KernelOp;
  readonly maker: MakerName;
  /** The makers that found nothing to build from before this one succeeded (e.g. a map with no frame alive). */
  readonly rejected: readonly MakerName[];
}

export const MAX_ATTEMPTS = 8;

/** Builds one operation for the current state, or undefined when nothing at all is reachable. */
export function generateOp(ix: KernelIndex, c: Chooser, weights: GeneratorWeights = defaultWeights): GeneratedStep | undefined {
  const names = Object.keys(weights) as MakerName[];
  const ws = names.map((n) => (n === 'misuse' || applicable[n](ix) ? weights[n] : 0));
  if (ws.every((w) => w === 0)) return undefined;
  const d = drawMakers(c, names, ws, MAX_ATTEMPTS, (maker) => (maker === 'misuse' ? misuse(ix, c) : makers[maker](ix, c)));
  return d.made === undefined ? undefined : { op: d.made, maker: d.maker, rejected: d.rejected };
}
