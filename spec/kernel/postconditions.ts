// Transition checks: properties of one step (pre-state, operation, result,
// post-state) that no single state can express — what revoke and delete must
// achieve, that rights never grow, that a failed operation changes nothing.
import type { InvariantFamily, Violation } from './invariants/framework.js';
import { at, hex } from './invariants/framework.js';
import type { KernelResult } from './kernel.js';
import { lookupCap, resolveSlot } from './lookup.js';
import type { KernelOp, RemovalValue } from './ops.js';
import { capAt, coreOf } from './query.js';
import { cteDescends, isCopy } from './relations.js';
import { hasRights, intersectRights } from './rights.js';
import { isMappingCap, overlaps, sameSlot, type CoreState, type KernelState, type SlotAddr } from './state.js';

export interface Postcondition {
  readonly id: string;
  readonly family: InvariantFamily | 'atomicity';
  readonly title: string;
  readonly explanation: string;
  readonly source: string;
  readonly check: (pre: KernelState, op: KernelOp, result: KernelResult, post: KernelState) => Violation[];
}

const v = (invariant: string, message: string): Violation => ({ invariant, message });

/** Deep equality of two JSON values (observations are plain JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** The pre-state's core and the slot a capref named in it, if it resolved. */
function preSlot(pre: KernelState, op: KernelOp, field: 'src' | 'target' | 'dest' | 'mapping'): { core: CoreState; addr: SlotAddr } | undefined {
  const core = coreOf(pre, op.core ?? 0);
  const ref = (op as unknown as Record<string, unknown>)[field];
  if (core === undefined || ref === undefined) return undefined;
  const r = resolveSlot(core, ref as never, 'target', 'read');
  return r.ok ? { core, addr: r.value.addr } : undefined;
}

export const kernelPostconditions: readonly Postcondition[] = [
  {
    id: 'ATOMIC-FAILURE',
    family: 'atomicity',
    title: 'A failed operation changes nothing',
    explanation:
      'Every precondition is checked before any state changes, so an operation that returns an error leaves the whole state exactly as it was (in Barrelfish, a failed mint could leave its destination slot written: capref does not).',
    source: 'cap-invariants.md E.2; seL4 decode-before-invoke; DEC-ATOMIC-MINT',
    check: (pre, _op, result, post) => (result.ok || jsonEqual(pre, post) ? [] : [v('ATOMIC-FAILURE', `the operation failed with ${result.error} but changed the state`)]),
  },
  {
    id: 'QUERY-PURE',
    family: 'atomicity',
    title: 'Queries change nothing',
    explanation: 'identify and is_retypeable only look: whatever they return, the state is exactly as before.',
    source: 'kernel/syscall.c sys_identify_cap; KernelCmd_Is_retypeable',
    check: (pre, op, _result, post) => ((op.op !== 'identify' && op.op !== 'is_retypeable') || jsonEqual(pre, post) ? [] : [v('QUERY-PURE', `${op.op} changed the state`)]),
  },
  {
    id: 'RV-REVOKE-COMPLETE',
    family: 3,
    title: 'After revoke, no copy or descendant remains',
    explanation:
      'After revoke(c) succeeds, no other copy of c and no descendant of c exists anywhere on the core: copies in every CSpace, descendants at any depth (transitively), and their mappings are gone.',
    source: 'DESIGN.md "Revoke"; cap-invariants.md B.5, E.1; DEC-TRANSITIVE-REVOKE',
    check: (pre, op, result, post) => {
      if (op.op !== 'revoke' || !result.ok) return [];
      const t = preSlot(pre, op, 'target');
      const target = t && capAt(t.core, t.addr);
      const after = coreOf(post, op.core ?? 0);
      if (t === undefined || target === undefined || after === undefined) return [];
      const targetCte = { ...t.addr, cap: target };
      const atPost = (cnode: number, slot: number) => capAt(after, { cnode, slot });
      return after.ctes
        .filter((o) => !sameSlot(o, t.addr) && (isCopy(o.cap, target) || cteDescends(o, targetCte, atPost)))
        .map((o) => v('RV-REVOKE-COMPLETE', `${o.cap.type} at ${at(o.cnode, o.slot)} survived the revoke of ${at(t.addr.cnode, t.addr.slot)}`));
    },
  },
  {
    id: 'RV-DELETE-GONE',
    family: 3,
    title: 'After delete, the slot is empty and its mapping gone',
    explanation: 'After delete(slot) succeeds, the slot is empty and no Mapping capability names it.',
    source: 'DESIGN.md "Delete"; kernel/cap_delete.c cleanup_copy',
    check: (pre, op, result, post) => {
      if (op.op !== 'delete' || !result.ok) return [];
      const t = preSlot(pre, op, 'target');
      const after = coreOf(post, op.core ?? 0);
      if (t === undefined || after === undefined) return [];
      const out: Violation[] = [];
      if (capAt(after, t.addr) !== undefined) out.push(v('RV-DELETE-GONE', `slot ${at(t.addr.cnode, t.addr.slot)} is still occupied after its delete`));
      for (const o of after.ctes)
        if (isMappingCap(o.cap) && sameSlot(o.cap.mapped, t.addr)) out.push(v('RV-DELETE-GONE', `Mapping at ${at(o.cnode, o.slot)} still names the deleted slot`));
      return out;
    },
  },
  {
    id: 'RV-RECLAIM-FREE',
    family: 3,
    title: 'Reclaimed memory is free, inside the memory map, and reported once',
    explanation:
      'The regions a delete or revoke hands back to the memory server overlap no capability that remains, lie inside the memory map, and do not overlap each other.',
    source: 'kernel/cap_delete.c cleanup_last (reclaim condition); cap-invariants.md A.4.16; DEC-RECLAIM-MAXIMAL',
    check: (_pre, op, result, post) => {
      if ((op.op !== 'delete' && op.op !== 'revoke') || !result.ok) return [];
      const regions = (result.value as RemovalValue).reclaimed;
      const after = coreOf(post, op.core ?? 0);
      const out: Violation[] = [];
      regions.forEach((r, i) => {
        if (!post.memory.some((m) => m.base <= r.base && r.base + r.bytes <= m.base + m.bytes)) out.push(v('RV-RECLAIM-FREE', `reclaimed ${hex(r.base)}+${r.bytes} lies outside the memory map`));
        for (const o of after?.ctes ?? []) if (!isMappingCap(o.cap) && overlaps(o.cap, r)) out.push(v('RV-RECLAIM-FREE', `reclaimed ${hex(r.base)}+${r.bytes} is still used by ${o.cap.type} at ${at(o.cnode, o.slot)}`));
        for (const q of regions.slice(i + 1)) if (overlaps(q, r)) out.push(v('RV-RECLAIM-FREE', `reclaimed regions ${hex(r.base)} and ${hex(q.base)} overlap`));
      });
      return out;
    },
  },
  {
    id: 'RGT-NO-AMPLIFY',
    family: 5,
    title: 'Rights never grow along copy, mint, retype or map',
    explanation:
      'A copy has exactly its source\'s rights; a minted capability has the source\'s rights intersected with the mask; retyped objects and Mapping capabilities have no right their source lacks.',
    source: 'DESIGN.md "Copy and mint", family 5; cap-invariants.md A.4.14-15; DEC-RETYPE-RIGHTS',
    check: (pre, op, result, post) => {
      if (!result.ok || (op.op !== 'copy' && op.op !== 'mint' && op.op !== 'retype' && op.op !== 'vnode_map')) return [];
      const core = coreOf(pre, op.core ?? 0);
      const after = coreOf(post, op.core ?? 0);
      if (core === undefined || after === undefined) return [];
      const src = lookupCap(core, op.src, 'src', 'read');
      if (!src.ok) return [];
      const allowed = op.op === 'mint' ? intersectRights(src.value.cap.rights, op.rights) : src.value.cap.rights;
      const before = new Set(core.ctes.map((c) => `${c.cnode}:${c.slot}`));
      const out: Violation[] = [];
      for (const c of after.ctes) {
        if (before.has(`${c.cnode}:${c.slot}`)) continue;
        const exact = op.op === 'copy' || op.op === 'mint';
        const okRights = exact ? c.cap.rights.join() === allowed.join() : hasRights(allowed, c.cap.rights);
        if (!okRights) out.push(v('RGT-NO-AMPLIFY', `${op.op} created ${c.cap.type} at ${at(c.cnode, c.slot)} with rights ${c.cap.rights.join('|') || 'none'}; allowed: ${allowed.join('|') || 'none'}${exact ? ' (exactly)' : ''}`));
      }
      return out;
    },
  },
];

export function checkPostconditions(pre: KernelState, op: KernelOp, result: KernelResult, post: KernelState): Violation[] {
  return kernelPostconditions.flatMap((p) => p.check(pre, op, result, post));
}
