import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { hashSource, jsonForScript, renderHtml, reportData } from '../../lambda/report/html';
import { loadHtmlAssets } from '../../lambda/report/html-assets';
import { MAX_CHART_POINTS, MAX_CHART_SERIES, incidentChart } from '../../lambda/report/html-timeline';
import type { FindingTimeline } from '../../lambda/model/timeline';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 't', cluster: 'c', subject: {}, count: 1, firstSeen: null, lastSeen: null,
    message: 'm', remediation: 'r', fingerprint: 'f', evidence: [], ...over,
  };
}

function incident(fingerprints: string[], over: Partial<Incident> = {}): Incident {
  return {
    id: 'a'.repeat(32), cluster: 'c', severity: 'high', title: 'T', cause: { kind: 'node-role', summary: 's' }, impact: 'i',
    remediation: 'r', findings: fingerprints, firstSeen: null, lastSeen: null, ...over,
  };
}

const T = Date.parse('2026-11-27T10:10:00Z') / 1000;

describe('jsonForScript', () => {
  it('leaves no <, >, & or line separator that could end the script element or break the parse', () => {
    const value = { s: '</script><!-- & \u2028\u2029 <img src=x onerror=alert(1)>' };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('renderHtml', () => {
  const assets = loadHtmlAssets();
  const html = renderHtml(
    { cluster: '<b>c</b>', source: 's', generatedAt: '2026-11-27T12:00:00Z', findings: [finding({ message: '</script><script>alert(1)</script>' })], incidents: [] },
    assets,
  );

  it('allows by hash exactly the inline scripts and styles it holds, and no source at all', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    expect(styles).toHaveLength(2);
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(csp).toBe(
      `default-src 'none'; script-src ${scripts.map(hash).join(' ')}; style-src ${styles.map(hash).join(' ')}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    expect(csp).not.toContain('unsafe');
    expect(hashSource('x')).toBe(hash('x'));
  });

  it('inlines uPlot and its style sheet, and loads nothing from anywhere', () => {
    expect(html).toContain(assets.chartScript);
    expect(html).toContain(assets.chartStyle);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\/(?!github\.com\/leeoniya)/);
  });

  it('puts log text only into the JSON block, escaped', () => {
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toContain('<');
    expect(html).not.toContain('<b>c</b>');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });
});

describe('incidentChart', () => {
  const line = (start: number, counts: number[], bucketSeconds = 1): FindingTimeline => ({ start, counts, bucketSeconds });

  it('one line per node on a common grid, the widest bucket width, with the aws-auth writes in range as markers', () => {
    const a = finding({ fingerprint: 'a', subject: { node: 'n1', username: 'WorkerNodeRole' } });
    const b = finding({ fingerprint: 'b', subject: { node: 'n2', username: 'WorkerNodeRole' } });
    const id = finding({ fingerprint: 'i', ruleId: 'node-identity-unrecognized', subject: { username: 'WorkerNodeRole' } });
    const chart = incidentChart(
      incident(['a', 'b', 'i'], { cause: { kind: 'node-role', summary: 's', change: { time: '2026-11-27T10:10:00Z', verb: 'update', username: 'admin', auditID: 'w1' } } }),
      new Map([a, b, id].map((f) => [f.fingerprint, f])),
      { a: line(T + 40, [1, 1, 1, 1]), b: line(T + 40, [2, 0], 2), i: line(T, [5]) },
      [
        { time: '2026-11-27T10:10:00Z', verb: 'update', username: 'admin', auditID: 'w1' },
        { time: '2026-11-27T12:00:00Z', verb: 'patch', username: 'later' },
      ],
    )!;
    expect(chart.per).toBe('node');
    expect(chart.bucketSeconds).toBe(2);
    expect(chart.series.map((s) => [s.label, s.total])).toEqual([['n1', 4], ['n2', 2]]);
    const at = (t: number) => chart.x.indexOf(t);
    expect(chart.series[0]!.values[at(T + 40)]).toBe(2);
    expect(chart.series[0]!.values[at(T + 42)]).toBe(2);
    expect(chart.markers).toEqual([{ t: T, label: 'aws-auth update by admin', cause: true }]);
    expect(chart.x[0]).toBeLessThan(T);
  });

  it('sums the nodes beyond the first few into one line, and keeps a 1,000-node incident to a bounded chart', () => {
    const findings = Array.from({ length: 1000 }, (_, i) => finding({ fingerprint: `f${i}`, subject: { node: `node-${i}` } }));
    const timelines = Object.fromEntries(findings.map((f, i) => [f.fingerprint, line(T + i * 3600, [1 + (i % 7)])]));
    const chart = incidentChart(incident(findings.map((f) => f.fingerprint)), new Map(findings.map((f) => [f.fingerprint, f])), timelines, [])!;
    expect(chart.series).toHaveLength(MAX_CHART_SERIES + 1);
    expect(chart.series.at(-1)!.label).toBe(`${1000 - MAX_CHART_SERIES} other nodes`);
    expect(chart.x.length).toBeLessThanOrEqual(MAX_CHART_POINTS + 2);
    const total = chart.series.reduce((n, s) => n + s.total, 0);
    expect(total).toBe(findings.reduce((n, _, i) => n + 1 + (i % 7), 0));
  });

  it('has no chart when no finding carried a time, and the report says so through reportData', () => {
    const f = finding({ fingerprint: 'x' });
    expect(incidentChart(incident(['x']), new Map([['x', f]]), {}, [])).toBeUndefined();
    const data = reportData({ cluster: 'c', source: 's', generatedAt: 'g', findings: [f], incidents: [incident(['x'])], timelines: { findings: {}, awsAuthWrites: [], awsAuthWritesNotKept: 2 } });
    expect(data.incidents[0]!.chart).toBeUndefined();
    expect(data.notes).toEqual(['2 more aws-auth write(s) were seen than the timelines mark.']);
    expect(data.summary).toBe('1 incident, 1 finding (1 high)');
  });
});
