import type { Finding } from '../model/findings';
import { SEVERITIES, type Severity } from '../model/severity';
import { evidenceLine } from './text';
import type { QueryStatistics } from '../model/report';

/**
 * The pieces of one SNS message. Each finding renders to its own text and JSON piece so the
 * publisher can add up their sizes and decide what fits without rendering the message many times.
 * Inputs are already cleaned (cleanFinding, clean): nothing here reads raw log text.
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
}

const WIDTH = 100;
const RULE = '-'.repeat(72);

/** Statistics come from AWS responses: a missing number prints as 0, never as NaN. */
const n = (x: number): string => (Number.isFinite(x) ? x : 0).toLocaleString('en-US');
const plural = (x: number, word: string): string => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

/** `3 high, 1 medium` */
export function severityCounts(findings: readonly Finding[]): string {
  return [...SEVERITIES]
    .reverse()
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, count]) => count > 0)
    .map(([s, count]) => `${n(count)} ${s}`)
    .join(', ');
}

export function textHead(h: MessageHeader): string {
  const min = h.minSeverity.toUpperCase();
  const lines: string[] = [];
  if (h.findings.length > 0) {
    lines.push(
      `eks-authz-audit: ${plural(h.findings.length, 'finding')} at or above ${min} in cluster ${h.cluster} (${severityCounts(h.findings)}).`,
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

/** One finding, `evidence` samples at most. Starts with a blank line so pieces simply concatenate. */
export function textFinding(f: Finding, position: number, total: number, evidence: number): string {
  const lines: string[] = ['', `--- ${n(position)} of ${n(total)} ${RULE}`.slice(0, RULE.length), `[${f.severity.toUpperCase()}] ${f.title}`];
  lines.push(`Rule:        ${f.ruleId}`);
  const subject = Object.entries(f.subject).map(([k, v]) => `${k}=${v}`).join(', ');
  if (subject) lines.push(`Subject:     ${subject}`);
  lines.push(`Seen:        ${plural(f.count, 'time')}, ${timeRange(f)}`);
  lines.push(`Fingerprint: ${f.fingerprint}`);
  lines.push('', 'What happened:', ...wrap(f.message, '  '));
  lines.push('', 'Fix:', ...wrap(f.remediation, '  '));
  const samples = f.evidence.slice(0, evidence);
  if (samples.length > 0) {
    lines.push('', `Evidence (${samples.length} of ${plural(f.count, 'event')}):`);
    for (const e of samples) lines.push(`  - ${evidenceLine(e)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What was left out, so a reader knows the message is not the whole story. */
export function textFooter(omitted: readonly Finding[], evidenceTrimmed: boolean): string {
  const lines: string[] = [];
  if (omitted.length > 0) {
    const rules = new Map<string, number>();
    for (const f of omitted) rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
    const byRule = [...rules].map(([id, count]) => `${id} ${n(count)}`).join(', ');
    lines.push('', RULE);
    lines.push(
      ...wrap(
        `... and ${plural(omitted.length, 'more finding')} not shown (${severityCounts(omitted)}; ${byRule}), ` +
          'left out to keep this message under the SNS size limit. A manual audit of this window lists them all.',
        '',
      ),
    );
  }
  if (evidenceTrimmed) {
    lines.push('', 'Note: evidence samples were left out of some findings to keep this message under the SNS size limit.');
  }
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

/** Opens the machine-readable body; findings follow as a JSON array, then jsonTail(). */
export function jsonHead(h: MessageHeader): string {
  const head: Record<string, unknown> = { cluster: h.cluster, window: { start: h.window.start, end: h.window.end }, complete: h.complete };
  if (!h.complete) head['incompleteReason'] = h.incompleteReason || 'no reason given';
  if (h.footer && h.footer.length > 0) head['run'] = h.footer;
  return `${JSON.stringify(head).slice(0, -1)},"findings":[`;
}

export function jsonFinding(f: Finding, evidence: number): string {
  return JSON.stringify({ ...f, evidence: f.evidence.slice(0, evidence) });
}

export function jsonTail(omitted: number, evidenceTrimmed: boolean): string {
  return `],"omittedFindings":${omitted},"evidenceTrimmed":${evidenceTrimmed}}`;
}

function timeRange(f: Finding): string {
  if (!f.firstSeen) return 'time unknown';
  if (!f.lastSeen || f.lastSeen === f.firstSeen) return `at ${f.firstSeen}`;
  return `${f.firstSeen} to ${f.lastSeen}`;
}

/** Plain-text email is read in any client: wrap prose at a readable width. */
function wrap(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      out.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || out.length === 0) out.push(indent + line);
  return out;
}
