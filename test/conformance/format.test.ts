// Sizes in failure reports and `capref explain` are exact and readable: the
// largest binary unit that divides them, or hex bytes when that unit would
// need more than four digits.
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../conformance/kernel/format.js';

describe('formatBytes', () => {
  it('prints the largest unit that divides the size exactly', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(100)).toBe('100 B');
    expect(formatBytes(4096)).toBe('4 KiB');
    expect(formatBytes(132 * 1024)).toBe('132 KiB');
    expect(formatBytes(64 * 2 ** 20)).toBe('64 MiB');
    expect(formatBytes(2 ** 40)).toBe('1 TiB');
    expect(formatBytes(2 ** 52)).toBe('4 PiB');
    expect(formatBytes(3 * 2 ** 60)).toBe('3 EiB');
  });

  it('prints hex bytes when the dividing unit would take more than four digits', () => {
    expect(formatBytes(2 ** 40 + 4096)).toBe('0x10000001000 B');
    expect(formatBytes(10_000 * 4096)).toBe('0x2710000 B');
    expect(formatBytes(9999 * 1024)).toBe('9999 KiB');
    expect(formatBytes(12_345)).toBe('0x3039 B');
  });
});
