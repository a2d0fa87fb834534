// The memory manager's parameters: how it accounts for its own metadata (the
// slab of nodes) and for capability slots (the slot allocator), and when it
// refills them. They are part of a trace's configuration, so that model and
// impl refill at exactly the same moments and their observations compare.
//
// The milestone's challenge (seeds/002, "Handle running out of capability
// slots / slab space in libmm") and the report's answer (seeds/001 §2.5:
// thresholds, and a refill flag so a refill never triggers another) are
// made explicit here: every refill happens when a count drops below its
// low-water mark, and the marks leave enough headroom for the refill itself.
import { z } from 'zod';
import { kernelConfigSchema, type KernelConfig, defaultKernelConfig } from '../kernel/config.js';
import { ROOTCN_SLOTS_USER } from '../kernel/boot.js';
import { BASE_PAGE_SIZE, CTE_SIZE, KIB, L2_CNODE_SLOTS, OBJSIZE_L2CNODE } from '../kernel/types.js';

/** Largest alignment a request may ask for: 2^32 (4 GiB). Alignment classes run from 2^12 to this. */
export const MAX_ALIGNMENT_BITS = 32;
export const MAX_ALIGNMENT = 2 ** MAX_ALIGNMENT_BITS;
export const MIN_ALIGNMENT_BITS = 12;

/** Metadata nodes one mm operation may need at most (an allocation splits a free range: +2). */
export const MAX_NODES_PER_OP = 2;
/** Slots one mm operation may need at most (a partial free re-issues two remainders, releasing one slot). */
export const MAX_SLOTS_PER_OP = 2;
/** What one refill needs: an allocation (+2 nodes) and, for a slab frame or a CSpace extension, one slot. */
export const REFILL_NODES = 2;
export const REFILL_SLOTS = 1;
export const MIN_NODES_PER_FRAME = 8;
/** The smallest slot pool a CNode may add: enough for the most one operation and a refill take (MAX_SLOTS_PER_OP + REFILL_SLOTS), with room. */
export const MIN_SLOTS_PER_CNODE = 8;
/** Slots of the L1CNode a CSpace extension retypes (16 KiB of 64-byte slots). */
export const EXTENSION_L1CNODE_SLOTS = OBJSIZE_L2CNODE / CTE_SIZE;

export const mmParamsSchema = z
  .strictObject({
    nodeBytes: z
      .number()
      .int()
      .min(16)
      .max(4 * KIB)
      .default(64)
      .describe('bytes of one metadata node (a region of the free list or an allocation record)'),
    staticNodes: z
      .number()
      .int()
      .min(MAX_NODES_PER_OP + REFILL_NODES)
      .max(1 << 20)
      .default(64)
      .describe('nodes in the static buffer the slab starts with'),
    slabFrameBytes: z
      .number()
      .int()
      .min(BASE_PAGE_SIZE)
      .max(1 << 30)
      .default(16 * KIB)
      .describe('size of one slab refill (a Frame)'),
    slabLowWater: z
      .number()
      .int()
      .min(MAX_NODES_PER_OP + REFILL_NODES)
      .default(16)
      .describe('refill the slab when fewer nodes than this are free'),
    slotLowWater: z
      .number()
      .int()
      .min(MAX_SLOTS_PER_OP + 2 * REFILL_SLOTS)
      .max(16 * L2_CNODE_SLOTS)
      .default(16)
      .describe('refill the slot allocator when fewer slots than this are free'),
    slotsPerCNode: z
      .number()
      .int()
      .min(MIN_SLOTS_PER_CNODE)
      .max(L2_CNODE_SLOTS)
      .default(L2_CNODE_SLOTS)
      .describe(
        "slots of each L2CNode the slot allocator hands out, from slot 0 (Barrelfish's slot_allocator.nslots, the slots it grows by); the rest of the CNode is never used",
      ),
    slotCNodes: z
      .number()
      .int()
      .min(1)
      .max(3)
      .default(3)
      .describe("how many of the boot CSpace's slot-allocator L2CNodes (root slots 7, 8, 9) the allocator starts with"),
    rootSlotsFirst: z
      .number()
      .int()
      .min(ROOTCN_SLOTS_USER)
      .max(255)
      .default(ROOTCN_SLOTS_USER)
      .describe('first root CNode slot a slot refill may fill with an L2CNode'),
    rootSlotsEnd: z
      .number()
      .int()
      .min(ROOTCN_SLOTS_USER + 1)
      .max(256)
      .default(256)
      .describe('root CNode slots below this may take refill L2CNodes; beyond, refills open a CSpace extension'),
    extensionSlots: z
      .number()
      .int()
      .min(1)
      .max(EXTENSION_L1CNODE_SLOTS)
      .default(EXTENSION_L1CNODE_SLOTS)
      .describe("slots of a CSpace extension's L1CNode, from slot 0, that take refill L2CNodes; when they are taken, the next slot refill opens another extension"),
  })
  .superRefine((p, ctx) => {
    if (p.slabFrameBytes % BASE_PAGE_SIZE !== 0) ctx.addIssue({ code: 'custom', path: ['slabFrameBytes'], message: 'must be a multiple of 4096' });
    // A slab refill must gain clearly more nodes than refills consume (two
    // allocations' worth when it also forces a slot refill), or refilling would not converge.
    if (p.slabFrameBytes < p.nodeBytes * MIN_NODES_PER_FRAME)
      ctx.addIssue({ code: 'custom', path: ['slabFrameBytes'], message: `a slab frame must hold at least ${MIN_NODES_PER_FRAME} nodes` });
    if (p.rootSlotsEnd <= p.rootSlotsFirst) ctx.addIssue({ code: 'custom', path: ['rootSlotsEnd'], message: 'must be above rootSlotsFirst' });
  });

export type MmParams = z.output<typeof mmParamsSchema>;

/** The configuration of an mm trace: the platform and the manager's parameters. */
export const mmConfigSchema = z.strictObject({
  kernel: kernelConfigSchema,
  mm: mmParamsSchema.default(mmParamsSchema.parse({})),
});
export type MmConfig = z.output<typeof mmConfigSchema>;
export type MmConfigInput = z.input<typeof mmConfigSchema>;

export const defaultMmParams: MmParams = mmParamsSchema.parse({});

/** Objects the slot allocator creates: an L2CNode per refill, an L1CNode per CSpace extension (one L2CNode's size: 256 slots). */
export const SLOT_REFILL_BYTES = OBJSIZE_L2CNODE;
export const CSPACE_EXTENSION_BYTES = OBJSIZE_L2CNODE;

export const defaultMmConfig: MmConfig = { kernel: defaultKernelConfig, mm: defaultMmParams };

export function mmConfigOf(kernel: KernelConfig, mm: Partial<MmParams> = {}): MmConfig {
  return { kernel, mm: mmParamsSchema.parse(mm) };
}

/** Nodes one slab frame holds. */
export const nodesPerFrame = (p: MmParams): number => Math.floor(p.slabFrameBytes / p.nodeBytes);
