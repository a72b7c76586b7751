import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import type { ScanResult } from '../../lambda/model/findings';
import { RULES } from '../../lambda/rules/registry';
import type { StreamQuery } from '../../lambda/runtime/queries';
import { RESULT_FIELDS, STREAM_FILTERS, buildQueries } from '../../lambda/runtime/queries';
import { readRow } from '../../lambda/runtime/rows';
import { readInputs } from '../../lambda/scan/index';
import { useTmpDir } from './helpers';

/**
 * The loop the issue asked to close: a query printed by `eks-authz-audit queries`, run in the console and
 * exported as JSON or CSV, must read back with the findings the Lambda gets from the same rows. Rows are built as
 * Logs Insights returns them (stats by the query's keys: n, firstSeen, lastSeen, the latest and earliest message,
 * the latest stream; values as text) from the bundled samples, put on EKS's streams.
 */
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));

interface LogEvent {
  readonly message: string;
  readonly ms: number;
  readonly logStream: string;
}

function lines(path: string): string[] {
  const bytes = readFileSync(join(samples, path));
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l.trim() !== '');
}

function sampleEvents(): LogEvent[] {
  const events: LogEvent[] = [];
  const audit = ['wrong-node-username', 'masters-node-username', 'unmapped-node', 'anonymous-probing', 'healthy'].map((d) => `${d}/kube-apiserver-audit.jsonl`);
  for (const path of [...audit, 'masters-node-identity/kube-apiserver-audit.jsonl.gz']) {
    for (const message of lines(path)) {
      // By text: one sample event is cut as CloudWatch cuts long events, and no longer parses.
      const time = /"requestReceivedTimestamp":"([^"]+)"/.exec(message)?.[1] ?? '2026-11-27T10:00:00Z';
      events.push({ message, ms: Date.parse(time), logStream: 'kube-apiserver-audit-0a1b2c' });
    }
  }
  for (const dir of ['wrong-node-username', 'masters-node-username', 'unmapped-node', 'anonymous-probing', 'healthy']) {
    for (const message of lines(`${dir}/authenticator.log`)) {
      const time = /time="([^"]+)"/.exec(message)?.[1] ?? '2026-11-27T10:00:00Z';
      events.push({ message, ms: Date.parse(time), logStream: 'authenticator-0a1b2c' });
    }
  }
  // Two API servers' flag dumps: EKS's (fine), and one that allows everything.
  const flags = lines('healthy/kube-apiserver.log');
  flags.forEach((message, i) => events.push({ message, ms: Date.parse('2026-11-27T10:00:07Z') + i, logStream: 'kube-apiserver-0a1b2c' }));
  flags.forEach((message, i) => events.push({
    message: message.replace('[Node,RBAC,Webhook]', '[AlwaysAllow,Node,RBAC]'), ms: Date.parse('2026-11-27T11:00:07Z') + i, logStream: 'kube-apiserver-9f8e7d',
  }));
  return events;
}

/** Logs Insights's time format: `2026-11-27 10:00:07.000`, UTC. */
const insightsTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** A field of the event as Logs Insights flattens JSON (`user.username`, `user.extra.canonicalArn.0`, dotted map keys). */
function fieldOf(e: LogEvent, key: string): string | undefined {
  if (key === '@message') return e.message;
  if (key === '@logStream') return e.logStream;
  let value: unknown;
  try {
    value = JSON.parse(e.message);
  } catch {
    return undefined;
  }
  let rest = key;
  while (rest !== '' && typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const name = Object.hasOwn(o, rest) ? rest : rest.split('.')[0]!;
    value = o[name];
    rest = rest.slice(name.length + 1);
  }
  if (rest !== '' || value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const STREAM_PREFIX: Record<string, (s: string) => boolean> = {
  audit: (s) => s.startsWith('kube-apiserver-audit-'),
  apiserver: (s) => s.startsWith('kube-apiserver-') && !s.startsWith('kube-apiserver-audit-'),
  authenticator: (s) => s.startsWith('authenticator-'),
};

/** The rows of `query` over `events`, columns in the order Logs Insights gives them (group keys, then stats). */
function insightsRows(query: StreamQuery, events: readonly LogEvent[]): [string, string][][] {
  expect(Object.keys(STREAM_FILTERS)).toContain(query.stream);
  const groups = new Map<string, LogEvent[]>();
  for (const e of events) {
    if (!STREAM_PREFIX[query.stream]!(e.logStream)) continue;
    const id = JSON.stringify(query.keys.map((k) => fieldOf(e, k) ?? null));
    const group = groups.get(id) ?? [];
    group.push(e);
    groups.set(id, group);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.ms - b.ms);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const keys = query.keys.flatMap((k): [string, string][] => {
      const v = fieldOf(first, k);
      return v === undefined ? [] : [[k, v]];
    });
    return [
      ...keys,
      [RESULT_FIELDS.count, String(group.length)],
      [RESULT_FIELDS.firstSeen, insightsTime(first.ms)],
      [RESULT_FIELDS.lastSeen, insightsTime(last.ms)],
      [RESULT_FIELDS.sample, last.message],
      [RESULT_FIELDS.firstSample, first.message],
      [RESULT_FIELDS.logStream, last.logStream],
    ];
  });
}

function csv(rows: readonly [string, string][][]): string {
  const quote = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const columns = [...new Set(rows.flatMap((r) => r.map(([k]) => k)))];
  const body = rows.map((r) => {
    const m = new Map(r);
    return columns.map((c) => quote(m.get(c) ?? '')).join(',');
  });
  return [columns.map(quote).join(','), ...body].join('\r\n') + '\r\n';
}

/** What must match: everything but the evidence's source (a log group there, a file here). */
function shape(result: ScanResult): unknown[] {
  return result.findings.map((f) => ({
    ruleId: f.ruleId, severity: f.severity, subject: f.subject, count: f.count, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
    message: f.message, remediation: f.remediation, fingerprint: f.fingerprint,
  }));
}

describe('exports of the printed queries', () => {
  const tmp = useTmpDir();
  const events = sampleEvents();
  const queries = buildQueries(RULES);

  it.each(queries.map((q) => [q.stream, q] as const))('%s: JSON and CSV exports read back with the Lambda\'s findings', async (_stream, query) => {
    // Prepare
    const rows = insightsRows(query, events);
    expect(rows.length).toBeGreaterThan(1);
    const lambda = new Engine(RULES, { cluster: 'prod' });
    rows.forEach((row, r) => readRow(row.map(([field, value]): ResultField => ({ field, value })), { logGroup: '/aws/eks/prod/cluster', line: r + 1 }, lambda));
    const json = await tmp.write(`${query.stream}.json`, JSON.stringify(rows.map((r) => Object.fromEntries(r)), null, 2));
    const table = await tmp.write(`${query.stream}.csv`, csv(rows));

    // Act
    const fromJson = new Engine(RULES, { cluster: 'prod' });
    await readInputs([json], fromJson);
    const fromCsv = new Engine(RULES, { cluster: 'prod' });
    await readInputs([table], fromCsv);

    // Assess
    const expected = lambda.finish();
    expect(expected.stats.malformed).toBe(0);
    expect(expected.findings.length).toBeGreaterThan(0);
    for (const got of [fromJson.finish(), fromCsv.finish()]) {
      expect(got.malformedSamples).toEqual([]);
      expect(shape(got)).toEqual(shape(expected));
      expect(got.stats.records).toBe(expected.stats.records);
    }
  });
});
