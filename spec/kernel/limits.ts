// Explicit limits of the kernel (TigerBeetle style: every bound is a named
// constant, checked where it applies).
import { L2_CNODE_SLOTS } from './types.js';

/** Capref pointers are 32-bit: at level 2 the upper 24 bits index the L1CNode, the low 8 bits the L2CNode. */
export const CPTR_BITS = 32;
export const L2_CNODE_BITS = 8;
/** The most slots an L1CNode may have (2^24, the level-2 capref's L1 index range). */
export const MAX_L1_SLOTS = 2 ** (CPTR_BITS - L2_CNODE_BITS);
/**
 * The most objects one retype creates. Barrelfish bounds count only by the
 * destination CNode's slots (up to 2^24 in a large L1CNode); capref names an
 * explicit limit so that no single operation of a legal trace can exhaust the
 * checker's memory.
 */
export const MAX_RETYPE_COUNT = 4096;
/** RAM roots boot can place in the super CNode. */
export const MAX_BOOT_RAM_ROOTS = L2_CNODE_SLOTS;
