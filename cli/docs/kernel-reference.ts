// Generates docs/kernel-reference.md, the course reference for the capability
// kernel, from the spec's registries: the type table, the architecture
// profiles, the error codes, every operation's preconditions in checking
// order, the invariants and postconditions by family, the decisions, and the
// boot layout. Nothing here states a rule of its own: the rules are read from
// spec/, so the reference cannot say something the spec does not. A test
// regenerates the file and fails when the committed copy is out of date.
import { archNames, archProfiles, vnodeTypesOf } from '../../spec/kernel/arch.js';
import {
  bootLayout,
  bootState,
  ROOTCN_SLOT_PACN,
  ROOTCN_SLOT_PAGECN,
  ROOTCN_SLOT_SLOT_ALLOC0,
  ROOTCN_SLOT_SLOT_ALLOC1,
  ROOTCN_SLOT_SLOT_ALLOC2,
  ROOTCN_SLOT_SUPERCN,
  ROOTCN_SLOT_TASKCN,
  ROOTCN_SLOTS_USER,
} from '../../spec/kernel/boot.js';
import { defaultKernelConfig, MAX_CORES, MAX_MEMORY_REGIONS, type KernelConfig } from '../../spec/kernel/config.js';
import { decisions } from '../../spec/kernel/decisions.js';
import { kernelErrors, type KernelError } from '../../spec/kernel/errors.js';
import { familyNames, kernelInvariants, type InvariantFamily } from '../../spec/kernel/invariants/index.js';
import { CPTR_BITS, L2_CNODE_BITS, MAX_L1_SLOTS } from '../../spec/kernel/limits.js';
import { kernelOpNames, kernelOpSchema, type KernelOpName } from '../../spec/kernel/ops.js';
import { kernelPostconditions } from '../../spec/kernel/postconditions.js';
import { CORE_PRECONDITION_ID, preconditionsByOp } from '../../spec/kernel/preconditions/index.js';
import { rightNames } from '../../spec/kernel/rights.js';
import type { MemoryCap } from '../../spec/kernel/state.js';
import { isRetypeEdge, mappingTypeFor, mappingTypes, memoryTypes, typeTable } from '../../spec/kernel/types.js';

/**
 * The lookup errors in the order caps_lookup_slot checks them. The order is
 * code in spec/kernel/lookup.ts, not data; test/spec/kernel/lookup.test.ts
 * checks it there and test/cli/docs.test.ts checks this list against the same
 * order.
 */
export const LOOKUP_ERRORS: readonly [KernelError, string][] = [
  ['SYS_ERR_CAP_LOOKUP_DEPTH', 'the level is not 1 or 2'],
  ['SYS_ERR_CNODE_NOT_ROOT', 'the root names no live L1CNode'],
  ['SYS_ERR_L1_CNODE_INDEX', "the L1 index is not below the root CNode's slot count"],
  ['SYS_ERR_CNODE_NOT_FOUND', 'level 2: the L1 slot is empty'],
  ['SYS_ERR_CNODE_TYPE', 'level 2: the L1 slot holds something other than an L2CNode'],
  ['SYS_ERR_CNODE_RIGHTS', 'level 2: the L2CNode lacks READ (sources), or READ and WRITE (destinations, delete, revoke, lock)'],
  ['SYS_ERR_CAP_NOT_FOUND', 'the slot is empty (where a capability is needed)'],
];

/** One line on what each operation does when every precondition holds. */
const EFFECTS: Readonly<Record<KernelOpName, string>> = {
  retype:
    "creates `count` objects of `objsize` bytes at `offset` in the source, in consecutive destination slots, with the source's rights (DEC-RETYPE-RIGHTS); the source is unchanged (no watermark).",
  copy: 'puts a copy of the source, with the same rights, in the destination slot.',
  mint: "puts a copy of the source in the destination slot, with the source's rights intersected with `rights`: mint only removes rights. Its preconditions are copy's.",
  delete:
    "removes the capability in the slot and everything that goes with it (its Mapping capability; a CNode's contents when its last copy goes; the Mapping capabilities of a page table's entries when its last copy goes), and returns the count and the memory handed back.",
  revoke:
    'removes every other copy and every descendant of the capability (and their mappings, and what goes with them), in every CSpace of the core, and leaves the capability itself.',
  vnode_map:
    'writes `pteCount` entries of the page table, from `entry` on, pointing at the source (from `offset`), and puts a Mapping capability that records them in the `mapping` slot.',
  vnode_unmap: 'clears the entries the Mapping capability records and removes the Mapping capability (DEC-UNMAP-DELETES-MAPPING).',
  identify: 'returns the capability in the slot, and changes nothing.',
  lock: "marks every local copy of the capability locked (the monitor's lock during a distributed protocol).",
  unlock: 'clears the lock on every local copy.',
  remote_relations: 'sets or clears the remote-relation bits (copies, ancs, descs) on every local copy, and returns the new bits.',
  is_retypeable:
    'answers that a retype of this range of the source would meet no existing descendant (a refusal with SYS_ERR_REVOKE_FIRST says it would), and changes nothing.',
};

/** The Barrelfish call each operation models (include/barrelfish/capabilities.h, usr/monitor; seeds/002). */
const BARRELFISH_CALL: Readonly<Record<KernelOpName, string>> = {
  retype: 'cap_retype(dest, src, offset, type, objsize, count)',
  copy: 'cap_copy(dest, src)',
  mint: 'cap_mint(dest, src, param1, param2)',
  delete: 'cap_delete(cap)',
  revoke: 'cap_revoke(cap)',
  vnode_map: 'vnode_map(dest, src, slot, attr, off, pte_count, mapping)',
  vnode_unmap: 'vnode_unmap(pgtable, mapping)',
  identify: 'cap_direct_identify(cap, &id)',
  lock: 'invoke_monitor_lock_cap(root, rlevel, cap, clevel)',
  unlock: 'invoke_monitor_unlock_cap(root, rlevel, cap, clevel)',
  remote_relations: 'invoke_monitor_remote_relations(root, rlevel, cap, clevel, relations, mask, &ret)',
  is_retypeable: 'invoke_monitor_is_retypeable(cap, offset, objsize, count)',
};

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => `\`${s}\``;
const hex = (n: number): string => `0x${n.toString(16)}`;

function size(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function intro(): string {
  return `# capref kernel reference

> Generated from \`spec/kernel/\` by \`npm run docs\` (\`capref docs kernel\`). Do not edit
> by hand: change the spec and regenerate. A test fails when this file and the spec
> disagree.

capref is an executable reference of a Barrelfish-style capability kernel. This page
is its rule book, written out from the spec's own tables: every fact below is read
from the code the reference model and the conformance checks run.

## How to read this reference

- **What does an operation return?** Find the operation under [Operations](#operations)
  and read its preconditions **top to bottom; the first that fails is the answer**.
  To know what \`cap_retype\` returns when several things are wrong (say the offset is
  misaligned *and* the size is invalid), the earlier row wins: here the offset error.
  When every precondition holds, the operation succeeds and does what its
  "on success" line says. A refused operation changes nothing at all (ATOMIC-FAILURE).
- **Rows whose error is "lookup"** resolve a capref; they fail with one of the
  [lookup errors](#caprefs-and-lookups), checked in the order given there.
- **Every rule has a stable id** (\`retype.no-overlap\`, \`MAP-ONCE\`, \`DEC-BUSY\`).
  capref's tests are named after these ids; use them when you ask or report about a rule.
- **Invariants** hold in every reachable state; **postconditions** relate the state
  before and after one operation. Both are checked after every step of every
  conformance trace, on the reference model and on the optimized implementation.
- **Decisions** are the places where Barrelfish's C code falls short of its own
  intent, or the sources leave a point open, and capref had to choose. Each says what
  Barrelfish does and what capref does instead. Where capref differs from the
  Barrelfish you run in the course, the decision tells you.
- Sources name Barrelfish files (\`kernel/capabilities.c\`, \`capabilities/caps.hl\`,
  ...), the course hand-out (\`seeds/002\`), and sections of capref's research notes
  (\`cap-invariants.md\`, letters A-E).

## Revoke: Barrelfish is not seL4

> **Read this before you use revoke.** In seL4, revoke removes the *descendants* of a
> capability (what was derived from it) and nothing else. In Barrelfish, and in capref,
> revoke removes every *copy* and every descendant of the capability, in every CSpace,
> and leaves only the capability you revoked.
>
> Copies are peers: two capabilities are copies when their type and identity (base
> and size) are equal, and **rights are not part of a copy's identity**. So if you mint
> a read-only copy of a Frame and later revoke that read-only copy, the full-rights
> Frame it came from is deleted too: it is just another copy. In seL4 the minted
> capability would be a child, and revoking it would leave its parent alone.
>
> Barrelfish's kernel never completes a revoke by itself: it returns
> \`SYS_ERR_RETRY_THROUGH_MONITOR\` and the monitors run a mark-and-sweep protocol over
> all cores. capref completes a revoke that involves one core only, and returns
> \`SYS_ERR_RETRY_THROUGH_MONITOR\` when a remote relation is involved (precondition
> \`revoke.local\`). Descendants are removed at every depth (DEC-TRANSITIVE-REVOKE).
`;
}

function typesSection(): string {
  const rows = memoryTypes.map((t) => {
    const i = typeTable[t];
    const children = memoryTypes.filter((d) => isRetypeEdge(t, d));
    const sz = i.fixedSize !== undefined ? size(i.fixedSize) : `multiple of ${size(i.sizeGranule!)}`;
    return [
      code(t),
      children.length > 0 ? children.join(', ') : '—',
      sz,
      size(i.align),
      i.mappable ? `yes (${mappingTypeFor(t)})` : 'no',
      i.ramBacked ? 'yes' : 'no',
    ];
  });
  return `## Capability types

Every memory capability names a region of physical memory (\`base\`, \`bytes\`).
A type may be retyped into the types in its "retype into" column (the type table's
edges; a type into itself means a smaller object of the same type, or a full-size
copy, DEC-FULL-SIZE-RETYPE). "RAM-backed" objects hand their memory back to the
memory server when the last capability related to them goes (DEC-RECLAIM-MAXIMAL);
device memory never does. Objects are aligned to their type's alignment
(DEC-NATURAL-ALIGN).

${table(['type', 'retype into', 'size', 'alignment', 'mappable (Mapping type)', 'RAM-backed'], rows)}

Mapping capabilities (${mappingTypes.map(code).join(', ')}) are created only by
\`vnode_map\`, never by retype (\`retype.not-mapping\`); they record which capability
copy is mapped into which page-table entries, and own no memory (DEC-MAPPING-NO-REGION).

Rights: ${rightNames.map(code).join(', ')}. Retype passes the source's rights on,
copy keeps them, mint intersects them with a mask: no operation adds a right.
`;
}

function archSection(): string {
  const parts = archNames.map((n) => {
    const p = archProfiles[n];
    const rows = vnodeTypesOf(p).map((t) => {
      const l = p.levels[t]!;
      return [
        code(t),
        size(typeTable[t].fixedSize!),
        String(l.entries),
        l.childTable !== undefined ? code(l.childTable) : '—',
        l.pageSize !== undefined ? size(l.pageSize) : '—',
      ];
    });
    return `### ${n}${n === defaultKernelConfig.arch ? ' (default)' : ''}

Root page table: ${code(p.rootVNode)}. Physical addresses below ${hex(p.physLimit)}.

${table(['page table', 'size', 'entries', 'an entry may hold the table', 'or map a page/block of'], rows)}`;
  });
  return `## Architecture profiles

The course has used both ARMv7 (the PandaBoard) and AArch64; capref carries both.
A page-table type exists only in its own profile (\`retype.type-edge\`).

${parts.join('\n\n')}
`;
}

function lookupSection(): string {
  return `## Caprefs and lookups

A capref names a slot like Barrelfish's \`struct capref\`: a root (the base address of
a live L1CNode, DEC-ROOT-BY-OBJECT), a \`cptr\` and a level.

- **Level 1**: \`cptr\` is an index into the root L1CNode.
- **Level 2**: the upper ${CPTR_BITS - L2_CNODE_BITS} bits of the ${CPTR_BITS}-bit \`cptr\` index the root L1CNode, whose slot
  must hold an L2CNode; the low ${L2_CNODE_BITS} bits index that L2CNode (256 slots).
  An L1CNode has at most ${MAX_L1_SLOTS.toLocaleString('en-US')} slots.

A lookup fails with the first of these that applies:

${table(
  ['#', 'error', 'when'],
  LOOKUP_ERRORS.map(([e, when], i) => [String(i + 1), code(e), when]),
)}
`;
}

function errorsSection(): string {
  const by = new Map<string, string[]>();
  for (const op of kernelOpNames) for (const p of preconditionsByOp[op]) if (p.error !== 'lookup') by.set(p.error, [...(by.get(p.error) ?? []), p.id]);
  const lookup = new Set(LOOKUP_ERRORS.map(([e]) => e as string));
  const rows = (Object.keys(kernelErrors) as KernelError[]).map((e) => {
    const where = [...(lookup.has(e) ? ['capref lookup'] : []), ...(e === 'SYS_ERR_CORE_NOT_FOUND' ? [CORE_PRECONDITION_ID] : []), ...(by.get(e) ?? [])];
    return [code(e), kernelErrors[e], where.join(', ')];
  });
  return `## Error codes

Named after Barrelfish's (\`errors/errno.fugu\`). Misuse is never an exception:
every refusal is one of these codes, with the argument it is about.

${table(['error', 'meaning', 'returned by'], rows)}
`;
}

function argsOf(op: KernelOpName): string {
  const schema = kernelOpSchema.options.find((o) => o.shape.op.value === op)!;
  const lines: string[] = [];
  for (const [name, field] of Object.entries(
    schema.shape as Record<string, { description?: string; def: { type: string; shape?: Record<string, unknown> } }>,
  )) {
    if (name === 'op') continue;
    const isCapref = field.def.type === 'object' && field.def.shape !== undefined && 'cptr' in field.def.shape;
    const kind = isCapref
      ? 'capref'
      : name === 'core'
        ? 'number, default 0'
        : field.def.type === 'enum'
          ? 'type'
          : field.def.type === 'array'
            ? 'rights'
            : field.def.type === 'object'
              ? 'bits'
              : 'number';
    lines.push(`\`${name}\` (${kind})${field.description !== undefined ? `: ${field.description}` : ''}`);
  }
  return lines.join('; ');
}

function operationsSection(): string {
  const ops = kernelOpNames.map((op) => {
    const rows = preconditionsByOp[op].map((p, i) => [String(i + 1), code(p.id), p.error === 'lookup' ? 'lookup' : code(p.error), p.rule, p.source]);
    return `### ${op}

Barrelfish: \`${BARRELFISH_CALL[op]}\`${BARRELFISH_CALL[op].startsWith('invoke_monitor') ? ' (the monitor uses it during the distributed protocols)' : ''}. Arguments: ${argsOf(op)}.

On success: ${EFFECTS[op]}

${table(['#', 'precondition', 'error', 'rule', 'source'], rows)}`;
  });
  return `## Operations

Before anything else, every operation checks that its core exists
(\`${CORE_PRECONDITION_ID}\`, \`SYS_ERR_CORE_NOT_FOUND\`). Then its preconditions, in this order:

${ops.join('\n\n')}
`;
}

function invariantsSection(): string {
  const families = [...new Set(kernelInvariants.map((i) => i.family))].sort();
  const parts = families.map((f) => {
    const items = kernelInvariants.filter((i) => i.family === f).map((i) => `- **${i.id}** — ${i.title}. ${i.explanation} *Source: ${i.source}.*`);
    return `### ${f}. ${familyNames[f]}\n\n${items.join('\n')}`;
  });
  return `## Invariants

What holds in every reachable state, by family (DESIGN.md "Invariant families").

${parts.join('\n\n')}
`;
}

function postconditionsSection(): string {
  const families = [...new Set(kernelPostconditions.map((p) => p.family))];
  const name = (f: InvariantFamily | 'atomicity') => (f === 'atomicity' ? 'Atomicity' : `${f}. ${familyNames[f]}`);
  const parts = families.map((f) => {
    const items = kernelPostconditions.filter((p) => p.family === f).map((p) => `- **${p.id}** — ${p.title}. ${p.explanation} *Source: ${p.source}.*`);
    return `### ${name(f)}\n\n${items.join('\n')}`;
  });
  return `## Postconditions

What each step must achieve, checked on the state before and after it.

${parts.join('\n\n')}
`;
}

function decisionsSection(): string {
  const parts = decisions.map(
    (d) => `### ${d.id}: ${d.title}

- **Barrelfish:** ${d.barrelfish}
- **capref:** ${d.capref}
- *Source: ${d.source}.*`,
  );
  return `## Decisions

Where Barrelfish's C falls short of its own intent, or the sources leave a point
open, capref decides once, here; the code that applies a decision names its id.
Section letters refer to capref's research notes (\`cap-invariants.md\`).

${parts.join('\n\n')}
`;
}

const CNODE_NAMES: Readonly<Record<number, string>> = {
  [ROOTCN_SLOT_TASKCN]: 'task CNode',
  [ROOTCN_SLOT_PAGECN]: 'page CNode',
  [ROOTCN_SLOT_SUPERCN]: 'super CNode (RAM)',
  [ROOTCN_SLOT_PACN]: 'PhysAddr CNode (devices)',
  [ROOTCN_SLOT_SLOT_ALLOC0]: 'slot allocator 0',
  [ROOTCN_SLOT_SLOT_ALLOC1]: 'slot allocator 1',
  [ROOTCN_SLOT_SLOT_ALLOC2]: 'slot allocator 2',
};

function bootTable(config: KernelConfig): string {
  const l = bootLayout(config);
  const names = new Map<number, string>([[l.rootCNode, 'root CNode']]);
  for (const [slot, base] of Object.entries(l.l2cnodes)) names.set(base, `${CNODE_NAMES[Number(slot)]} (root slot ${slot})`);
  const rows = bootState(config).cores[0]!.ctes.map((e) => {
    const c = e.cap as MemoryCap;
    return [names.get(e.cnode) ?? hex(e.cnode), String(e.slot), code(c.type), hex(c.base), size(c.bytes)];
  });
  const memory = config.memory.map((r) => `${r.kind} ${hex(r.base)} (${size(r.bytes)})`).join(', ');
  return `Memory map: ${memory}. Root page table at ${hex(l.rootVNode)}; root CNode at ${hex(l.rootCNode)}: this is the \`root\` of every capref of the init domain.

${table(['CNode', 'slot', 'capability', 'base', 'size'], rows)}`;
}

function bootSection(): string {
  const armv7: KernelConfig = { ...defaultKernelConfig, arch: 'armv7', memory: [{ base: 0x8000_1000, bytes: 64 * 2 ** 20, kind: 'ram' }] };
  return `## Boot layout

Boot builds the init domain like Barrelfish's (\`include/barrelfish_kpi/init.h\`): a root
L1CNode whose slots hold L2CNodes, carved with the root page table from the first RAM
region that can hold them; the rest of RAM becomes RAM capabilities in the super
CNode, device regions PhysAddr capabilities in the PhysAddr CNode. Every boot
capability has all rights and no ancestor. The hand-out's \`cnode_page\` slot 0 is the
root page table. Root CNode slots from ${ROOTCN_SLOTS_USER} on are free for the program.
A configuration has at most ${MAX_MEMORY_REGIONS} memory regions and, for now, ${MAX_CORES === 1 ? 'one core' : `${MAX_CORES} cores`}.

### Default configuration (${defaultKernelConfig.arch})

${bootTable(defaultKernelConfig)}

### ARMv7 with RAM at ${hex(armv7.memory[0]!.base)}

The 16 KiB root page table needs 16 KiB alignment; the gap before it becomes a RAM
capability of its own (the first in the super CNode).

${bootTable(armv7)}
`;
}

/** The whole reference, as Markdown. Deterministic: the same spec gives the same bytes. */
export function kernelReferenceMarkdown(): string {
  return [
    intro(),
    typesSection(),
    archSection(),
    lookupSection(),
    errorsSection(),
    operationsSection(),
    invariantsSection(),
    postconditionsSection(),
    decisionsSection(),
    bootSection(),
  ].join('\n');
}
