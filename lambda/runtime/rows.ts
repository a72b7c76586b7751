import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { RecordSink } from '../model/records';
import { readQueryRow } from '../readers/query-row';

export { insightsTimeToIso } from '../readers/query-row';

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
 * Turns one aggregated row into records (readers/query-row.ts: the mapping a scan of a console export of the
 * same query uses too), or one malformed line.
 */
export function readRow(row: readonly ResultField[], ctx: RowContext, sink: RecordSink): void {
  const f = rowFields(row);
  readQueryRow((field) => f.get(field), `cloudwatch:${ctx.logGroup}`, ctx.line, sink);
}
