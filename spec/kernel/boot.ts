// Boot: the initial kernel state a configuration yields. Model and impl both
// start from exactly this state (conformance compares their first observation).
//
// Layout follows Barrelfish's init domain (include/barrelfish_kpi/init.h):
// a root L1CNode whose slots hold L2CNodes — the task CNode (holding the root
// CNode's own capability), the page CNode (holding the root page table), the
// super CNode (the RAM capabilities handed to init), the PhysAddr CNode (the
// device regions) and three empty CNodes for the slot allocator. The kernel
// carves these objects from the first RAM region that can hold them; they are
// boot roots (no ancestor), like the kernel-created CNodes of a Barrelfish
// init domain. The rest of RAM becomes RAM root capabilities.
import { archProfiles } from './arch.js';
import { MAX_BOOT_RAM_ROOTS } from './limits.js';
import type { KernelConfig } from './config.js';
import { ALL_RIGHTS } from './rights.js';
import { NO_REMOTE, type Capability, type Cte, type KernelState, type MemoryCap, type Region } from './state.js';
import { L2_CNODE_SLOTS, OBJSIZE_L2CNODE, typeTable, type MemoryType } from './types.js';

export const ROOTCN_SLOT_TASKCN = 0;
export const ROOTCN_SLOT_PAGECN = 1;
export const ROOTCN_SLOT_SUPERCN = 3;
export const ROOTCN_SLOT_PACN = 5;
export const ROOTCN_SLOT_SLOT_ALLOC0 = 7;
export const ROOTCN_SLOT_SLOT_ALLOC1 = 8;
export const ROOTCN_SLOT_SLOT_ALLOC2 = 9;
/** The first root CNode slot not used by boot. */
export const ROOTCN_SLOTS_USER = 14;
export const TASKCN_SLOT_TASKCN = 0;
export const TASKCN_SLOT_ROOTCN = 2;
export const PAGECN_SLOT_VROOT = 0;

/** Size of the root L1CNode boot creates: one L2CNode's worth, 256 slots. */
export const BOOT_L1CNODE_BYTES = OBJSIZE_L2CNODE;

const bootL2Slots = [
  ROOTCN_SLOT_TASKCN,
  ROOTCN_SLOT_PAGECN,
  ROOTCN_SLOT_SUPERCN,
  ROOTCN_SLOT_PACN,
  ROOTCN_SLOT_SLOT_ALLOC0,
  ROOTCN_SLOT_SLOT_ALLOC1,
  ROOTCN_SLOT_SLOT_ALLOC2,
] as const;

/** Where boot put things, so that tools and generators can find them by name. */
export interface BootInfo {
  /** Base address of the root L1CNode: the `root` of every init-domain capref. */
  readonly rootCNode: number;
  /** Base address of the L2CNode in each used root slot. */
  readonly l2cnodes: Readonly<Record<number, number>>;
  readonly rootVNode: number;
  /** RAM root capabilities, in the order they sit in the super CNode. */
  readonly ramRoots: readonly Region[];
  /** PhysAddr root capabilities for device regions, in the order they sit in the PhysAddr CNode. */
  readonly deviceRoots: readonly Region[];
}

export class BootError extends Error {
  override readonly name = 'BootError';
}

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;

function cap(type: MemoryType, base: number, bytes: number): MemoryCap {
  return { type, base, bytes, rights: ALL_RIGHTS, owner: 0, locked: false, remote: NO_REMOTE };
}

/** Computes the boot layout; throws BootError when the memory map cannot hold it. */
export function bootLayout(config: KernelConfig): BootInfo {
  const arch = archProfiles[config.arch];
  const vroot = typeTable[arch.rootVNode];
  const objects: { type: MemoryType; bytes: number; align: number }[] = [
    { type: arch.rootVNode, bytes: vroot.fixedSize!, align: vroot.align },
    { type: 'L1CNode', bytes: BOOT_L1CNODE_BYTES, align: typeTable.L1CNode.align },
    ...bootL2Slots.map(() => ({ type: 'L2CNode' as const, bytes: OBJSIZE_L2CNODE, align: typeTable.L2CNode.align })),
  ];
  const rams = config.memory.filter((r) => r.kind === 'ram').sort((a, b) => a.base - b.base);
  for (const region of rams) {
    let cursor = region.base;
    const placed: number[] = [];
    const gaps: Region[] = [];
    for (const o of objects) {
      const at = alignUp(cursor, o.align);
      if (at > cursor) gaps.push({ base: cursor, bytes: at - cursor });
      placed.push(at);
      cursor = at + o.bytes;
    }
    if (cursor > region.base + region.bytes) continue;
    const ramRoots: Region[] = [];
    for (const r of rams) {
      if (r === region) {
        ramRoots.push(...gaps);
        if (cursor < r.base + r.bytes) ramRoots.push({ base: cursor, bytes: r.base + r.bytes - cursor });
      } else ramRoots.push({ base: r.base, bytes: r.bytes });
    }
    ramRoots.sort((a, b) => a.base - b.base);
    const deviceRoots = config.memory
      .filter((r) => r.kind === 'device')
      .sort((a, b) => a.base - b.base)
      .map((r) => ({ base: r.base, bytes: r.bytes }));
    if (ramRoots.length > MAX_BOOT_RAM_ROOTS || deviceRoots.length > L2_CNODE_SLOTS) throw new BootError('more memory regions than the boot CNodes can hold');
    const l2cnodes: Record<number, number> = {};
    bootL2Slots.forEach((s, i) => (l2cnodes[s] = placed[i + 2]!));
    return { rootCNode: placed[1]!, l2cnodes, rootVNode: placed[0]!, ramRoots, deviceRoots };
  }
  throw new BootError(
    `no ram region can hold the boot objects (root page table, root L1CNode and ${bootL2Slots.length} L2CNodes, ${(
      (BOOT_L1CNODE_BYTES + bootL2Slots.length * OBJSIZE_L2CNODE + vroot.fixedSize!) /
      1024
    ).toString()} KiB)`,
  );
}

/** The initial kernel state of a configuration. */
export function bootState(config: KernelConfig): KernelState {
  const arch = archProfiles[config.arch];
  const info = bootLayout(config);
  const l2 = (slot: number) => info.l2cnodes[slot]!;
  const ctes: Cte[] = [];
  const put = (cnode: number, slot: number, c: Capability) => ctes.push({ cnode, slot, cap: c });
  for (const s of bootL2Slots) put(info.rootCNode, s, cap('L2CNode', l2(s), OBJSIZE_L2CNODE));
  put(l2(ROOTCN_SLOT_TASKCN), TASKCN_SLOT_TASKCN, cap('L2CNode', l2(ROOTCN_SLOT_TASKCN), OBJSIZE_L2CNODE));
  put(l2(ROOTCN_SLOT_TASKCN), TASKCN_SLOT_ROOTCN, cap('L1CNode', info.rootCNode, BOOT_L1CNODE_BYTES));
  put(l2(ROOTCN_SLOT_PAGECN), PAGECN_SLOT_VROOT, cap(arch.rootVNode, info.rootVNode, typeTable[arch.rootVNode].fixedSize!));
  info.ramRoots.forEach((r, i) => put(l2(ROOTCN_SLOT_SUPERCN), i, cap('RAM', r.base, r.bytes)));
  info.deviceRoots.forEach((r, i) => put(l2(ROOTCN_SLOT_PACN), i, cap('PhysAddr', r.base, r.bytes)));
  ctes.sort((a, b) => a.cnode - b.cnode || a.slot - b.slot);
  const cores = Array.from({ length: config.cores }, (_, core) => ({ core, ctes: core === 0 ? ctes : [], ptes: [] }));
  return {
    arch: config.arch,
    memory: [...config.memory].sort((a, b) => a.base - b.base).map((r) => ({ base: r.base, bytes: r.bytes, kind: r.kind })),
    cores,
  };
}
