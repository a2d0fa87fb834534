// Two independent 32-bit lanes (MurmurHash3-style mixing with different constants and
// seeds) make a 64-bit fingerprint without BigInt. Every value's hash is a pair (h1, h2);
// compound values cache theirs.

export function mix1(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function mix2(h: number, k: number): number {
  k = Math.imul(k, 0x239b961b);
  k = (k << 17) | (k >>> 15);
  k = Math.imul(k, 0xab0e9789);
  h ^= k;
  h = (h << 11) | (h >>> 21);
  return (Math.imul(h, 9) + 0x38b34ae5) | 0;
}

export function fin1(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function fin2(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  return (h ^ (h >>> 15)) | 0;
}

export const SEED1 = 0x2545f491;
export const SEED2 = 0x5bd1e995;

/** Hashes a JavaScript string into both lanes. */
export function hashString(s: string, tag: number): [number, number] {
  let a = mix1(SEED1, tag);
  let b = mix2(SEED2, tag);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = mix1(a, c);
    b = mix2(b, c);
  }
  a = mix1(a, s.length);
  b = mix2(b, s.length);
  return [fin1(a), fin2(b)];
}
