/**
 * What makes two audit events the same event (the same request at the same stage, read twice: two
 * overlapping exports, the same file under two names), shared by the full parse (engine/duplicate-events.ts)
 * and the fast path (readers/audit-head.ts), which must agree to the bit: an event skipped by one path and
 * parsed by the other is still one event.
 *
 * The auditID alone is not enough: a client may choose it (the Audit-ID request header), so a request could
 * otherwise hide behind another's id. With the stage and the time the API server logged that stage, to the
 * microsecond, two requests share an identity only if they share an id, a stage and that microsecond, which no
 * client can aim for. An event without an auditID has no identity (it is never a duplicate).
 */
export interface AuditIdentityFields {
  readonly auditID?: unknown;
  readonly stage?: unknown;
  readonly stageTimestamp?: unknown;
}

/**
 * Two FNV-1a-style lanes over the fields, two UTF-16 units a step, each field followed by a separator step,
 * folded into 53 bits (a safe integer). Fed field by field, from strings or from ranges of a line's text (the
 * fast path hashes the bytes in place, no copy). Two units a step halves the loop: this runs once per audit event.
 */
export class IdentityHash {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  reset(): this {
    this.a = 0x811c9dc5;
    this.b = 0x01000193 ^ 0x5bd1e995;
    return this;
  }

  /** Adds characters [from, to) of `s`, then the separator. */
  add(s: string, from = 0, to = s.length): this {
    this.addPart(s, from, to, false);
    return this;
  }

  /**
   * Adds [from, to) of `s` and the separator when every character is printable ASCII without a backslash (then
   * the text of a JSON string is the string itself); false, having added a part, otherwise (start again or give up).
   */
  addPlain(s: string, from: number, to: number): boolean {
    return this.addPart(s, from, to, true);
  }

  private addPart(s: string, from: number, to: number, plainOnly: boolean): boolean {
    let { a, b } = this;
    let i = from;
    for (; i + 1 < to; i += 2) {
      const c1 = s.charCodeAt(i);
      const c2 = s.charCodeAt(i + 1);
      if (plainOnly && (c1 < 32 || c1 > 126 || c1 === 92 || c2 < 32 || c2 > 126 || c2 === 92)) return false;
      const c = c1 | (c2 << 16);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    // An odd last unit, then the separator (a unit no character has).
    const last = i < to ? s.charCodeAt(i) : 0x10000;
    if (plainOnly && i < to && (last < 32 || last > 126 || last === 92)) return false;
    a = Math.imul(a ^ last ^ 0x20000, 0x01000193);
    b = Math.imul(b ^ last ^ 0x20000, 0x5bd1e995) ^ (b >>> 15);
    this.a = a;
    this.b = b;
    return true;
  }

  value(): number {
    return (this.a >>> 0) * 0x200000 + ((this.b >>> 0) & 0x1fffff);
  }
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * The identity of an event as a 53-bit hash, or undefined without an auditID. Two different events share a hash
 * with a probability of about n^2 / 2^54, and an attacker cannot aim for one: the fields hold timestamps the
 * server assigns.
 */
export function auditIdentity(e: AuditIdentityFields): number | undefined {
  const id = e.auditID;
  if (typeof id !== 'string' || id === '') return undefined;
  return new IdentityHash().add(id).add(text(e.stage)).add(text(e.stageTimestamp)).value();
}
