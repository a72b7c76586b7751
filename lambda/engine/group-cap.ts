import type { Evidence, Finding } from '../model/findings';
import { DistinctCounter } from '../model/distinct-counter';
import { MAX_EVIDENCE } from '../model/limits';
import type { Rule } from '../model/rule';

/**
 * Findings kept per rule and scan. A log can name a million nodes or callers (every one of them forged): past
 * this many subjects, a rule's further subjects are counted, not kept, so memory stays bounded whatever the
 * input. 1,000 findings is already more than anyone reads; the rest are summed into one finding per rule.
 */
export const MAX_GROUPS_PER_RULE = 1_000;

/**
 * Distinct keys per finding's tally that name something (`node:<name>`, `writer:<arn>`): a million forged node
 * names under one finding would otherwise grow one tally without end (measured: 1,000,000 node-lease 403s, a heap
 * past 92 MB live and still growing). Past the bound such keys are not added; the finding's count stays exact.
 * Keys without a colon are the rules' own fixed words (`forbidden`, `lease`) and always count.
 */
export const MAX_NAMED_TALLY_KEYS = 1_000;

/** Adds `n` to `tally[key]`; returns 1 when it added a new named key (for the caller's count of them), else 0. */
export function addTally(tally: Record<string, number>, key: string, n: number, namedKeys: number): 0 | 1 {
  const existing = tally[key];
  if (existing !== undefined) {
    tally[key] = existing + n;
    return 0;
  }
  const named = key.includes(':');
  if (named && namedKeys >= MAX_NAMED_TALLY_KEYS) return 0;
  tally[key] = n;
  return named ? 1 : 0;
}

interface Overflow {
  readonly rule: Rule;
  events: number;
  /** Distinct subjects past the cap: exact up to 65,536, then an estimate (DistinctCounter). */
  readonly subjects: DistinctCounter;
  noun: string;
  evidence: Evidence[];
}

/** The subjects past the cap, per rule: their events counted exactly, their number exactly or estimated. */
export class GroupCap {
  private readonly groups = new Map<string, number>();
  private readonly overflows = new Map<string, Overflow>();

  /** Whether `rule` may open one more finding group; counts it when it may. */
  admit(rule: Rule): boolean {
    const n = this.groups.get(rule.id) ?? 0;
    if (n >= MAX_GROUPS_PER_RULE) return false;
    this.groups.set(rule.id, n + 1);
    return true;
  }

  /** An observation of a subject that found no room: `key` identifies the subject within the rule. */
  count(rule: Rule, key: string, subjectKeys: readonly string[], events: number, evidence: Evidence | undefined): void {
    let o = this.overflows.get(rule.id);
    if (!o) this.overflows.set(rule.id, (o = { rule, events: 0, subjects: new DistinctCounter(), noun: nounOf(subjectKeys), evidence: [] }));
    o.events += events;
    o.subjects.add(key);
    if (evidence && o.evidence.length < MAX_EVIDENCE) o.evidence.push(evidence);
  }

  /**
   * One finding per rule that reached the cap, saying how many more subjects and events it did not list.
   * `make` gives the finding its cluster and fingerprint, as the engine does for every finding.
   */
  findings(make: (rule: Rule, subject: Record<string, string>, text: Pick<Finding, 'count' | 'message' | 'remediation' | 'evidence'>) => Finding): Finding[] {
    const out: Finding[] = [];
    const n = (x: number): string => x.toLocaleString('en-US');
    for (const o of this.overflows.values()) {
      out.push(
        make(o.rule, { more: o.noun }, {
          count: o.events,
          message:
            `And ${o.subjects.text(o.events)} more ${o.noun} (${n(o.events)} events) with the same finding, not listed one by one: ` +
            `a scan keeps at most ${n(MAX_GROUPS_PER_RULE)} findings per rule so that memory stays bounded whatever the input. ` +
            `The events are counted exactly; the evidence shows the first of them. So many distinct ${o.noun} in one input is ` +
            'itself worth a look: a fleet-wide misconfiguration, or a log written to flood this audit.',
          remediation: o.rule.remediation,
          evidence: o.evidence,
        }),
      );
    }
    return out;
  }
}

/** What the subjects of a rule are, in words, from the keys of its subject. */
function nounOf(keys: readonly string[]): string {
  const nouns: [string, string][] = [
    ['node', 'nodes'], ['arn', 'IAM identities'], ['object', 'objects'], ['resource', 'resources'], ['path', 'paths'],
    ['flag', 'flags'], ['field', 'fields'], ['username', 'principals'],
  ];
  for (const [key, noun] of nouns) if (keys.includes(key)) return noun;
  return 'subjects';
}
