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
        const g = generatePagingOp(new PagingIndex({ paging: model.space.observe(), kernel: model.kernel.observe(), memory: model.memory.observe(), config }), c);
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

  it('finds the mappings a ram_free or a revoke took through its frame index, which its self-check keeps consistent', () => {
    const config = configFor('aarch64', PAGE);
    const s = implStack(config, undefined, true);
    const space = s.space as ImplAddressSpace;
    const grant = (bytes: number) => (space.apply({ op: 'frame_alloc', bytes }) as unknown as { value: { frame: never; ram: never } }).value;
    const a = grant(4 * PAGE);
    const b = grant(PAGE);
    // a is mapped twice (two mappings under one frame base), b once.
    const va1 = (space.apply({ op: 'map', frame: a.frame, rights: ['READ'] }) as { value: { vaddr: number } }).value.vaddr;
    space.apply({ op: 'map', frame: a.frame, offset: PAGE, bytes: PAGE, rights: ['READ'] });
    const vb = (space.apply({ op: 'map', frame: b.frame, rights: ['READ'] }) as { value: { vaddr: number } }).value.vaddr;
    const byFrame = (space as unknown as { byFrame: { size: number; entries(): Iterable<{ base: number; value: Set<unknown> }> } }).byFrame;
    expect(byFrame.size).toBe(2);
    expect([...byFrame.entries()].map((n) => n.value.size)).toEqual([2, 1]);
    // Giving a's RAM back revokes a's frame and its copies: both of its mappings go, b's stays.
    expect(space.apply({ op: 'ram_free', cap: a.ram }).ok).toBe(true);
    const left = space.observe().mappings.map((m) => m.vaddr);
    expect(left).toEqual([vb]);
    expect(left).not.toContain(va1);
    expect([...byFrame.entries()].map((n) => n.value.size)).toEqual([1]);
    space.checkStructure();
    // A mapping dropped from the index behind the address space's back is caught.
    [...byFrame.entries()][0]!.value.clear();
    expect(() => space.checkStructure()).toThrow(/frame index keeps an empty entry/);
    const fresh = implStack(config, undefined, true).space as ImplAddressSpace;
    const c = (fresh.apply({ op: 'frame_alloc', bytes: PAGE }) as unknown as { value: { frame: never } }).value;
    fresh.apply({ op: 'map', frame: c.frame, rights: ['READ'] });
    const index = (fresh as unknown as { byFrame: { remove(b: number): unknown; entries(): Iterable<{ base: number }> } }).byFrame;
    index.remove([...index.entries()][0]!.base);
    expect(() => fresh.checkStructure()).toThrow(/frame index holds 0 mappings, the address space 1/);
  });

  it('names at least six mutants, each described, and refuses unknown names', () => {
    expect(pagingMutantNames.length).toBeGreaterThanOrEqual(6);
    for (const m of pagingMutants) expect(m.description.length).toBeGreaterThan(30);
    expect(isPagingMutant('table-never-freed')).toBe(true);
    expect(isPagingMutant('no-such-bug')).toBe(false);
    expect(() => implStack(configFor('aarch64'), 'no-such-bug')).toThrow(/unknown paging mutant/);
  });
});
