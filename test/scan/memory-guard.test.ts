import { describe, expect, it } from 'vitest';
import type { HeapControl } from '../../lambda/scan/memory-guard';
import { CHECK_EVERY_BYTES, HEAP_BUDGET_BYTES, MemoryGuard } from '../../lambda/scan/memory-guard';

/** A heap of a given size that records what it was told. */
function heap(bytes: number): HeapControl & { looks: number; told: number } {
  return {
    looks: 0,
    told: 0,
    favouring: false,
    heapBytes() {
      this.looks++;
      return bytes;
    },
    favourMemory() {
      this.told++;
      (this as { favouring: boolean }).favouring = true;
    },
  };
}

describe('MemoryGuard', () => {
  it('tells V8 to favour memory once the heap passes the budget, and only once', () => {
    // Prepare
    const big = heap(HEAP_BUDGET_BYTES + 1);
    const guard = new MemoryGuard(big);

    // Act
    for (let i = 0; i < 10; i++) guard.read(CHECK_EVERY_BYTES);

    // Assess
    expect(big.told).toBe(1);
    expect(big.looks).toBe(1);
  });

  it('leaves a heap within the budget alone, looking at it once per CHECK_EVERY_BYTES read', () => {
    // Prepare
    const small = heap(HEAP_BUDGET_BYTES);
    const guard = new MemoryGuard(small);

    // Act
    for (let i = 0; i < 8; i++) guard.read(CHECK_EVERY_BYTES / 2);

    // Assess
    expect(small.told).toBe(0);
    expect(small.looks).toBe(4);
  });
});
