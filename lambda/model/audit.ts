import type { AuditRecord, AuditEvent, Origin } from './records';
import { framingText } from './program';
import type { Evidence } from './findings';
import { clean, cleanOpt } from './sanitize';
import { str } from './identity';

export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';

export function annotation(e: AuditEvent, key: string): string | undefined {
  const a = e.annotations;
  if (!a || typeof a !== 'object') return undefined;
  return str((a as Record<string, unknown>)[key]);
}

export function decision(e: AuditEvent): string | undefined {
  return annotation(e, DECISION_ANNOTATION);
}

export function authzReason(e: AuditEvent): string | undefined {
  return annotation(e, REASON_ANNOTATION);
}

export function statusCode(e: AuditEvent): number | undefined {
  const c = e.responseStatus?.code;
  if (typeof c === 'number' && Number.isFinite(c)) return c;
  if (typeof c === 'string' && /^\d{3}$/.test(c)) return Number(c);
  return undefined;
}

export function statusMessage(e: AuditEvent): string | undefined {
  return str(e.responseStatus?.message);
}

export function isForbidden(e: AuditEvent): boolean {
  return statusCode(e) === 403;
}

/** The event's own time (requestReceivedTimestamp, else stageTimestamp), else the wrapper's timestamp. */
export function recordTime(r: AuditRecord): string | undefined {
  return str(r.event.requestReceivedTimestamp) ?? str(r.event.stageTimestamp) ?? r.origin.timestamp;
}

/** Where a record was read, and who printed it when the line's framing said so. */
export function originText(r: { origin: Origin }): string {
  const o = r.origin;
  const where = o.logStream ? `${o.logStream} (${o.file}:${o.line})` : `${o.file}:${o.line}`;
  const framing = framingText(o);
  return framing ? `${where}, ${framing}` : where;
}

/** Evidence for a finding, trimmed and sanitized. */
export function auditEvidence(r: AuditRecord): Evidence {
  const e = r.event;
  const ev: Evidence = { truncated: r.truncated, source: clean(originText(r), 300) };
  const auditID = cleanOpt(e.auditID, 64);
  if (auditID) ev.auditID = auditID;
  const time = cleanOpt(recordTime(r), 40);
  if (time) ev.time = time;
  const verb = cleanOpt(e.verb, 32);
  if (verb) ev.verb = verb;
  const uri = cleanOpt(e.requestURI, 300);
  if (uri) ev.requestURI = uri;
  const code = statusCode(e);
  if (code !== undefined) ev.code = code;
  const d = cleanOpt(decision(e), 16);
  if (d) ev.decision = d;
  const reason = cleanOpt(authzReason(e), 300);
  if (reason) ev.reason = reason;
  const msg = cleanOpt(statusMessage(e), 400);
  if (msg) ev.message = msg;
  return ev;
}
