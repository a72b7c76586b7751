import { auditIdentity } from '../model/audit-identity';
import type { AuditEvent } from '../model/records';

/**
 * Audit events read (parsed or skipped by the fast path), remembered to spot the same event read twice (two overlapping exports, the same
 * file under two names). About 20 bytes each: 262,144 of them is about 6 MB. Past the cap, events are no longer
 * remembered (those remembered still count), and the scan says so (ScanStats.duplicatesUnchecked).
 */
export const MAX_REMEMBERED_EVENTS = 262_144;

/**
 * Spots an audit event seen before (model/audit-identity.ts says what makes two events the same). Each
 * identity is kept as its 53-bit hash, not as text, to keep memory small.
 */
export class DuplicateEvents {
  private readonly seen = new Set<number>();
  /** Events that could not be remembered because the cap was reached. */
  unchecked = 0;

  constructor(private readonly max = MAX_REMEMBERED_EVENTS) {}

  /** True when an event with the same identity was seen before; else remembers this one (room permitting). */
  isDuplicate(event: AuditEvent): boolean {
    return this.seenBefore(auditIdentity(event));
  }

  /** The same, for an identity the fast path computed without parsing the event (undefined: none). */
  seenBefore(identity: number | undefined): boolean {
    if (identity === undefined) return false;
    if (this.seen.has(identity)) return true;
    if (this.seen.size < this.max) this.seen.add(identity);
    else this.unchecked++;
    return false;
  }
}
