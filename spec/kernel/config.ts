// A kernel configuration: the platform a trace runs on. Validated with zod
// because it arrives in trace files; every refinement names the field it is about.
import { z } from 'zod';
import { archNames, archProfiles } from './arch.js';
import { BootError, bootLayout } from './boot.js';
import { addrSchema, type MemoryRegionConfig } from './state.js';
import { BASE_PAGE_SIZE, MIB } from './types.js';

/** Explicit limits (TigerBeetle style): the configuration may not exceed them. */
export const MAX_MEMORY_REGIONS = 64;
export const MAX_CORES = 1; // multi-core kernel traces arrive with the distributed protocol

const memoryRegionSchema = z
  .strictObject({
    base: addrSchema,
    bytes: addrSchema.min(BASE_PAGE_SIZE),
    kind: z.enum(['ram', 'device']),
  })
  .superRefine((r, ctx) => {
    if (r.base % BASE_PAGE_SIZE !== 0) ctx.addIssue({ code: 'custom', path: ['base'], message: 'must be a multiple of 4096' });
    if (r.bytes % BASE_PAGE_SIZE !== 0) ctx.addIssue({ code: 'custom', path: ['bytes'], message: 'must be a multiple of 4096' });
  });

export const kernelConfigSchema = z
  .strictObject({
    arch: z.enum(archNames).default('aarch64'),
    cores: z.number().int().min(1).max(MAX_CORES).default(1),
    memory: z.array(memoryRegionSchema).min(1).max(MAX_MEMORY_REGIONS),
  })
  .superRefine((c, ctx) => {
    const limit = archProfiles[c.arch].physLimit;
    const sorted = c.memory.map((r, i) => ({ r, i })).sort((a, b) => a.r.base - b.r.base);
    for (const { r, i } of sorted) {
      if (r.base + r.bytes > limit)
        ctx.addIssue({ code: 'custom', path: ['memory', i], message: `region ends beyond the ${c.arch} physical address limit 0x${limit.toString(16)}` });
    }
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const cur = sorted[k]!;
      if (prev.r.base + prev.r.bytes > cur.r.base)
        ctx.addIssue({ code: 'custom', path: ['memory', cur.i], message: `overlaps memory[${prev.i}]` });
    }
    if (!c.memory.some((r) => r.kind === 'ram')) ctx.addIssue({ code: 'custom', path: ['memory'], message: 'needs at least one ram region' });
    // A memory map boot cannot lay out is bad input, reported here with its
    // path, rather than an exception when a kernel is built from it. (Only for
    // an otherwise valid map: the layout of a broken one means nothing.)
    if (ctx.issues.length === 0)
      try {
        bootLayout(c);
      } catch (e) {
        if (!(e instanceof BootError)) throw e;
        ctx.addIssue({ code: 'custom', path: ['memory'], message: e.message });
      }
  });

export type KernelConfig = z.output<typeof kernelConfigSchema>;
export type KernelConfigInput = z.input<typeof kernelConfigSchema>;

/**
 * The embedded default: 64 MiB of RAM at 2 GiB (where the course boards have
 * theirs) and a 16 MiB device window, on AArch64.
 */
export const defaultKernelConfig: KernelConfig = {
  arch: 'aarch64',
  cores: 1,
  memory: [
    { base: 0x1000_0000, bytes: 16 * MIB, kind: 'device' },
    { base: 0x8000_0000, bytes: 64 * MIB, kind: 'ram' },
  ] satisfies MemoryRegionConfig[],
};
