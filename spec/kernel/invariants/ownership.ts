// Family 2: ownership and derivation.
import { cnodeSlotCount } from '../query.js';
import { isCopy, memDescends } from '../relations.js';
import { contains, isMappingCap, type Capability, type CoreState, type MemoryCap } from '../state.js';
import { isCNodeType } from '../types.js';
import { at, hex, type Invariant, type Violation } from './framework.js';

const metaKey = (k: Capability) => `${k.owner}/${k.locked}/${k.remote.copies}/${k.remote.ancs}/${k.remote.descs}`;
const identityKey = (k: Capability) =>
  isMappingCap(k) ? `${k.type}@${k.mapped.cnode}:${k.mapped.slot}>${k.ptable}:${k.entry}` : `${k.type}@${k.base}+${k.bytes}`;

function liveCNodes(c: CoreState): Map<number, MemoryCap> {
  const m = new Map<number, MemoryCap>();
  for (const e of c.ctes) if (!isMappingCap(e.cap) && isCNodeType(e.cap.type)) m.set(e.cap.base, e.cap);
  return m;
}

export const ownershipInvariants: readonly Invariant[] = [
  {
    id: 'OD-SLOT-IN-CNODE',
    family: 2,
    title: 'Every capability sits in a slot of a live CNode',
    explanation:
      "Each occupied slot belongs to a CNode object that still exists (some capability to it is held), and its index is below that CNode's slot count. A capability occupies exactly one slot: the state has one entry per (CNode, slot).",
    source: 'cap-invariants.md A.1.18 (if_unsafe_then_cap), A.4.10; DESIGN.md family 2',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const cnodes = liveCNodes(c);
        const seen = new Set<string>();
        for (const e of c.ctes) {
          const k = `${e.cnode}:${e.slot}`;
          if (seen.has(k)) out.push({ invariant: 'OD-SLOT-IN-CNODE', core: c.core, message: `slot ${at(e.cnode, e.slot)} listed twice` });
          seen.add(k);
          const cn = cnodes.get(e.cnode);
          if (cn === undefined)
            out.push({
              invariant: 'OD-SLOT-IN-CNODE',
              core: c.core,
              message: `${e.cap.type} at ${at(e.cnode, e.slot)} sits in CNode ${hex(e.cnode)}, which no capability names`,
            });
          else if (e.slot >= cnodeSlotCount(cn))
            out.push({
              invariant: 'OD-SLOT-IN-CNODE',
              core: c.core,
              message: `slot ${at(e.cnode, e.slot)} is beyond the ${cnodeSlotCount(cn)} slots of its ${cn.type}`,
            });
        }
      }
      return out;
    },
  },
  {
    id: 'OD-SLOT-TYPES',
    family: 2,
    title: 'L1CNode slots hold L2CNodes; Mapping capabilities sit in L2CNodes',
    explanation:
      'A slot of an L1CNode holds only an L2CNode capability (the second level of the CSpace), and Mapping capabilities are stored in L2CNode slots. Anything else in an L1 slot would be unreachable by level-2 lookups.',
    source: 'cap-invariants.md A.4.11; kernel/capabilities.c caps_copy_to_cnode; kernel/syscall.c sys_map',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const cnodes = liveCNodes(c);
        for (const e of c.ctes) {
          const cn = cnodes.get(e.cnode);
          if (cn?.type === 'L1CNode' && e.cap.type !== 'L2CNode')
            out.push({ invariant: 'OD-SLOT-TYPES', core: c.core, message: `${e.cap.type} in L1CNode slot ${at(e.cnode, e.slot)}` });
          if (cn?.type === 'L1CNode' && isMappingCap(e.cap))
            out.push({ invariant: 'OD-SLOT-TYPES', core: c.core, message: `Mapping capability in L1CNode slot ${at(e.cnode, e.slot)}` });
        }
      }
      return out;
    },
  },
  {
    id: 'OD-INSIDE-MEMORY',
    family: 2,
    title: "Every memory capability lies inside the platform's memory",
    explanation: "Every memory capability's region lies inside one region of the configured memory map (every object derives from a boot root).",
    source: 'DESIGN.md family 2; cap-invariants.md A.1.20-22',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores)
        for (const e of c.ctes) {
          const k = e.cap;
          if (isMappingCap(k) || s.memory.some((r) => contains(r, k))) continue;
          out.push({
            invariant: 'OD-INSIDE-MEMORY',
            core: c.core,
            message: `${k.type} ${hex(k.base)}+${k.bytes} at ${at(e.cnode, e.slot)} lies outside the memory map`,
          });
        }
      return out;
    },
  },
  {
    id: 'OD-COPY-UNIFORM',
    family: 2,
    title: 'Copies agree on owner, lock and remote relations',
    explanation:
      'All copies of a capability on one core carry the same owner core, the same lock bit and the same remote-relation bits: the kernel updates them on the whole run of copies at once.',
    source: 'cap-invariants.md A.6.1; lib/mdb/mdb.c mdb_set_relations; kernel/capabilities.c caps_create_from_existing',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const byIdentity = new Map<string, string>();
        for (const e of c.ctes) {
          const id = identityKey(e.cap);
          const m = metaKey(e.cap);
          const prev = byIdentity.get(id);
          if (prev === undefined) byIdentity.set(id, m);
          else if (prev !== m)
            out.push({ invariant: 'OD-COPY-UNIFORM', core: c.core, message: `copy at ${at(e.cnode, e.slot)} has metadata ${m}, another copy ${prev}` });
        }
      }
      return out;
    },
  },
  {
    id: 'OD-OWNER',
    family: 2,
    title: 'One owner per capability, and the owner holds a copy',
    explanation: 'Every copy names an existing core as owner; all copies system-wide agree on the owner; and while any copy exists, the owner core holds one.',
    source: 'cap-invariants.md A.6.2; DESIGN.md "Ownership (multicore)"',
    check: (s) => {
      const out: Violation[] = [];
      const owners = new Map<string, number>();
      const holders = new Map<string, Set<number>>();
      for (const c of s.cores)
        for (const e of c.ctes) {
          const k = e.cap;
          if (!s.cores.some((x) => x.core === k.owner))
            out.push({ invariant: 'OD-OWNER', core: c.core, message: `${k.type} at ${at(e.cnode, e.slot)} names core ${k.owner}, which does not exist` });
          const id = identityKey(k);
          const o = owners.get(id);
          if (o !== undefined && o !== k.owner)
            out.push({ invariant: 'OD-OWNER', core: c.core, message: `copies of ${id} disagree on the owner (${o} and ${k.owner})` });
          owners.set(id, k.owner);
          (holders.get(id) ?? holders.set(id, new Set()).get(id)!).add(c.core);
        }
      for (const [id, o] of owners) if (!holders.get(id)!.has(o)) out.push({ invariant: 'OD-OWNER', message: `owner core ${o} of ${id} holds no copy` });
      return out;
    },
  },
  {
    id: 'OD-REMOTE-SOUND',
    family: 2,
    title: 'Remote-relation bits never claim less than exists',
    explanation:
      'If a copy, an ancestor or a descendant of a capability exists on another core, the corresponding remote bit (copies, ancs, descs) is set on its local copies. Stale-true bits are allowed; stale-false bits are not.',
    source: 'cap-invariants.md A.6.4; Barrelfish doc/013-capability-mgmt (CapMgmt.tex, "Caching")',
    check: (s) => {
      const out: Violation[] = [];
      if (s.cores.length < 2) return out;
      for (const c of s.cores)
        for (const e of c.ctes) {
          const k = e.cap;
          if (isMappingCap(k)) continue;
          for (const other of s.cores) {
            if (other.core === c.core) continue;
            for (const o of other.ctes) {
              const ok = o.cap;
              if (isMappingCap(ok)) continue;
              const claim = (bit: 'copies' | 'ancs' | 'descs', what: string) =>
                out.push({
                  invariant: 'OD-REMOTE-SOUND',
                  core: c.core,
                  message: `${identityKey(k)} has ${what} on core ${other.core} but remote.${bit} is clear`,
                });
              if (isCopy(ok, k) && !k.remote.copies) claim('copies', 'a copy');
              if (memDescends(ok, k) && !k.remote.descs) claim('descs', 'a descendant');
              if (memDescends(k, ok) && !k.remote.ancs) claim('ancs', 'an ancestor');
            }
          }
        }
      return out;
    },
  },
];
