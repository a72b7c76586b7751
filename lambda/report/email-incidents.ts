import type { Evidence } from '../model/findings';
import type { AwsAuthChange, Incident, IncidentStatus } from '../model/incident';
import type { FindingSummary, IncidentHistory } from '../model/lifecycle';
import { evidenceLine } from './text';

/**
 * One incident in the email: the cause, the change that introduced it, the impact, the ONE fix, then its
 * findings one line each. Inputs are cleaned (cleanIncident, cleanSummary, cleanFinding).
 */
export interface IncidentEntry {
  readonly incident: Incident;
  /** Scheduled runs: what changed; absent in a one-off report. */
  readonly status?: IncidentStatus;
  readonly history?: IncidentHistory;
  /** Most severe first. */
  readonly findings: readonly FindingSummary[];
  readonly findingsTotal: number;
  /** A few sample events of its findings (none for a resolved incident). */
  readonly evidence: readonly Evidence[];
}

/** Finding lines per incident: a 1,000-node incident stays one screen. */
export const MAX_FINDING_LINES = 10;
export const MAX_INCIDENT_EVIDENCE = 2;
const WIDTH = 100;
const RULE = '='.repeat(72);
const LABEL = 13;

const n = (x: number): string => (Number.isFinite(x) ? x : 0).toLocaleString('en-US');
export const plural = (x: number, word: string): string => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

const STATUS_LABEL: Record<IncidentStatus, string> = {
  new: 'NEW', escalated: 'ESCALATED', reminder: 'STILL OPEN', resolved: 'RESOLVED', open: 'OPEN',
};

/** The full block of one incident. Starts with a blank line so blocks simply concatenate. */
export function textIncident(e: IncidentEntry, position: number, total: number): string {
  const i = e.incident;
  const label = e.status ? `: ${STATUS_LABEL[e.status]}` : '';
  const lines: string[] = ['', `=== ${n(position)} of ${n(total)}${label} ${RULE}`.slice(0, RULE.length), `[${i.severity.toUpperCase()}] ${i.title}`];
  lines.push(...field('Cause:', i.cause.summary));
  if (i.cause.change) lines.push(...changeLines(i.cause.change));
  else if (i.cause.changeUnknown) lines.push(...field('Change:', i.cause.changeUnknown));
  lines.push(...field('Impact:', i.impact));
  if (i.nodes && i.nodes.count > 0) {
    const more = i.nodes.count - i.nodes.names.length;
    lines.push(...field('Nodes:', `${i.nodes.names.join(', ')}${more > 0 ? `, and ${n(more)} more` : ''}`));
  }
  lines.push(...statusLines(e));
  lines.push(...field('Incident:', `${i.id}, ${timeRange(i.firstSeen, i.lastSeen)}`));
  if (e.status !== 'resolved') {
    lines.push('', 'Fix:');
    for (const para of i.remediation.split('\n')) {
      // YAML and commands keep their layout; prose is wrapped.
      if (/^\s/.test(para) || para.trimStart().startsWith('-')) lines.push(`  ${para}`);
      else lines.push(...wrap(para, '  '));
    }
  }
  lines.push('', findingsHeading(e));
  for (const f of e.findings.slice(0, MAX_FINDING_LINES)) lines.push(...wrap(findingLine(f), '  - ', '    '));
  const rest = e.findings.slice(MAX_FINDING_LINES);
  const unlisted = Math.max(0, e.findingsTotal - Math.min(e.findings.length, MAX_FINDING_LINES));
  if (unlisted > 0) lines.push(...wrap(`... and ${plural(unlisted, 'more finding')}${byRule(rest)}`, '  '));
  const samples = e.evidence.slice(0, MAX_INCIDENT_EVIDENCE);
  if (samples.length > 0) {
    lines.push('', `Evidence (${samples.length} sample${samples.length === 1 ? '' : 's'}):`);
    for (const s of samples) lines.push(`  - ${evidenceLine(s)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line: for incidents left out of the full blocks (size) and for open incidents with nothing new. */
export function textIncidentLine(e: IncidentEntry): string {
  const since = e.history ? `, open since ${e.history.openSince}` : '';
  const status = e.status && e.status !== 'open' ? `${STATUS_LABEL[e.status]} ` : '';
  return `  - ${status}[${e.incident.severity.toUpperCase()}] ${e.incident.title} (${plural(e.findingsTotal, 'finding')}${since})\n`;
}

/** `1h 5m`, `41 s`: how long an incident lasted or has been open. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function statusLines(e: IncidentEntry): string[] {
  const h = e.history;
  if (!h || !e.status) return [];
  const open = `${h.openSince}, seen in ${plural(h.windowsSeen, 'window')}, ${plural(h.events, 'event')}`;
  switch (e.status) {
    case 'new':
      return h.recurred ? field('Recurred:', `it was resolved at ${h.recurred.resolvedAt} and came back (occurrence ${n(h.recurred.occurrences)})`) : [];
    case 'escalated':
      return field('Escalated:', `severity rose to ${e.incident.severity.toUpperCase()}${h.lastAlertAt ? ` since the last alert at ${h.lastAlertAt}` : ''}; open since ${open}`);
    case 'reminder':
      return field('Still open:', `since ${open}; the last alert was at ${h.lastAlertAt ?? 'an unknown time'}`);
    case 'resolved': {
      const lasted = h.durationMs !== undefined ? `; it lasted ${duration(h.durationMs)} (${timeRange(h.openSince, e.incident.lastSeen)})` : '';
      return field('Resolved:', `at ${h.resolvedAt ?? h.lastShownAt}: no complete window has shown it since ${h.lastShownAt}${lasted}`);
    }
    default:
      return field('Open since:', open);
  }
}

function changeLines(c: AwsAuthChange): string[] {
  const how = c.patchType ? `${c.verb} (${c.patchType === 'apply' ? 'server-side apply' : `${c.patchType} patch`})` : c.verb;
  let who = c.username ?? 'an unknown user';
  if (c.arn) who += ` (${c.arn})`;
  const parts = [`${how} of ConfigMap kube-system/aws-auth at ${c.time} by ${who}`];
  if (c.sourceIP) parts.push(`from ${c.sourceIP}`);
  if (c.userAgent) parts.push(`with ${c.userAgent}`);
  let text = parts.join(' ');
  if (c.firstFailureAfterSeconds !== undefined) {
    text += `; first ${c.firstFailure ?? 'failure'} ${duration(c.firstFailureAfterSeconds * 1000)} after the change`;
  }
  if (c.auditID) text += ` (auditID ${c.auditID})`;
  const lines = field('Changed by:', text);
  for (const [label, entry] of [['Before:', c.before], ['After:', c.after]] as const) {
    if (entry === undefined) continue;
    const rows = entry === null ? ['(no entry)'] : entry.split('\n');
    rows.forEach((row, k) => lines.push(`${k === 0 ? `  ${label}`.padEnd(LABEL) : ' '.repeat(LABEL)}${row}`));
  }
  return lines;
}

function findingsHeading(e: IncidentEntry): string {
  const shown = Math.min(e.findings.length, MAX_FINDING_LINES);
  const of = e.findingsTotal > shown ? `, ${n(shown)} listed` : '';
  return `Findings (${n(e.findingsTotal)}${of}):`;
}

function findingLine(f: FindingSummary): string {
  const subject = Object.entries(f.subject).map(([k, v]) => `${k}=${v}`).join(', ');
  return `[${f.severity.toUpperCase()}] ${f.ruleId}${subject ? ` ${subject}` : ''}: ${plural(f.count, 'time')}, ${timeRange(f.firstSeen, f.lastSeen)}`;
}

function byRule(rest: readonly FindingSummary[]): string {
  if (rest.length === 0) return '';
  const counts = new Map<string, number>();
  for (const f of rest) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return ` (${[...counts].map(([id, c]) => `${id} ${n(c)}`).join(', ')})`;
}

function timeRange(first: string | null, last: string | null): string {
  if (!first) return 'time unknown';
  if (!last || last === first) return `at ${first}`;
  return `${first} to ${last}`;
}

function field(label: string, text: string): string[] {
  return wrap(text, label.padEnd(LABEL), ' '.repeat(LABEL));
}

/** Plain-text email is read in any client: wrap prose at a readable width. */
export function wrap(text: string, first: string, rest = first): string[] {
  const out: string[] = [];
  let line = '';
  let indent = first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      out.push(indent + line);
      indent = rest;
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || out.length === 0) out.push(indent + line);
  return out;
}
