/**
 * What makes two audit events the same event (the same request at the same stage, read twice: two
 * overlapping exports, the same file under two names), shared by the full parse (engine/duplicate-events.ts)
 * and the fast path (readers/audit-head.ts), which must agree to the bit: an event skipped by one path and
 * parsed by the other is still one event.
 *
 * The auditID alone is not enough: a client may choose it (the Audit-ID request header), so a request could
 * otherwise hide behind another's id; the timestamps are the API server's, to the microsecond. An event without
 * an auditID has no identity (it is never a duplicate).
 */
export interface AuditIdentityFields {
  readonly auditID?: unknown;
  readonly stage?: unknown;
  readonly requestReceivedTimestamp?: unknown;
  readonly stageTimestamp?: unknown;
  readonly verb?: unknown;
  readonly requestURI?: unknown;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * The identity of an event as a 53-bit hash (two FNV-1a hashes of its fields), or undefined without an
 * auditID. Two different events share a hash with a probability of about n^2 / 2^54, and an attacker cannot
 * aim for one: the fields hold timestamps the server assigns when the request arrives.
 */
export function auditIdentity(e: AuditIdentityFields): number | undefined {
  const id = e.auditID;
  if (typeof id !== 'string' || id === '') return undefined;
  return hash53([id, text(e.stage), text(e.requestReceivedTimestamp), text(e.stageTimestamp), text(e.verb), text(e.requestURI)].join('\u0000'));
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
