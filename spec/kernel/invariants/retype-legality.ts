// Family 1: retype legality.
import { archProfiles, isTypeInArch } from '../arch.js';
import { memRelated } from '../relations.js';
import { isMappingCap, regionEnd, type MemoryCap } from '../state.js';
import { typeTable } from '../types.js';
import { sizeRuleHolds } from '../preconditions/retype.js';
import { at, hex, type Invariant, type Violation } from './framework.js';

export const retypeLegalityInvariants: readonly Invariant[] = [
  {
    id: 'RT-SIZE-ALIGN',
    family: 1,
    title: "Objects have their type's size and alignment",
    explanation:
      "Every memory capability is aligned to its type's alignment and has a valid size for its type: the fixed size of fixed-size types (L2CNode 16 KiB, Dispatcher 1 KiB, page tables), a non-zero multiple of 4 KiB for RAM, PhysAddr, Frame and DevFrame, a multiple of 16 KiB for an L1CNode.",
    source: 'capabilities/caps.hl sizes; kernel/capabilities.c caps_retype; cap-invariants.md A.4.12',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores)
        for (const e of c.ctes) {
          const k = e.cap;
          if (isMappingCap(k)) continue;
          if (k.base % typeTable[k.type].align !== 0)
            out.push({
              invariant: 'RT-SIZE-ALIGN',
              core: c.core,
              message: `${k.type} at ${at(e.cnode, e.slot)} has base ${hex(k.base)}, not aligned to ${typeTable[k.type].align}`,
            });
          if (!sizeRuleHolds(k.type, k.bytes))
            out.push({ invariant: 'RT-SIZE-ALIGN', core: c.core, message: `${k.type} at ${at(e.cnode, e.slot)} has invalid size ${k.bytes}` });
        }
      return out;
    },
  },
  {
    id: 'RT-TYPE-IN-ARCH',
    family: 1,
    title: 'Page tables belong to the architecture profile',
    explanation: 'Every VNode capability is of a page-table type the configured architecture profile has.',
    source: 'DESIGN.md "Types" (architecture profiles)',
    check: (s) => {
      const arch = archProfiles[s.arch];
      const out: Violation[] = [];
      for (const c of s.cores)
        for (const e of c.ctes)
          if (!isMappingCap(e.cap) && !isTypeInArch(arch, e.cap.type))
            out.push({ invariant: 'RT-TYPE-IN-ARCH', core: c.core, message: `${e.cap.type} at ${at(e.cnode, e.slot)} does not exist on ${s.arch}` });
      return out;
    },
  },
  {
    id: 'RT-NO-UNRELATED-OVERLAP',
    family: 1,
    title: 'No two unrelated objects on the same memory',
    explanation:
      'Any two capabilities whose memory regions overlap are copies of each other, or one descends from the other. Two unrelated objects never share memory, and no region partially overlaps another (ranges are laminar: nested or disjoint).',
    source: 'cap-invariants.md A.4.5 (laminar ranges), A.1.3-5 (seL4 untyped_mdb, untyped_inc), A.3.2',
    check: (s) => {
      const out: Violation[] = [];
      for (const c of s.cores) {
        const caps = c.ctes.filter((e) => !isMappingCap(e.cap)).map((e) => ({ e, k: e.cap as MemoryCap }));
        caps.sort((a, b) => a.k.base - b.k.base || b.k.bytes - a.k.bytes);
        // Sweep: each capability only meets those starting before its end.
        for (let i = 0; i < caps.length; i++) {
          const a = caps[i]!;
          for (let j = i + 1; j < caps.length && caps[j]!.k.base < regionEnd(a.k); j++) {
            const b = caps[j]!;
            if (b.k.bytes === 0 || a.k.bytes === 0) continue;
            if (!memRelated(a.k, b.k))
              out.push({
                invariant: 'RT-NO-UNRELATED-OVERLAP',
                core: c.core,
                message: `${a.k.type} ${hex(a.k.base)}+${a.k.bytes} at ${at(a.e.cnode, a.e.slot)} and ${b.k.type} ${hex(b.k.base)}+${b.k.bytes} at ${at(b.e.cnode, b.e.slot)} overlap but are unrelated`,
              });
          }
        }
      }
      return out;
    },
  },
];
