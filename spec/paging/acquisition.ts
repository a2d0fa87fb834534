// Taking RAM and slots before building anything (DEC-PAGING-ACQUIRE-FIRST),
// shared by the model and the implementation of the address space:
// after the first refusal nothing more is taken, and `abort` gives back what
// was, newest first, so a refused step leaves the allocators as they were.
import type { Capref } from '../kernel/capref.js';
import type { RamAllocator, SlotAllocator } from '../mm/mm.js';
import type { RamGrant } from '../mm/ops.js';
import type { PagingAnyArg, PagingAnyError } from './errors.js';
import type { Err, Result } from '../result.js';

export type Fail = Err<PagingAnyError, PagingAnyArg>;

/**
 * A kernel call the address space makes after checking everything, or an
 * allocator taking back a slot or RAM it handed out (the slot emptied first):
 * failure is a bug in capref — the address space's bookkeeping and the
 * kernel's or the allocator's disagree.
 */
export function must(r: Result<unknown, string>, what: string): void {
  if (!r.ok) throw new Error(`address space: ${what} failed with ${r.error}`);
}

export class Acquisition {
  private readonly slots: Capref[] = [];
  private readonly rams: RamGrant[] = [];
  /** In order of taking: true for a slot, false for RAM. */
  private readonly order: boolean[] = [];
  failure: Fail | undefined;

  constructor(private readonly memory: RamAllocator & SlotAllocator) {}

  /** A slot, or a placeholder once something was refused (check `failure` before using it). */
  slot(): Capref {
    if (this.failure === undefined) {
      const r = this.memory.allocSlot();
      if (r.ok) {
        this.slots.push(r.value.slot);
        this.order.push(true);
        return r.value.slot;
      }
      this.failure = r;
    }
    return { root: 0, cptr: 0, level: 0 };
  }

  ram(bytes: number, alignment: number): RamGrant {
    if (this.failure === undefined) {
      const r = this.memory.allocRam({ bytes, alignment });
      if (r.ok) {
        this.rams.push(r.value);
        this.order.push(false);
        return r.value;
      }
      this.failure = r;
    }
    return { cap: { root: 0, cptr: 0, level: 0 }, base: 0, bytes: 0 };
  }

  abort(): Fail {
    for (let i = this.order.length - 1; i >= 0; i--) {
      // The allocator refusing to take back what it just handed out is a bug in capref, not an outcome.
      const r = this.order[i] ? this.memory.freeSlot(this.slots.pop()!) : this.memory.freeRam(this.rams.pop()!.cap);
      if (!r.ok) throw new Error(`address space: giving back what a refused step acquired failed with ${r.error}`);
    }
    return this.failure!;
  }
}
