/**
 * The text formats around the audit stream: kube-apiserver klog lines (incl. the FLAG dump it prints at
 * start-up), the journald prefix of a self-managed API server, aws-iam-authenticator's logrus lines,
 * CloudWatch's cut of an oversized event, and the Logs Insights console's JSON export.
 */
import type { Micros } from './time';
import { insightsTimestamp, klogTime, syslogTime } from './time';

export type KlogSeverity = 'I' | 'W' | 'E' | 'F';

/** klog header `Lmmdd hh:mm:ss.uuuuuu threadid file:line] ` then the message; the thread id is `%7d`. */
export function klogLine(severity: KlogSeverity, time: Micros, pid: number, source: string, message: string): string {
  return `${severity}${klogTime(time)} ${String(pid).padStart(7, ' ')} ${source}] ${message}`;
}

/** Go's %q for the ASCII flag values the API server prints. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * One line of the flag dump (k8s.io/component-base/cli/flag PrintFlags): `FLAG: --name="value"`, lists in
 * brackets. EKS prints them from flags.go:64.
 */
export function flagLine(time: Micros, pid: number, name: string, value: string): string {
  return klogLine('I', time, pid, 'flags.go:64', `FLAG: --${name}=${goQuote(value)}`);
}

/** A line as `journalctl -u kube-apiserver` shows it on a self-managed control plane. */
export function journaldLine(time: Micros, host: string, process: string, pid: number, line: string): string {
  return `${syslogTime(time)} ${host} ${process}[${pid}]: ${line}`;
}

/** logrus TextFormatter quotes a value unless every character is in [A-Za-z0-9-._/@^+]. */
function logrusValue(v: string): string {
  return v !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : goQuote(v);
}

/**
 * A logrus line: `time="..." level=... msg="..."` then the other fields with their keys sorted, as
 * aws-iam-authenticator writes to the `authenticator-*` stream.
 */
export function logrusLine(time: Micros, level: 'info' | 'warning' | 'error', msg: string, fields: Readonly<Record<string, string>>): string {
  const stamp = `${new Date(Math.floor(time / 1000)).toISOString().slice(0, 19)}Z`;
  let line = `time=${goQuote(stamp)} level=${level} msg=${logrusValue(msg)}`;
  for (const key of Object.keys(fields).sort()) line += ` ${key}=${logrusValue(fields[key] as string)}`;
  return line;
}

export interface AuthenticatorGrant {
  readonly time: Micros;
  /** The canonical ARN of the mapped role or user. */
  readonly arn: string;
  /** The API server's connection to the authenticator webhook, `127.0.0.1:<port>`. */
  readonly client: string;
  readonly groups: readonly string[];
  readonly uid: string;
  readonly username: string;
  readonly stsEndpoint: string;
}

/** `msg="access granted"`: the mapping the authenticator applied. Groups print as Go prints a []string. */
export function accessGranted(g: AuthenticatorGrant): string {
  return logrusLine(g.time, 'info', 'access granted', {
    arn: g.arn, client: g.client, groups: `[${g.groups.join(' ')}]`, method: 'POST', path: '/authenticate',
    stsendpoint: g.stsEndpoint, uid: g.uid, username: g.username,
  });
}

/** `msg="access denied"` with the authenticator's error, e.g. `ARN is not mapped`. */
export function accessDenied(p: { readonly time: Micros; readonly arn: string; readonly client: string; readonly error: string }): string {
  return logrusLine(p.time, 'warning', 'access denied', {
    arn: p.arn, client: p.client, error: p.error, method: 'POST', path: '/authenticate',
  });
}

export const TRUNCATED_MARKER = '[Truncated...]';

/**
 * What CloudWatch keeps of an event over its size limit: the first bytes, then `[Truncated...]`; the JSON
 * is no longer valid. `maxBytes` is the length of the result (the input is ASCII JSON).
 */
export function truncateLikeCloudWatch(line: string, maxBytes: number): string {
  if (Buffer.byteLength(line) <= maxBytes) return line;
  return line.slice(0, maxBytes - TRUNCATED_MARKER.length) + TRUNCATED_MARKER;
}

export interface InsightsRow {
  readonly time: Micros;
  readonly logStream: string;
  readonly message: unknown;
}

/**
 * The Logs Insights console's "Export results -> JSON": an array of rows whose `@message` is the parsed
 * event, indented by four spaces as the console writes it.
 */
export function insightsConsoleExport(rows: readonly InsightsRow[]): string {
  const out = rows.map((r) => ({ '@timestamp': insightsTimestamp(r.time), '@logStream': r.logStream, '@message': r.message }));
  return `${JSON.stringify(out, null, 4)}\n`;
}
