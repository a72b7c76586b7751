import type { Aggregate, RecordSink } from '../model/records';
import { RESULT_FIELDS } from '../model/query-fields';
import { readMessage } from './message';

/**
 * One row of this tool's own Logs Insights queries (`stats count(*) as n, min(@timestamp) as firstSeen, ...,
 * latest(@message) as sample, earliest(@message) as firstSample ... by <keys>`), however it arrived: from
 * GetQueryResults in the Lambda, or from a console export of the printed query (JSON or CSV) in a scan. One
 * mapping for all, so the same rows give the same findings.
 */

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

/** True when a row holds this tool's aggregate columns (a count and a sample message). */
export function isQueryRow(has: (field: string) => boolean): boolean {
  return has(RESULT_FIELDS.sample) && has(RESULT_FIELDS.count);
}

/** A field's value as Logs Insights gives it: text (a console JSON export may hold numbers). */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Turns one aggregated row (`n, firstSeen, lastSeen, sample, firstSample, logStream` plus the group keys) into
 * records classified by the same reader the CLI uses, or one malformed line. A row that stands for several
 * events gives two records when its earliest message differs from its latest: the earliest counts once, the
 * latest carries the rest of the count, so totals stay exact.
 */
export function readQueryRow(get: (field: string) => string | undefined, file: string, line: number, sink: RecordSink): void {
  const bad = (reason: string): void => sink.malformed({ file, line, reason });
  const sample = get(RESULT_FIELDS.sample);
  if (sample === undefined || sample === '') return bad('query row has no sample message');
  const count = Number(get(RESULT_FIELDS.count));
  if (!Number.isInteger(count) || count < 1) return bad(`query row has no event count (n=${get(RESULT_FIELDS.count) ?? 'missing'})`);
  const firstSeen = insightsTimeToIso(get(RESULT_FIELDS.firstSeen));
  const lastSeen = insightsTimeToIso(get(RESULT_FIELDS.lastSeen));
  if (!firstSeen || !lastSeen) return bad('query row has no readable firstSeen/lastSeen time');
  const first = get(RESULT_FIELDS.firstSample);
  const paths = Number(get(RESULT_FIELDS.distinctPaths));
  const distinct = Number.isInteger(paths) && paths > 0 ? { distinctPaths: paths } : {};
  const logStream = get(RESULT_FIELDS.logStream);
  if (count > 1 && first !== undefined && first !== '' && first !== sample) {
    readMessage(first, { file, line, timestamp: firstSeen }, sink, { count: 1, firstSeen, lastSeen: firstSeen });
    const rest: Aggregate = { count: count - 1, firstSeen, lastSeen, ...distinct };
    readMessage(sample, { file, line, timestamp: lastSeen, ...(logStream ? { logStream } : {}) }, sink, rest);
    return;
  }
  const aggregate: Aggregate = { count, firstSeen, lastSeen, ...distinct };
  readMessage(sample, { file, line, timestamp: lastSeen, ...(logStream ? { logStream } : {}) }, sink, aggregate);
}
