import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { Aggregate, RecordSink } from '../model/records';
import { readMessage } from '../readers/message';
import { RESULT_FIELDS } from './queries';

/**
 * Logs Insights prints timestamps as `2024-05-19 06:10:35.743` (UTC, no zone). Returns ISO 8601 UTC,
 * or undefined when the value is not a time. Epoch milliseconds and ISO strings are accepted too.
 */
export function insightsTimeToIso(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d{12,14}$/.test(v)) ms = Number(v);
  else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/.test(v)) ms = Date.parse(`${v.replace(' ', 'T')}Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(v)) ms = Date.parse(v);
  else return undefined;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A result row as a plain field -> value map (the last value wins if a field repeats). */
export function rowFields(row: readonly ResultField[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of row) if (f.field !== undefined && f.value !== undefined) m.set(f.field, f.value);
  return m;
}

export interface RowContext {
  /** The log group (name or ARN) the row came from: the origin's "file". */
  readonly logGroup: string;
  /** 1-based position of the row in the cluster's result set for this stream, for the origin's "line". */
  readonly line: number;
}

/**
 * Turns one aggregated row (`n, firstSeen, lastSeen, sample, firstSample, logStream` plus the group
 * keys) into records classified by the same reader the CLI uses, or one malformed line. A row that
 * stands for several events gives two records when its earliest message differs from its latest:
 * the earliest counts once, the latest carries the rest of the count, so totals stay exact.
 */
export function readRow(row: readonly ResultField[], ctx: RowContext, sink: RecordSink): void {
  const f = rowFields(row);
  const file = `cloudwatch:${ctx.logGroup}`;
  const bad = (reason: string): void => sink.malformed({ file, line: ctx.line, reason });
  const sample = f.get(RESULT_FIELDS.sample);
  if (sample === undefined || sample === '') return bad('query row has no sample message');
  const count = Number(f.get(RESULT_FIELDS.count));
  if (!Number.isInteger(count) || count < 1) return bad(`query row has no event count (n=${f.get(RESULT_FIELDS.count) ?? 'missing'})`);
  const firstSeen = insightsTimeToIso(f.get(RESULT_FIELDS.firstSeen));
  const lastSeen = insightsTimeToIso(f.get(RESULT_FIELDS.lastSeen));
  if (!firstSeen || !lastSeen) return bad('query row has no readable firstSeen/lastSeen time');
  const first = f.get(RESULT_FIELDS.firstSample);
  const logStream = f.get(RESULT_FIELDS.logStream);
  if (count > 1 && first !== undefined && first !== '' && first !== sample) {
    readMessage(first, { file, line: ctx.line, timestamp: firstSeen }, sink, { count: 1, firstSeen, lastSeen: firstSeen });
    const rest: Aggregate = { count: count - 1, firstSeen, lastSeen };
    readMessage(sample, { file, line: ctx.line, timestamp: lastSeen, ...(logStream ? { logStream } : {}) }, sink, rest);
    return;
  }
  const aggregate: Aggregate = { count, firstSeen, lastSeen };
  readMessage(sample, { file, line: ctx.line, timestamp: lastSeen, ...(logStream ? { logStream } : {}) }, sink, aggregate);
}
