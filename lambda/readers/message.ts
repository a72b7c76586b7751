import type { Aggregate, AuditEvent, Origin, RecordSink } from '../model/records';
import { salvageAuditEvent } from './salvage';
import type { Framing } from './framing';
import { frameOf } from './framing';
import { parseFlag, parseKlogHeader, parseLogrus } from './text';
import { klogTimeToIso, parseTimestamp } from './time';
import { parseNodeDenial, type LineContext } from './node-denial-lines';
import { parseKubeletCertificate } from './kubelet-certificate-lines';
import { programOf } from '../model/program';

export { parseLogrus, parseKlogHeader, parseFlag, goUnquote, journaldPrefixLength } from './text';
export { parseTimestamp, epochMsToIso } from './time';
export { salvageAuditEvent } from './salvage';

/**
 * Classifies ONE log message (one CloudWatch event, one line of a file, one Logs Insights row) and pushes
 * exactly one thing into the sink: an audit, FLAG, apiserver-line or authenticator record, or a malformed
 * line. Never throws on content. The runtime calls this with `aggregate` for `stats` rows.
 */
export function readMessage(message: string, origin: Origin, sink: RecordSink, aggregate?: Aggregate): void {
  const start = firstNonBlank(message);
  if (start < 0) return malformed(sink, origin, 'empty message');
  const c = message.charCodeAt(start);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    // JSON.parse takes blanks but not a BOM.
    const json = start === 0 ? message : message.slice(start);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      // `[pod/p/c] ...`, `[pod] ...`: a tailer's prefix, not a JSON array.
      if (c === 91 && readFramed(trimEndCheap(message), start, origin, sink, aggregate)) return;
      return readInvalidJson(json, origin, sink, aggregate);
    }
    return readJsonValue(value, origin, sink, aggregate);
  }
  const text = trimEndCheap(message);
  if (readKlog(text, start, origin, sink, aggregate)) return;
  if (readLogrus(text, start, origin, sink, aggregate)) return;
  if (readFramed(text, start, origin, sink, aggregate)) return;
  malformed(sink, origin, 'not JSON, klog or logrus');
}

/** A message behind a framing (journald, a tailer's prefix, an unknown prefix): true when one was read. */
function readFramed(text: string, start: number, origin: Origin, sink: RecordSink, aggregate?: Aggregate): boolean {
  const frame = frameOf(text, start);
  if (!frame) return false;
  const framed = withFraming(origin, frame);
  const at = frame.at;
  if (text.charCodeAt(at) === 123) {
    readMessage(text.slice(at), framed, sink, aggregate);
    return true;
  }
  return readKlog(text, at, framed, sink, aggregate) || readLogrus(text, at, framed, sink, aggregate);
}

/** The origin with what the framing said about who printed the line. */
function withFraming(origin: Origin, frame: Framing): Origin {
  const { program, programFrom, host, pod, container } = frame;
  return {
    ...origin,
    ...(program !== undefined ? { program, programFrom } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(pod !== undefined ? { pod } : {}),
    ...(container !== undefined ? { container } : {}),
  };
}

/** A Kubernetes audit.k8s.io Event: `kind: "Event"`, or an auditID with a verb or a requestURI. */
export function isAuditEvent(value: unknown): value is AuditEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  if (o['kind'] === 'Event') return true;
  return typeof o['auditID'] === 'string' && (typeof o['verb'] === 'string' || typeof o['requestURI'] === 'string');
}

/** An already-parsed JSON message (a Logs Insights export's `@message` object, a JSON line). */
export function readJsonValue(value: unknown, origin: Origin, sink: RecordSink, aggregate?: Aggregate): void {
  if (!isAuditEvent(value)) return malformed(sink, origin, 'JSON is not a Kubernetes audit event');
  sink.record(
    aggregate
      ? { kind: 'audit', event: value, truncated: false, origin, aggregate }
      : { kind: 'audit', event: value, truncated: false, origin },
  );
}

/** The start of an audit event whose JSON does not parse: worth salvaging. */
export function looksLikeAuditEvent(text: string): boolean {
  const start = firstNonBlank(text);
  return text.charCodeAt(start) === 123 && (text.includes('"auditID"') || /"kind"\s*:\s*"Event"/.test(text));
}

/** JSON that did not parse: a cut audit event is salvaged, anything else is malformed. */
export function readInvalidJson(text: string, origin: Origin, sink: RecordSink, aggregate?: Aggregate): void {
  if (!looksLikeAuditEvent(text)) return malformed(sink, origin, 'invalid JSON');
  const event = salvageAuditEvent(text);
  if (!event) return malformed(sink, origin, 'truncated audit event: neither user nor verb readable');
  sink.record(
    aggregate
      ? { kind: 'audit', event, truncated: true, origin, aggregate }
      : { kind: 'audit', event, truncated: true, origin },
  );
}

function readKlog(text: string, at: number, origin: Origin, sink: RecordSink, aggregate?: Aggregate): boolean {
  const header = parseKlogHeader(text, at);
  if (!header) return false;
  const flag = parseFlag(text, header.messageStart);
  const time = klogTimeToIso(
    header.month, header.day, header.hour, header.minute, header.second, header.fraction, origin.timestamp,
  );
  if (!flag) {
    const message = text.slice(header.messageStart);
    const context = lineContext(origin);
    const denial = parseNodeDenial(message, context);
    if (denial) {
      sink.record({ kind: 'node-denial', ...denial, origin, ...(time ? { time } : {}), ...(aggregate ? { aggregate } : {}) });
      return true;
    }
    const certificate = parseKubeletCertificate(message, context);
    if (certificate) {
      sink.record({ kind: 'kubelet-certificate', ...certificate, origin, ...(time ? { time } : {}), ...(aggregate ? { aggregate } : {}) });
      return true;
    }
    sink.record({ kind: 'apiserver-line', text, origin });
    return true;
  }
  const record = { kind: 'apiserver-flag' as const, flag: flag.name, value: flag.value, origin };
  sink.record({ ...record, ...(time ? { time } : {}), ...(aggregate ? { aggregate } : {}) });
  return true;
}

/** What the framing (or the CloudWatch stream) says about who printed a line, for parseNodeDenial. */
function lineContext(origin: Origin): LineContext {
  const program = programOf(origin)?.name;
  return {
    ...(program !== undefined ? { program } : {}),
    ...(origin.host !== undefined ? { host: origin.host } : {}),
  };
}

function readLogrus(text: string, at: number, origin: Origin, sink: RecordSink, aggregate?: Aggregate): boolean {
  if (!text.startsWith('time=', at) && !text.startsWith('level=', at)) return false;
  const fields = parseLogrus(at === 0 ? text : text.slice(at));
  if (!fields) return false;
  const time = parseTimestamp(fields['time']);
  const record = { kind: 'authenticator' as const, fields, origin };
  sink.record({ ...record, ...(time ? { time } : {}), ...(aggregate ? { aggregate } : {}) });
  return true;
}

function malformed(sink: RecordSink, origin: Origin, reason: string): void {
  sink.malformed({ file: origin.file, line: origin.line, reason });
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}

/** Index of the first character that is not whitespace (or a BOM), or -1. */
export function firstNonBlank(s: string): number {
  for (let i = 0; i < s.length; i++) if (!isBlank(s.charCodeAt(i))) return i;
  return -1;
}

function trimEndCheap(s: string): string {
  return isBlank(s.charCodeAt(s.length - 1)) ? s.trimEnd() : s;
}
