import { closeSync, openSync, writeSync } from 'node:fs';
import { TRUNCATED_MARKER } from '../tools/eks-events';

/**
 * Appends lines to a file in large synchronous writes (a 2 GB file is two thousand writes, not two million),
 * and counts what a scan must report: lines, audit events, truncated events and malformed lines.
 */
export class LogWriter {
  private pending = '';
  private readonly fd: number;
  bytes = 0;
  lines = 0;
  auditEvents = 0;
  truncated = 0;
  malformed = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  /** One audit event, one line. */
  event(e: unknown): void {
    this.line(JSON.stringify(e));
    this.auditEvents++;
  }

  /**
   * The event as CloudWatch keeps it when it is over the size limit: the first bytes and `[Truncated...]`.
   * `cutBytes` bytes are cut off the end, so the cut falls where the caller knows which fields survive.
   */
  cutEvent(e: unknown, cutBytes: number): void {
    const text = JSON.stringify(e);
    this.line(text.slice(0, text.length - cutBytes) + TRUNCATED_MARKER);
    this.auditEvents++;
    this.truncated++;
  }

  /** A line the scan reports as malformed. */
  garbage(text: string): void {
    this.line(text);
    this.malformed++;
  }

  /** Text as is, counted by the caller (blank lines, glued events, CRLF endings). */
  raw(text: string, counts: { auditEvents?: number; truncated?: number; malformed?: number } = {}): void {
    this.line(text);
    this.auditEvents += counts.auditEvents ?? 0;
    this.truncated += counts.truncated ?? 0;
    this.malformed += counts.malformed ?? 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private line(text: string): void {
    this.pending += `${text}\n`;
    this.bytes += Buffer.byteLength(text) + 1;
    this.lines++;
    if (this.pending.length >= 4 * 1024 * 1024) this.flush();
  }

  private flush(): void {
    if (this.pending) writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

export interface ExpectedFinding {
  readonly ruleId: string;
  readonly subject: Readonly<Record<string, string>>;
  readonly count: number;
}

/** The findings the generator planted, counted as it writes them. */
export class Expectations {
  private readonly counts = new Map<string, { ruleId: string; subject: Record<string, string>; count: number }>();

  add(ruleId: string, subject: Record<string, string>, n = 1): void {
    const key = findingKey(ruleId, subject);
    const found = this.counts.get(key);
    if (found) found.count += n;
    else this.counts.set(key, { ruleId, subject: { ...subject }, count: n });
  }

  list(): ExpectedFinding[] {
    return [...this.counts.values()].sort((a, b) => findingKey(a.ruleId, a.subject).localeCompare(findingKey(b.ruleId, b.subject)));
  }
}

/** Rule id and subject (keys sorted): what tells two findings apart. */
export function findingKey(ruleId: string, subject: Readonly<Record<string, string>>): string {
  return `${ruleId} ${JSON.stringify(Object.keys(subject).sort().map((k) => [k, subject[k]]))}`;
}
