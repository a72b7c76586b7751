import type { Origin, RecordSink } from '../model/records';
import { isAuditEvent, readJsonValue, readMessage } from './message';
import { fieldText, isQueryRow, readQueryRow } from './query-row';
import { epochMsToIso, parseTimestamp } from './time';

/**
 * The CloudWatch wrappers around log messages, one element at a time:
 * - `export`: an element of a top-level array, i.e. a Logs Insights console JSON export
 *   `[{"@timestamp": "2023-07-06 05:23:49.000", "@logStream": "...", "@message": {...} or "..."}]`
 *   (a bare audit event is accepted too), or of an export of this tool's own queries (`n`, `sample`, ...);
 * - `events`: `aws logs filter-log-events` / `get-log-events` output `{"events": [{logStreamName?, timestamp, message}]}`;
 * - `logEvents`: a decoded subscription payload `{"logStream": ..., "logEvents": [{id, timestamp, message}]}`;
 * - `results`: `aws logs get-query-results` output `{"results": [[{"field": ..., "value": ...}, ...]]}`;
 * - `items`: an audit EventList (`{"kind": "EventList", "items": [...]}`, the audit webhook batch).
 */
export type ElementKind = 'export' | 'events' | 'logEvents' | 'results' | 'items';

const WRAPPER_KEYS: ReadonlyMap<string, ElementKind> = new Map<string, ElementKind>([
  ['events', 'events'],
  ['logEvents', 'logEvents'],
  ['results', 'results'],
  ['items', 'items'],
]);

/** Top-level fields of the wrapper read before its array (a subscription payload's logStream). */
export type DocumentFields = Readonly<Record<string, unknown>>;

/** Cheap first test: could top-level key `key` hold a wrapper's elements? */
export function isWrapperKey(key: string): boolean {
  return WRAPPER_KEYS.has(key);
}

/**
 * The kind of element held by top-level key `key`, given the fields before it, or undefined when that key
 * does not make a wrapper. `items` only counts in an audit EventList: a Kubernetes List holds no events.
 */
export function wrapperKind(key: string, doc: DocumentFields): ElementKind | undefined {
  const kind = WRAPPER_KEYS.get(key);
  return kind === 'items' && doc['kind'] !== 'EventList' ? undefined : kind;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function origin(file: string, line: number, logStream: string | undefined, timestamp: string | undefined): Origin {
  if (logStream !== undefined && timestamp !== undefined) return { file, line, logStream, timestamp };
  if (logStream !== undefined) return { file, line, logStream };
  if (timestamp !== undefined) return { file, line, timestamp };
  return { file, line };
}

/** Reads one wrapper element (already parsed) into exactly one record or malformed line. */
export function readElement(
  kind: ElementKind,
  value: unknown,
  file: string,
  line: number,
  doc: DocumentFields,
  sink: RecordSink,
): void {
  const bad = (reason: string): void => sink.malformed({ file, line, reason });
  switch (kind) {
    case 'export': {
      // An export of one of this tool's own queries: its aggregate columns, read as the Lambda reads them.
      if (isObject(value) && isQueryRow((f) => Object.hasOwn(value, f))) {
        return readQueryRow((f) => (Object.hasOwn(value, f) ? fieldText(value[f]) : undefined), file, line, sink);
      }
      if (!isObject(value) || !Object.hasOwn(value, '@message')) {
        if (isAuditEvent(value)) return readJsonValue(value, { file, line }, sink);
        return bad('array element has no @message');
      }
      const o = origin(file, line, str(value['@logStream']), parseTimestamp(value['@timestamp']));
      const message = value['@message'];
      if (typeof message === 'string') return readMessage(message, o, sink);
      if (isObject(message)) return readJsonValue(message, o, sink);
      return bad('@message is neither text nor a JSON object');
    }
    case 'events':
    case 'logEvents': {
      if (!isObject(value) || typeof value['message'] !== 'string') return bad('log event has no message');
      const stream = str(value['logStreamName']) ?? str(doc['logStream']);
      return readMessage(value['message'], origin(file, line, stream, epochMsToIso(value['timestamp'])), sink);
    }
    case 'results': {
      if (!Array.isArray(value)) return bad('query result row is not a list of fields');
      const fields = new Map<string, unknown>();
      for (const f of value) if (isObject(f) && typeof f['field'] === 'string') fields.set(f['field'], f['value']);
      if (isQueryRow((f) => fields.has(f))) return readQueryRow((f) => fieldText(fields.get(f)), file, line, sink);
      const message = fields.get('@message');
      if (typeof message !== 'string') return bad('query result row has no @message');
      const o = origin(file, line, str(fields.get('@logStream')), parseTimestamp(fields.get('@timestamp')));
      return readMessage(message, o, sink);
    }
    case 'items':
      return readJsonValue(value, { file, line }, sink);
  }
}

/**
 * A JSON line that is a whole wrapper on one line (`aws logs filter-log-events | jq -c`): the kind of its
 * element array, or undefined when it is not a wrapper. An audit event is never a wrapper.
 */
export function wrapperOf(value: unknown): { kind: ElementKind; elements: unknown[] } | undefined {
  if (!isObject(value) || isAuditEvent(value)) return undefined;
  for (const key of WRAPPER_KEYS.keys()) {
    const elements = value[key];
    const kind = wrapperKind(key, value);
    if (kind && Array.isArray(elements)) return { kind, elements };
  }
  return undefined;
}
