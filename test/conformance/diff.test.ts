import { describe, expect, it } from 'vitest';
import { formatDiff, jsonDiff } from '../../conformance/diff.js';

describe('jsonDiff (field-level differences for failure reports)', () => {
  it('matches slots by (cnode, slot), so one extra capability is one difference', () => {
    const a = {
      ctes: [
        { cnode: 16, slot: 1, cap: { type: 'RAM' } },
        { cnode: 16, slot: 3, cap: { type: 'Frame' } },
      ],
    };
    const b = {
      ctes: [
        { cnode: 16, slot: 1, cap: { type: 'RAM' } },
        { cnode: 16, slot: 2, cap: { type: 'RAM' } },
        { cnode: 16, slot: 3, cap: { type: 'Frame' } },
      ],
    };
    const d = jsonDiff(a, b);
    expect(d).toEqual([{ path: 'ctes[0x10:2]', model: undefined, impl: { cnode: 16, slot: 2, cap: { type: 'RAM' } } }]);
  });

  it('reports nested field paths and both values', () => {
    const d = jsonDiff(
      { cores: [{ core: 0, ptes: [{ vnode: 4096, entry: 7, target: 1 }] }] },
      { cores: [{ core: 0, ptes: [{ vnode: 4096, entry: 7, target: 2 }] }] },
    );
    expect(d).toEqual([{ path: 'cores[0].ptes[0x1000:7].target', model: 1, impl: 2 }]);
    expect(formatDiff(d)).toContain('model: 1');
  });

  it('falls back to positions for arrays without identity fields', () => {
    expect(jsonDiff({ r: ['READ', 'WRITE'] }, { r: ['READ'] })).toEqual([{ path: 'r[1]', model: 'WRITE', impl: undefined }]);
  });

  it('reports nothing for equal values', () => {
    expect(jsonDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});

describe('jsonDiff on address-space observations', () => {
  it('matches regions by base, mappings by address and tables by (depth, address)', () => {
    const a = { regions: [{ base: 4096, bytes: 4096 }], tables: [{ depth: 0, vaddr: 0, phys: 1 }], mappings: [{ vaddr: 8192, bytes: 4096 }] };
    const b = {
      regions: [
        { base: 0, bytes: 4096 },
        { base: 4096, bytes: 4096 },
      ],
      tables: [
        { depth: 0, vaddr: 0, phys: 1 },
        { depth: 1, vaddr: 0, phys: 2 },
      ],
      mappings: [{ vaddr: 8192, bytes: 8192 }],
    };
    expect(jsonDiff(a, b).map((d) => d.path)).toEqual(['regions[0x0]', 'tables[1:0x0]', 'mappings[0x2000].bytes']);
  });
});
