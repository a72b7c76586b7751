import type { AuthenticatorRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import { cleanOpt, clean } from '../../model/sanitize';
import { originText } from '../../model/audit';

/**
 * Reading aws-iam-authenticator lines (kubernetes-sigs/aws-iam-authenticator, pkg/server/server.go). Every
 * request to /authenticate logs, through logrus with the fields path, client and method:
 * - `msg="STS response"` (info) once STS has answered: `arn` is the SESSION ARN
 *   (arn:aws:sts::<account>:assumed-role/<role>/<session>) and `session` its name; EC2 instance profiles name
 *   the session after the instance id;
 * - then `msg="access granted"` (info) with `arn` (the CANONICAL role or user ARN, no path), `username`,
 *   `groups` (Go's %v of a []string: `[a b]`) and `uid`;
 * - or `msg="access denied"` (warning) with `error`: a bad token has no `arn`; an unmapped identity has its
 *   canonical `arn` and `error="ARN is not mapped"` (pkg/mapper ErrNotMapped).
 * Older releases lack `sts`/`stsendpoint`, `uid` prefixes differ (heptio-authenticator-aws:), and an
 * account listed as scrubbed logs no ARN at all: every field is optional here.
 */

export const ACCESS_GRANTED = 'access granted';
export const ACCESS_DENIED = 'access denied';
export const STS_RESPONSE = 'STS response';
export const NOT_MAPPED = 'ARN is not mapped';

/** A field as logged, or undefined when absent or empty. */
export function field(r: AuthenticatorRecord, key: string): string | undefined {
  const v = Object.hasOwn(r.fields, key) ? r.fields[key] : undefined;
  return v === undefined || v === '' ? undefined : v;
}

export function message(r: AuthenticatorRecord): string | undefined {
  return field(r, 'msg');
}

/** `[system:bootstrappers system:nodes]` -> the two groups; `[]` -> none. */
export function groupsOf(r: AuthenticatorRecord): string[] {
  const raw = field(r, 'groups')?.trim();
  if (!raw) return [];
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  return inner.split(/\s+/).filter((g) => g !== '');
}

export function isNotMapped(r: AuthenticatorRecord): boolean {
  return message(r) === ACCESS_DENIED && field(r, 'error') === NOT_MAPPED;
}

const STS_SESSION_ARN = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

/**
 * The canonical role ARN of an STS session ARN, the way the authenticator canonicalizes it
 * (arn:aws:sts::A:assumed-role/R/S -> arn:aws:iam::A:role/R), with the session name; undefined otherwise.
 */
export function roleOfSession(arn: string): { role: string; session: string } | undefined {
  const m = STS_SESSION_ARN.exec(arn);
  if (!m) return undefined;
  return { role: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`, session: m[4] ?? '' };
}

/**
 * The role and session a line shows: an `STS response` line (session ARN, `session`), or any line whose `arn`
 * is a session ARN. Undefined for lines without one (access granted/denied log the canonical ARN).
 */
export function sessionOf(r: AuthenticatorRecord): { role: string; session: string } | undefined {
  const arn = field(r, 'arn');
  const parsed = arn ? roleOfSession(arn) : undefined;
  if (!parsed) return undefined;
  return { role: parsed.role, session: field(r, 'session') ?? parsed.session };
}

/** Evidence for a finding: the line's time, message and error, and where it was read. */
export function authenticatorEvidence(r: AuthenticatorRecord): Evidence {
  const ev: Evidence = { truncated: false, source: clean(originText(r), 300) };
  const time = cleanOpt(r.time ?? r.origin.timestamp, 40);
  if (time) ev.time = time;
  const error = cleanOpt(field(r, 'error'), 300);
  if (error) ev.reason = error;
  const parts = [message(r), ...['arn', 'username', 'groups', 'session'].map((k) => (field(r, k) ? `${k}=${field(r, k)}` : undefined))];
  const text = cleanOpt(parts.filter((p) => p !== undefined).join(' '), 400);
  if (text) ev.message = text;
  return ev;
}
