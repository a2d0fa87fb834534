// The optimized memory manager (issue 3, impl/mm) and its switchable bugs.
import type { Kernel } from '../../spec/kernel/kernel.js';
import type { MmConfig } from '../../spec/mm/config.js';
import { ImplMm } from './impl-mm.js';
import { isMmMutant } from './mutants.js';

export { ImplMm, type ImplMmOptions } from './impl-mm.js';
export { FreeTree, TreeInvariantError, ALIGN_CLASSES } from './free-tree.js';
export { SlotTable, MAX_SLOT_CNODES } from './slot-table.js';
export { mmMutants, mmMutantNames, isMmMutant, type MmMutant } from './mutants.js';

/** Builds an impl manager, optionally with a named mutant; an unknown name is a RangeError (callers validate names first). */
export function implMm(kernel: Kernel, config: MmConfig, mutant?: string, debug = false): ImplMm {
  if (mutant !== undefined && !isMmMutant(mutant)) throw new RangeError(`unknown mm mutant ${mutant}`);
  return new ImplMm(kernel, config, { ...(mutant !== undefined ? { mutant } : {}), debug });
}
