// Per-run metadata settings for mm conformance. With one fixed configuration
// the manager's hard metadata paths are out of reach of a 100-step trace:
// a 256-slot CNode never runs dry, a refill tops the slot allocator up far
// past its low-water mark (so slot refills only ever follow `add`), and a
// CSpace extension takes 256 L2CNodes before a second one is needed. So each
// run draws its own parameters — from the run's own random choices, so the
// seed and run number reproduce them, and the counterexample trace records
// them — around the base configuration:
//
//   - a quarter of the runs keep the base configuration as it is;
//   - the others draw small slot pools per CNode (slotsPerCNode) and
//     low-water marks near a pool's size, so slot refills fall in the middle
//     of a trace, right after allocations; few root and extension slots for
//     refills (rootSlotsEnd, extensionSlots), so CSpace extensions follow one
//     another; small static slab buffers, large nodes and large slab frames,
//     so the slab runs low and a frame may no longer fit; and less memory, so
//     refills become impossible and slots and nodes run out.
import { KIB } from '../../spec/kernel/types.js';
import type { MemoryRegionConfig } from '../../spec/kernel/state.js';
import { MAX_NODES_PER_OP, MIN_NODES_PER_FRAME, MIN_SLOTS_PER_CNODE, mmConfigSchema, REFILL_NODES, type MmConfig, type MmParams } from '../../spec/mm/config.js';
import type { Chooser } from '../chooser.js';
import type { MmGeneratorWeights } from './generate.js';

const PAGE = 4 * KIB;
/** The smallest low-water marks the schema accepts. */
const MIN_SLAB_LOW_WATER = MAX_NODES_PER_OP + REFILL_NODES;
const MIN_SLOT_LOW_WATER = 4;
/** Boot places its CNodes and root page table in the lowest RAM region that holds them: 132 KiB. */
const BOOT_OBJECTS = 132 * KIB;

/** Share of runs that keep the base configuration unchanged. */
export const BASE_CONFIG_SHARE = 0.25;

const roundUpToPage = (n: number) => Math.ceil(n / PAGE) * PAGE;

function drawParams(base: MmParams, c: Chooser): MmParams {
  const nodeBytes = c.pick([64, 256, 512, 512, 1024]);
  const slabFrameBytes = roundUpToPage(Math.max(nodeBytes * MIN_NODES_PER_FRAME, c.pick([1, 2, 4, 8, 16]) * PAGE));
  const slotsPerCNode = c.pick([MIN_SLOTS_PER_CNODE, 12, 16, 32, 64, 256]);
  // Just below a pool's size refills as soon as the pool is first used; a
  // little above a multiple of it leaves a few slots' room before the next refill.
  const slotLowWater = Math.max(
    MIN_SLOT_LOW_WATER,
    c.pick([MIN_SLOT_LOW_WATER, slotsPerCNode - 2, slotsPerCNode + 3, 2 * slotsPerCNode + c.int(1, slotsPerCNode - 1), c.int(4, 3 * slotsPerCNode)]),
  );
  const rootSlotsFirst = base.rootSlotsFirst;
  return {
    ...base,
    nodeBytes,
    staticNodes: c.int(MIN_SLAB_LOW_WATER, 16),
    slabFrameBytes,
    slabLowWater: c.int(MIN_SLAB_LOW_WATER, 8),
    slotLowWater,
    slotsPerCNode,
    slotCNodes: c.int(1, 3),
    rootSlotsFirst,
    rootSlotsEnd: rootSlotsFirst + c.int(1, 3),
    extensionSlots: c.pick([1, 2, 3, 256]),
  };
}

/**
 * The base memory map with its RAM resized: the lowest region keeps room for
 * the boot objects, the regions after it stay in order (and adjacent where
 * they were), the last one may go. Device regions are kept.
 */
function drawMemory(memory: readonly MemoryRegionConfig[], c: Chooser): MemoryRegionConfig[] {
  const ram = memory.filter((r) => r.kind === 'ram').sort((a, b) => a.base - b.base);
  const out: MemoryRegionConfig[] = memory.filter((r) => r.kind === 'device').map((r) => ({ ...r }));
  let prevEnd = -Infinity;
  ram.forEach((r, i) => {
    const adjacent = i > 0 && ram[i - 1]!.base + ram[i - 1]!.bytes === r.base;
    const base = adjacent ? prevEnd : Math.max(r.base, prevEnd);
    const bytes = i === 0 ? BOOT_OBJECTS + c.pick([4, 8, 16, 32, 64, 128, 256]) * KIB : c.pick([0, 16, 32, 64, 128, 256]) * KIB;
    if (bytes === 0 && i > 0) return;
    out.push({ base, bytes, kind: 'ram' });
    prevEnd = base + bytes;
  });
  return out.sort((a, b) => a.base - b.base);
}

/** The configuration of one run: the base one, or one drawn around it (see the header). Always schema-valid. */
export function drawMmConfig(base: MmConfig, c: Chooser): MmConfig {
  if (c.chance(BASE_CONFIG_SHARE)) return base;
  const mm = drawParams(base.mm, c);
  const memory = c.chance(0.5) ? drawMemory(base.kernel.memory, c) : base.kernel.memory;
  return mmConfigSchema.parse({ kernel: { ...base.kernel, memory }, mm });
}

/**
 * The generator's weights for a run on drawn settings: in some runs the
 * client asks for slots much more often, so that a small slot pool runs dry
 * while memory (or the slab) is too short for a refill.
 */
export function drawMmWeights(base: MmGeneratorWeights, c: Chooser): MmGeneratorWeights {
  return c.chance(0.3) ? { ...base, slot_alloc: base.slot_alloc * 5 } : base;
}
