import type { NodeDenialRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import type { Emit } from '../../model/rule';
import { clean, cleanOpt } from '../../model/sanitize';
import { originText } from '../../model/audit';
import type { Buffered } from './buffered-observation';
import { addRecord, emitBuffered, emptyBuffered } from './buffered-observation';

/**
 * Node refusals read from text lines (NodeDenialRecord) describe the same requests as the 403 audit events of
 * the same cluster: the Lambda reads the audit and the API-server streams of one window, and a user may scan a
 * kubelet's journal together with the audit log. Counting both would count each refusal twice. So a rule keeps
 * what the text lines say per subject and reports it only for subjects no audit event covered; with audit
 * events present, those are the count and the evidence.
 *
 * Bounded: at most MAX_TEXT_SUBJECTS subjects are kept (node names come from authenticated identities, but a
 * stolen bootstrap credential can mint many); further lines of new subjects are counted in `dropped`.
 */
export const MAX_TEXT_SUBJECTS = 10_000;

interface Pending {
  readonly subject: Record<string, string>;
  readonly buffered: Buffered;
  readonly tally: Record<string, number>;
  readonly facts: Record<string, string>;
}

export class TextDenials {
  private readonly pending = new Map<string, Pending>();
  private readonly audited = new Set<string>();
  dropped = 0;

  /**
   * @param coverKey what an audit event and a text line must share to be the same requests (default: the whole
   *   subject); a rule whose audit subject carries more than a text line can know passes a narrower key.
   */
  constructor(private readonly coverKey: (subject: Readonly<Record<string, string>>) => string = keyOf) {}

  /** An audit event covered this subject: its text lines are the same requests. */
  coveredByAudit(subject: Readonly<Record<string, string>>): void {
    if (this.audited.size < MAX_TEXT_SUBJECTS) this.audited.add(this.coverKey(subject));
  }

  add(
    subject: Record<string, string>,
    record: NodeDenialRecord,
    tally: Readonly<Record<string, number>> = {},
    facts: Readonly<Record<string, string>> = {},
  ): void {
    const key = keyOf(subject);
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= MAX_TEXT_SUBJECTS) {
        this.dropped++;
        return;
      }
      // Null-prototype tallies: keys come from log text (a verb named `constructor` must stay a key).
      p = { subject, buffered: emptyBuffered(), tally: Object.create(null) as Record<string, number>, facts: { source: sourceText(record) } };
      this.pending.set(key, p);
    }
    addRecord(p.buffered, record, denialEvidence(record));
    for (const [k, n] of Object.entries(tally)) p.tally[k] = (p.tally[k] ?? 0) + n;
    for (const [k, v] of Object.entries(facts)) if (!Object.hasOwn(p.facts, k)) p.facts[k] = v;
  }

  /** Emits every subject no audit event covered (and `keep` accepts). */
  flush(emit: Emit, keep: (subject: Readonly<Record<string, string>>) => boolean = () => true): void {
    for (const p of this.pending.values()) {
      if (this.audited.has(this.coverKey(p.subject)) || !keep(p.subject)) continue;
      emitBuffered(emit, p.subject, p.buffered, { tally: { ...p.tally }, facts: p.facts });
    }
  }
}

function keyOf(subject: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(subject).sort().map((k) => [k, subject[k]]));
}

/** Where the refusal was read, in words for a finding. */
export function sourceText(r: NodeDenialRecord): string {
  return r.source === 'kubelet' ? 'kubelet log' : 'API-server log';
}

/** Evidence for a refusal read from a text line. */
export function denialEvidence(r: NodeDenialRecord): Evidence {
  const ev: Evidence = { truncated: false, source: clean(originText(r), 300), code: 403 };
  const time = cleanOpt(r.time ?? r.origin.timestamp, 40);
  if (time) ev.time = time;
  const verb = cleanOpt(r.verb, 32);
  if (verb) ev.verb = verb;
  const reason = cleanOpt(r.reason, 300);
  if (reason) ev.reason = reason;
  const message = cleanOpt(r.text, 400);
  if (message) ev.message = message;
  return ev;
}
