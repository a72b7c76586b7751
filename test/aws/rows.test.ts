import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { insightsTimeToIso, readRow } from '../../lambda/runtime/rows';
import type { LogRecord, MalformedLine, RecordSink } from '../../lambda/model/records';
import { leaseForbiddenEvent, resultRow } from './helpers';

function collect(): RecordSink & { records: LogRecord[]; bad: MalformedLine[] } {
  const records: LogRecord[] = [];
  const bad: MalformedLine[] = [];
  return { records, bad, file() {}, record: (r) => void records.push(r), malformed: (m) => void bad.push(m) };
}

const T0 = Date.parse('2024-05-19T06:00:00.000Z');
const T1 = Date.parse('2024-05-19T06:59:50.250Z');

describe('insightsTimeToIso', () => {
  it('reads the Logs Insights timestamp format as UTC', () => {
    expect(insightsTimeToIso('2024-05-19 06:10:35.743')).toBe('2024-05-19T06:10:35.743Z');
    expect(insightsTimeToIso('2024-05-19 06:10:35')).toBe('2024-05-19T06:10:35.000Z');
  });

  it('accepts epoch milliseconds and ISO with a zone, rejects anything else', () => {
    expect(insightsTimeToIso('1716099035743')).toBe('2024-05-19T06:10:35.743Z');
    expect(insightsTimeToIso('2024-05-19T08:10:35.743+02:00')).toBe('2024-05-19T06:10:35.743Z');
    expect(insightsTimeToIso('yesterday')).toBeUndefined();
    expect(insightsTimeToIso('2024-13-45 99:99:99')).toBeUndefined();
    expect(insightsTimeToIso(undefined)).toBeUndefined();
  });
});

describe('readRow', () => {
  it('turns a stats row into one audit record carrying the count and time range', () => {
    // Prepare
    const sink = collect();
    const row = resultRow({ n: 360, firstSeen: T0, lastSeen: T1, sample: leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }) });

    // Act
    readRow(row, { logGroup: '/aws/eks/prod/cluster', line: 7 }, sink);

    // Assess
    expect(sink.bad).toEqual([]);
    expect(sink.records).toHaveLength(1);
    const r = sink.records[0]!;
    expect(r.kind).toBe('audit');
    if (r.kind !== 'audit') return;
    expect(r.aggregate).toEqual({ count: 360, firstSeen: '2024-05-19T06:00:00.000Z', lastSeen: '2024-05-19T06:59:50.250Z' });
    expect(r.origin).toEqual({
      file: 'cloudwatch:/aws/eks/prod/cluster', line: 7, timestamp: '2024-05-19T06:59:50.250Z', logStream: 'kube-apiserver-audit-0123456789abcdef',
    });
    expect(r.event.objectRef?.name).toBe('ip-10-0-1-23.ec2.internal');
  });

  it('gives the earliest and the latest event of a group separately, with the counts adding up', () => {
    // Prepare: a write and its revert in one window, grouped together because auditID is not a group key.
    const sink = collect();
    const first = leaseForbiddenEvent({ node: 'n1', auditID: 'first' });
    const last = leaseForbiddenEvent({ node: 'n1', auditID: 'last' });

    // Act
    readRow(resultRow({ n: 3, firstSeen: T0, lastSeen: T1, sample: last, firstSample: first }), { logGroup: 'g', line: 1 }, sink);

    // Assess
    const audits = sink.records.filter((r) => r.kind === 'audit');
    expect(audits.map((r) => (r.kind === 'audit' ? [r.event.auditID, r.aggregate?.count] : []))).toEqual([['first', 1], ['last', 2]]);
  });

  it('reports a row without a sample, count or time as malformed instead of dropping it', () => {
    // Prepare
    const sink = collect();
    const ok = resultRow({ n: 1, firstSeen: T0, lastSeen: T0, sample: leaseForbiddenEvent({ node: 'n' }) });
    const noSample = ok.filter((f) => f.field !== 'sample');
    const noCount = ok.map((f) => (f.field === 'n' ? { field: 'n', value: 'many' } : f));
    const noTime = ok.map((f) => (f.field === 'lastSeen' ? { field: 'lastSeen', value: 'soon' } : f));

    // Act
    readRow(noSample, { logGroup: 'g', line: 1 }, sink);
    readRow(noCount, { logGroup: 'g', line: 2 }, sink);
    readRow(noTime, { logGroup: 'g', line: 3 }, sink);

    // Assess
    expect(sink.records).toEqual([]);
    expect(sink.bad).toEqual([
      { file: 'cloudwatch:g', line: 1, reason: 'query row has no sample message' },
      { file: 'cloudwatch:g', line: 2, reason: 'query row has no event count (n=many)' },
      { file: 'cloudwatch:g', line: 3, reason: 'query row has no readable firstSeen/lastSeen time' },
    ]);
  });

  it('passes a sample the reader cannot classify on as malformed', () => {
    // Prepare
    const sink = collect();

    // Act
    readRow(resultRow({ n: 2, firstSeen: T0, lastSeen: T1, sample: '   ' }), { logGroup: 'g', line: 4 }, sink);

    // Assess
    expect(sink.records).toEqual([]);
    expect(sink.bad).toHaveLength(1);
    expect(sink.bad[0]).toMatchObject({ file: 'cloudwatch:g', line: 4 });
  });
});

const REAL = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'real');

describe.skipIf(!existsSync(REAL))('readRow on a real GetQueryResults response', () => {
  it('reads every @timestamp of the AWS CLI example and reports its non-stats rows as malformed', () => {
    // Prepare
    const response = JSON.parse(readFileSync(join(REAL, 'cwlogs-cli-get-query-results-output.json'), 'utf8')) as { results: ResultField[][] };
    const sink = collect();

    // Act
    response.results.forEach((row, i) => readRow(row, { logGroup: 'g', line: i + 1 }, sink));
    const times = response.results.map((row) => insightsTimeToIso(row.find((f) => f.field === '@timestamp')?.value));

    // Assess: plain `fields` rows have no sample/count, so none can pass as an aggregate.
    expect(times.every((t) => t !== undefined && t.startsWith('20'))).toBe(true);
    expect(sink.records).toEqual([]);
    expect(sink.bad.map((b) => b.reason)).toEqual(response.results.map(() => 'query row has no sample message'));
  });
});
