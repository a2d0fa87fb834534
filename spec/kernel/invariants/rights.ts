// Family 5: rights. Rights never grow along copy, mint, retype or map; that is a
// property of transitions, checked in postconditions.ts (RGT-NO-AMPLIFY). The
// state-level half: what a rights set can be.
import { rightNames } from '../rights.js';
import { at, type Invariant, type Violation } from './framework.js';

export const rightsInvariants: readonly Invariant[] = [
  {
    id: 'RGT-CANONICAL',
    family: 5,
    title: 'Rights are a set',
    explanation:
      "Every capability's and entry's rights are a set of the five rights, listed once each in the canonical order READ, WRITE, EXECUTE, GRANT, IDENTIFY.",
    source: 'include/barrelfish_kpi/capabilities.h (CAPRIGHTS_*)',
    check: (s) => {
      const out: Violation[] = [];
      const canonical = (r: readonly string[]) => r.every((x, i) => i === 0 || rightNames.indexOf(r[i - 1] as never) < rightNames.indexOf(x as never));
      for (const c of s.cores) {
        for (const e of c.ctes)
          if (!canonical(e.cap.rights))
            out.push({ invariant: 'RGT-CANONICAL', core: c.core, message: `rights of ${at(e.cnode, e.slot)} are not canonical: ${e.cap.rights.join(',')}` });
        for (const p of c.ptes)
          if (!canonical(p.rights))
            out.push({ invariant: 'RGT-CANONICAL', core: c.core, message: `rights of entry ${p.entry} of 0x${p.vnode.toString(16)} are not canonical` });
      }
      return out;
    },
  },
];
