import { HashSet64, hashString64 } from './hash-set64';

/**
 * Counting requests, not audit stages. The API server logs one request at several stages under one auditID
 * (RequestReceived, ResponseStarted for watches and other long-running requests, ResponseComplete, Panic), and
 * the same event can reach a scan twice (two overlapping exports). A finding's count and a burst's threshold must
 * count the request once; its stages stay evidence.
 *
 * Bounded: the keys seen last are kept, in two generations of half the capacity each (when the newer is full,
 * the older is dropped and the newer takes its place), so between capacity / 2 and `capacity` of the latest keys
 * are remembered. The stages of one request are logged close together (a watch's ResponseComplete follows its
 * ResponseStarted by its timeout, minutes), so a repeat further back than that many other requests of the same
 * finding is counted again: the count errs high, never drops a request. Keys are kept as 64-bit hashes
 * (HashSet64): about 16 bytes each at worst, 800 KB at the default capacity.
 */
export const REQUEST_ONCE_CAPACITY = 50_000;

export class RequestOnce {
  private older = new HashSet64();
  private newer = new HashSet64();
  private readonly half: number;

  constructor(capacity = REQUEST_ONCE_CAPACITY) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  /** True the first time `key` (a request: whoever counts it, plus its auditID) is offered, false after. */
  first(key: string): boolean {
    const { h1, h2 } = hashString64(key);
    if (this.newer.has(h1, h2) || this.older.has(h1, h2)) return false;
    if (this.newer.size >= this.half) {
      const dropped = this.older;
      this.older = this.newer;
      dropped.clear();
      this.newer = dropped;
    }
    this.newer.add(h1, h2);
    return true;
  }

  /** How many keys are remembered (at most the capacity). */
  get size(): number {
    return this.older.size + this.newer.size;
  }
}

/** The auditID of an event read from a file (not an aggregated query row, whose sample stands for many). */
export function requestId(record: { readonly kind: string; readonly event?: { readonly auditID?: unknown }; readonly aggregate?: unknown }): string | undefined {
  if (record.kind !== 'audit' || record.aggregate !== undefined) return undefined;
  const id = record.event?.auditID;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
