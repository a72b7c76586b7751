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
  /** Bytes all queries of this cluster scanned, and what that cost at the Logs Insights list price. */
  cost?: { bytesScanned: number; estimatedCostUsd: number; usdPerGb: number };
  /** Rules that threw and rows that could not be read: the alert shows them. */
  problems?: { ruleErrors: number; malformedRows: number; ruleErrorIds?: string[] };
  /** What the EKS API said about the cluster's logging and access configuration (absent: not asked). */
  coverage?: CoverageReport;
}

/**
 * Whether the run could check what it can see: DescribeCluster answered (logging and authentication
 * mode known). "Not verified" (another account, denied) does not fail the run; it is said.
 */
export interface CoverageReport {
  verified: boolean;
  /** Why coverage is not verified. */
  reason?: string;
  /** Control-plane log types enabled, from DescribeCluster. */
  enabledLogTypes?: string[];
  /** CONFIG_MAP, API_AND_CONFIG_MAP or API. */
  authenticationMode?: string;
  /** IAM roles acting as nodes whose access entries were examined. */
  nodeRoles?: number;
  /** Parts of the EKS API that could not be read, or were read only in part. */
  notes?: string[];
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
  /**
   * How the query chose its streams: `streams` (named with `@logStream in [...]`, only their bytes are
   * scanned), `prefix` (name prefix: the whole group is scanned; fallbackReason says why), or `none`
   * (no stream could hold events of the window: no query was made).
   */
  streamFilter?: 'streams' | 'prefix' | 'none';
  /** Streams named in the query (streamFilter `streams`). */
  streams?: number;
  fallbackReason?: string;
  /** From GetQueryResults: bytes an index let the query skip. */
  estimatedBytesSkipped?: number;
  /** bytesScanned at the Logs Insights price per GB (runtime/cost.ts). */
  estimatedCostUsd?: number;
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
