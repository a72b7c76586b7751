import type { Finding } from '../model/findings';
import type { Incident } from '../model/incident';
import type { AlertedStatus, ClusterLifecycle, IncidentHistory, IncidentTransition } from '../model/lifecycle';
import { severityRank } from '../model/severity';
import {
  capSummaries, earlier, findingsOf, later, MAX_REMEMBERED_FINGERPRINTS, mergeSummaries,
} from './lifecycle-findings';
import type { ClusterState, IncidentRecord, LifecycleSettings } from './state';

/** What one scheduled run saw of one cluster. */
export interface WindowObservation {
  readonly window: { readonly start: string; readonly end: string };
  /** An incomplete window (a query failed or ran out of time) may open incidents but never resolves one. */
  readonly complete: boolean;
  readonly incidents: readonly Incident[];
  /** The window's findings, where the incidents' fingerprints are looked up. */
  readonly findings: readonly Finding[];
}

export interface Advanced {
  readonly state: ClusterState;
  readonly lifecycle: ClusterLifecycle;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_S = 86_400;

/**
 * One scheduled run of one cluster through the life cycle: a pure function of the state before and the
 * window, so a retried window computes the same decisions from the same state. Times are window ends, not
 * the clock: reminders and resolution count scheduled time, whenever the run actually happened.
 */
export function advance(before: ClusterState, seen: WindowObservation, settings: LifecycleSettings): Advanced {
  const cluster = before.cluster;
  const end = ms(seen.window.end);
  if (before.lastWindow && ms(before.lastWindow.end) >= end) {
    const skippedReason = `window ${seen.window.start}..${seen.window.end} was already handled (the state is at ${before.lastWindow.end}): nothing is alerted again`;
    return { state: before, lifecycle: { cluster, mode: 'skipped', skippedReason, incidents: [], transitions: [] } };
  }
  const follows = before.lastWindow !== undefined && ms(before.lastWindow.end) === ms(seen.window.start);
  const completeSince = !seen.complete ? null : follows && before.completeSince !== null ? before.completeSince : seen.window.start;

  const known = new Map(before.incidents.map((r) => [r.id, r]));
  const byFingerprint = new Map(seen.findings.map((f) => [f.fingerprint, f]));
  const records: IncidentRecord[] = [];
  const incidents: Incident[] = [];
  const transitions: IncidentTransition[] = [];
  const resolved: Incident[] = [];
  const alert = (r: IncidentRecord, status: AlertedStatus, history: IncidentHistory, findings = r.findings): void => {
    const incident = { ...r.incident, status };
    transitions.push({ incident, status, findings, findingsTotal: Math.max(r.findingsTotal, findings.length), history });
    (status === 'resolved' ? resolved : incidents).push(incident);
  };

  const shown = new Set<string>();
  for (const incident of seen.incidents) {
    if (shown.has(incident.id)) continue;
    shown.add(incident.id);
    const findings = findingsOf(incident, byFingerprint);
    const events = findings.reduce((sum, f) => sum + f.count, 0);
    const was = known.get(incident.id);
    if (!was || was.state === 'resolved') {
      const history: IncidentRecord['history'] = {
        openSince: incident.firstSeen ?? seen.window.end,
        lastShownAt: seen.window.end,
        windowsSeen: 1,
        events,
        alertedSeverity: incident.severity,
        lastAlertAt: seen.window.end,
      };
      if (was?.history.resolvedAt) {
        history.recurred = { resolvedAt: was.history.resolvedAt, occurrences: (was.history.recurred?.occurrences ?? 1) + 1 };
      }
      const record = remember(incident, findings, findings.length, history);
      records.push(record);
      const { lastAlertAt: _first, ...told } = history;
      alert(record, 'new', told, findings);
      continue;
    }
    const merged = mergeSummaries(was.findings, findings);
    const widened = {
      ...incident,
      cause: keepFirstFailure(was.incident.cause, incident.cause),
      firstSeen: earlier(was.incident.firstSeen, incident.firstSeen),
      lastSeen: later(was.incident.lastSeen, incident.lastSeen),
    };
    const history: IncidentRecord['history'] = {
      ...was.history,
      openSince: earlier(was.history.openSince, incident.firstSeen) ?? was.history.openSince,
      lastShownAt: seen.window.end,
      windowsSeen: was.history.windowsSeen + 1,
      events: was.history.events + events,
    };
    let status: AlertedStatus | undefined;
    if (severityRank(incident.severity) > severityRank(was.history.alertedSeverity)) status = 'escalated';
    else if (settings.reminderHours > 0 && end - ms(was.history.lastAlertAt) >= settings.reminderHours * HOUR_MS) status = 'reminder';
    if (status) {
      history.alertedSeverity = incident.severity;
      history.lastAlertAt = seen.window.end;
    }
    const total = Math.max(was.findingsTotal, merged.length);
    const record = remember(widened, merged, total, history);
    records.push(record);
    if (status) alert(record, status, { ...history, lastAlertAt: was.history.lastAlertAt }, findings);
    else incidents.push({ ...record.incident, status: 'open' });
  }

  for (const was of before.incidents) {
    if (shown.has(was.id)) continue;
    if (was.state === 'resolved') {
      if (was.expiresAt === undefined || was.expiresAt * 1000 > end) records.push(was);
      continue;
    }
    // Gone means: not shown for resolveAfterMinutes, all of which complete windows covered.
    const span = settings.resolveAfterMinutes * MINUTE_MS;
    const quiet = end - ms(was.history.lastShownAt);
    const covered = completeSince === null ? 0 : end - ms(completeSince);
    if (quiet < span || covered < span) {
      records.push(was);
      incidents.push({ ...was.incident, status: 'open' });
      continue;
    }
    const lastEvent = was.incident.lastSeen ?? was.history.lastShownAt;
    const history: IncidentRecord['history'] = {
      ...was.history,
      resolvedAt: seen.window.end,
      durationMs: Math.max(0, ms(lastEvent) - ms(was.history.openSince)),
      lastAlertAt: seen.window.end,
    };
    const record: IncidentRecord = {
      ...was, state: 'resolved', history, expiresAt: Math.floor(end / 1000) + settings.retentionDays * DAY_S,
    };
    records.push(record);
    alert(record, 'resolved', { ...history, lastAlertAt: was.history.lastAlertAt });
  }

  // An incomplete window is not marked handled: its retry may audit it whole. Nothing it alerted can be
  // alerted twice (its incidents are open now, its alerts dated), and it resolved nothing.
  const lastWindow = seen.complete ? { ...seen.window } : before.lastWindow;
  const state: ClusterState = { ...before, completeSince, incidents: records, ...(lastWindow ? { lastWindow } : {}) };
  return { state, lifecycle: { cluster, mode: 'scheduled', incidents: [...incidents, ...resolved], transitions: order(transitions) } };
}

/**
 * The same change seen again keeps the first failure it caused, whichever window showed it: each window only
 * knows the failures it holds, so a later window would otherwise put "first lease refusal" hours late.
 */
function keepFirstFailure(was: Incident['cause'], now: Incident['cause']): Incident['cause'] {
  const [before, after] = [was.change, now.change];
  if (!before || !after || before.time !== after.time || before.auditID !== after.auditID) return now;
  if (before.firstFailureAfterSeconds === undefined) return now;
  if (after.firstFailureAfterSeconds !== undefined && after.firstFailureAfterSeconds <= before.firstFailureAfterSeconds) return now;
  const { firstFailure: _f, ...rest } = after;
  return { ...now, change: { ...rest, firstFailureAfterSeconds: before.firstFailureAfterSeconds, ...(before.firstFailure ? { firstFailure: before.firstFailure } : {}) } };
}

/** New, escalated and reminded incidents before resolved ones, most severe first. */
function order(transitions: IncidentTransition[]): IncidentTransition[] {
  const rank = (t: IncidentTransition): number => (t.status === 'resolved' ? 1 : 0);
  return transitions.sort((a, b) => rank(a) - rank(b) || severityRank(b.incident.severity) - severityRank(a.incident.severity));
}

function remember(incident: Incident, findings: IncidentRecord['findings'], total: number, history: IncidentRecord['history']): IncidentRecord {
  const { status: _status, ...plain } = incident;
  const kept = plain.findings.length > MAX_REMEMBERED_FINGERPRINTS ? { ...plain, findings: plain.findings.slice(0, MAX_REMEMBERED_FINGERPRINTS) } : plain;
  return { id: incident.id, state: 'open', incident: kept, findings: capSummaries(findings), findingsTotal: Math.max(total, plain.findings.length), history };
}

function ms(iso: string): number {
  return Date.parse(iso);
}
