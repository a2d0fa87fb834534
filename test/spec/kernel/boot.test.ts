// Boot: the init domain's layout for the default configuration and for ARMv7,
// the errors of a memory map that cannot hold the boot objects, and the
// configuration's validation errors, each naming the field (its zod path).
import { describe, expect, it } from 'vitest';
import {
  BOOT_L1CNODE_BYTES,
  BootError,
  bootLayout,
  bootState,
  PAGECN_SLOT_VROOT,
  ROOTCN_SLOT_PACN,
  ROOTCN_SLOT_PAGECN,
  ROOTCN_SLOT_SLOT_ALLOC0,
  ROOTCN_SLOT_SLOT_ALLOC1,
  ROOTCN_SLOT_SLOT_ALLOC2,
  ROOTCN_SLOT_SUPERCN,
  ROOTCN_SLOT_TASKCN,
  ROOTCN_SLOTS_USER,
  TASKCN_SLOT_ROOTCN,
  TASKCN_SLOT_TASKCN,
} from '../../../spec/kernel/boot.js';
import { defaultKernelConfig, kernelConfigSchema, type KernelConfig, type KernelConfigInput } from '../../../spec/kernel/config.js';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import { ALL_RIGHTS } from '../../../spec/kernel/rights.js';
import { canonicalState, type MemoryCap } from '../../../spec/kernel/state.js';
import { OBJSIZE_L2CNODE } from '../../../spec/kernel/types.js';
import { KIB, MIB } from './fixtures.js';

const l2Slots = [ROOTCN_SLOT_TASKCN, ROOTCN_SLOT_PAGECN, ROOTCN_SLOT_SUPERCN, ROOTCN_SLOT_PACN, ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SLOT_ALLOC2];

describe('boot layout', () => {
  it('default config (AArch64): root table, root L1CNode and seven L2CNodes at the start of RAM; the rest is one RAM root', () => {
    const l = bootLayout(defaultKernelConfig);
    expect(l.rootVNode).toBe(0x8000_0000); // a 4 KiB VNode_AARCH64_l0
    expect(l.rootCNode).toBe(0x8000_1000); // 16 KiB = 256 slots
    expect(l2Slots.map((s) => l.l2cnodes[s])).toEqual([0x8000_5000, 0x8000_9000, 0x8000_d000, 0x8001_1000, 0x8001_5000, 0x8001_9000, 0x8001_d000]);
    expect(l.ramRoots).toEqual([{ base: 0x8002_1000, bytes: 64 * MIB - 0x2_1000 }]);
    expect(l.deviceRoots).toEqual([{ base: 0x1000_0000, bytes: 16 * MIB }]);
  });

  it('ARMv7 with RAM at a 16 KiB boundary: the 16 KiB root L1 table leaves no gap', () => {
    const l = bootLayout({ ...defaultKernelConfig, arch: 'armv7' });
    expect(l.rootVNode).toBe(0x8000_0000);
    expect(l.rootCNode).toBe(0x8000_4000);
    expect(l.ramRoots).toEqual([{ base: 0x8002_4000, bytes: 64 * MIB - 0x2_4000 }]);
  });

  it('ARMv7 with RAM at 0x80001000: the alignment gap before the 16 KiB root table becomes a RAM root of its own', () => {
    const l = bootLayout({ arch: 'armv7', cores: 1, memory: [{ base: 0x8000_1000, bytes: 64 * MIB, kind: 'ram' }] });
    expect(l.rootVNode).toBe(0x8000_4000);
    expect(l.rootCNode).toBe(0x8000_8000);
    expect(l.ramRoots).toEqual([
      { base: 0x8000_1000, bytes: 0x3000 },
      { base: 0x8002_8000, bytes: 0x8000_1000 + 64 * MIB - 0x8002_8000 },
    ]);
    expect(l.deviceRoots).toEqual([]);
  });

  it('the boot objects go into the first RAM region that can hold them; smaller regions stay whole RAM roots, in address order', () => {
    const l = bootLayout({
      arch: 'aarch64',
      cores: 1,
      memory: [
        { base: 0x9000_0000, bytes: 1 * MIB, kind: 'ram' },
        { base: 0x4000_0000, bytes: 64 * KIB, kind: 'ram' }, // too small for 148 KiB of boot objects
        { base: 0x2000_0000, bytes: 4 * KIB, kind: 'device' },
        { base: 0x1000_0000, bytes: 4 * KIB, kind: 'device' },
      ],
    });
    expect(l.rootVNode).toBe(0x9000_0000);
    expect(l.ramRoots).toEqual([
      { base: 0x4000_0000, bytes: 64 * KIB },
      { base: 0x9002_1000, bytes: 1 * MIB - 0x2_1000 },
    ]);
    expect(l.deviceRoots.map((r) => r.base)).toEqual([0x1000_0000, 0x2000_0000]);
  });

  it('a region that holds the boot objects exactly leaves no RAM root of its own', () => {
    const l = bootLayout({ arch: 'aarch64', cores: 1, memory: [{ base: 0x8000_0000, bytes: 0x2_1000, kind: 'ram' }] });
    expect(l.ramRoots).toEqual([]);
  });

  it('a memory map whose RAM cannot hold the boot objects is a BootError that says what does not fit', () => {
    const small: KernelConfig = { arch: 'aarch64', cores: 1, memory: [{ base: 0x8000_0000, bytes: 128 * KIB, kind: 'ram' }] };
    expect(() => bootLayout(small)).toThrow(BootError);
    expect(() => bootLayout(small)).toThrow(/no ram region can hold the boot objects \(root page table, root L1CNode and 7 L2CNodes, 132 KiB\)/);
    // ARMv7's root table is 16 KiB and needs 16 KiB alignment.
    expect(() => bootState({ ...small, arch: 'armv7', memory: [{ base: 0x8000_1000, bytes: 144 * KIB, kind: 'ram' }] })).toThrow(/144 KiB/);
  });

  it('more regions than the boot CNodes can hold is a BootError', () => {
    const many: KernelConfig = {
      arch: 'aarch64',
      cores: 1,
      memory: [
        { base: 0x8000_0000, bytes: 1 * MIB, kind: 'ram' },
        ...Array.from({ length: 257 }, (_, i) => ({ base: 0x1000_0000 + i * 8 * KIB, bytes: 4 * KIB, kind: 'device' as const })),
      ],
    };
    expect(() => bootLayout(many)).toThrow(new BootError('more memory regions than the boot CNodes can hold'));
  });
});

describe('boot state', () => {
  const s = bootState(defaultKernelConfig);
  const l = bootLayout(defaultKernelConfig);
  const core = s.cores[0]!;
  const at = (cnode: number, slot: number) => core.ctes.find((e) => e.cnode === cnode && e.slot === slot)?.cap as MemoryCap | undefined;

  it('the root CNode holds the seven L2CNodes in Barrelfish init slots, and nothing from ROOTCN_SLOTS_USER on', () => {
    for (const slot of l2Slots) expect(at(l.rootCNode, slot)).toMatchObject({ type: 'L2CNode', base: l.l2cnodes[slot], bytes: OBJSIZE_L2CNODE });
    expect(core.ctes.filter((e) => e.cnode === l.rootCNode).map((e) => e.slot)).toEqual(l2Slots);
    expect(Math.max(...l2Slots)).toBeLessThan(ROOTCN_SLOTS_USER);
  });

  it('the task CNode holds itself and the root L1CNode; the page CNode holds the root page table', () => {
    const task = l.l2cnodes[ROOTCN_SLOT_TASKCN]!;
    expect(at(task, TASKCN_SLOT_TASKCN)).toMatchObject({ type: 'L2CNode', base: task });
    expect(at(task, TASKCN_SLOT_ROOTCN)).toMatchObject({ type: 'L1CNode', base: l.rootCNode, bytes: BOOT_L1CNODE_BYTES });
    expect(at(l.l2cnodes[ROOTCN_SLOT_PAGECN]!, PAGECN_SLOT_VROOT)).toMatchObject({ type: 'VNode_AARCH64_l0', base: l.rootVNode, bytes: 4 * KIB });
  });

  it('RAM roots are in the super CNode, device regions as PhysAddr roots in the PhysAddr CNode', () => {
    expect(at(l.l2cnodes[ROOTCN_SLOT_SUPERCN]!, 0)).toMatchObject({ type: 'RAM', ...l.ramRoots[0] });
    expect(at(l.l2cnodes[ROOTCN_SLOT_PACN]!, 0)).toMatchObject({ type: 'PhysAddr', ...l.deviceRoots[0] });
  });

  it('every boot capability has all rights, owner core 0, no lock and no remote relation', () => {
    for (const e of core.ctes) expect(e.cap).toMatchObject({ rights: ALL_RIGHTS, owner: 0, locked: false, remote: { copies: false, ancs: false, descs: false } });
  });

  it('is canonical, satisfies every invariant, and lists the memory map sorted', () => {
    expect(canonicalState(s)).toEqual(s);
    expect(checkInvariants(s)).toEqual([]);
    expect(s.memory.map((r) => r.base)).toEqual([0x1000_0000, 0x8000_0000]);
    expect(s.cores.map((c) => c.core)).toEqual([0]);
  });
});

describe('configuration validation names the bad field', () => {
  const parse = (c: unknown) => kernelConfigSchema.safeParse(c);
  const issues = (c: unknown) => {
    const r = parse(c);
    expect(r.success).toBe(false);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path, message: i.message }));
  };
  const ram = (base: number, bytes: number) => ({ base, bytes, kind: 'ram' as const });

  it('defaults: AArch64, one core', () => {
    const r = parse({ memory: [ram(0x8000_0000, 64 * MIB)] });
    expect(r.success && r.data).toEqual({ arch: 'aarch64', cores: 1, memory: [ram(0x8000_0000, 64 * MIB)] });
    expect(parse(defaultKernelConfig).success).toBe(true);
  });
  it('a misaligned base → memory[i].base', () => {
    expect(issues({ memory: [ram(0x8000_0000, 4 * KIB), ram(0x9000_0100, 8 * KIB)] })).toEqual([{ path: ['memory', 1, 'base'], message: 'must be a multiple of 4096' }]);
  });
  it('a size that is not a multiple of 4 KiB → memory[i].bytes; a size below 4 KiB too', () => {
    expect(issues({ memory: [ram(0x8000_0000, 5000)] })).toEqual([{ path: ['memory', 0, 'bytes'], message: 'must be a multiple of 4096' }]);
    expect(issues({ memory: [ram(0x8000_0000, 0)] })[0]!.path).toEqual(['memory', 0, 'bytes']);
  });
  it('overlapping regions → memory[i] of the later one, naming the earlier', () => {
    expect(issues({ memory: [ram(0x8000_0000, 64 * MIB), { base: 0x8100_0000, bytes: 4 * KIB, kind: 'device' }] })).toEqual([
      { path: ['memory', 1], message: 'overlaps memory[0]' },
    ]);
  });
  it('a region past the architecture physical limit → memory[i] (ARMv7: 4 GiB)', () => {
    const c: KernelConfigInput = { arch: 'armv7', memory: [ram(0x8000_0000, 64 * MIB), ram(0xffff_f000, 8 * KIB)] };
    expect(issues(c)).toEqual([{ path: ['memory', 1], message: 'region ends beyond the armv7 physical address limit 0x100000000' }]);
    expect(parse({ ...c, arch: 'aarch64' }).success).toBe(true);
  });
  it('a memory map whose RAM cannot hold the boot objects → memory, with what does not fit (bad input, not a BootError later)', () => {
    expect(issues({ memory: [ram(0x8000_0000, 128 * KIB)] })).toEqual([
      { path: ['memory'], message: 'no ram region can hold the boot objects (root page table, root L1CNode and 7 L2CNodes, 132 KiB)' },
    ]);
    expect(parse({ memory: [ram(0x8000_0000, 132 * KIB)] }).success).toBe(true);
  });
  it('no RAM region → memory; no region at all → memory; more than one core, an unknown arch → their fields', () => {
    expect(issues({ memory: [{ base: 0, bytes: 4 * KIB, kind: 'device' }] })).toEqual([{ path: ['memory'], message: 'needs at least one ram region' }]);
    expect(issues({ memory: [] })[0]!.path).toEqual(['memory']);
    expect(issues({ cores: 2, memory: [ram(0x8000_0000, 64 * MIB)] })[0]!.path).toEqual(['cores']);
    expect(issues({ arch: 'riscv', memory: [ram(0x8000_0000, 64 * MIB)] })[0]!.path).toEqual(['arch']);
    expect(issues({ memory: [{ base: -4096, bytes: 4 * KIB, kind: 'ram' }] })[0]!.path).toEqual(['memory', 0, 'base']);
    expect(issues({ memory: [{ base: 0, bytes: 4 * KIB, kind: 'flash' }] })[0]!.path).toEqual(['memory', 0, 'kind']);
  });
});
