import type { Severity } from './severity';

/**
 * An incident: the findings that share one cause, told once (issue "Incidents, not findings").
 * The JSON contract of `incidents` in the scan output, the Lambda response, the SNS JSON branch, the
 * EventBridge detail and the HTML report. Fields are only ever added, never renamed or removed.
 */
export interface Incident {
  /** 32 hex digits, stable for the same cluster and cause across runs (sha256 of cluster and cause key). */
  id: string;
  cluster: string;
  /** The highest severity of its findings. */
  severity: Severity;
  /** One line, e.g. `Node role WorkerNodeRole is not mapped as a node: 12 nodes NotReady`. */
  title: string;
  cause: IncidentCause;
  /** What breaks, in plain words with numbers ("12 nodes cannot renew their lease: NotReady"). */
  impact: string;
  /** The ONE fix (may hold line feeds: a YAML snippet or a command). */
  remediation: string;
  /** Fingerprints of its findings, most severe first. */
  findings: string[];
  /** ISO 8601, or null when no finding carried a time. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** Nodes affected, when the cause is a node role: at most MAX_INCIDENT_NODE_NAMES names, and the full count. */
  nodes?: { count: number; names: string[] };
  /** Life cycle across scheduled runs (Lambda only; absent in CLI output and manual runs). */
  status?: IncidentStatus;
}

/** Life-cycle states. `new`, `escalated`, `reminder` and `resolved` are alerted; `open` is seen again, quietly. */
export type IncidentStatus = 'new' | 'open' | 'escalated' | 'reminder' | 'resolved';

/** The statuses that send an alert (the SNS `status` attribute, EventBridge events). */
export const ALERTED_STATUSES = ['new', 'escalated', 'reminder', 'resolved'] as const;

export interface IncidentCause {
  /**
   * `node-role`: everything caused by one node IAM role (same role ARN, or the same username when no ARN is known);
   * `apiserver-config`: the apiserver-* flag findings of one API server configuration;
   * `node-credential`: the refusals of one recognized node's credential (misuse, or a kubelet out of step);
   * `rbac-grant`: what one RBAC grant allowed (e.g. a binding that lets anonymous callers read);
   * `finding`: any other finding, an incident of its own.
   */
  kind: 'node-role' | 'apiserver-config' | 'node-credential' | 'rbac-grant' | 'finding';
  /** The cause in words: which role / mapping / configuration. */
  summary: string;
  roleArn?: string;
  username?: string;
  /** The aws-auth write that introduced the cause, when the input (or the state store) holds it. */
  change?: AwsAuthChange;
  /** Set when no write is known, e.g. "the change that introduced it is older than the data". */
  changeUnknown?: string;
}

/** One write of ConfigMap kube-system/aws-auth that changed the mapping of the incident's role. */
export interface AwsAuthChange {
  /** ISO 8601 (stageTimestamp or requestReceivedTimestamp). */
  time: string;
  /** update, patch, create, delete (a server-side apply is a patch). */
  verb: string;
  /** For a patch: `apply` (server-side apply), `json` (JSON patch) or `merge` (strategic or JSON merge patch). */
  patchType?: 'apply' | 'json' | 'merge';
  /** Who: the Kubernetes username and, when the audit event carries it, the IAM ARN behind it. */
  username?: string;
  arn?: string;
  sourceIP?: string;
  userAgent?: string;
  auditID?: string;
  /** The role's mapRoles entry before and after, as YAML; null when absent, undefined when not known. */
  before?: string | null;
  after?: string | null;
  /** Seconds from the change to the first failure it caused, and what that failure was ("lease refusal"). */
  firstFailureAfterSeconds?: number;
  firstFailure?: string;
}

/** At most this many node names are listed on an incident, then "and N more". */
export const MAX_INCIDENT_NODE_NAMES = 10;
