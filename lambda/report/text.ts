import type { ScanResult } from '../model/findings';
import type { Evidence, Finding, ScanStats } from '../model/findings';
import type { AwsAuthChange, Incident } from '../model/incident';
import { SEVERITIES, severityRank, type Severity } from '../model/severity';
import { suppressionNotes } from './suppression-notes';

export interface TextOptions {
  /** ANSI colour (only on a terminal, never when NO_COLOR is set). */
  readonly color: boolean;
  /** Width to wrap prose at. */
  readonly width?: number;
  /** Lines printed just before the summary line (what the caller knows about its inputs). */
  readonly notes?: readonly string[];
}

const COLORS: Record<Severity, string> = {
  critical: '\u001b[1;37;41m',
  high: '\u001b[1;31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';
/** Label column of an incident's fields. */
const LABEL = 10;

type Paint = (code: string, s: string) => string;

/**
 * Human-readable report: one block per incident (most severe first), each in the order a person acts on it:
 * cause, change, impact, the fix, then its findings in one line per rule. Info incidents get one line each.
 * The findings in full are in `--format json`.
 */
export function renderText(result: ScanResult, options: TextOptions): string {
  const out: string[] = [];
  const paint: Paint = (code, s) => (options.color ? `${code}${s}${RESET}` : s);
  const width = Math.max(60, Math.min(options.width ?? 100, 120));
  const byFingerprint = new Map(result.findings.map((f) => [f.fingerprint, f]));
  const incidents = [...result.incidents].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const info = incidents.filter((i) => i.severity === 'info');
  for (const incident of incidents) {
    if (incident.severity === 'info') continue;
    out.push(...renderIncident(incident, byFingerprint, { width, paint }), '');
  }
  if (info.length > 0) {
    out.push(paint(COLORS.info, `INFO (${info.length}), for reference:`));
    for (const i of info) out.push(...wrap(i.title, width, '  '));
    out.push('');
  }
  if (incidents.length === 0) out.push('No incidents.', '');
  if (incidents.length > 0) out.push('Every finding in full, with its evidence: --format json.', '');
  out.push(...suppressionNotes(result));
  if (result.stats.malformed > 0) {
    const where = result.malformedSamples.map((m) => `${m.file}:${m.line} (${m.reason})`).join('; ');
    out.push(`Note: ${result.stats.malformed} line(s) could not be read and were skipped. First: ${where}`);
  }
  if (result.stats.truncated > 0) {
    out.push(`Note: ${result.stats.truncated} truncated audit event(s) were salvaged; their evidence is marked [truncated] in --format json.`);
  }
  if (result.stats.duplicates > 0) {
    out.push(`Note: ${result.stats.duplicates} audit event(s) were read more than once (same auditID, stage and time) and counted once.`);
  }
  if (result.stats.duplicatesUnchecked > 0) {
    out.push(`Note: ${result.stats.duplicatesUnchecked} audit event(s) came after the cap on remembered events and were not checked for duplicates.`);
  }
  for (const e of result.ruleErrors) out.push(`Warning: rule ${e.ruleId} failed ${e.count} time(s): ${e.error}`);
  out.push(...(options.notes ?? []));
  out.push(paint(BOLD, summaryLine(result.findings, result.stats, result.incidents, result.suppressed?.length ?? 0)));
  return `${out.join('\n')}\n`;
}

/** One incident as text (shared with the email): at most one screen, however many nodes and findings it has. */
export function renderIncident(
  incident: Incident,
  findings: ReadonlyMap<string, Finding>,
  options: { readonly width: number; readonly paint?: Paint },
): string[] {
  const paint: Paint = options.paint ?? ((_c, s) => s);
  const width = options.width;
  const lines: string[] = [];
  const field = (label: string, text: string): void => {
    const body = wrap(text, width, ' '.repeat(LABEL + 2));
    if (body.length === 0) return;
    lines.push(`  ${label.padEnd(LABEL)}${body[0]!.trimStart()}`, ...body.slice(1));
  };
  lines.push(`${paint(COLORS[incident.severity], incident.severity.toUpperCase().padEnd(8))} ${paint(BOLD, incident.title)}`);
  field('Cause:', incident.cause.summary);
  if (incident.cause.change) lines.push(...changeLines(incident.cause.change, width));
  else if (incident.cause.changeUnknown) field('Change:', `not found: ${incident.cause.changeUnknown}.`);
  field('Impact:', incident.impact);
  if (incident.nodes && incident.nodes.count > 0) {
    const more = incident.nodes.count - incident.nodes.names.length;
    field(`Nodes:`, `${incident.nodes.names.join(', ')}${more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''}`);
  }
  lines.push('  Fix:');
  for (const para of incident.remediation.split('\n')) {
    // Keep YAML snippets and commands as they are; wrap prose.
    if (/^\s/.test(para) || para.trimStart().startsWith('-')) lines.push(`    ${para}`);
    else lines.push(...wrap(para, width, '    '));
  }
  lines.push(...findingLines(incident, findings, width));
  const when = incident.firstSeen ? `, ${incident.firstSeen}${incident.lastSeen && incident.lastSeen !== incident.firstSeen ? ` .. ${incident.lastSeen}` : ''}` : '';
  lines.push(`  id ${incident.id}${when}`);
  return lines;
}

function changeLines(c: AwsAuthChange, width: number): string[] {
  const indent = ' '.repeat(LABEL + 2);
  const who = `${c.username ?? 'an unknown user'}${c.arn ? ` (${c.arn})` : ''}`;
  const verb = c.patchType ? `${c.verb} (${{ apply: 'server-side apply', json: 'JSON patch', merge: 'merge patch' }[c.patchType]})` : c.verb;
  const from = [c.sourceIP ? `from ${c.sourceIP}` : '', c.userAgent ? `with ${c.userAgent}` : ''].filter(Boolean).join(' ');
  const head = wrap(`aws-auth ${verb} by ${who} at ${c.time}${from ? ` ${from}` : ''}${c.auditID ? ` (auditID ${c.auditID})` : ''}.`, width, indent);
  const lines = [`  ${'Change:'.padEnd(LABEL)}${head[0]!.trimStart()}`, ...head.slice(1)];
  const entry = (label: string, v: string | null | undefined): void => {
    const text = v === undefined ? 'not known (the earlier content is older than the data)' : v === null ? '(no entry for this role)' : v;
    const [first, ...rest] = text.split('\n');
    lines.push(`${indent}${label} ${first}`, ...rest.map((l) => `${indent}${' '.repeat(label.length + 1)}${l}`));
  };
  entry('before:', c.before);
  entry('after: ', c.after);
  if (c.firstFailureAfterSeconds !== undefined && c.firstFailure) {
    lines.push(`${indent}first ${c.firstFailure} ${duration(c.firstFailureAfterSeconds)} after the change`);
  }
  return lines;
}

/** `41 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${Math.floor((s % 86400) / 3600) ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}

/** One line per rule: how many findings and events, so a 1,000-node incident stays a few lines. */
function findingLines(incident: Incident, findings: ReadonlyMap<string, Finding>, width: number): string[] {
  const byRule = new Map<string, { severity: Severity; findings: number; events: number }>();
  for (const fp of incident.findings) {
    const f = findings.get(fp);
    if (!f) continue;
    const r = byRule.get(f.ruleId) ?? { severity: f.severity, findings: 0, events: 0 };
    r.findings++;
    r.events += f.count;
    byRule.set(f.ruleId, r);
  }
  if (byRule.size === 0) return [];
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [...byRule.entries()]
    .sort((a, b) => severityRank(b[1].severity) - severityRank(a[1].severity) || b[1].events - a[1].events)
    .map(([id, r]) => `${id} ${r.findings > 1 ? `x${n(r.findings)} ` : ''}(${n(r.events)} event${r.events === 1 ? '' : 's'})`);
  const body = wrap(parts.join(', '), width, ' '.repeat(LABEL + 2));
  return [`  ${'Findings:'.padEnd(LABEL)}${body[0]!.trimStart()}`, ...body.slice(1)];
}

export function evidenceLine(e: Evidence): string {
  const parts = [e.time, e.verb, e.requestURI, e.code !== undefined ? String(e.code) : undefined, e.decision]
    .filter((p): p is string => Boolean(p));
  let s = parts.join(' ');
  const why = e.reason || e.message;
  if (why) s += `${s ? ': ' : ''}${why}`;
  if (e.auditID) s += ` (auditID ${e.auditID})`;
  if (e.source) s += ` @ ${e.source}`;
  if (e.truncated) s += ' [truncated]';
  return s;
}

function countBySeverity<T extends { severity: Severity }>(items: readonly T[]): string {
  const counts = [...SEVERITIES]
    .reverse()
    .map((s) => [s, items.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return counts.length ? ` (${counts.join(', ')})` : '';
}

/** `11 incidents (1 critical, 7 high, ...) from 36 findings (and 3 suppressed); read 9 file(s), ...`. */
export function summaryLine(findings: readonly Finding[], stats: ScanStats, incidents?: readonly Incident[], suppressed = 0): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const f = `${n(findings.length)} finding${findings.length === 1 ? '' : 's'}`;
  const head = incidents
    ? `${n(incidents.length)} incident${incidents.length === 1 ? '' : 's'}${countBySeverity(incidents)} from ${f}`
    : `${f}${countBySeverity(findings)}`;
  const hidden = suppressed > 0 ? ` (and ${n(suppressed)} suppressed)` : '';
  return (
    `${head}${hidden}; read ${n(stats.files)} file(s), ${n(stats.records)} records: ${n(stats.auditEvents)} audit events, ` +
    `${n(stats.apiserverLines)} API-server lines, ${n(stats.authenticatorLines)} authenticator lines, ` +
    (stats.kubeletLines > 0 ? `${n(stats.kubeletLines)} kubelet lines, ` : '') +
    `${n(stats.malformed)} malformed, ${n(stats.truncated)} truncated.`
  );
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(indent + line);
  }
  return out;
}
