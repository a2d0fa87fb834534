// The implementation's own data-structure invariants, checked over the whole
// core in debug mode (ImplKernel option `debug`, or CAPREF_DEBUG=1) after
// every operation. O(n): never on by default. Each failure throws an Error
// whose message starts with the broken invariant's name.
import { slotCountOf } from './cspace.js';
import type { CoreKernel } from './kernel-core.js';
import { MdbInvariantError } from './mdb-tree.js';
import { IS_CNODE, IS_MAPPING, IS_VNODE, MAPPING_OF, typeOfCode } from './type-codes.js';

const fail = (id: string, what: string): never => {
  throw new MdbInvariantError(`${id}: ${what}`);
};

export function checkCore(k: CoreKernel): void {
  const s = k.s;
  k.tree.check();
  const inTree = new Set(k.tree.inOrder());
  for (const n of inTree) if (IS_MAPPING[s.type[n]!] === 1) fail('MDB-NO-MAPPING', `Mapping node ${n} is in the tree (DEC-MAPPING-NO-REGION)`);

  // Slots <-> nodes: every occupied slot's node records that slot; memory nodes
  // in slots and tree nodes are the same set (A.4.10).
  let inSlots = 0;
  const mappingNodes: number[] = [];
  const cnodeRefs = new Map<number, number>();
  const vnodeRefs = new Map<number, number>();
  for (const o of k.cs.cnodes.values()) {
    const nodes = o.nodes();
    if (nodes.length !== o.occupied) fail('CSPACE-OCCUPIED-COUNT', `CNode 0x${o.base.toString(16)} counts ${o.occupied} occupied slots, holds ${nodes.length}`);
    if (o.refs === 0 && o.occupied > 0) fail('CSPACE-LIVE-OBJECT', `CNode 0x${o.base.toString(16)} holds capabilities but no capability names it`);
    for (const n of nodes) {
      if (o.get(s.slot[n]!) !== n || s.home[n] !== o) fail('CSPACE-SLOT-BIJECTION', `node ${n} does not record its slot 0x${o.base.toString(16)}[${s.slot[n]}]`);
      if (IS_MAPPING[s.type[n]!] === 1) {
        mappingNodes.push(n);
        continue;
      }
      inSlots++;
      if (!inTree.has(n)) fail('CSPACE-SLOT-BIJECTION', `the capability in 0x${o.base.toString(16)}[${s.slot[n]}] is not in the tree`);
    }
  }
  if (inSlots !== inTree.size) fail('CSPACE-SLOT-BIJECTION', `${inTree.size} tree nodes but ${inSlots} memory capabilities in slots`);

  // Objects: refs count the capabilities naming each CNode/VNode object, whose type and size agree.
  for (const n of inTree) {
    const t = s.type[n]!;
    if (IS_CNODE[t] === 1) {
      const o = k.cs.cnodes.get(s.base[n]!);
      if (o === undefined || o !== s.object[n] || o.type !== t || o.slotCount !== slotCountOf(t, s.bytes[n]!)) fail('CSPACE-OBJECT', `${typeOfCode(t)} node ${n} has no matching CNode object`);
      cnodeRefs.set(s.base[n]!, (cnodeRefs.get(s.base[n]!) ?? 0) + 1);
    } else if (IS_VNODE[t] === 1) {
      const o = k.pt.vnodes.get(s.base[n]!);
      if (o === undefined || o !== s.object[n] || o.type !== t) fail('PT-OBJECT', `${typeOfCode(t)} node ${n} has no matching VNode object`);
      vnodeRefs.set(s.base[n]!, (vnodeRefs.get(s.base[n]!) ?? 0) + 1);
    }
    const m = s.link[n]!;
    if (m !== 0 && (IS_MAPPING[s.type[m]!] !== 1 || s.link[m] !== n)) fail('MAP-INDEX', `node ${n} links to ${m}, which does not map it back`);
  }
  for (const o of k.cs.cnodes.values()) if (o.refs !== (cnodeRefs.get(o.base) ?? 0)) fail('CSPACE-REFS', `CNode 0x${o.base.toString(16)} counts ${o.refs} capabilities, ${cnodeRefs.get(o.base) ?? 0} exist`);
  for (const o of k.pt.vnodes.values()) if (o.refs !== (vnodeRefs.get(o.base) ?? 0)) fail('PT-REFS', `VNode 0x${o.base.toString(16)} counts ${o.refs} capabilities, ${vnodeRefs.get(o.base) ?? 0} exist`);

  // Mapping capabilities <-> the mapped copy and the page-table entries (MAP-ONCE, MAP-PTE-BACKED).
  const claimed = new Map<object, number>();
  for (const m of mappingNodes) {
    const src = s.link[m]!;
    if (src === 0 || !inTree.has(src) || s.link[src] !== m) fail('MAP-INDEX', `Mapping node ${m} and the copy it maps (${src}) do not point at each other`);
    if (MAPPING_OF[s.type[src]!] !== s.type[m]) fail('MAP-INDEX', `Mapping node ${m} has the wrong type for a ${typeOfCode(s.type[src]!)}`);
    const v = k.pt.vnodes.get(s.base[m]!);
    if (v === undefined || v !== s.object[m] || v.refs === 0 || !v.mappings.has(m)) fail('PT-MAPPINGS', `Mapping node ${m} is not listed by its page table 0x${s.base[m]!.toString(16)}`);
    const level = k.levels[v!.type]!;
    const table = s.type[src] === level.childTable;
    for (let i = 0; i < s.pteCount[m]!; i++) {
      const e = s.entry[m]! + i;
      if (v!.claim?.[e] !== m) fail('PT-CLAIM', `entry ${e} of 0x${v!.base.toString(16)} is not claimed by Mapping node ${m}`);
      const want = table ? s.base[src]! : s.base[src]! + s.bytes[m]! + i * level.pageSize;
      if (v!.target![e] !== want || v!.rights![e] !== s.pteRights[m]) fail('PT-ENTRY', `entry ${e} of 0x${v!.base.toString(16)} does not say what Mapping node ${m} says`);
    }
    claimed.set(v!, (claimed.get(v!) ?? 0) + s.pteCount[m]!);
  }
  const mappingSet = new Set(mappingNodes);
  for (const v of k.pt.vnodes.values()) {
    let present = 0;
    for (let i = 0; i < (v.claim?.length ?? 0); i++) if (v.claim![i] !== 0) present++;
    if (present !== v.present || present !== (claimed.get(v) ?? 0)) fail('PT-CLAIM', `VNode 0x${v.base.toString(16)} has ${present} present entries, counts ${v.present}, its Mappings claim ${claimed.get(v) ?? 0}`);
    for (const m of v.mappings) if (!mappingSet.has(m)) fail('PT-MAPPINGS', `VNode 0x${v.base.toString(16)} lists Mapping node ${m}, which is in no slot`);
  }
  if (s.live !== inSlots + mappingNodes.length) fail('NODE-LEAK', `${s.live} nodes allocated, ${inSlots + mappingNodes.length} in slots`);
}
