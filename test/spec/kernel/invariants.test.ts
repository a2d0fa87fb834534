// Every invariant, by id: it holds on reachable states (boot, and states the
// model reaches through operations), and it reports a violation naming its id
// on a hand-built broken state. The completeness test compares the ids
// covered here with the registry.
import { describe, expect, it } from 'vitest';
import { checkInvariants, familyNames, kernelInvariants } from '../../../spec/kernel/invariants/index.js';
import { canonicalState, type Capability, type Cte, type KernelState, type MappingCap, type MemoryCap } from '../../../spec/kernel/state.js';
import { ALL_RIGHTS } from '../../../spec/kernel/rights.js';
import { armv7World, KIB, patchCap, richWorld, slotOf, withCore, World } from './fixtures.js';

const covered = new Set<string>();

/** The reachable states every invariant is checked on. */
function reachable(): [string, KernelState][] {
  const rich = richWorld();
  const afterRemovals = richWorld();
  afterRemovals.must({ op: 'revoke', target: afterRemovals.frame });
  afterRemovals.must({ op: 'delete', target: afterRemovals.l2 });
  afterRemovals.must({ op: 'delete', target: afterRemovals.cnode });
  afterRemovals.must({ op: 'revoke', target: afterRemovals.ram });
  return [
    ['boot (AArch64)', new World().state()],
    ['boot (ARMv7, with an alignment gap)', armv7World().state()],
    ['a rich state (every kind of capability, nested retypes, mappings)', rich.state()],
    ['the rich state after revokes and deletes', afterRemovals.state()],
  ];
}
const states = reachable();

const mem = (type: MemoryCap['type'], base: number, bytes: number, extra: Partial<MemoryCap> = {}): MemoryCap => ({
  type,
  base,
  bytes,
  rights: ALL_RIGHTS,
  owner: 0,
  locked: false,
  remote: { copies: false, ancs: false, descs: false },
  ...extra,
});

/** Adds a capability in a free slot of core 0 (slot 200 of the first slot-allocator CNode). */
function addCap(w: World, cap: Capability): KernelState {
  return withCore(w.state(), 0, (c) => c.ctes.push({ ...slotOf200(w), cap }));
}
const slotOf200 = (w: World) => ({ cnode: w.memAt(w.c1(7)).base, slot: 200 });

function broken(id: string, title: string, build: () => KernelState): void {
  covered.add(id);
  it(`${id}: reports ${title}`, () => {
    const s = build();
    const inv = kernelInvariants.find((i) => i.id === id)!;
    const vs = inv.check(s);
    expect(vs.length, 'violations').toBeGreaterThan(0);
    for (const v of vs) {
      expect(v.invariant).toBe(id);
      expect(v.message.length).toBeGreaterThan(10);
    }
    // checkInvariants reports it too.
    expect(checkInvariants(s).some((v) => v.invariant === id)).toBe(true);
  });
}

describe('invariants hold on reachable states', () => {
  for (const inv of kernelInvariants)
    it(`${inv.id} holds on boot and on states reached by operations`, () => {
      for (const [name, s] of states) expect(inv.check(s), name).toEqual([]);
    });
  it('the reachable states are canonical (observe() is sorted and stable)', () => {
    for (const [name, s] of states) expect(canonicalState(s), name).toEqual(s);
  });
});

describe('invariants report hand-built violations', () => {
  const w = richWorld();
  const frame = () => slotOf(w, w.frame);
  const frameCap = () => w.memAt(w.frame);
  const mappingAt = (ref: Parameters<World['capAt']>[0]) => w.capAt(ref) as MappingCap;
  const l3Base = () => w.memAt(w.l3).base;

  // Family 1
  broken('RT-SIZE-ALIGN', 'a Frame of 4097 bytes', () => patchCap(w.state(), frame(), { bytes: 4097 }));
  broken('RT-SIZE-ALIGN', 'a Frame at a base that is not 4 KiB-aligned', () => patchCap(w.state(), frame(), { base: frameCap().base + KIB }));
  broken('RT-SIZE-ALIGN', 'an L2CNode of 32 KiB', () => patchCap(w.state(), slotOf(w, w.cnode), { bytes: 32 * KIB }));
  broken('RT-TYPE-IN-ARCH', 'an ARMv7 page table on AArch64', () => patchCap(w.state(), slotOf(w, w.l3), { type: 'VNode_ARM_l2', bytes: KIB }));
  broken('RT-NO-UNRELATED-OVERLAP', 'a DevFrame on the memory of a Frame', () => addCap(w, mem('DevFrame', frameCap().base, 4 * KIB)));
  broken('RT-NO-UNRELATED-OVERLAP', 'a Frame partially overlapping another Frame', () => addCap(w, mem('Frame', frameCap().base + 12 * KIB, 8 * KIB)));

  // Family 2
  broken('OD-SLOT-IN-CNODE', 'a capability in a CNode no capability names', () =>
    withCore(w.state(), 0, (c) => c.ctes.push({ cnode: 0x7000_0000, slot: 0, cap: mem('RAM', frameCap().base, 4 * KIB) })),
  );
  broken('OD-SLOT-IN-CNODE', 'a slot beyond the 256 slots of the root L1CNode', () =>
    withCore(w.state(), 0, (c) => c.ctes.push({ cnode: w.root, slot: 300, cap: w.capAt(w.cnode)! })),
  );
  broken('OD-SLOT-IN-CNODE', 'one slot listed twice', () =>
    withCore(w.state(), 0, (c) => {
      const e = c.ctes.find((x) => x.cnode === frame().cnode && x.slot === frame().slot)!;
      c.ctes.push({ ...e });
    }),
  );
  broken('OD-SLOT-TYPES', 'a RAM capability in an L1CNode slot', () =>
    withCore(w.state(), 0, (c) => c.ctes.push({ cnode: w.root, slot: 20, cap: w.capAt(w.ram)! })),
  );
  broken('OD-SLOT-TYPES', 'a Mapping capability in an L1CNode slot', () =>
    withCore(w.state(), 0, (c) => {
      const at = slotOf(w, w.slot(20));
      const i = c.ctes.findIndex((x) => x.cnode === at.cnode && x.slot === at.slot);
      c.ctes[i] = { cnode: w.root, slot: 20, cap: c.ctes[i]!.cap };
    }),
  );
  broken('OD-INSIDE-MEMORY', 'a Frame outside the memory map', () => addCap(w, mem('Frame', 0x4000_0000, 4 * KIB)));
  broken('OD-COPY-UNIFORM', 'two copies that disagree on the lock', () => patchCap(w.state(), slotOf(w, w.slot(21)), { locked: true }));
  broken('OD-COPY-UNIFORM', 'two copies that disagree on a remote bit', () =>
    patchCap(w.state(), slotOf(w, w.slot(21)), { remote: { copies: false, ancs: false, descs: true } }),
  );
  broken('OD-OWNER', 'an owner core that does not exist', () => patchCap(w.state(), frame(), { owner: 5 }));
  broken('OD-OWNER', 'copies on two cores that disagree on the owner', () => {
    const s = w.state();
    const cn = w.memAt(w.cnode);
    // Core 1 holds a copy of the Frame that names core 1 as owner; core 0's copies name core 0.
    const core1: Cte[] = [
      { cnode: cn.base, slot: 0, cap: { ...cn } },
      { cnode: cn.base, slot: 1, cap: { ...frameCap(), owner: 1 } },
    ];
    return { ...s, cores: [...s.cores, { core: 1, ctes: core1, ptes: [] }] };
  });
  broken('OD-OWNER', 'an owner core that holds no copy', () => {
    const s = patchCap(w.state(), frame(), { owner: 1 });
    const s2 = patchCap(s, slotOf(w, w.slot(21)), { owner: 1 });
    const s3 = patchCap(s2, slotOf(w, w.slot(23)), { owner: 1 });
    const s4 = patchCap(s3, slotOf(w, w.c2(14, 0)), { owner: 1 });
    return { ...s4, cores: [...s4.cores, { core: 1, ctes: [], ptes: [] }] };
  });
  broken('OD-REMOTE-SOUND', 'a copy, a descendant and an ancestor on another core with the remote bits clear', () => {
    const s = w.state();
    const ram = w.memAt(w.ram);
    const cn = w.memAt(w.cnode);
    // Core 1 holds a copy of the RAM root and a Frame inside it, none of which core 0 knows about.
    const core1: Cte[] = [
      { cnode: cn.base, slot: 0, cap: { ...cn } },
      { cnode: cn.base, slot: 1, cap: { ...ram } },
      { cnode: cn.base, slot: 2, cap: mem('Frame', ram.base + ram.bytes - 4 * KIB, 4 * KIB) },
    ];
    return { ...s, cores: [...s.cores, { core: 1, ctes: core1, ptes: [] }] };
  });

  // Family 3
  broken('RV-NO-DANGLING-MAPPING', 'a Mapping capability whose mapped slot is empty', () =>
    withCore(w.state(), 0, (c) => {
      const at = frame();
      c.ctes = c.ctes.filter((x) => !(x.cnode === at.cnode && x.slot === at.slot));
    }),
  );
  broken('RV-NO-DANGLING-MAPPING', 'a Frame_Mapping of a DevFrame', () => patchCap(w.state(), slotOf(w, w.slot(26)), { type: 'Frame_Mapping' }));
  broken('RV-NO-DANGLING-MAPPING', 'a Mapping capability in a page table that no longer exists', () =>
    patchCap(w.state(), slotOf(w, w.slot(20)), { ptable: 0x7000_0000 }),
  );
  broken('RV-NO-ORPHAN-PTE', 'an entry of a page table that does not exist', () =>
    withCore(w.state(), 0, (c) => c.ptes.push({ vnode: 0x7000_0000, entry: 0, target: frameCap().base, rights: ['READ'] })),
  );
  broken('RV-NO-ORPHAN-PTE', 'entry 600 of a 512-entry table', () =>
    withCore(w.state(), 0, (c) => c.ptes.push({ vnode: l3Base(), entry: 600, target: frameCap().base, rights: ['READ'] })),
  );

  // Family 4
  broken('MAP-ONCE', 'one copy named by two Mapping capabilities', () =>
    withCore(w.state(), 0, (c) => {
      const m = mappingAt(w.slot(20));
      const at = slotOf(w, w.slot(50));
      c.ctes.push({ ...at, cap: { ...m, entry: 300, pteCount: 1 } });
      c.ptes.push({ vnode: m.ptable, entry: 300, target: frameCap().base, rights: ['READ'] });
    }),
  );
  broken('MAP-MAPPING-PRESENT', 'a Mapping capability whose entry is absent', () =>
    withCore(w.state(), 0, (c) => {
      const m = mappingAt(w.slot(20));
      c.ptes = c.ptes.filter((p) => !(p.vnode === m.ptable && p.entry === m.entry));
    }),
  );
  broken('MAP-MAPPING-PRESENT', 'an entry that points elsewhere than its Mapping says', () =>
    withCore(w.state(), 0, (c) => {
      const m = mappingAt(w.slot(20));
      const i = c.ptes.findIndex((x) => x.vnode === m.ptable && x.entry === m.entry);
      c.ptes[i] = { ...c.ptes[i]!, target: c.ptes[i]!.target + 4 * KIB };
    }),
  );
  broken('MAP-MAPPING-PRESENT', 'an entry with more rights than the mapped capability (a read-only copy mapped writable)', () =>
    withCore(w.state(), 0, (c) => {
      const m = mappingAt(w.slot(24));
      const i = c.ptes.findIndex((x) => x.vnode === m.ptable && x.entry === m.entry);
      c.ptes[i] = { ...c.ptes[i]!, rights: ['READ', 'WRITE'] };
    }),
  );
  broken('MAP-MAPPING-PRESENT', 'a Mapping whose entries point where it says, past the end of the frame it maps', () =>
    withCore(w.state(), 0, (c) => {
      const at = slotOf(w, w.slot(20));
      const i = c.ctes.findIndex((x) => x.cnode === at.cnode && x.slot === at.slot);
      const m = c.ctes[i]!.cap as MappingCap;
      const offset = frameCap().bytes - 4 * KIB; // the last page, and one page beyond it
      c.ctes[i] = { ...at, cap: { ...m, offset } };
      c.ptes = c.ptes.map((p) =>
        p.vnode === m.ptable && p.entry >= m.entry && p.entry < m.entry + m.pteCount ? { ...p, target: frameCap().base + offset + (p.entry - m.entry) * 4 * KIB } : p,
      );
    }),
  );
  broken('MAP-MAPPING-PRESENT', 'a Frame mapped into a root table, which cannot hold it', () => {
    const vroot = w.memAt(w.vroot).base;
    const m = mappingAt(w.slot(20));
    return withCore(w.state(), 0, (c) => {
      const at = slotOf(w, w.slot(20));
      const i = c.ctes.findIndex((x) => x.cnode === at.cnode && x.slot === at.slot);
      c.ctes[i] = { ...at, cap: { ...m, ptable: vroot, entry: 300 } };
      c.ptes = c.ptes.filter((p) => !(p.vnode === m.ptable && p.entry >= m.entry && p.entry < m.entry + m.pteCount));
      c.ptes.push({ vnode: vroot, entry: 300, target: frameCap().base, rights: ['READ'] }, { vnode: vroot, entry: 301, target: frameCap().base + 4 * KIB, rights: ['READ'] });
    });
  });
  broken('MAP-PTE-BACKED', 'a present entry no Mapping capability accounts for', () =>
    withCore(w.state(), 0, (c) => c.ptes.push({ vnode: l3Base(), entry: 400, target: frameCap().base, rights: ['READ'] })),
  );
  broken('MAP-PTE-BACKED', 'an entry claimed by two Mapping capabilities', () =>
    withCore(w.state(), 0, (c) => {
      const m = mappingAt(w.slot(22));
      const at = slotOf(w, w.slot(22));
      const i = c.ctes.findIndex((x) => x.cnode === at.cnode && x.slot === at.slot);
      c.ctes[i] = { ...at, cap: { ...m, entry: 6 } }; // entries 6-7 overlap entry 6 of slot 20's 5-6
      c.ptes = c.ptes.filter((p) => !(p.vnode === m.ptable && p.entry === 8));
    }),
  );

  // Family 5
  broken('RGT-CANONICAL', 'rights listed out of order', () => patchCap(w.state(), frame(), { rights: ['WRITE', 'READ'] }));
  broken('RGT-CANONICAL', 'a right listed twice on a page-table entry', () =>
    withCore(w.state(), 0, (c) => {
      c.ptes[0] = { ...c.ptes[0]!, rights: ['READ', 'READ'] };
    }),
  );
});

describe('invariants: the registry', () => {
  it('every invariant id in the registry has a test of a violation here', () => {
    expect(kernelInvariants.map((i) => i.id).filter((id) => !covered.has(id))).toEqual([]);
  });
  it('ids are unique, every family 1-5 has an invariant, and each has a title, explanation and source', () => {
    const ids = kernelInvariants.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of [1, 2, 3, 4, 5] as const) expect(kernelInvariants.some((i) => i.family === f), familyNames[f]).toBe(true);
    for (const i of kernelInvariants) {
      expect(i.title.length, i.id).toBeGreaterThan(5);
      expect(i.explanation.length, i.id).toBeGreaterThan(20);
      expect(i.source.length, i.id).toBeGreaterThan(3);
    }
  });
  it('OD-REMOTE-SOUND is vacuous on one core, and accepts stale-true bits', () => {
    const w = new World();
    w.must({ op: 'remote_relations', target: w.ram, set: { copies: true, ancs: true, descs: true } });
    expect(checkInvariants(w.state())).toEqual([]);
  });
});
