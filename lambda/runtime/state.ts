import type { AwsAuthMemory } from '../model/aws-auth-memory';
import type { Incident } from '../model/incident';
import type { FindingSummary, IncidentHistory } from '../model/lifecycle';

/**
 * What the state store remembers of one cluster between scheduled runs (runtime/state-store.ts keeps it in
 * DynamoDB, runtime/lifecycle.ts decides how one run changes it). Plain JSON.
 */
export interface ClusterState {
  cluster: string;
  /** The last scheduled window applied; a window ending at or before it is a retry (or late) and changes nothing. */
  lastWindow?: { start: string; end: string };
  /**
   * Start of the unbroken chain of complete windows that ends with lastWindow; null when lastWindow was
   * incomplete. Only time covered by complete windows can prove an incident gone.
   */
  completeSince: string | null;
  incidents: IncidentRecord[];
  /** aws-auth as last known and its recent writes, for the root cause (the engine's AwsAuthMemory). */
  awsAuth?: AwsAuthMemory;
}

/** One incident across runs: open until no complete window has shown it for a while, then resolved. */
export interface IncidentRecord {
  id: string;
  state: 'open' | 'resolved';
  /** As last seen (no `status`), its firstSeen/lastSeen widened across the runs of this occurrence. */
  incident: Incident;
  /** Its findings, compactly, most severe first; capped (findingsTotal counts all). */
  findings: FindingSummary[];
  findingsTotal: number;
  /** Here `lastAlertAt` is the last alert sent, this run's included. */
  history: IncidentHistory & { lastAlertAt: string };
  /** Epoch seconds after which a resolved record may be forgotten (the table's TTL attribute). */
  expiresAt?: number;
}

/** Life-cycle settings (context keys `reminderHours`, `resolveAfterMinutes`). */
export interface LifecycleSettings {
  /** Hours after the last alert of an open incident seen again before a reminder; 0: no reminders. */
  readonly reminderHours: number;
  /** Minutes of complete windows without an incident before it is resolved. */
  readonly resolveAfterMinutes: number;
  /** Days a resolved incident is remembered (so a recurrence says so); then the TTL removes it. */
  readonly retentionDays: number;
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = { reminderHours: 24, resolveAfterMinutes: 60, retentionDays: 30 };

export function emptyClusterState(cluster: string): ClusterState {
  return { cluster, completeSince: null, incidents: [] };
}
