import type { AwsAuthChange, Incident, IncidentCause } from '../model/incident';
import type { FindingSummary, IncidentHistory } from '../model/lifecycle';
import { MAX_INCIDENT_NODE_NAMES } from '../model/incident';
import { isSeverity } from '../model/severity';
import { clean, cleanMultiline, cleanOpt } from '../model/sanitize';

/**
 * Incidents reach the publisher from the engine and from the state store (written by an earlier run): clean
 * and cap every string once more, as cleanFinding does for findings. Line feeds are kept only where they are
 * layout (the fix, a YAML entry).
 */
export function cleanIncident(i: Incident): Incident {
  const out: Incident = {
    id: clean(i.id, 64),
    cluster: clean(i.cluster, 128),
    severity: isSeverity(i.severity) ? i.severity : 'info',
    title: clean(i.title, 300),
    cause: cleanCause(i.cause),
    impact: clean(i.impact, 1000),
    remediation: cleanMultiline(i.remediation, 4000),
    findings: (Array.isArray(i.findings) ? i.findings : []).map((f) => clean(f, 64)),
    firstSeen: i.firstSeen ? clean(i.firstSeen, 40) : null,
    lastSeen: i.lastSeen ? clean(i.lastSeen, 40) : null,
  };
  if (i.nodes) {
    out.nodes = {
      count: Number.isFinite(i.nodes.count) ? Math.max(0, Math.trunc(i.nodes.count)) : 0,
      names: (i.nodes.names ?? []).slice(0, MAX_INCIDENT_NODE_NAMES).map((n) => clean(n, 256)),
    };
  }
  if (i.status) out.status = i.status;
  return out;
}

function cleanCause(c: IncidentCause | undefined): IncidentCause {
  const kind = c?.kind === 'node-role' || c?.kind === 'apiserver-config' ? c.kind : 'finding';
  const out: IncidentCause = { kind, summary: clean(c?.summary, 1000) };
  const roleArn = cleanOpt(c?.roleArn, 256);
  if (roleArn) out.roleArn = roleArn;
  const username = cleanOpt(c?.username, 256);
  if (username) out.username = username;
  if (c?.change) out.change = cleanChange(c.change);
  const unknown = cleanOpt(c?.changeUnknown, 500);
  if (unknown) out.changeUnknown = unknown;
  return out;
}

function cleanChange(c: AwsAuthChange): AwsAuthChange {
  const out: AwsAuthChange = { time: clean(c.time, 40), verb: clean(c.verb, 40) };
  if (c.patchType === 'apply' || c.patchType === 'json' || c.patchType === 'merge') out.patchType = c.patchType;
  for (const [key, max] of [['username', 256], ['arn', 256], ['sourceIP', 64], ['userAgent', 200], ['auditID', 64], ['firstFailure', 100]] as const) {
    const v = cleanOpt(c[key], max);
    if (v) out[key] = v;
  }
  for (const key of ['before', 'after'] as const) {
    if (c[key] === null) out[key] = null;
    else if (c[key] !== undefined) out[key] = cleanMultiline(c[key], 2000);
  }
  if (typeof c.firstFailureAfterSeconds === 'number' && Number.isFinite(c.firstFailureAfterSeconds)) out.firstFailureAfterSeconds = c.firstFailureAfterSeconds;
  return out;
}

export function cleanSummary(s: FindingSummary): FindingSummary {
  const subject: Record<string, string> = {};
  for (const key of Object.keys(s.subject ?? {}).slice(0, 16)) subject[clean(key, 64)] = clean(s.subject[key], 256);
  return {
    fingerprint: clean(s.fingerprint, 64),
    ruleId: clean(s.ruleId, 64),
    title: clean(s.title, 200),
    severity: isSeverity(s.severity) ? s.severity : 'info',
    subject,
    count: Number.isFinite(s.count) && s.count > 0 ? Math.trunc(s.count) : 0,
    firstSeen: s.firstSeen ? clean(s.firstSeen, 40) : null,
    lastSeen: s.lastSeen ? clean(s.lastSeen, 40) : null,
  };
}

export function cleanHistory(h: IncidentHistory): IncidentHistory {
  const out: IncidentHistory = {
    openSince: clean(h.openSince, 40),
    lastShownAt: clean(h.lastShownAt, 40),
    windowsSeen: whole(h.windowsSeen),
    events: whole(h.events),
    alertedSeverity: isSeverity(h.alertedSeverity) ? h.alertedSeverity : 'info',
  };
  if (h.lastAlertAt) out.lastAlertAt = clean(h.lastAlertAt, 40);
  if (h.recurred) out.recurred = { resolvedAt: clean(h.recurred.resolvedAt, 40), occurrences: whole(h.recurred.occurrences) };
  if (h.resolvedAt) out.resolvedAt = clean(h.resolvedAt, 40);
  if (h.durationMs !== undefined) out.durationMs = whole(h.durationMs);
  return out;
}

function whole(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}
