import type { Finding } from '../model/findings';
import type { Incident } from '../model/incident';
import type { AwsAuthWriteMark, FindingTimeline } from '../model/timeline';
import { NODE_USER_PREFIX } from '../model/identity';

/** Lines drawn per chart: the nodes with the most events, the rest summed into one "N other nodes" line. */
export const MAX_CHART_SERIES = 8;
/** Points per line at most: the common bucket width doubles until the span fits. */
export const MAX_CHART_POINTS = 150;

/** One incident's timeline, ready for uPlot: x in seconds since the epoch, one count array per line. */
export interface ChartData {
  /** Bucket width in seconds. */
  bucketSeconds: number;
  x: number[];
  series: { label: string; total: number; values: number[] }[];
  /** Vertical markers: the aws-auth writes inside the span, the incident's own change always. */
  markers: { t: number; label: string; cause: boolean }[];
  /** Some counts came from aggregated rows (spread between their first and last time). */
  estimated: boolean;
  /** What a line stands for: one node each, or one finding each when the incident names no node. */
  per: 'node' | 'finding';
}

/** The node a finding is about, when its subject says: `node`, or a `system:node:<name>` username. */
export function nodeOf(f: Finding): string | undefined {
  if (f.subject['node']) return f.subject['node'];
  const user = f.subject['username'];
  return user?.startsWith(NODE_USER_PREFIX) && user.length > NODE_USER_PREFIX.length ? user.slice(NODE_USER_PREFIX.length) : undefined;
}

/**
 * Lays the timelines of an incident's findings on one grid. Every finding's bucket width is a power of two
 * aligned on the epoch (TimeHistogram), so re-bucketing onto the widest (or a wider one) is exact.
 * Undefined when none of its findings carried a time.
 */
export function incidentChart(
  incident: Incident,
  findingsByFingerprint: ReadonlyMap<string, Finding>,
  timelines: Readonly<Record<string, FindingTimeline>>,
  writes: readonly AwsAuthWriteMark[],
): ChartData | undefined {
  const members = incident.findings
    .map((fp) => findingsByFingerprint.get(fp))
    .filter((f): f is Finding => f !== undefined && timelines[f.fingerprint] !== undefined);
  if (members.length === 0) return undefined;
  const perNode = members.some((f) => nodeOf(f) !== undefined);
  const lines = new Map<string, FindingTimeline[]>();
  for (const f of members) {
    const key = perNode ? nodeOf(f) : findingLabel(f);
    if (key === undefined) continue;
    const list = lines.get(key) ?? [];
    list.push(timelines[f.fingerprint]!);
    lines.set(key, list);
  }
  const all = [...lines.values()].flat();
  const change = incident.cause.change ? Date.parse(incident.cause.change.time) / 1000 : Number.NaN;
  let width = Math.max(...all.map((t) => t.bucketSeconds));
  let lo = Math.min(...all.map((t) => t.start));
  let hi = Math.max(...all.map((t) => t.start + t.counts.length * t.bucketSeconds));
  if (Number.isFinite(change)) {
    lo = Math.min(lo, change);
    hi = Math.max(hi, change + 1);
  }
  // Room on both sides, so that a marker at the edge and the first step up both show.
  const pad = Math.max(width, (hi - lo) * 0.03);
  lo -= pad;
  hi += pad;
  while ((hi - lo) / width > MAX_CHART_POINTS) width *= 2;
  const first = Math.floor(lo / width);
  const n = Math.ceil(hi / width) - first;
  const x = Array.from({ length: n }, (_, i) => (first + i) * width);
  const rebucket = (list: readonly FindingTimeline[]): number[] => {
    const values = new Array<number>(n).fill(0);
    for (const t of list) {
      t.counts.forEach((c, i) => {
        if (c === 0) return;
        const j = Math.floor((t.start + i * t.bucketSeconds) / width) - first;
        if (j >= 0 && j < n) values[j]! += c;
      });
    }
    return values;
  };
  const ranked = [...lines.entries()]
    .map(([label, list]) => ({ label, values: rebucket(list) }))
    .map((s) => ({ ...s, total: s.values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  const series = ranked.slice(0, MAX_CHART_SERIES);
  const rest = ranked.slice(MAX_CHART_SERIES);
  if (rest.length > 0) {
    const values = new Array<number>(n).fill(0);
    for (const s of rest) s.values.forEach((v, i) => (values[i]! += v));
    const what = perNode ? 'node' : 'finding';
    series.push({ label: `${rest.length} other ${what}${rest.length === 1 ? '' : 's'}`, values, total: values.reduce((a, b) => a + b, 0) });
  }
  const start = first * width;
  const end = (first + n) * width;
  const markers: ChartData['markers'] = [];
  const causeAuditID = incident.cause.change?.auditID;
  for (const w of writes) {
    const t = Date.parse(w.time) / 1000;
    if (!(t >= start && t < end)) continue;
    const cause = causeAuditID !== undefined ? w.auditID === causeAuditID : t === change;
    markers.push({ t, label: `aws-auth ${w.verb}${w.username ? ` by ${w.username}` : ''}`, cause });
  }
  if (Number.isFinite(change) && !markers.some((m) => m.cause)) {
    const c = incident.cause.change!;
    markers.push({ t: change, label: `aws-auth ${c.verb}${c.username ? ` by ${c.username}` : ''}`, cause: true });
  }
  markers.sort((a, b) => a.t - b.t);
  return { bucketSeconds: width, x, series, markers, estimated: all.some((t) => t.estimated === true), per: perNode ? 'node' : 'finding' };
}

/** A finding's line label when the chart is per finding: its rule and subject, ARNs cut to their last part. */
function findingLabel(f: Finding): string {
  const values = Object.values(f.subject).map((v) => (v.startsWith('arn:') ? v.slice(v.lastIndexOf('/') + 1) : v));
  return [f.ruleId, ...values].join(' ');
}
