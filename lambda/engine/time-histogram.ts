import { MAX_TIMELINE_BUCKETS, type FindingTimeline } from '../model/timeline';

/**
 * Events of one finding counted per time bucket, in bounded memory whatever the span: buckets start one
 * second wide, aligned on multiples of their width since the epoch, and the width doubles (neighbours merged)
 * whenever the span would need more than `maxBuckets`. Doubling keeps every width a power of two, so the
 * report can lay the timelines of many findings onto one common grid exactly.
 */
export class TimeHistogram {
  private widthMs = 1000;
  /** Index (time / width) of counts[0]. */
  private first = 0;
  private counts: number[] = [];
  private estimated = false;

  constructor(private readonly maxBuckets = MAX_TIMELINE_BUCKETS) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new Error(`maxBuckets must be an integer >= 2, got ${maxBuckets}`);
  }

  /** `n` events at `timeMs` (milliseconds since the epoch). */
  add(timeMs: number, n = 1): void {
    if (!Number.isFinite(timeMs) || !(n > 0)) return;
    this.cover(timeMs, timeMs);
    const i = this.index(timeMs) - this.first;
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  /**
   * `n` events known only by their first and last time (an aggregated record): spread evenly over the buckets
   * from one to the other, the remainder to the earliest, so the total stays exact. Marks the timeline estimated.
   */
  addSpread(fromMs: number, toMs: number, n: number): void {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(n > 0)) return;
    const [lo, hi] = fromMs <= toMs ? [fromMs, toMs] : [toMs, fromMs];
    this.cover(lo, hi);
    const a = this.index(lo) - this.first;
    const b = this.index(hi) - this.first;
    if (a === b) {
      this.counts[a] = (this.counts[a] ?? 0) + n;
      return;
    }
    this.estimated = true;
    const k = b - a + 1;
    const each = Math.floor(n / k);
    let rest = n - each * k;
    for (let i = a; i <= b; i++) {
      const extra = rest > 0 ? 1 : 0;
      rest -= extra;
      if (each + extra > 0) this.counts[i] = (this.counts[i] ?? 0) + each + extra;
    }
  }

  /** The collected counts, or undefined when no event carried a time. */
  toTimeline(): FindingTimeline | undefined {
    if (this.counts.length === 0) return undefined;
    const counts = Array.from(this.counts, (c) => c ?? 0);
    const timeline: FindingTimeline = {
      bucketSeconds: this.widthMs / 1000,
      start: (this.first * this.widthMs) / 1000,
      counts,
    };
    if (this.estimated) timeline.estimated = true;
    return timeline;
  }

  private index(timeMs: number): number {
    return Math.floor(timeMs / this.widthMs);
  }

  /** Widens the buckets until [lo, hi] fits beside what is already counted. */
  private cover(lo: number, hi: number): void {
    if (this.counts.length === 0) this.first = this.index(lo);
    for (;;) {
      const low = Math.min(this.first, this.index(lo));
      const high = Math.max(this.first + this.counts.length - 1, this.index(hi));
      if (high - low + 1 <= this.maxBuckets) {
        if (low < this.first) {
          this.counts = [...new Array<number>(this.first - low).fill(0), ...this.counts];
          this.first = low;
        }
        return;
      }
      this.double();
    }
  }

  private double(): void {
    const first = Math.floor(this.first / 2);
    const merged: number[] = [];
    this.counts.forEach((c, i) => {
      const j = Math.floor((this.first + i) / 2) - first;
      merged[j] = (merged[j] ?? 0) + (c ?? 0);
    });
    this.widthMs *= 2;
    this.first = first;
    this.counts = merged;
  }
}
