import type { MalformedLine } from './records';
import type { Incident } from './incident';
import type { AwsAuthMemory } from './aws-auth-memory';
import type { ExpiredSuppression, SuppressedFinding } from './suppression';
import type { Severity } from './severity';
import type { ScanTimelines } from './timeline';

/** One sample event behind a finding, trimmed and stripped of control characters. */
export interface Evidence {
  auditID?: string;
  time?: string;
  verb?: string;
  requestURI?: string;
  code?: number;
  decision?: string;
  /** authorization.k8s.io/reason, or the authenticator error. */
  reason?: string;
  /** responseStatus.message, or the log line for text sources. */
  message?: string;
  /** file:line, or the CloudWatch log stream. */
  source?: string;
  /** The event was salvaged from a truncated (invalid) JSON line: fields may be missing. */
  truncated: boolean;
}

/**
 * The JSON output contract (docs/formats.md "JSON output"). Keep it stable: the CLI's `--format json`,
 * the Lambda response and the SNS machine-readable message all carry this shape.
 */
export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  cluster: string;
  subject: Record<string, string>;
  count: number;
  /** ISO 8601, or null when no record carried a time. */
  firstSeen: string | null;
  lastSeen: string | null;
  message: string;
  remediation: string;
  /** sha256 of rule id, cluster and subject: stable across runs for de-duplication. */
  fingerprint: string;
  evidence: Evidence[];
}

export interface ScanStats {
  files: number;
  records: number;
  auditEvents: number;
  apiserverLines: number;
  authenticatorLines: number;
  /** Kubelet journal lines that carried a node's refusal (other kubelet lines are not read). */
  kubeletLines: number;
  malformed: number;
  truncated: number;
  /** Audit events read again (same auditID, stage and server timestamps): counted once, not judged twice. */
  duplicates: number;
  /** Audit events read after the cap on remembered events was reached: not checked for being duplicates. */
  duplicatesUnchecked: number;
  /** Fields of audit events with a type other than the audit.k8s.io/v1 schema's (attacker-shaped input): ignored. */
  malformedFields: number;
}

export function emptyStats(): ScanStats {
  return {
    files: 0, records: 0, auditEvents: 0, apiserverLines: 0, authenticatorLines: 0, kubeletLines: 0, malformed: 0, truncated: 0,
    duplicates: 0, duplicatesUnchecked: 0, malformedFields: 0,
  };
}

export interface RuleError {
  ruleId: string;
  error: string;
  /** How many times it threw (the first message is kept). */
  count: number;
}

/** What one scan of one cluster produced: the engine's result, rendered by report/ and returned by the runtime. */
export interface ScanResult {
  findings: Finding[];
  /** The findings grouped by cause, most severe first (engine/incidents.ts). */
  incidents: Incident[];
  /** aws-auth as this scan last knew it and the writes it saw (with those given in knownAwsAuth): for the state store. */
  awsAuth?: AwsAuthMemory;
  /** Findings silenced by a suppression: not in `findings`, in no incident, counted in reports with the reason. */
  suppressed?: SuppressedFinding[];
  /** Suppressions past their expiry: they no longer apply, and reports say so. */
  expiredSuppressions?: ExpiredSuppression[];
  stats: ScanStats;
  /** The first few malformed lines, so a user can look at them. */
  malformedSamples: MalformedLine[];
  /** Rules that threw: reported, while the others still ran. */
  ruleErrors: RuleError[];
  /** When the engine was asked for them (EngineOptions.timelines): the HTML report's timelines. Not in the JSON output. */
  timelines?: ScanTimelines;
}
