// A small, obviously correct RamAllocator + SlotAllocator (spec/mm's
// contract) for the paging conformance suite and benchmark. The paging suite
// checks the address space, not the memory manager: both of its stacks get
// this same provider, so a memory-manager bug can never show up as a paging
// counterexample, and both stacks see identical allocator decisions.
//
// RAM: first fit over a sorted free list of the boot RAM roots (coalesced
// within each root), handed out by retyping the root; freeRam revokes and
// deletes the capability and puts the range back. Slots: a stack of free
// slots, lowest on top; below a low-water mark it refills with an L2CNode
// retyped straight from a RAM root into the next free slot of the root
// CNode (no slot needed, so refilling never recurses), and once the root
// CNode is full it opens a CSpace extension: a new L1CNode whose slots take
// further L2CNodes (DEC-ROOT-BY-OBJECT: any live L1CNode can be a capref root).
import {
  bootLayout,
  ROOTCN_SLOT_SUPERCN,
  ROOTCN_SLOT_SLOT_ALLOC0,
  ROOTCN_SLOT_SLOT_ALLOC1,
  ROOTCN_SLOT_SLOT_ALLOC2,
  ROOTCN_SLOTS_USER,
  BOOT_L1CNODE_BYTES,
} from '../../spec/kernel/boot.js';
import { capref1, capref2, type Capref } from '../../spec/kernel/capref.js';
import type { KernelConfig } from '../../spec/kernel/config.js';
import type { Kernel, KernelResult } from '../../spec/kernel/kernel.js';
import type { Region } from '../../spec/kernel/state.js';
import { CTE_SIZE, L2_CNODE_SLOTS, OBJSIZE_L2CNODE } from '../../spec/kernel/types.js';
import type { MmResult, RamAllocator, RamRequest, SlotAllocator } from '../../spec/mm/mm.js';
import { caprefKey } from '../../spec/mm/state.js';
import { err, ok } from '../../spec/result.js';

const PAGE = 4096;
/** Refill below this many free slots: a refill needs at most one (for a CSpace extension). */
const SLOT_LOW_WATER = 4;

interface FreeRange {
  base: number;
  bytes: number;
  readonly parent: number;
}

interface Parent extends Region {
  readonly cap: Capref;
}

function must(r: KernelResult, what: string): void {
  if (!r.ok) throw new Error(`provider: ${what} failed with ${r.error}`);
}

export interface ProviderOptions {
  /** Slots of each CSpace extension's L1CNode (a multiple of 256). Default 4096. */
  readonly extensionSlots?: number;
}

export class SimpleMemory implements RamAllocator, SlotAllocator {
  private readonly parents: Parent[];
  /** Sorted by base. */
  private free: FreeRange[];
  private readonly granted = new Map<string, { base: number; bytes: number; parent: number }>();
  /** Free slots; the lowest is on top (the end). */
  private readonly freeSlots: Capref[] = [];
  private readonly handedOut = new Set<string>();
  private readonly known = new Set<string>();
  private readonly roots: { base: number; slots: number; next: number }[];
  private readonly extensionSlots: number;
  private refilling = false;

  constructor(
    private readonly kernel: Kernel,
    config: KernelConfig,
    options: ProviderOptions = {},
  ) {
    const layout = bootLayout(config);
    this.parents = layout.ramRoots.map((r, i) => ({ base: r.base, bytes: r.bytes, cap: capref2(layout.rootCNode, ROOTCN_SLOT_SUPERCN, i) }));
    this.free = this.parents.map((p, i) => ({ base: p.base, bytes: p.bytes, parent: i }));
    this.roots = [{ base: layout.rootCNode, slots: BOOT_L1CNODE_BYTES / CTE_SIZE, next: ROOTCN_SLOTS_USER }];
    this.extensionSlots = options.extensionSlots ?? 4096;
    for (const l1 of [ROOTCN_SLOT_SLOT_ALLOC2, ROOTCN_SLOT_SLOT_ALLOC1, ROOTCN_SLOT_SLOT_ALLOC0]) this.addCNode(layout.rootCNode, l1);
  }

  // --- RAM ------------------------------------------------------------------------

  allocRam(request: RamRequest): MmResult<'alloc'> {
    const alignment = request.alignment ?? PAGE;
    if (request.bytes <= 0 || request.bytes % PAGE !== 0) return err('LIB_ERR_RAM_ALLOC_WRONG_SIZE', 'bytes');
    if (alignment < PAGE || (alignment & (alignment - 1)) !== 0) return err('MM_ERR_BAD_ALIGNMENT', 'alignment');
    // The slot first: taking it may refill the slot allocator, which takes RAM from the free list.
    const slot = this.allocSlot();
    if (!slot.ok) return slot;
    const at = this.fit(request.bytes, alignment, request.range?.base ?? 0, request.range?.limit ?? Number.MAX_SAFE_INTEGER, true);
    if (at === undefined) {
      this.releaseSlot(slot.value.slot);
      return err('MM_ERR_OUT_OF_MEMORY', 'bytes');
    }
    const range = this.free[at.index]!;
    const parent = this.parents[range.parent]!;
    must(
      this.kernel.apply({ op: 'retype', src: parent.cap, offset: at.base - parent.base, type: 'RAM', objsize: request.bytes, count: 1, dest: slot.value.slot }),
      'retype of RAM',
    );
    this.take(at.index, at.base, request.bytes);
    this.granted.set(caprefKey(slot.value.slot), { base: at.base, bytes: request.bytes, parent: range.parent });
    return ok({ cap: slot.value.slot, base: at.base, bytes: request.bytes });
  }

  freeRam(cap: Capref, range?: Region): MmResult<'free'> {
    const g = this.granted.get(caprefKey(cap));
    if (g === undefined) return err('MM_ERR_NOT_FOUND', 'cap');
    // The client may have deleted the capability, or put something else in its slot.
    const id = this.kernel.apply({ op: 'identify', target: cap });
    if (!id.ok || id.value.cap.type !== 'RAM' || !('base' in id.value.cap) || id.value.cap.base !== g.base || id.value.cap.bytes !== g.bytes)
      return err('MM_ERR_NOT_FOUND', 'cap');
    if (range !== undefined && (range.base !== g.base || range.bytes !== g.bytes)) return err('MM_ERR_OUT_OF_BOUNDS', 'range'); // no partial frees here
    must(this.kernel.apply({ op: 'revoke', target: cap }), 'revoke of freed RAM');
    must(this.kernel.apply({ op: 'delete', target: cap }), 'delete of freed RAM');
    this.granted.delete(caprefKey(cap));
    this.giveBack(g.base, g.bytes, g.parent);
    this.releaseSlot(cap);
    return ok({ remainders: [] });
  }

  /**
   * First fit. A RAM grant (`ram`) never covers a whole root: the kernel would
   * make that full-size retype a copy of the root, and freeing it (a revoke)
   * would delete the root itself (DEC-MM-NO-PARENT-COPY).
   */
  private fit(bytes: number, alignment: number, lo: number, hi: number, ram = false): { index: number; base: number } | undefined {
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i]!;
      const base = Math.ceil(Math.max(r.base, lo) / alignment) * alignment;
      if (base + bytes > Math.min(r.base + r.bytes, hi)) continue;
      const parent = this.parents[r.parent]!;
      if (ram && base === parent.base && bytes === parent.bytes) continue;
      return { index: i, base };
    }
    return undefined;
  }

  private take(index: number, base: number, bytes: number): void {
    const r = this.free[index]!;
    const parts: FreeRange[] = [];
    if (base > r.base) parts.push({ base: r.base, bytes: base - r.base, parent: r.parent });
    if (base + bytes < r.base + r.bytes) parts.push({ base: base + bytes, bytes: r.base + r.bytes - base - bytes, parent: r.parent });
    this.free.splice(index, 1, ...parts);
  }

  private giveBack(base: number, bytes: number, parent: number): void {
    let i = this.free.findIndex((r) => r.base > base);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { base, bytes, parent });
    const next = this.free[i + 1];
    if (next !== undefined && next.parent === parent && base + bytes === next.base) {
      this.free[i]!.bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev !== undefined && prev.parent === parent && prev.base + prev.bytes === base) {
      prev.bytes += this.free[i]!.bytes;
      this.free.splice(i, 1);
    }
  }

  // --- slots ----------------------------------------------------------------------

  allocSlot(): MmResult<'slot_alloc'> {
    if (this.freeSlots.length < SLOT_LOW_WATER && !this.refilling) this.refill();
    const slot = this.freeSlots.pop();
    if (slot === undefined) return err('LIB_ERR_SLOT_ALLOC_NO_SPACE');
    this.handedOut.add(caprefKey(slot));
    return ok({ slot });
  }

  freeSlot(slot: Capref): MmResult<'slot_free'> {
    const k = caprefKey(slot);
    if (!this.known.has(k)) return err('LIB_ERR_SLOT_ALLOC_WRONG_CNODE', 'slot');
    if (!this.handedOut.has(k)) return err('LIB_ERR_SLOT_UNALLOCATED', 'slot');
    if (this.kernel.apply({ op: 'identify', target: slot }).ok) return err('MM_ERR_SLOT_NOT_EMPTY', 'slot');
    this.releaseSlot(slot);
    return ok({});
  }

  private releaseSlot(slot: Capref): void {
    this.handedOut.delete(caprefKey(slot));
    this.freeSlots.push(slot);
  }

  private addCNode(root: number, l1Index: number): void {
    for (let s = L2_CNODE_SLOTS - 1; s >= 0; s--) {
      const ref = capref2(root, l1Index, s);
      this.known.add(caprefKey(ref));
      this.freeSlots.push(ref);
    }
  }

  /** Adds an L2CNode of fresh slots (opening a CSpace extension first when every root is full). */
  private refill(): void {
    this.refilling = true;
    try {
      let root = this.roots.at(-1)!;
      if (root.next >= root.slots) {
        const bytes = this.extensionSlots * CTE_SIZE;
        const at = this.fit(bytes, PAGE, 0, Number.MAX_SAFE_INTEGER);
        const slot = at === undefined ? undefined : this.allocSlot();
        if (at === undefined || slot === undefined || !slot.ok) return;
        const parent = this.parents[this.free[at.index]!.parent]!;
        must(
          this.kernel.apply({ op: 'retype', src: parent.cap, offset: at.base - parent.base, type: 'L1CNode', objsize: bytes, count: 1, dest: slot.value.slot }),
          'retype of a CSpace extension',
        );
        this.take(at.index, at.base, bytes);
        root = { base: at.base, slots: this.extensionSlots, next: 0 };
        this.roots.push(root);
      }
      const at = this.fit(OBJSIZE_L2CNODE, PAGE, 0, Number.MAX_SAFE_INTEGER);
      if (at === undefined) return;
      const parent = this.parents[this.free[at.index]!.parent]!;
      must(
        this.kernel.apply({
          op: 'retype',
          src: parent.cap,
          offset: at.base - parent.base,
          type: 'L2CNode',
          objsize: OBJSIZE_L2CNODE,
          count: 1,
          dest: capref1(root.base, root.next),
        }),
        'retype of a slot CNode',
      );
      this.take(at.index, at.base, OBJSIZE_L2CNODE);
      // Keep the lowest slots on top: the new CNode's slots go under the ones still free.
      const rest = this.freeSlots.splice(0);
      this.addCNode(root.base, root.next);
      this.freeSlots.push(...rest);
      root.next++;
    } finally {
      this.refilling = false;
    }
  }

  /** Free bytes and slots left (for tests and summaries). */
  stats(): { freeBytes: number; freeSlots: number; grants: number } {
    return { freeBytes: this.free.reduce((n, r) => n + r.bytes, 0), freeSlots: this.freeSlots.length, grants: this.granted.size };
  }
}
