// Named places of the default boot layout, so that hand-written operation
// lists read like the domain: the root CNode, the RAM root, the slot
// allocator's empty CNodes.
import { bootLayout, ROOTCN_SLOT_PAGECN, ROOTCN_SLOT_SLOT_ALLOC0, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SUPERCN, ROOTCN_SLOTS_USER } from '../../../spec/kernel/boot.js';
import { capref1, capref2, type Capref } from '../../../spec/kernel/capref.js';
import { defaultKernelConfig, type KernelConfig } from '../../../spec/kernel/config.js';
import type { KernelOp, RetypeOp } from '../../../spec/kernel/ops.js';
import type { MapRightName, RightName } from '../../../spec/kernel/rights.js';
import type { ObjType } from '../../../spec/kernel/types.js';

export const config: KernelConfig = defaultKernelConfig;
export const layout = bootLayout(config);
export const R = layout.rootCNode;
/** The RAM root capability in the super CNode. */
export const ram: Capref = capref2(R, ROOTCN_SLOT_SUPERCN, 0);
export const ramBase = layout.ramRoots[0]!.base;
/** The root page table. */
export const vroot: Capref = capref2(R, ROOTCN_SLOT_PAGECN, 0);
/** Empty slots of the slot allocator's first and second CNodes. */
export const slot = (j: number): Capref => capref2(R, ROOTCN_SLOT_SLOT_ALLOC0, j);
export const slotB = (j: number): Capref => capref2(R, ROOTCN_SLOT_SLOT_ALLOC1, j);
/** The first root CNode slot boot leaves free. */
export const userRootSlot = (k = 0): Capref => capref1(R, ROOTCN_SLOTS_USER + k);

export const KIB = 1024;

export const retype = (src: Capref, type: ObjType, objsize: number, dest: Capref, offset = 0, count = 1): RetypeOp => ({ op: 'retype', src, offset, type, objsize, count, dest });
export const copy = (src: Capref, dest: Capref): KernelOp => ({ op: 'copy', src, dest });
export const mint = (src: Capref, dest: Capref, rights: RightName[]): KernelOp => ({ op: 'mint', src, dest, rights });
export const del = (target: Capref): KernelOp => ({ op: 'delete', target });
export const revoke = (target: Capref): KernelOp => ({ op: 'revoke', target });
export const identify = (target: Capref): KernelOp => ({ op: 'identify', target });
export const map = (vnode: Capref, src: Capref, mapping: Capref, entry = 0, pteCount = 1, offset = 0, rights: MapRightName[] = ['READ', 'WRITE']): KernelOp => ({
  op: 'vnode_map',
  vnode,
  src,
  entry,
  offset,
  pteCount,
  rights,
  mapping,
});
export const unmap = (vnode: Capref, mapping: Capref): KernelOp => ({ op: 'vnode_unmap', vnode, mapping });
