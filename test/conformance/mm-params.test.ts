// Per-run metadata settings (conformance/mm/params.ts): every drawn
// configuration is valid and boots, the draw is a function of the run's
// choices, and the drawn settings include the ones that make the manager's
// hard metadata paths reachable in a 100-step trace.
import { describe, expect, it } from 'vitest';
import { seededChooser } from '../../conformance/chooser.js';
import { conformanceMmConfig } from '../../conformance/mm/config.js';
import { BASE_CONFIG_SHARE, drawMmConfig } from '../../conformance/mm/params.js';
import { bootLayout } from '../../spec/kernel/boot.js';
import { mmConfigSchema } from '../../spec/mm/config.js';

const draws = Array.from({ length: 400 }, (_, i) => drawMmConfig(conformanceMmConfig, seededChooser(Math.imul(i + 1, 0x9e3779b1))));

describe('mm conformance draws each run its own metadata settings', () => {
  it('every drawn configuration validates and boots', () => {
    for (const c of draws) {
      expect(mmConfigSchema.safeParse(c).success).toBe(true);
      expect(() => bootLayout(c.kernel)).not.toThrow();
      expect(c.kernel.arch).toBe(conformanceMmConfig.kernel.arch);
    }
  });

  it('is a function of the choices: the same choices draw the same configuration', () => {
    expect(drawMmConfig(conformanceMmConfig, seededChooser(77))).toEqual(drawMmConfig(conformanceMmConfig, seededChooser(77)));
  });

  it('keeps the base configuration in about a quarter of the runs', () => {
    const base = draws.filter((c) => c === conformanceMmConfig).length / draws.length;
    expect(Math.abs(base - BASE_CONFIG_SHARE)).toBeLessThan(0.08);
  });

  it('draws small slot pools, few extension slots, small static slabs and less memory', () => {
    const varied = draws.filter((c) => c !== conformanceMmConfig);
    expect(varied.some((c) => c.mm.slotsPerCNode <= 16)).toBe(true);
    expect(varied.some((c) => c.mm.extensionSlots <= 2)).toBe(true);
    expect(varied.some((c) => c.mm.staticNodes <= 6)).toBe(true);
    expect(varied.some((c) => c.mm.slabFrameBytes >= 32 * 1024)).toBe(true);
    const ram = (c: typeof conformanceMmConfig) => c.kernel.memory.filter((r) => r.kind === 'ram').reduce((n, r) => n + r.bytes, 0);
    expect(varied.some((c) => ram(c) < ram(conformanceMmConfig) / 2)).toBe(true);
  });
});
