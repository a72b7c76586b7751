import type { AuditEvent } from './records';

/**
 * Audit events are attacker-shaped JSON: any field can hold any type (`"auditID": {"toString": 1}`, `"groups":
 * "system:masters"`). This makes an event match its declared type (records.ts AuditEvent) before any rule reads
 * it: a field of the wrong type is removed (or, in a list, the wrong elements), and counted, so rules read only
 * well-typed fields and a hostile line costs a count, never a rule error. `null` is taken as absent, as Go's
 * encoding/json does. requestObject and responseObject stay as they are: they are typed `unknown`, and the rules
 * that read them check every step.
 *
 * Mutates `event` (the reader built it for this record alone); returns how many fields were of the wrong type.
 */
export function normalizeAuditEvent(event: AuditEvent): number {
  const e = event as Record<string, unknown>;
  let bad = 0;
  for (const key of STRING_FIELDS) bad += keepString(e, key);
  for (const key of ['user', 'impersonatedUser'] as const) bad += keepObject(e, key, normalizeUser);
  bad += keepStrings(e, 'sourceIPs');
  bad += keepObject(e, 'objectRef', (o) => OBJECT_REF_FIELDS.reduce((n, k) => n + keepString(o, k), 0));
  bad += keepObject(e, 'responseStatus', normalizeStatus);
  bad += keepObject(e, 'annotations', (o) => stringValues(o));
  return bad;
}

const STRING_FIELDS = [
  'kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'userAgent', 'requestReceivedTimestamp',
  'stageTimestamp',
] as const;

const OBJECT_REF_FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;

function normalizeUser(u: Record<string, unknown>): number {
  let bad = keepString(u, 'username') + keepString(u, 'uid') + keepStrings(u, 'groups');
  bad += keepObject(u, 'extra', (extra) => {
    let n = 0;
    for (const key of Object.keys(extra)) n += keepStrings(extra, key);
    return n;
  });
  return bad;
}

function normalizeStatus(s: Record<string, unknown>): number {
  let bad = keepString(s, 'status') + keepString(s, 'reason') + keepString(s, 'message');
  const code = s['code'];
  // Some exporters print the code as text ("403"): kept as the number it is.
  if (typeof code === 'string' && /^\d{3}$/.test(code)) s['code'] = Number(code);
  else if (code === null || (code !== undefined && !(typeof code === 'number' && Number.isFinite(code)))) bad += drop(s, 'code', code);
  return bad;
}

function drop(o: Record<string, unknown>, key: string, value: unknown): number {
  delete o[key];
  return value === null ? 0 : 1;
}

function keepString(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  return v === undefined || typeof v === 'string' ? 0 : drop(o, key, v);
}

/** A list of strings: a value that is not a list is removed; elements that are not strings are removed from it. */
function keepStrings(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (!Array.isArray(v)) return drop(o, key, v);
  if (v.every((x) => typeof x === 'string')) return 0;
  o[key] = v.filter((x) => typeof x === 'string');
  return 1;
}

function keepObject(o: Record<string, unknown>, key: string, inner: (value: Record<string, unknown>) => number): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return drop(o, key, v);
  return inner(v as Record<string, unknown>);
}

/** A map of strings (annotations): entries whose value is not a string are removed. */
function stringValues(o: Record<string, unknown>): number {
  let bad = 0;
  for (const key of Object.keys(o)) bad += keepString(o, key);
  return bad;
}
