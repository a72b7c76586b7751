import type { Evidence, Finding } from '../model/findings';
import { ALERTED_STATUSES, type Incident } from '../model/incident';
import type { AlertedStatus, ClusterLifecycle, FindingSummary } from '../model/lifecycle';
import type { ClusterReport } from '../model/report';
import { atLeast, severityRank, type Severity } from '../model/severity';
import { cleanHistory, cleanIncident, cleanSummary } from '../report/clean-incident';
import { MAX_INCIDENT_EVIDENCE, type IncidentEntry } from '../report/email-incidents';
import type { SubjectChanges } from '../report/subject';

/**
 * What one cluster's message is about. A one-off report (manual run, CLI) tells every incident of the window;
 * a scheduled run tells what changed (the life cycle's transitions) and lists the open incidents with
 * nothing new in one line each.
 */
export interface MessageView {
  readonly mode: 'scheduled' | 'one-off';
  readonly incidents: IncidentEntry[];
  readonly quiet: IncidentEntry[];
  /** The JSON branch's `incidents`: scheduled runs, every open and resolved incident with its status. */
  readonly json: Incident[];
  readonly changes?: SubjectChanges;
  /** The SNS `status` attribute. */
  readonly statuses: AlertedStatus[];
}

/** `findings`: at or above minSeverity, cleaned, most severe first. */
export function messageView(report: ClusterReport, findings: readonly Finding[], minSeverity: Severity, lifecycle?: ClusterLifecycle): MessageView {
  const byFingerprint = new Map(findings.map((f) => [f.fingerprint, f]));
  if (!lifecycle || lifecycle.mode !== 'scheduled') {
    // A report built without incidents (by hand, or by an older caller): each finding tells itself, and the
    // JSON has no incidents to carry.
    const incidents = (report.incidents ?? findings.map(asIncident)).map(cleanIncident).filter((i) => atLeast(i.severity, minSeverity));
    incidents.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const entries = incidents.map((i) => entry(i, byFingerprint));
    const json = report.incidents ? incidents.map(stripStatus) : [];
    return { mode: 'one-off', incidents: entries, quiet: [], json, statuses: [] };
  }
  const transitions = lifecycle.transitions.filter((t) => atLeast(t.incident.severity, minSeverity));
  const incidents: IncidentEntry[] = transitions.map((t) => {
    const incident = cleanIncident(t.incident);
    const summaries = t.findings.map(cleanSummary);
    return {
      incident,
      status: t.status,
      history: cleanHistory(t.history),
      findings: summaries,
      findingsTotal: Math.max(t.findingsTotal, summaries.length),
      evidence: t.status === 'resolved' ? [] : evidenceOf(incident, byFingerprint),
    };
  });
  const alerted = new Set(incidents.map((e) => e.incident.id));
  const quiet = lifecycle.incidents
    .filter((i) => i.status === 'open' && !alerted.has(i.id) && atLeast(i.severity, minSeverity))
    .map((i) => entry(cleanIncident(i), byFingerprint));
  const count = (s: AlertedStatus): number => transitions.filter((t) => t.status === s).length;
  const open = incidents.filter((e) => e.status !== 'resolved');
  const changes: SubjectChanges = {
    new: count('new'), escalated: count('escalated'), reminder: count('reminder'), resolved: count('resolved'),
    highest: open[0]?.incident.severity,
    ...(open.length === 1 ? { detail: detailOf(open[0]!.incident) } : {}),
  };
  return {
    mode: 'scheduled',
    incidents,
    quiet,
    json: lifecycle.incidents.map(cleanIncident),
    changes,
    statuses: ALERTED_STATUSES.filter((s) => count(s) > 0),
  };
}

/** `12 nodes NotReady` out of `Node role X is not mapped as a node: 12 nodes NotReady`. */
function detailOf(i: Incident): string {
  const cut = i.title.lastIndexOf(': ');
  return cut >= 0 ? i.title.slice(cut + 2) : i.title;
}

function entry(incident: Incident, byFingerprint: ReadonlyMap<string, Finding>): IncidentEntry {
  const mine = incident.findings.map((fp) => byFingerprint.get(fp)).filter((f): f is Finding => f !== undefined);
  const out: IncidentEntry = {
    incident,
    findings: mine.map(summary).map(cleanSummary),
    findingsTotal: Math.max(mine.length, incident.findings.length),
    evidence: evidenceOf(incident, byFingerprint),
  };
  return incident.status ? { ...out, status: incident.status } : out;
}

function evidenceOf(incident: Incident, byFingerprint: ReadonlyMap<string, Finding>): Evidence[] {
  const out: Evidence[] = [];
  for (const fp of incident.findings) {
    for (const e of byFingerprint.get(fp)?.evidence ?? []) {
      if (out.length >= MAX_INCIDENT_EVIDENCE) return out;
      out.push(e);
    }
  }
  return out;
}

function summary(f: Finding): FindingSummary {
  return {
    fingerprint: f.fingerprint, ruleId: f.ruleId, title: f.title, severity: f.severity, subject: f.subject,
    count: f.count, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
  };
}

/** A finding as an incident of its own. */
function asIncident(f: Finding): Incident {
  return {
    id: f.fingerprint, cluster: f.cluster, severity: f.severity, title: f.title,
    cause: { kind: 'finding', summary: [f.ruleId, ...Object.entries(f.subject).map(([k, v]) => `${k}=${v}`)].join(' ') },
    impact: f.message, remediation: f.remediation,
    findings: [f.fingerprint], firstSeen: f.firstSeen, lastSeen: f.lastSeen,
  };
}

function stripStatus(i: Incident): Incident {
  const { status: _status, ...rest } = i;
  return rest;
}
