import { auditIdentity } from '../model/audit-identity';
import { HashSet64 } from '../model/hash-set64';
import type { AuditEvent } from '../model/records';

/**
 * Audit events read (parsed, or counted by the fast path), remembered to spot the same event read twice (two
 * overlapping exports, the same file under two names). At most 16 bytes each (HashSet64): 262,144 of them take
 * at most 4 MB. Past the cap, events are no longer remembered (those remembered still count), and the scan says
 * so (ScanStats.duplicatesUnchecked).
 */
export const MAX_REMEMBERED_EVENTS = 262_144;

/**
 * Spots an audit event seen before (model/audit-identity.ts says what makes two events the same), by its
 * 53-bit identity hash.
 */
export class DuplicateEvents {
  private readonly seen = new HashSet64();
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
    // The 53 bits as a high 32 (never 0: 0 marks an empty slot) and a low 21.
    const h1 = Math.floor(identity / 0x200000) || 1;
    const h2 = identity % 0x200000;
    if (this.seen.has(h1, h2)) return true;
    if (this.seen.size < this.max) this.seen.add(h1, h2);
    else this.unchecked++;
    return false;
  }
}
