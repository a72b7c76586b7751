import { createHash } from 'node:crypto';
import type { Finding, ScanStats } from '../model/findings';
import type { Incident } from '../model/incident';
import type { ScanTimelines } from '../model/timeline';
import { SEVERITIES } from '../model/severity';
import type { HtmlAssets } from './html-assets';
import { PAGE_SCRIPT, PAGE_STYLE } from './html-page';
import { incidentChart, type ChartData } from './html-timeline';

/** What one HTML report shows: one cluster's incidents and findings, and when they happened. */
export interface HtmlReportInput {
  readonly cluster: string;
  /** What was read, in words: the scanned paths, or the audited window. */
  readonly source: string;
  /** ISO 8601. */
  readonly generatedAt: string;
  readonly findings: readonly Finding[];
  readonly incidents: readonly Incident[];
  /** From an engine asked for them; without, the incidents have no timeline. */
  readonly timelines?: ScanTimelines;
  readonly stats?: ScanStats;
  /** Things the reader must know (malformed lines, an incomplete audit, rule errors), in words. */
  readonly notes?: readonly string[];
}

/** The data block the page script reads (JSON, never markup). */
export interface HtmlReportData {
  cluster: string;
  source: string;
  generatedAt: string;
  summary: string;
  notes: string[];
  incidents: (Incident & { chart?: ChartData })[];
  findings: readonly Finding[];
}

/**
 * One self-contained HTML page: the style sheets and scripts inline, the data in a JSON block, and a
 * Content-Security-Policy that allows only those exact inline scripts and styles (by hash) and no source at all
 * beyond them, so the page cannot load or send anything, and markup smuggled into the data could not run.
 */
export function renderHtml(input: HtmlReportInput, assets: HtmlAssets): string {
  const data = reportData(input);
  const styles = [assets.chartStyle, PAGE_STYLE];
  const scripts = [assets.chartScript, PAGE_SCRIPT];
  for (const s of styles) if (/<\/style/i.test(s)) throw new Error('an inline style sheet contains "</style": it would end its element early');
  for (const s of scripts) if (/<\/script/i.test(s)) throw new Error('an inline script contains "</script": it would end its element early');
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(hashSource).join(' ')}`,
    `style-src ${styles.map(hashSource).join(' ')}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eks-authz-audit report</title>
${styles.map((s) => `<style>${s}</style>`).join('\n')}
</head>
<body>
<header class="page">
<h1 id="title">EKS authorization audit</h1>
<div class="meta" id="meta"></div>
<div class="summary" id="summary"></div>
</header>
<main>
<noscript><p>This report is drawn by its own inline script: open it in a browser with JavaScript on.</p></noscript>
<ul class="notes" id="notes"></ul>
<section>
<h2>Incidents <span class="count" id="incident-count"></span></h2>
<div id="incidents"></div>
</section>
<section id="findings">
<h2>All findings</h2>
<div class="filters" id="filters"></div>
<table class="findings">
<thead><tr><th>Severity</th><th>Rule</th><th>Title</th><th>Subject</th><th>Count</th><th>First seen</th><th>Last seen</th></tr></thead>
<tbody id="findings-body"></tbody>
</table>
</section>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}

export function reportData(input: HtmlReportInput): HtmlReportData {
  const byFingerprint = new Map(input.findings.map((f) => [f.fingerprint, f]));
  const timelines = input.timelines;
  const incidents = input.incidents.map((incident) => {
    const chart = timelines ? incidentChart(incident, byFingerprint, timelines.findings, timelines.awsAuthWrites) : undefined;
    return chart ? { ...incident, chart } : { ...incident };
  });
  const notes = [...(input.notes ?? [])];
  if (timelines && timelines.awsAuthWritesNotKept > 0) {
    notes.push(`${timelines.awsAuthWritesNotKept} more aws-auth write(s) were seen than the timelines mark.`);
  }
  return {
    cluster: input.cluster,
    source: input.source,
    generatedAt: input.generatedAt,
    summary: summary(input),
    notes,
    incidents,
    findings: input.findings,
  };
}

function summary(input: HtmlReportInput): string {
  const counts = [...SEVERITIES]
    .reverse()
    .map((s) => [s, input.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const n = (x: number, word: string): string => `${x.toLocaleString('en-US')} ${word}${x === 1 ? '' : 's'}`;
  let text = `${n(input.incidents.length, 'incident')}, ${n(input.findings.length, 'finding')}`;
  if (counts.length > 0) text += ` (${counts.join(', ')})`;
  const s = input.stats;
  if (s) text += ` from ${n(s.files, 'file')}, ${n(s.records, 'record')}`;
  return text;
}

/**
 * JSON that can sit inside a <script> element whatever the strings hold: `<`, `>` and `&` become \u escapes (no
 * `</script>` or `<!--` can form), and so do U+2028 and U+2029 (line terminators in older JavaScript).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A CSP source expression allowing exactly this inline script or style. */
export function hashSource(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}
