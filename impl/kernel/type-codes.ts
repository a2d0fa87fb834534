// Capability types as small integers. A type's code is its position in the
// spec's declaration order (spec/kernel/types.ts `typeOrder`), so comparing
// codes is comparing types in Barrelfish's MDB order, and the per-type facts
// the hot paths need are one typed-array read away instead of a string lookup.
import {
  isCNodeType,
  isMappingType,
  isRetypeEdge,
  isVNodeType,
  mappingTypeFor,
  objTypes,
  typeOrder,
  typeTable,
  type MemoryType,
  type ObjType,
} from '../../spec/kernel/types.js';

export const TYPE_COUNT = objTypes.length;

export const codeOf = (t: ObjType): number => typeOrder[t];
export const typeOfCode = (code: number): ObjType => objTypes[code]!;

const table = (f: (t: ObjType) => boolean): Uint8Array => Uint8Array.from(objTypes, (t) => (f(t) ? 1 : 0));

export const IS_MAPPING = table(isMappingType);
export const IS_CNODE = table(isCNodeType);
export const IS_VNODE = table(isVNodeType);
export const RAM_BACKED = table((t) => !isMappingType(t) && typeTable[t as MemoryType].ramBacked);

/** The code of the Mapping type vnode_map creates for a mapped type, or -1. */
export const MAPPING_OF: Int8Array = Int8Array.from(objTypes, (t) => {
  if (isMappingType(t)) return -1;
  const m = mappingTypeFor(t as MemoryType);
  return m === undefined ? -1 : typeOrder[m];
});

/** RETYPE_EDGE[src * TYPE_COUNT + dest]: dest is an immediate retype edge of src (is_ancestor's type test). */
export const RETYPE_EDGE: Uint8Array = (() => {
  const e = new Uint8Array(TYPE_COUNT * TYPE_COUNT);
  for (const s of objTypes)
    for (const d of objTypes)
      if (!isMappingType(s) && !isMappingType(d) && isRetypeEdge(s as MemoryType, d as MemoryType)) e[typeOrder[s] * TYPE_COUNT + typeOrder[d]] = 1;
  return e;
})();

export const L1CNODE = typeOrder.L1CNode;
export const L2CNODE = typeOrder.L2CNode;
export const ENDPOINT_LMP = typeOrder.EndPointLMP;
