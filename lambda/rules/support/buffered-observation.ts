import type { LogRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import type { Emit } from '../../model/rule';
import { MAX_EVIDENCE } from '../../model/limits';
import { recordTime } from '../../model/audit';

/**
 * What a rule that can only judge at finish() keeps of the records behind one subject: their count, time
 * range and first few samples. Threshold rules (a burst is a burst only once counted) and rules that wait for
 * ScanContext.nodeRoleArns buffer here instead of emitting as records arrive.
 */
export interface Buffered {
  count: number;
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  evidence: Evidence[];
}

export function emptyBuffered(): Buffered {
  return { count: 0, firstSeen: undefined, lastSeen: undefined, evidence: [] };
}

/** How many events a record stands for: a Logs Insights `stats` row carries its count. */
export function recordCount(r: LogRecord): number {
  return ('aggregate' in r ? r.aggregate?.count : undefined) ?? 1;
}

/** Adds one record (or one aggregated row) to the buffer. */
export function addRecord(b: Buffered, r: LogRecord, evidence: Evidence | undefined): void {
  b.count += recordCount(r);
  const agg = 'aggregate' in r ? r.aggregate : undefined;
  const time = r.kind === 'audit' ? recordTime(r) : 'time' in r ? (r.time ?? r.origin.timestamp) : r.origin.timestamp;
  widen(b, agg?.firstSeen ?? time);
  widen(b, agg?.lastSeen ?? time);
  if (evidence && b.evidence.length < MAX_EVIDENCE) b.evidence.push(evidence);
}

function widen(b: Buffered, time: string | undefined): void {
  if (!time) return;
  const t = Date.parse(time);
  if (Number.isNaN(t)) return;
  if (b.firstSeen === undefined || t < Date.parse(b.firstSeen)) b.firstSeen = time;
  if (b.lastSeen === undefined || t > Date.parse(b.lastSeen)) b.lastSeen = time;
}

/**
 * Emits the buffer as one finding: the count and time range once, then each further sample on its own
 * (an observation carries one sample; a count of 0 adds it without counting it again).
 */
export function emitBuffered(
  emit: Emit,
  subject: Record<string, string>,
  b: Buffered,
  extra: { count?: number; tally?: Record<string, number>; facts?: Record<string, string>; evidence?: readonly Evidence[] } = {},
): void {
  const samples = extra.evidence ?? b.evidence;
  const [first, ...rest] = samples;
  emit({
    subject,
    count: extra.count ?? b.count,
    ...(b.firstSeen ? { firstSeen: b.firstSeen } : {}),
    ...(b.lastSeen ? { lastSeen: b.lastSeen } : {}),
    ...(first ? { evidence: first } : {}),
    ...(extra.tally ? { tally: extra.tally } : {}),
    ...(extra.facts ? { facts: extra.facts } : {}),
  });
  for (const evidence of rest) emit({ subject, count: 0, evidence });
}
