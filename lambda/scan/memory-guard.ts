import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * V8 sizes its heap for speed. On input that allocates fast (every line a 403 that takes the full parse) its old
 * generation fills with garbage up to its first limit, far above what the scan keeps: measured, 14 to 22 MB live
 * and 230 to 320 MB peak RSS. Once the heap passes HEAP_BUDGET_BYTES, the scan asks V8 to favour memory
 * (`--optimize-for-size`, which its collector reads as it runs) for the rest of the process: such a scan gets
 * slower, not larger. Healthy traffic, whose lines the fast path mostly takes without a parse, stays below the
 * budget for its first few hundred MB (17 MB of heap at 300 MB read) and keeps its full speed; on a longer scan the
 * young generation grows to 32 MB and the switch comes too, at a measured cost of about 9% of the time for 20 MB
 * less peak RSS (1 GB). Judging the old generation alone would spare that scan but miss the anonymous flood,
 * whose old generation stays near 10 MB while its young one grows. Figures: bench/README.md "Hostile inputs".
 */
export const HEAP_BUDGET_BYTES = 24 * 1024 * 1024;
/** How often the heap is looked at: often enough to switch before the heap has grown, rare enough to cost nothing. */
export const CHECK_EVERY_BYTES = 4 * 1024 * 1024;

export interface HeapControl {
  /** The heap's size (V8's total_heap_size). */
  heapBytes(): number;
  /** Tells V8 to favour memory over speed, once. */
  favourMemory(): void;
  /** Whether it was told. */
  readonly favouring: boolean;
}

/** The process's V8: one switch for all scans and threads (V8's flags are per process). */
export const V8_HEAP: HeapControl = {
  heapBytes: () => getHeapStatistics().total_heap_size,
  favouring: false,
  favourMemory() {
    if (this.favouring) return;
    setFlagsFromString('--optimize-for-size');
    (this as { favouring: boolean }).favouring = true;
  },
};

/** Counts the bytes a scan reads and switches V8 to its memory-saving mode past the budget. */
export class MemoryGuard {
  private sinceCheck = 0;

  constructor(private readonly heap: HeapControl = V8_HEAP) {}

  /** `n` more bytes were read. */
  read(n: number): void {
    this.sinceCheck += n;
    if (this.sinceCheck < CHECK_EVERY_BYTES || this.heap.favouring) return;
    this.sinceCheck = 0;
    if (this.heap.heapBytes() > HEAP_BUDGET_BYTES) this.heap.favourMemory();
  }
}
