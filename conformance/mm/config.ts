// The configuration mm conformance runs on by default — as it is in a quarter
// of the runs, and as the base the other runs draw their metadata settings
// and memory sizes around (params.ts): little memory, so that allocations run
// out within a trace; two adjacent RAM regions, so that coalescing meets a
// parent boundary; and metadata parameters tight enough that slab refills,
// slot refills and a CSpace extension all happen within a hundred steps.
import { KIB } from '../../spec/kernel/types.js';
import { mmConfigSchema, type MmConfig } from '../../spec/mm/config.js';

export const conformanceMmConfig: MmConfig = mmConfigSchema.parse({
  kernel: {
    arch: 'aarch64',
    cores: 1,
    memory: [
      { base: 0x1000_0000, bytes: 64 * KIB, kind: 'device' },
      // Boot takes its CNodes and root page table from the first region (132 KiB).
      { base: 0x8000_0000, bytes: 512 * KIB, kind: 'ram' },
      { base: 0x8008_0000, bytes: 256 * KIB, kind: 'ram' }, // adjacent to the first
      { base: 0x8010_0000, bytes: 32 * KIB, kind: 'ram' },
    ],
  },
  mm: {
    nodeBytes: 512,
    staticNodes: 8,
    slabFrameBytes: 4 * KIB, // 8 nodes a frame: a slab refill every few allocations
    slabLowWater: 5,
    slotCNodes: 1,
    slotLowWater: 600, // below 600 free slots: refill (256 a CNode)
    rootSlotsFirst: 14,
    rootSlotsEnd: 15, // one root slot for refills, then a CSpace extension
  },
});
