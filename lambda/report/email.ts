import type { Finding } from '../model/findings';
import type { Incident, IncidentStatus } from '../model/incident';
import { SEVERITIES, type Severity } from '../model/severity';
import type { QueryStatistics } from '../model/report';
import { plural, textIncident, textIncidentLine, wrap, type IncidentEntry } from './email-incidents';

/**
 * The pieces of one SNS message. The text leads with incidents (report/email-incidents.ts); the JSON carries
 * the incidents and every finding, each finding its own piece so the publisher can add up sizes and decide
 * what fits without rendering the message many times. Inputs are already cleaned: nothing here reads raw
 * log text.
 */
export interface MessageHeader {
  readonly cluster: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly minSeverity: Severity;
  /** Every finding at or above minSeverity, shown or not, most severe first. */
  readonly findings: readonly Finding[];
  readonly statistics?: readonly QueryStatistics[];
  /** Lines about the run itself (bytes scanned and cost, rule errors, unreadable rows, coverage), shown last. Already cleaned. */
  readonly footer?: readonly string[];
  /** `scheduled`: incidents are what changed since the last run; `one-off`: everything this window holds. */
  readonly mode: 'scheduled' | 'one-off';
  /** Scheduled: the alerted incidents; one-off: every incident. Most important first. */
  readonly incidents: readonly IncidentEntry[];
  /** Scheduled: open incidents with nothing new to say. */
  readonly quiet: readonly IncidentEntry[];
  /** The report came without incidents: each finding is told as its own, and counted as a finding. */
  readonly ungrouped?: boolean;
}

export type { IncidentEntry };

/** Statistics come from AWS responses: a missing number prints as 0, never as NaN. */
const n = (x: number): string => (Number.isFinite(x) ? x : 0).toLocaleString('en-US');
const RULE = '-'.repeat(72);

/** `3 high, 1 medium` */
export function severityCounts(items: readonly { severity: Severity }[]): string {
  return [...SEVERITIES]
    .reverse()
    .map((s) => [s, items.filter((f) => f.severity === s).length] as const)
    .filter(([, count]) => count > 0)
    .map(([s, count]) => `${n(count)} ${s}`)
    .join(', ');
}

/** `1 new incident, 1 resolved`; `1 incident resolved` */
export function changeCounts(entries: readonly IncidentEntry[]): string {
  const count = (s: IncidentStatus): number => entries.filter((e) => e.status === s).length;
  const kinds = (['new', 'escalated', 'reminder', 'resolved'] as const).filter((s) => count(s) > 0);
  if (kinds.length === 1 && kinds[0] !== 'new') {
    const what = { escalated: 'escalated', reminder: 'still open (reminder)', resolved: 'resolved' }[kinds[0]!];
    return `${plural(count(kinds[0]!), 'incident')} ${what}`;
  }
  const parts: string[] = [];
  if (count('new')) parts.push(plural(count('new'), 'new incident'));
  if (count('escalated')) parts.push(`${n(count('escalated'))} escalated`);
  if (count('reminder')) parts.push(`${n(count('reminder'))} still open (reminder)`);
  if (count('resolved')) parts.push(`${n(count('resolved'))} resolved`);
  return parts.join(', ');
}

export function textHead(h: MessageHeader): string {
  const min = h.minSeverity.toUpperCase();
  const lines: string[] = [];
  const inWindow = `${plural(h.findings.length, 'finding')} at or above ${min} in this window`;
  if (h.mode === 'scheduled' && h.incidents.length > 0) {
    const open = h.incidents.filter((e) => e.status !== 'resolved').length + h.quiet.length;
    lines.push(`eks-authz-audit: cluster ${h.cluster}: ${changeCounts(h.incidents)}; ${plural(open, 'incident')} open; ${inWindow}.`);
  } else if (h.mode === 'scheduled') {
    lines.push(`eks-authz-audit: nothing new in cluster ${h.cluster} (${plural(h.quiet.length, 'incident')} open), but the audit was INCOMPLETE.`);
  } else if (h.findings.length > 0 && h.ungrouped) {
    lines.push(`eks-authz-audit: ${plural(h.findings.length, 'finding')} at or above ${min} in cluster ${h.cluster} (${severityCounts(h.findings)}).`);
  } else if (h.findings.length > 0) {
    lines.push(
      `eks-authz-audit: ${plural(h.incidents.length, 'incident')} (${plural(h.findings.length, 'finding')}) at or above ${min} ` +
        `in cluster ${h.cluster} (${severityCounts(h.incidents.map((e) => e.incident))}).`,
    );
  } else {
    lines.push(`eks-authz-audit: no findings at or above ${min} in cluster ${h.cluster}, but the audit was INCOMPLETE.`);
  }
  lines.push(`Window: ${h.window.start} to ${h.window.end} (start inclusive, end exclusive)`);
  for (const q of h.statistics ?? []) {
    lines.push(
      `Query (${q.stream}): ${q.status}, ${n(q.recordsMatched)} records matched of ${n(q.recordsScanned)} scanned, ` +
        `${n(q.bytesScanned)} bytes scanned, ${((Number.isFinite(q.durationMs) ? q.durationMs : 0) / 1000).toFixed(1)} s` +
        (q.windowSplits ? `, window split ${plural(q.windowSplits, 'time')}` : ''),
    );
  }
  if (!h.complete) {
    lines.push('', `AUDIT INCOMPLETE: ${h.incompleteReason || 'no reason given'}`);
    lines.push(...wrap('Events from this window may be missing from this report: treat it as partial, not as a clean bill of health.', ''));
  }
  return `${lines.join('\n')}\n`;
}

/** One-line incidents listed at most (those left out of the full blocks, and the quiet ones), then a count. */
export const MAX_INCIDENT_LINES = 50;

/**
 * The incidents: the first `full` in full, the rest one line each (left out to fit the size limit), then
 * the open incidents with nothing new. The pieces are what the publisher measures (textIncidentPieces).
 */
export function textIncidents(h: MessageHeader, full: number): string {
  const p = textIncidentPieces(h);
  return p.blocks.slice(0, full).join('') + p.restHeading(h.incidents.length - full) + p.lines.slice(full, full + MAX_INCIDENT_LINES).join('') +
    p.moreLines(h.incidents.length - full) + p.quiet;
}

export interface TextIncidentPieces {
  readonly blocks: string[];
  readonly lines: string[];
  restHeading(rest: number): string;
  moreLines(rest: number): string;
  readonly quiet: string;
}

export function textIncidentPieces(h: MessageHeader): TextIncidentPieces {
  const total = h.incidents.length;
  let quiet = '';
  if (h.quiet.length > 0) {
    quiet = `\n${RULE}\nStill open, nothing new (${n(h.quiet.length)}):\n${h.quiet.slice(0, MAX_INCIDENT_LINES).map(textIncidentLine).join('')}`;
    if (h.quiet.length > MAX_INCIDENT_LINES) quiet += `  ... and ${plural(h.quiet.length - MAX_INCIDENT_LINES, 'more incident')}\n`;
  }
  return {
    blocks: h.incidents.map((e, i) => textIncident(e, i + 1, total)),
    lines: h.incidents.map(textIncidentLine),
    restHeading: (rest) =>
      rest > 0 ? `\n${RULE}\n${wrap(`${plural(rest, 'more incident')}, one line each to keep this message under the SNS size limit:`, '').join('\n')}\n` : '',
    moreLines: (rest) => (rest > MAX_INCIDENT_LINES ? `  ... and ${plural(rest - MAX_INCIDENT_LINES, 'more incident')}\n` : ''),
    quiet,
  };
}

/** What the machine-readable copy left out, so a reader knows the message is not the whole story. */
export function textFooter(omitted: readonly Finding[], evidenceTrimmed: boolean): string {
  const lines: string[] = [];
  if (omitted.length > 0) {
    lines.push('', RULE);
    lines.push(
      ...wrap(
        `The machine-readable copy of this message leaves out ${plural(omitted.length, 'finding')} (${severityCounts(omitted)}) ` +
          'to stay under the SNS size limit. A manual audit of this window lists them all.',
        '',
      ),
    );
  }
  if (evidenceTrimmed) lines.push('', 'Note: evidence samples were left out of some findings to keep this message under the SNS size limit.');
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The run's own lines (MessageHeader.footer), after the findings. */
export function runFooter(h: MessageHeader): string {
  if (!h.footer || h.footer.length === 0) return '';
  return `\n${RULE}\n${h.footer.flatMap((l) => wrap(l, '')).join('\n')}\n`;
}

/** A few hundred characters: an SMS subscriber gets the gist, not a 200 KB report split into texts. */
export function smsText(h: MessageHeader, subject: string): string {
  const parts = [subject, `window ${h.window.start} to ${h.window.end}`];
  // Cut by code point, not UTF-16 unit, so an emoji is never split into a lone surrogate.
  if (!h.complete) parts.push([...`incomplete: ${h.incompleteReason || 'no reason given'}`].slice(0, 300).join(''));
  return parts.join('; ');
}

/** Opens the machine-readable body: the head and the incidents; findings follow as a JSON array, then jsonTail(). */
export function jsonHead(h: MessageHeader, incidents: readonly string[], omittedIncidents: number): string {
  const head: Record<string, unknown> = { cluster: h.cluster, window: { start: h.window.start, end: h.window.end }, complete: h.complete };
  if (!h.complete) head['incompleteReason'] = h.incompleteReason || 'no reason given';
  if (h.footer && h.footer.length > 0) head['run'] = h.footer;
  const open = JSON.stringify(head).slice(0, -1);
  const omitted = omittedIncidents > 0 ? `,"omittedIncidents":${omittedIncidents}` : '';
  return `${open},"incidents":[${incidents.join(',')}]${omitted},"findings":[`;
}

/**
 * At most this many fingerprints per incident in a message: a 1,000-node incident would otherwise fill a
 * quarter of it four times over. `findingsTotal` then says how many it has; the findings array has the rest.
 */
export const MAX_MESSAGE_FINGERPRINTS = 100;

export function jsonIncident(i: Incident): string {
  if (i.findings.length <= MAX_MESSAGE_FINGERPRINTS) return JSON.stringify(i);
  return JSON.stringify({ ...i, findings: i.findings.slice(0, MAX_MESSAGE_FINGERPRINTS), findingsTotal: i.findings.length });
}

export function jsonFinding(f: Finding, evidence: number): string {
  return JSON.stringify({ ...f, evidence: f.evidence.slice(0, evidence) });
}

export function jsonTail(omitted: number, evidenceTrimmed: boolean): string {
  return `],"omittedFindings":${omitted},"evidenceTrimmed":${evidenceTrimmed}}`;
}
