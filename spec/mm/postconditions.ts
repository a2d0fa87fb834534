// Transition checks of the memory manager: what one step (pre-state,
// operation, result, post-state) must achieve and no single state can show —
// that a grant meets its request and descends from a parent, that freed
// memory becomes allocatable again, that a failed step changes nothing.
import { formatCapref } from '../kernel/capref.js';
import { hex, type Violation } from '../kernel/invariants/framework.js';
import { jsonEqual } from '../kernel/postconditions.js';
import { memDescends } from '../kernel/relations.js';
import { regionEnd, type Region } from '../kernel/state.js';
import type { MmResult } from './mm.js';
import { alignmentOf, type MmOp, type RamGrant } from './ops.js';
import { isClientSlot, parentOf } from './policy.js';
import { memoryCapAt } from './preconditions.js';
import type { MmWorld } from './invariants.js';
import type { Allocation } from './state.js';

export interface MmPostcondition {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (pre: MmWorld, op: MmOp, result: MmResult, post: MmWorld) => Violation[];
}

const v = (invariant: string, message: string): Violation => ({ invariant, message });
const range = (r: Region) => `[${hex(r.base)}, ${hex(regionEnd(r))})`;

/** The grant lands where it says: a RAM capability of exactly its region, strictly below a parent, in a slot the client holds. */
function grantViolations(id: string, post: MmWorld, g: RamGrant): Violation[] {
  const out: Violation[] = [];
  const k = memoryCapAt(post.kernel.cores[0]!, g.cap);
  if (k === undefined || k.type !== 'RAM' || k.base !== g.base || k.bytes !== g.bytes)
    out.push(v(id, `${formatCapref(g.cap)} does not hold a RAM capability of ${range(g)}`));
  const p = parentOf(post.mm.parents, g);
  const pk = p === undefined ? undefined : memoryCapAt(post.kernel.cores[0]!, p.cap);
  if (k !== undefined && (pk === undefined || !memDescends(k, pk))) out.push(v(id, `the capability for ${range(g)} does not strictly descend from a parent`));
  if (!isClientSlot(post.mm, g.cap)) out.push(v(id, `${formatCapref(g.cap)} is not a slot the client holds`));
  if (!post.mm.allocations.some((a) => a.use === 'client' && a.base === g.base && a.bytes === g.bytes))
    out.push(v(id, `${range(g)} is not recorded as a client allocation`));
  return out;
}

/**
 * Whether `r` is allocatable again after the step: every part of it lies in
 * a free range — or in a metadata allocation the step's refills just made
 * (a refill may take freed memory at once, by the same first-fit policy).
 */
function isFreed(pre: MmWorld, post: MmWorld, r: Region): boolean {
  // Keyed by use too: a refill may take exactly the range just freed (a 16 KiB client range becoming a 16 KiB L1CNode).
  const key = (a: Allocation) => `${a.use}@${a.base}+${a.bytes}`;
  const before = new Set(pre.mm.allocations.map(key));
  const parts = [...post.mm.free, ...post.mm.allocations.filter((a) => a.use !== 'client' && !before.has(key(a)))];
  let covered = 0;
  for (const p of parts) covered += Math.max(0, Math.min(regionEnd(p), regionEnd(r)) - Math.max(p.base, r.base));
  return covered === r.bytes;
}

export const mmPostconditions: readonly MmPostcondition[] = [
  {
    id: 'MM-ATOMIC-FAILURE',
    title: 'A failed step changes nothing',
    explanation: 'Every check comes before any effect: a step that returns an error leaves the manager and the kernel exactly as they were.',
    source: 'DESIGN.md "The contract between model and impl"; DEC-ATOMIC-MINT',
    check: (pre, _op, result, post) =>
      result.ok || (jsonEqual(pre.mm, post.mm) && jsonEqual(pre.kernel, post.kernel))
        ? []
        : [v('MM-ATOMIC-FAILURE', `the step failed with ${result.error} but changed the state`)],
  },
  {
    id: 'MM-GRANT-MEETS-REQUEST',
    title: 'Every allocation meets its size, alignment and range',
    explanation:
      "A successful allocation hands out exactly the size asked for, at a base aligned as asked, inside the physical range when one was given — as a RAM capability of exactly that region that strictly descends from one of the manager's parents, in a slot the client now holds.",
    source: 'DESIGN.md family 6; seeds/002 (mm_alloc_aligned); seeds/001 §2.8',
    check: (_pre, op, result, post) => {
      if (op.op !== 'alloc' || !result.ok) return [];
      const g = result.value as RamGrant;
      const out = grantViolations('MM-GRANT-MEETS-REQUEST', post, g);
      if (g.bytes !== op.bytes) out.push(v('MM-GRANT-MEETS-REQUEST', `asked for ${op.bytes} bytes, got ${g.bytes}`));
      if (g.base % alignmentOf(op) !== 0) out.push(v('MM-GRANT-MEETS-REQUEST', `base ${hex(g.base)} is not aligned to ${alignmentOf(op)}`));
      if (op.range !== undefined && (g.base < op.range.base || regionEnd(g) > op.range.limit))
        out.push(v('MM-GRANT-MEETS-REQUEST', `${range(g)} lies outside [${hex(op.range.base)}, ${hex(op.range.limit)})`));
      return out;
    },
  },
  {
    id: 'MM-FREED-ALLOCATABLE',
    title: 'Freed memory becomes allocatable again',
    explanation:
      "After a free or a reclaim the released range is free — merged with its free neighbours — so the next request that fits there gets it (unless the refill after the step took part of it for the manager's own metadata, by the same first-fit rule); what a partial free keeps comes back as new grants; the slot the capability was handed in returns to the slot allocator.",
    source: 'DESIGN.md family 6; seeds/001 §2.7',
    check: (pre, op, result, post) => {
      if (!result.ok) return [];
      if (op.op === 'reclaim') {
        const r = result.value as Region;
        return isFreed(pre, post, r) ? [] : [v('MM-FREED-ALLOCATABLE', `reclaimed ${range(r)} is not free afterwards`)];
      }
      if (op.op !== 'free') return [];
      const k = memoryCapAt(pre.kernel.cores[0]!, op.cap)!;
      const freed = op.range ?? { base: k.base, bytes: k.bytes };
      const out: Violation[] = [];
      if (!isFreed(pre, post, freed)) out.push(v('MM-FREED-ALLOCATABLE', `freed ${range(freed)} is not free afterwards`));
      const remainders = (result.value as { remainders: readonly RamGrant[] }).remainders;
      for (const g of remainders) out.push(...grantViolations('MM-FREED-ALLOCATABLE', post, g));
      if (remainders.every((g) => g.cap.cptr !== op.cap.cptr || g.cap.root !== op.cap.root) && isClientSlot(post.mm, op.cap))
        out.push(v('MM-FREED-ALLOCATABLE', `the client still holds ${formatCapref(op.cap)} after handing it back`));
      return out;
    },
  },
  {
    id: 'MM-CLIENT-CANNOT-TOUCH',
    title: 'A client step never changes the manager',
    explanation:
      "The client works only on the slots it holds: whatever it copies, retypes, deletes or revokes, the manager's ranges, parents, metadata and slots stay as they were.",
    source: 'DEC-MM-CLIENT-CSPACE',
    check: (pre, op, _result, post) =>
      op.op !== 'client' || jsonEqual(pre.mm, post.mm) ? [] : [v('MM-CLIENT-CANNOT-TOUCH', "a client step changed the manager's state")],
  },
];

export function checkMmPostconditions(pre: MmWorld, op: MmOp, result: MmResult, post: MmWorld): Violation[] {
  return mmPostconditions.flatMap((p) => p.check(pre, op, result, post));
}
