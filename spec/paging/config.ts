// The configuration of a paging trace: the platform (the kernel's
// configuration) and the address space's parameters — the window of virtual
// addresses it manages. The window never contains the NULL page, so nothing
// the address space does can map virtual address 0.
import { z } from 'zod';
import { archProfiles } from '../kernel/arch.js';
import { defaultKernelConfig, kernelConfigSchema } from '../kernel/config.js';
import { addrSchema } from '../kernel/state.js';
import { PAGE_SIZE, vspaceBytes } from './layout.js';

/** The default window: from the first page above NULL to 2 GiB, which both profiles can address. */
export const DEFAULT_VBASE = PAGE_SIZE;
export const DEFAULT_VLIMIT = 0x8000_0000;

export const pagingParamsSchema = z.strictObject({
  vbase: addrSchema.default(DEFAULT_VBASE).describe('the lowest virtual address the address space manages (above the NULL page)'),
  vlimit: addrSchema.default(DEFAULT_VLIMIT).describe('one past the highest virtual address the address space manages'),
});
export type PagingParams = z.output<typeof pagingParamsSchema>;

export const pagingConfigSchema = z
  .strictObject({
    kernel: kernelConfigSchema,
    paging: pagingParamsSchema.default({ vbase: DEFAULT_VBASE, vlimit: DEFAULT_VLIMIT }),
  })
  .superRefine((c, ctx) => {
    const { vbase, vlimit } = c.paging;
    if (vbase < PAGE_SIZE) ctx.addIssue({ code: 'custom', path: ['paging', 'vbase'], message: 'must be at least 4096: the NULL page is never managed' });
    if (vbase % PAGE_SIZE !== 0) ctx.addIssue({ code: 'custom', path: ['paging', 'vbase'], message: 'must be a multiple of 4096' });
    if (vlimit % PAGE_SIZE !== 0) ctx.addIssue({ code: 'custom', path: ['paging', 'vlimit'], message: 'must be a multiple of 4096' });
    if (vlimit <= vbase) ctx.addIssue({ code: 'custom', path: ['paging', 'vlimit'], message: 'must be above vbase' });
    const size = vspaceBytes(archProfiles[c.kernel.arch]);
    if (vlimit > size) ctx.addIssue({ code: 'custom', path: ['paging', 'vlimit'], message: `must not exceed the ${c.kernel.arch} address space (0x${size.toString(16)})` });
  });

export type PagingConfig = z.output<typeof pagingConfigSchema>;
export type PagingConfigInput = z.input<typeof pagingConfigSchema>;

export const defaultPagingParams: PagingParams = { vbase: DEFAULT_VBASE, vlimit: DEFAULT_VLIMIT };
export const defaultPagingConfig: PagingConfig = { kernel: defaultKernelConfig, paging: defaultPagingParams };
