import type { AuditHead, AuditRecord, AuthenticatorRecord, EksClusterRecord, FlagRecord, KubeletCertificateRecord, NodeDenialRecord } from './records';
import type { Evidence } from './findings';
import type { AwsAuthMemory } from './aws-auth-memory';
import type { Severity } from './severity';
import type { RuleSettings, ThresholdDeclaration } from './rule-settings';

/**
 * The log streams a rule reads. Each of QUERIED_STREAMS maps to one CloudWatch stream kind and one Logs Insights
 * query. `kubelet` is a node's own log (its journal): the EKS control-plane log group never holds it, so rules
 * that read it judge local files only (`scan`) and get no query.
 */
export type StreamKind = 'audit' | 'apiserver' | 'authenticator' | 'kubelet';

/** The stream kinds the control-plane log group holds, in query order. */
export const QUERIED_STREAMS = ['audit', 'apiserver', 'authenticator'] as const;
export type QueriedStream = (typeof QUERIED_STREAMS)[number];

/** Where a rule's records come from: a kind of log stream, or the EKS API (DescribeCluster and friends). */
export type SourceKind = StreamKind | 'eks-api';

/**
 * What a rule observed once (or, for an aggregated record, `count` times). The engine merges
 * observations with the same rule and subject into one finding.
 */
export interface Observation {
  /** Identifies the finding: same subject, same finding. Values are sanitized by the engine. */
  readonly subject: Readonly<Record<string, string>>;
  /** How many events this stands for (default: the record's aggregate count, else 1). */
  readonly count?: number;
  /** ISO 8601 time of the event (default: from the record). */
  readonly time?: string;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** A sample for the finding (the engine keeps the first few, trimmed). */
  readonly evidence?: Evidence;
  /** Counters summed across observations, e.g. `{ forbidden: 1 }`; read back in describe(). */
  readonly tally?: Readonly<Record<string, number>>;
  /** Facts kept from the first observation that set them, e.g. which half of an identity is wrong. */
  readonly facts?: Readonly<Record<string, string>>;
}

/** All observations of one rule and subject, merged. What describe() turns into words. */
export interface ObservationGroup {
  readonly subject: Readonly<Record<string, string>>;
  readonly count: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly tally: Readonly<Record<string, number>>;
  readonly facts: Readonly<Record<string, string>>;
  readonly evidence: readonly Evidence[];
  readonly cluster: string;
}

export type Emit = (observation: Observation) => void;

/** Shared, read-only knowledge that the engine gathers over the whole input. */
export interface ScanContext {
  readonly cluster: string;
  /**
   * IAM role ARNs (user.extra.canonicalArn) seen on kubelet requests (node credentials) in this
   * input. Complete only in finish(): rules that need it buffer and judge at the end.
   */
  readonly nodeRoleArns: ReadonlySet<string>;
  /** Every declared threshold (defaults filled in by the engine): read with thresholdOf(). */
  readonly settings: RuleSettings;
  /**
   * True when the fast path's predicates (RuleRun.wantsAudit) are asked by another thread that never sees the
   * records (worker threads): they must then answer from the head alone. False (the default), they are asked in
   * input order, just before the event would reach onAudit, and may also consult the run's own state.
   */
  readonly statelessFilter?: boolean;
  /**
   * aws-auth as earlier runs left it (the Lambda's state store, EngineOptions.knownAwsAuth); absent in the CLI.
   * When the input holds no write that sets mapRoles, the mapping rules judge its content as they would a
   * write's: a bad mapping is still in aws-auth, and still a finding, after its write has left the window.
   */
  readonly knownAwsAuth?: AwsAuthMemory;
}

/** Per-scan state of a rule. Handlers are pure apart from their own buffers. */
export interface RuleRun {
  /**
   * The fast path's contract. Most of an audit log is traffic no rule reports (healthy kubelets renewing
   * leases); the CLI skips the full JSON parse of an event when no rule wants it. Given the event's head
   * (AuditHead: the fields before requestObject; no bodies, timestamps or annotations), return true when
   * onAudit might emit for it or change this run's state. A run whose wantsAudit returns false for an event
   * must behave as if it never saw it. A superset is fine (it only costs a parse); a wrong false loses
   * findings, so keep it to the few head fields onAudit tests first (a status code, a resource, a group).
   * Truncated events and events not written by the API server are always parsed in full.
   *
   * A predicate may also ask the run's own state (want a success only for a node that was refused), unless
   * ScanContext.statelessFilter: it must then answer true where the state could say yes. Such a predicate must
   * read a field outside the caller's segment first (a status code): answers read from the segment alone are
   * reused for the caller's later events.
   *
   * Safe default: a run with onAudit and no wantsAudit sees every event fully parsed, and the fast path is
   * off for the whole scan. test/perf/fast-path.test.ts compares the findings of both paths.
   */
  wantsAudit?(head: AuditHead): boolean;
  onAudit?(record: AuditRecord, emit: Emit): void;
  onFlag?(record: FlagRecord, emit: Emit): void;
  onAuthenticator?(record: AuthenticatorRecord, emit: Emit): void;
  /** A node's refusal read from an API-server or kubelet line (see NodeDenialRecord). */
  onNodeDenial?(record: NodeDenialRecord, emit: Emit): void;
  /** A kubelet's certificate that was never signed, read from its journal (see KubeletCertificateRecord). */
  onKubeletCertificate?(record: KubeletCertificateRecord, emit: Emit): void;
  /** The cluster's facts from the EKS API (rules/eks); given once per run, before finish(). */
  onEksCluster?(record: EksClusterRecord, emit: Emit): void;
  /** Called once after the last record. */
  finish?(emit: Emit): void;
}

/**
 * What a rule needs from CloudWatch, declared once so the Logs Insights query and the local scan
 * cannot drift apart. `filter` is a Logs Insights boolean expression over the stream's fields; the
 * runner ORs the filters of all rules of a stream kind into one query.
 */
export interface ServerNeeds {
  /** For 'eks-api', no query is made; `filter` names the EKS API calls the rule reads and `keys` is empty. */
  readonly stream: SourceKind;
  readonly filter: string;
  /** Fields that must stay distinct in server-side aggregation (`stats ... by <keys>`). */
  readonly keys: readonly string[];
  /**
   * Logs Insights `parse` commands (without the word `parse`), run after the filter: each extracts named fields
   * (`@message /NODE DENY.* (?<who>node '[^']*')/`) that `keys` may group by. Lines a pattern does not match keep
   * the fields empty. For text lines, whose @message is distinct per line, so that a key names what matters (the
   * node, the kind of refusal) and not the line.
   */
  readonly parse?: readonly string[];
}

/**
 * What a finding means for the nodes of its role, for the incident's impact line (engine/incident-words.ts):
 * `not-ready` kubelets cannot renew their lease; `no-logs-exec` kubelet-serving CSRs are never approved;
 * `cluster-admin` the role is in system:masters; `unconfined` neither the Node authorizer nor NodeRestriction
 * applies; `cannot-join` the role cannot authenticate at all.
 */
export type NodeEffect = 'not-ready' | 'no-logs-exec' | 'cluster-admin' | 'unconfined' | 'cannot-join';

/** A finding as the incident grouping sees it: the engine's merged observations, facts and tallies included. */
export interface JoinedFinding {
  readonly subject: Readonly<Record<string, string>>;
  readonly facts: Readonly<Record<string, string>>;
  readonly tally: Readonly<Record<string, number>>;
}

/**
 * How a rule's findings join an incident with others of the same cause (engine/incidents.ts). A rule without
 * it, or whose `joins` says no for a finding, makes one incident per finding. Keys name a subject key first,
 * then a fact key.
 */
export interface IncidentJoin {
  /**
   * `node-role`: everything caused by one node IAM role; `apiserver-config`: the flag findings of one
   * kube-apiserver configuration; `node-credential`: what one recognized node's credential was refused;
   * `rbac-grant`: what one RBAC grant allowed.
   */
  readonly cause: 'node-role' | 'apiserver-config' | 'node-credential' | 'rbac-grant';
  /**
   * Key naming the cause: the role's IAM ARN (node-role), the configuration (apiserver-config), the node
   * (node-credential), the authorizer's reason naming the grant (rbac-grant).
   */
  readonly by: string;
  /** Key naming the Kubernetes username the role acts as: the join when no ARN is known. */
  readonly username?: string;
  /** Key naming the groups the role was given (for the incident's cause), as `a, b` or `[a, b]`. */
  readonly groups?: string;
  /** Key naming the one node a finding is about; tally keys `node:<name>` and `system:node:<name>` usernames name more. */
  readonly node?: string;
  /**
   * What a finding shows first, for "first lease refusal 41 s after the change" (a noun phrase); absent for
   * findings about the mapping itself, which are not failures.
   */
  readonly failure?: string;
  /** What breaks; a function when it depends on the finding. */
  readonly effects?: readonly NodeEffect[] | ((f: JoinedFinding) => readonly NodeEffect[]);
  /** Whether this finding belongs to its cause's incident (default: yes). */
  readonly joins?: (f: JoinedFinding) => boolean;
}

export interface Rule {
  /** Stable id: never renamed or reused. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** What the finding means, for the catalogue. */
  readonly description: string;
  /** The general fix, for the catalogue; describe() gives the specific one. */
  readonly remediation: string;
  readonly references: readonly string[];
  readonly needs: ServerNeeds;
  /** What the rule also reads from other streams (the node rules: the API server's own denial lines). */
  readonly alsoNeeds?: readonly ServerNeeds[];
  /** Thresholds this rule reads: each becomes a setting (context key, environment variable, CLI flag). */
  readonly thresholds?: readonly ThresholdDeclaration[];
  /** Fresh state for one scan of one cluster. */
  create(context: ScanContext): RuleRun;
  /** Words for the person on call: what happened, what breaks, how sure we are, and the exact fix. */
  describe(group: ObservationGroup): { message: string; remediation: string };
  /** How its findings join an incident; absent: each finding is an incident of its own. */
  readonly incident?: IncidentJoin;
}
