import type { Incident, IncidentStatus } from './incident';
import type { Severity } from './severity';

/**
 * What the life cycle decided for one cluster in one run: the input of the SNS message, the Lambda
 * response and the exports (Security Hub archiving on resolve, one EventBridge event per status change).
 * Fields are only ever added.
 */
export interface ClusterLifecycle {
  cluster: string;
  /**
   * `scheduled`: the run went through the state store and `transitions` say what changed;
   * `one-off`: a manual run (start/end, lookback): every incident reported, nothing remembered, no status;
   * `skipped`: the state store says this window was already handled (a retry): nothing is alerted again.
   */
  mode: 'scheduled' | 'one-off' | 'skipped';
  /** Why the run was skipped, in words. */
  skippedReason?: string;
  /**
   * Every open incident of the cluster after this run, with its `status` (`new`, `escalated`, `reminder`
   * or `open`), then the ones resolved by this run (`resolved`). One-off runs: this window's incidents,
   * without status.
   */
  incidents: Incident[];
  /** The alerted changes of this run, in the order of `incidents`: at most one per incident. */
  transitions: IncidentTransition[];
}

export type AlertedStatus = Exclude<IncidentStatus, 'open'>;

/** One alerted change of one incident. */
export interface IncidentTransition {
  /** The incident with `status` set to the transition's status (for `resolved`: as last seen, from the state). */
  incident: Incident;
  status: AlertedStatus;
  /** Its findings, compactly: from this window, or for `resolved` as remembered by the state store. */
  findings: FindingSummary[];
  /** More findings than `findings` holds (the state keeps a capped list). */
  findingsTotal: number;
  history: IncidentHistory;
}

/** What the state store remembers of an incident across runs, as the email and the exports need it. */
export interface IncidentHistory {
  /** Event time of its first finding (or, without times, the end of the first window that showed it). */
  openSince: string;
  /** End of the last window that showed it. */
  lastShownAt: string;
  /** Scheduled windows that showed it, and the events they counted, since it (re)opened. */
  windowsSeen: number;
  events: number;
  /** The severity of the last alert (what an escalation is measured against). */
  alertedSeverity: Severity;
  /** When its last alert went out (window end), before this run. Absent for a new incident. */
  lastAlertAt?: string;
  /** Set when the incident had been resolved before and came back: when it was resolved, and how often it opened. */
  recurred?: { resolvedAt: string; occurrences: number };
  /** Set when resolved: when, and how long it lasted (first to last event, milliseconds). */
  resolvedAt?: string;
  durationMs?: number;
}

/** A finding as the state store keeps it once its evidence is gone (a later run may not see it again). */
export interface FindingSummary {
  fingerprint: string;
  ruleId: string;
  title: string;
  severity: Severity;
  subject: Record<string, string>;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
}
