import type { ScanResult } from '../model/findings';
import type { Evidence, Finding, ScanStats } from '../model/findings';
import { SEVERITIES, type Severity } from '../model/severity';

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
/** Samples shown per finding in text: enough to act on; JSON carries all the engine kept. */
const TEXT_EVIDENCE = 2;
const BOLD = '\u001b[1m';

/** Human-readable report: findings grouped by severity (most severe first), then a closing summary line. */
export function renderText(result: ScanResult, options: TextOptions): string {
  const out: string[] = [];
  const paint = (code: string, s: string): string => (options.color ? `${code}${s}${RESET}` : s);
  const width = Math.max(60, Math.min(options.width ?? 100, 120));
  for (const severity of [...SEVERITIES].reverse()) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(paint(COLORS[severity], `${severity.toUpperCase()} (${group.length})`), '');
    for (const f of group) out.push(...renderFinding(f, width, paint), '');
  }
  if (result.findings.length === 0) out.push('No findings.', '');
  if (result.stats.malformed > 0) {
    const where = result.malformedSamples.map((m) => `${m.file}:${m.line} (${m.reason})`).join('; ');
    out.push(`Note: ${result.stats.malformed} line(s) could not be read and were skipped. First: ${where}`);
  }
  if (result.stats.truncated > 0) {
    out.push(`Note: ${result.stats.truncated} truncated audit event(s) were salvaged; their evidence is marked [truncated].`);
  }
  for (const e of result.ruleErrors) out.push(`Warning: rule ${e.ruleId} failed ${e.count} time(s): ${e.error}`);
  out.push(...(options.notes ?? []));
  out.push(paint(BOLD, summaryLine(result.findings, result.stats)));
  return `${out.join('\n')}\n`;
}

function renderFinding(f: Finding, width: number, paint: (code: string, s: string) => string): string[] {
  const lines: string[] = [];
  lines.push(`${paint(COLORS[f.severity], f.severity.toUpperCase().padEnd(8))} ${paint(BOLD, f.title)}  [${f.ruleId}]`);
  const subject = Object.entries(f.subject).map(([k, v]) => `${k}=${v}`).join('  ');
  if (subject) lines.push(`  subject:  ${subject}`);
  lines.push(`  seen:     ${f.count.toLocaleString('en-US')} time(s)${timeRange(f)}`);
  lines.push(...wrap(f.message, width, '  '));
  lines.push('  Fix:');
  for (const para of f.remediation.split('\n')) {
    // Keep YAML snippets as they are; wrap prose.
    if (/^\s/.test(para) || para.trimStart().startsWith('-')) lines.push(`    ${para}`);
    else lines.push(...wrap(para, width, '    '));
  }
  if (f.evidence.length > 0) {
    lines.push('  Evidence:');
    for (const e of f.evidence.slice(0, TEXT_EVIDENCE)) lines.push(`    - ${evidenceLine(e)}`);
    const more = f.evidence.length - TEXT_EVIDENCE;
    if (more > 0) lines.push(`    (${more} more sample${more === 1 ? '' : 's'} with --format json)`);
  }
  return lines;
}

function timeRange(f: Finding): string {
  if (!f.firstSeen) return '';
  return f.firstSeen === f.lastSeen || !f.lastSeen ? `, at ${f.firstSeen}` : `, ${f.firstSeen} .. ${f.lastSeen}`;
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

export function summaryLine(findings: readonly Finding[], stats: ScanStats): string {
  const counts = [...SEVERITIES]
    .reverse()
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const head = `${findings.length} finding${findings.length === 1 ? '' : 's'}${counts.length ? ` (${counts.join(', ')})` : ''}`;
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `${head} from ${n(stats.files)} file(s), ${n(stats.records)} records: ${n(stats.auditEvents)} audit events, ` +
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
