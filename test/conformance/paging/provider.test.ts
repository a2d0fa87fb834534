// The paging suite's own RamAllocator + SlotAllocator: first fit over the
// boot RAM with coalescing, every refusal of spec/mm's contract, slots lowest
// first, refills from RAM without recursion, and CSpace extensions once the
// root CNode is full.
import { describe, expect, it } from 'vitest';
import { SimpleMemory } from '../../../conformance/paging/provider.js';
import { ModelKernel } from '../../../model/kernel/model-kernel.js';
import { ImplKernel } from '../../../impl/kernel/index.js';
import { checkInvariants } from '../../../spec/kernel/invariants/index.js';
import { defaultKernelConfig } from '../../../spec/kernel/config.js';
import { level2Cptr } from '../../../spec/kernel/capref.js';

const PAGE = 4096;

describe('SimpleMemory', () => {
  it('hands out RAM first fit, aligned and within a range, and takes it back coalesced', () => {
    const k = new ModelKernel(defaultKernelConfig);
    const m = new SimpleMemory(k, defaultKernelConfig);
    const free = m.stats().freeBytes;
    const a = m.allocRam({ bytes: PAGE });
    const b = m.allocRam({ bytes: 2 * PAGE, alignment: 16 * PAGE });
    const c = m.allocRam({ bytes: PAGE, range: { base: 0x8100_0000, limit: 0x8200_0000 } });
    if (!a.ok || !b.ok || !c.ok) throw new Error('alloc');
    expect(b.value.base % (16 * PAGE)).toBe(0);
    expect(c.value.base).toBe(0x8100_0000);
    expect(m.allocRam({ bytes: PAGE }).ok && m.allocRam({ bytes: PAGE })).toMatchObject({ ok: true });
    for (const g of [b.value, a.value, c.value]) expect(m.freeRam(g.cap)).toEqual({ ok: true, value: { remainders: [] } });
    expect(m.stats().grants).toBe(2);
    expect(checkInvariants(k.observe())).toEqual([]);
    expect(m.stats().freeBytes).toBe(free - 2 * PAGE);
  });

  it("refuses what spec/mm's contract refuses", () => {
    const k = new ModelKernel(defaultKernelConfig);
    const m = new SimpleMemory(k, defaultKernelConfig);
    expect(m.allocRam({ bytes: 100 })).toEqual({ ok: false, error: 'LIB_ERR_RAM_ALLOC_WRONG_SIZE', arg: 'bytes' });
    expect(m.allocRam({ bytes: PAGE, alignment: 3 * PAGE })).toEqual({ ok: false, error: 'MM_ERR_BAD_ALIGNMENT', arg: 'alignment' });
    expect(m.allocRam({ bytes: 2 ** 40 })).toEqual({ ok: false, error: 'MM_ERR_OUT_OF_MEMORY', arg: 'bytes' });
    const g = m.allocRam({ bytes: 2 * PAGE });
    if (!g.ok) throw new Error('alloc');
    expect(m.freeRam(g.value.cap, { base: g.value.base, bytes: PAGE })).toEqual({ ok: false, error: 'MM_ERR_OUT_OF_BOUNDS', arg: 'range' });
    k.apply({ op: 'delete', target: g.value.cap });
    expect(m.freeRam(g.value.cap)).toEqual({ ok: false, error: 'MM_ERR_NOT_FOUND', arg: 'cap' });
    const s = m.allocSlot();
    if (!s.ok) throw new Error('slot');
    expect(m.freeRam(s.value.slot)).toEqual({ ok: false, error: 'MM_ERR_NOT_FOUND', arg: 'cap' });
    expect(m.freeSlot({ root: 1, cptr: 2, level: 2 })).toEqual({ ok: false, error: 'LIB_ERR_SLOT_ALLOC_WRONG_CNODE', arg: 'slot' });
    const t = m.allocSlot();
    if (!t.ok) throw new Error('slot');
    const h = m.allocRam({ bytes: PAGE });
    if (!h.ok) throw new Error('alloc');
    expect(k.apply({ op: 'copy', src: h.value.cap, dest: t.value.slot }).ok).toBe(true);
    expect(m.freeSlot(t.value.slot)).toEqual({ ok: false, error: 'MM_ERR_SLOT_NOT_EMPTY', arg: 'slot' });
    expect(m.freeSlot(s.value.slot)).toEqual({ ok: true, value: {} });
    expect(m.freeSlot(s.value.slot)).toEqual({ ok: false, error: 'LIB_ERR_SLOT_UNALLOCATED', arg: 'slot' });
  });

  it('hands out slots lowest first, refills with L2CNodes, and opens a CSpace extension when the root CNode is full', () => {
    const k = new ImplKernel(defaultKernelConfig);
    const m = new SimpleMemory(k, defaultKernelConfig, { extensionSlots: 256 });
    const first = m.allocSlot();
    expect(first.ok && first.value.slot.cptr).toBe(level2Cptr(7, 0));
    const roots = new Set<number>();
    // 3 boot CNodes + 242 refills in the root CNode = 62,720 slots; then extensions.
    for (let i = 0; i < 63_500; i++) {
      const s = m.allocSlot();
      if (!s.ok) throw new Error(`slot ${i}: ${s.error}`);
      roots.add(s.value.slot.root);
    }
    expect(roots.size).toBeGreaterThan(1);
    const state = k.observe();
    expect(state.cores[0]!.ctes.filter((e) => e.cap.type === 'L1CNode').length).toBe(roots.size);
  });

  it('allocates RAM correctly when taking its slot refills the slot allocator (which takes RAM too)', () => {
    const k = new ModelKernel(defaultKernelConfig);
    const m = new SimpleMemory(k, defaultKernelConfig);
    for (let i = 0; i < 1000; i++) expect(m.allocRam({ bytes: PAGE }).ok, `allocation ${i}`).toBe(true);
    expect(checkInvariants(k.observe())).toEqual([]);
  });

  it('never hands out a whole RAM root: the grant would be a copy of the root, and freeing it would revoke the root (DEC-MM-NO-PARENT-COPY)', () => {
    // Boot fills the first region exactly; the second, 16 pages, is the only RAM root.
    const config = {
      ...defaultKernelConfig,
      memory: [
        { base: 0x8000_0000, bytes: 132 * 1024, kind: 'ram' as const },
        { base: 0x9000_0000, bytes: 16 * PAGE, kind: 'ram' as const },
      ],
    };
    const k = new ModelKernel(config);
    const m = new SimpleMemory(k, config);
    expect(m.allocRam({ bytes: 16 * PAGE })).toEqual({ ok: false, error: 'MM_ERR_OUT_OF_MEMORY', arg: 'bytes' });
    const g = m.allocRam({ bytes: 15 * PAGE });
    if (!g.ok) throw new Error('alloc');
    expect(m.freeRam(g.value.cap).ok).toBe(true);
    const again = m.allocRam({ bytes: PAGE });
    expect(again.ok && again.value.base).toBe(0x9000_0000);
    expect(checkInvariants(k.observe())).toEqual([]);
  });

  it('runs out of slots cleanly when no RAM is left to refill them', () => {
    const config = { ...defaultKernelConfig, memory: [{ base: 0x8000_0000, bytes: 256 * 1024, kind: 'ram' as const }] };
    const k = new ModelKernel(config);
    const m = new SimpleMemory(k, config);
    while (m.allocRam({ bytes: PAGE }).ok);
    let last;
    for (let i = 0; i < 1000 && (last = m.allocSlot()).ok; i++);
    expect(last).toEqual({ ok: false, error: 'LIB_ERR_SLOT_ALLOC_NO_SPACE' });
  });
});
