// The optimized address space on its own: its data structures check
// themselves after every step of random traces (debug mode), a corrupted
// structure is reported, the mutants are registered by name, and its
// observations equal the reference model's step for step.
import { describe, expect, it } from 'vitest';
import { seededChooser } from '../../../conformance/chooser.js';
import { generatePagingOp, PagingIndex } from '../../../conformance/paging/generate.js';
import { implStack, modelStack } from '../../../conformance/paging/stacks.js';
import { ImplAddressSpace, isPagingMutant, pagingMutantNames, pagingMutants } from '../../../impl/paging/index.js';
import { configFor, PAGE } from '../../spec/paging/fixtures.js';

describe('ImplAddressSpace', () => {
  it.each(['aarch64', 'armv7'] as const)('%s: checks its own structures after every step and agrees with the model', (arch) => {
    for (const seed of [11, 12]) {
      const config = configFor(arch);
      const impl = implStack(config, undefined, true);
      const model = modelStack(config);
      const c = seededChooser(seed);
      for (let i = 0; i < 80; i++) {
        const g = generatePagingOp(new PagingIndex({ paging: model.space.observe(), kernel: model.kernel.observe(), config }), c);
        if (g === undefined) break;
        expect(impl.space.apply(g.op), `seed ${seed} step ${i}`).toEqual(model.space.apply(g.op));
        expect(impl.space.observe()).toEqual(model.space.observe());
      }
    }
  });

  it('reports a corrupted table count, an untiled window and uncoalesced free ranges', () => {
    const config = configFor('aarch64', PAGE);
    const s = implStack(config);
    const space = s.space as ImplAddressSpace;
    const f = space.apply({ op: 'frame_alloc', bytes: PAGE });
    space.apply({ op: 'map', frame: (f as unknown as { value: { frame: never } }).value.frame, rights: ['READ'] });
    space.checkStructure();
    const tables = (space as unknown as { tables: Map<number, { used: number }> }).tables;
    const leaf = [...tables.values()].at(-1)!;
    leaf.used++;
    expect(() => space.checkStructure()).toThrow(/counts 2 entries, holds 1/);
    leaf.used--;
    const gaps = (space as unknown as { gaps: { insert(b: number, n: number, v: null): void; remove(b: number): void } }).gaps;
    gaps.remove(2 * PAGE);
    expect(() => space.checkStructure()).toThrow(/not tiled/);
    gaps.insert(2 * PAGE, PAGE, null);
    gaps.insert(3 * PAGE, config.paging.vlimit - 3 * PAGE, null);
    expect(() => space.checkStructure()).toThrow(/not coalesced/);
  });

  it('names at least six mutants, each described, and refuses unknown names', () => {
    expect(pagingMutantNames.length).toBeGreaterThanOrEqual(6);
    for (const m of pagingMutants) expect(m.description.length).toBeGreaterThan(30);
    expect(isPagingMutant('table-never-freed')).toBe(true);
    expect(isPagingMutant('no-such-bug')).toBe(false);
    expect(() => implStack(configFor('aarch64'), 'no-such-bug')).toThrow(/unknown paging mutant/);
  });
});
