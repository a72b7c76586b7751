import type { ScanResult, ScanStats } from '../model/findings';
import { clean } from '../model/sanitize';
import type { Severity } from '../model/severity';
import type { InputSummary } from '../scan/index';

/** The formats `scan` reads, for the message of a scan that read nothing (docs/formats.md "Input formats" has the detail). */
export const ACCEPTED_FORMATS = [
  'Kubernetes audit events as JSON Lines (kube-apiserver --audit-log-path, one CloudWatch audit event per line)',
  'kube-apiserver klog lines and aws-iam-authenticator logrus lines',
  'CloudWatch Logs exports: the Logs Insights console export (JSON), aws logs filter-log-events, get-log-events and get-query-results output, S3 export lines, subscription payloads',
  'any of these gzip-compressed (.gz)',
];

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`): string => `${n(x)} ${x === 1 ? one : many}`;

/**
 * Why a scan that read no record is not a pass: which paths gave what, what is accepted, and how to accept an
 * empty scan on purpose. For stderr; the exit code is 2.
 */
export function nothingReadMessage(paths: readonly string[], inputs: InputSummary, result: ScanResult): string {
  const given = paths.map((p) => JSON.stringify(clean(p, 300))).join(', ');
  const lines: string[] = [];
  if (inputs.files === 0) {
    lines.push(`eks-authz-audit: no log records: ${given} held no file to read (hidden files and Markdown are skipped).`);
  } else {
    lines.push(
      `eks-authz-audit: no log records in ${given}: ${plural(inputs.files, 'file')} read, ` +
        `${plural(result.stats.malformed, 'line')} that no reader recognised. A scan that reads nothing cannot pass.`,
    );
    for (const f of inputs.unread) lines.push(`  ${f.file}: ${plural(f.malformed, 'unreadable line')}${f.hint ? `; ${f.hint}` : ''}`);
    if (inputs.unreadCount > inputs.unread.length) lines.push(`  and ${plural(inputs.unreadCount - inputs.unread.length, 'more file')}`);
  }
  lines.push(...brokenNotes(inputs), ...skippedNotes(inputs));
  lines.push('Formats read (detected from the content, not the name):', ...ACCEPTED_FORMATS.map((f) => `  - ${f}`));
  lines.push('Pass --allow-empty to accept a scan that reads no record (exit 0).');
  return `${lines.join('\n')}\n`;
}

/** Notes for the end of a report: inputs that broke, paths skipped, where the malformed lines are, findings hidden. */
export function inputNotes(inputs: InputSummary, stats: ScanStats, hidden: number, minSeverity: Severity): string[] {
  const notes = [...brokenNotes(inputs), ...skippedNotes(inputs)];
  if (stats.malformedFields > 0) {
    notes.push(`Note: ${plural(stats.malformedFields, 'field')} of audit events had a type the audit schema does not allow (a crafted or corrupt log) and ${stats.malformedFields === 1 ? 'was' : 'were'} ignored.`);
  }
  if (inputs.unread.length > 0) {
    const files = inputs.unread.map((f) => {
      const what = f.records === 0 ? `, no record${f.hint ? `; ${f.hint}` : ''}` : '';
      return `${f.file} (${plural(f.malformed, 'line')}${what})`;
    });
    const more = inputs.unreadCount - inputs.unread.length;
    notes.push(`Note: unreadable lines by file: ${files.join(', ')}${more > 0 ? `, and ${plural(more, 'more file')}` : ''}.`);
  }
  if (hidden > 0) {
    notes.push(`Note: ${plural(hidden, 'finding')} below --min-severity ${minSeverity} not shown (--fail-on still judges them).`);
  }
  return notes;
}

function brokenNotes(inputs: InputSummary): string[] {
  if (inputs.brokenCount === 0) return [];
  const which = inputs.broken.map((b) => `${b.file} (${b.reason})`).join(', ');
  const more = inputs.brokenCount - inputs.broken.length;
  return [
    `Warning: ${plural(inputs.brokenCount, 'input')} broke part way and ${inputs.brokenCount === 1 ? 'was' : 'were'} read only up to the break: ` +
      `${which}${more > 0 ? `, and ${n(more)} more` : ''}. Findings from the rest are missing; with --fail-on the scan fails (exit 2).`,
  ];
}

function skippedNotes(inputs: InputSummary): string[] {
  if (inputs.skippedCount === 0) return [];
  const which = inputs.skipped.map((s) => `${s.path} (${s.why})`).join(', ');
  const more = inputs.skippedCount - inputs.skipped.length;
  return [`Note: skipped ${plural(inputs.skippedCount, 'path')}: ${which}${more > 0 ? `, and ${n(more)} more` : ''}.`];
}
