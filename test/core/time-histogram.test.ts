import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeHistogram } from '../../lambda/engine/time-histogram';
import { MAX_TIMELINE_BUCKETS } from '../../lambda/model/timeline';

const T0 = Date.parse('2026-11-27T10:10:00Z');

describe('TimeHistogram', () => {
  it('counts events per one-second bucket while the span fits', () => {
    const h = new TimeHistogram(8);
    h.add(T0 + 500);
    h.add(T0 + 900, 2);
    h.add(T0 + 3_000);
    expect(h.toTimeline()).toEqual({ bucketSeconds: 1, start: T0 / 1000, counts: [3, 0, 0, 1] });
  });

  it('doubles the bucket width, merging neighbours, when the span outgrows the buckets, earlier times included', () => {
    const h = new TimeHistogram(4);
    h.add(T0 + 4_000);
    h.add(T0 + 7_000);
    h.add(T0 - 1_000); // before the first bucket: the range grows downwards
    const t = h.toTimeline()!;
    expect(t.bucketSeconds).toBe(4);
    expect(t.start % 4).toBe(0);
    expect(t.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(t.counts.length).toBeLessThanOrEqual(4);
    // Each event sits in the bucket that holds its time.
    for (const ms of [T0 + 4_000, T0 + 7_000, T0 - 1_000]) {
      const i = Math.floor((ms / 1000 - t.start) / t.bucketSeconds);
      expect(t.counts[i]).toBeGreaterThan(0);
    }
  });

  it('spreads an aggregated count evenly between its first and last time, exact in total, and says it is estimated', () => {
    const h = new TimeHistogram(8);
    h.addSpread(T0, T0 + 3_000, 10);
    expect(h.toTimeline()).toEqual({ bucketSeconds: 1, start: T0 / 1000, counts: [3, 3, 2, 2], estimated: true });
  });

  it('ignores events without a usable time or count, and has no timeline without any', () => {
    const h = new TimeHistogram();
    h.add(Number.NaN);
    h.add(T0, 0);
    h.addSpread(Number.NaN, T0, 3);
    expect(h.toTimeline()).toBeUndefined();
  });

  it('keeps at most its bucket count over any span, with a power-of-two width, and loses no event', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 200 }), (events) => {
        const h = new TimeHistogram();
        for (const [offset, n] of events) h.add(T0 + offset * 1000, n);
        const t = h.toTimeline()!;
        expect(t.counts.length).toBeLessThanOrEqual(MAX_TIMELINE_BUCKETS);
        expect(Math.log2(t.bucketSeconds) % 1).toBe(0);
        expect(t.counts.reduce((a, b) => a + b, 0)).toBe(events.reduce((a, [, n]) => a + n, 0));
        for (const [offset] of events) {
          const i = Math.floor((T0 / 1000 + offset - t.start) / t.bucketSeconds);
          expect(t.counts[i]).toBeGreaterThan(0);
        }
      }),
    );
  });
});
