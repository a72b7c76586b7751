import type { Finding } from './findings';
import type { Incident } from './incident';
import type { ExpiredSuppression, SuppressedFinding } from './suppression';

/** What one run found for one cluster: the input of the SNS publisher (and of the Lambda response). */
export interface ClusterReport {
  cluster: string;
  /** The audited window, ISO 8601, start inclusive, end exclusive. */
  window: { start: string; end: string };
  findings: Finding[];
  /** The findings grouped by cause (always set by the runtime; optional for reports built elsewhere). */
  incidents?: Incident[];
  /** Findings a suppression silenced (counted with the reason, never alerted); absent when no suppression is set. */
  suppressed?: SuppressedFinding[];
  /** Suppressions past their expiry, which no longer apply: the report says so. */
  expiredSuppressions?: ExpiredSuppression[];
  /** False when a query failed, was cancelled or ran out of time: the findings may be partial. */
  complete: boolean;
  /** Why the audit is incomplete, in words for the person on call. */
  incompleteReason?: string;
  statistics?: QueryStatistics[];
}

/** One Logs Insights query of the run, as GetQueryResults reported it. */
export interface QueryStatistics {
  stream: 'audit' | 'apiserver' | 'authenticator';
  queryId?: string;
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
  durationMs: number;
  /** Final query status (Complete, Failed, Cancelled, Timeout, Unknown, or abandoned). */
  status: string;
  /** How many times the window was halved because a result reached the row limit. */
  windowSplits?: number;
}

export interface PublishOutcome {
  published: boolean;
  messageId?: string;
  /** Why nothing was published, or what was left out to fit the size limit. */
  reason?: string;
  /** Findings written out in full in the message (the rest, if any, are summarised). */
  findingsIncluded: number;
  /** Size of the published message as SNS counts it (body, subject and attributes, UTF-8 bytes); 0 when not published. */
  bytes: number;
}
