/**
 * Counting requests, not audit stages. The API server logs one request at several stages under one auditID
 * (RequestReceived, ResponseStarted for watches and other long-running requests, ResponseComplete, Panic), and
 * the same event can reach a scan twice (two overlapping exports). A finding's count and a burst's threshold must
 * count the request once; its stages stay evidence.
 *
 * Bounded: the keys seen last are kept, at most `capacity` of them (a Map in insertion order, the oldest
 * evicted first). The stages of one request are logged close together (a watch's ResponseComplete follows its
 * ResponseStarted by its timeout, minutes), so a repeat further back than `capacity` other requests of the same
 * finding is counted again: the count errs high, never drops a request. Each key costs about 150 bytes.
 */
export const REQUEST_ONCE_CAPACITY = 50_000;

export class RequestOnce {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = REQUEST_ONCE_CAPACITY) {}

  /** True the first time `key` (a request: whoever counts it, plus its auditID) is offered, false after. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** The auditID of an event read from a file (not an aggregated query row, whose sample stands for many). */
export function requestId(record: { readonly kind: string; readonly event?: { readonly auditID?: unknown }; readonly aggregate?: unknown }): string | undefined {
  if (record.kind !== 'audit' || record.aggregate !== undefined) return undefined;
  const id = record.event?.auditID;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
