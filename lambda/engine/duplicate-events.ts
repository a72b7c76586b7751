import type { AuditEvent } from '../model/records';

/**
 * Most events the rules read, remembered to spot the same event read twice (two overlapping exports, the same
 * file under two names). About 20 bytes each: 262,144 of them is about 6 MB. Past the cap, events are no longer
 * remembered (those remembered still count), and the scan says so (ScanStats.duplicatesUnchecked).
 */
export const MAX_REMEMBERED_EVENTS = 262_144;

/**
 * Spots an audit event seen before: the same auditID at the same stage, with the same server-side timestamps.
 * The auditID alone is not enough: a client may choose it (the Audit-ID request header), so a request could
 * otherwise hide behind another's id; the timestamps are the API server's, to the microsecond. An event without
 * an auditID is never a duplicate.
 *
 * Each key is kept as a 53-bit hash (two FNV-1a hashes of its text), not as text, to keep memory small. Two
 * different keys share a hash with a probability of about n^2 / 2^54 (under one in 200,000 at the cap), and an
 * attacker cannot aim for one: the key holds timestamps the server assigns when the request arrives.
 */
export class DuplicateEvents {
  private readonly seen = new Set<number>();
  /** Events that could not be remembered because the cap was reached. */
  unchecked = 0;

  constructor(private readonly max = MAX_REMEMBERED_EVENTS) {}

  /** True when an event with the same identity was seen before; else remembers this one (room permitting). */
  isDuplicate(event: AuditEvent): boolean {
    const key = identity(event);
    if (key === undefined) return false;
    const hash = hash53(key);
    if (this.seen.has(hash)) return true;
    if (this.seen.size < this.max) this.seen.add(hash);
    else this.unchecked++;
    return false;
  }
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** What makes an event the same event, or undefined when it has no auditID to go by. */
function identity(e: AuditEvent): string | undefined {
  const id = e.auditID;
  if (typeof id !== 'string' || id === '') return undefined;
  return [id, text(e.stage), text(e.requestReceivedTimestamp), text(e.stageTimestamp), text(e.verb), text(e.requestURI)].join('\u0000');
}

function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
