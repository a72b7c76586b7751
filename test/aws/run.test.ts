import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../lambda/runtime/run';

describe('mapLimit', () => {
  it('never runs more than the limit at once and keeps the input order', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const task = async (n: number): Promise<number> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (7 - n) * 2));
      inFlight--;
      return n * 10;
    };

    // Act
    const out = await mapLimit([1, 2, 3, 4, 5, 6], 2, task);

    // Assess
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });

  it('handles no items and a limit above the item count', async () => {
    expect(await mapLimit([], 4, async (x: number) => x)).toEqual([]);
    expect(await mapLimit([1], 4, async (x: number) => x + 1)).toEqual([2]);
  });
});
