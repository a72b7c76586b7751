/**
 * Typed records produced by the readers and consumed by the rules.
 *
 * Readers turn bytes (JSONL, klog text, CloudWatch exports, Logs Insights rows) into these records;
 * rules never see raw text. Every field read from a log is optional: real events omit fields,
 * truncated events lose them, and attacker-controlled input can put any type anywhere.
 */
import type { EksClusterFacts } from './eks';

/** Where a record came from, so a finding can point back to its evidence. */
export interface Origin {
  /** File path as given on the command line, `-` for stdin, or `cloudwatch:<logGroup>` for query results. */
  readonly file: string;
  /** 1-based line number in the file (for whole-file JSON exports: the line the element starts on). */
  readonly line: number;
  /** CloudWatch log stream name, when the input says it (`@logStream`, `logStreamName`). */
  readonly logStream?: string;
  /** Ingestion/event timestamp from the wrapper (CloudWatch `@timestamp`, S3 export prefix), ISO 8601. */
  readonly timestamp?: string;
  /**
   * The program that printed the line, when the line's own framing names it: a journald identifier
   * (`kubelet[123]:`), a log tailer's container or static-pod name (stern, kubetail, `kubectl logs --prefix`).
   * A KnownProgram (model/program.ts) when recognised, else the name as printed (`hyperkube`, `containerd`).
   * Absent when the framing names none; a CloudWatch stream name may still tell it: use programOf().
   */
  readonly program?: string;
  /** How `program` was told. */
  readonly programFrom?: 'journald' | 'container' | 'prefix';
  /** Host from a journald prefix (`Dec 12 11:44:22 <host> kubelet[123]: ...`). */
  readonly host?: string;
  /** Pod name from a log tailer's prefix. */
  readonly pod?: string;
  /** Container name from a log tailer's prefix. */
  readonly container?: string;
}

/** The subset of a Kubernetes audit.k8s.io/v1 Event that the rules read. */
export interface AuditEvent {
  kind?: string;
  apiVersion?: string;
  level?: string;
  auditID?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  user?: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectRef;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
  annotations?: Record<string, string>;
}

export interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface ResponseStatus {
  code?: number;
  status?: string;
  reason?: string;
  message?: string;
}

/**
 * Server-side aggregation carried by a record that stands for many identical events
 * (a Logs Insights `stats count(*), min(@timestamp), max(@timestamp), latest(@message) by ...` row).
 * A record read from a file has none and counts once.
 */
export interface Aggregate {
  readonly count: number;
  /** ISO 8601. */
  readonly firstSeen: string;
  /** ISO 8601. */
  readonly lastSeen: string;
  /**
   * Distinct request URIs among the events the record stands for (Logs Insights `count_distinct`, an
   * estimate), when the row says: its samples show two of them, the rest are only counted.
   */
  readonly distinctPaths?: number;
}

export interface AuditRecord {
  readonly kind: 'audit';
  readonly event: AuditEvent;
  /**
   * True when the event was salvaged from invalid JSON (CloudWatch cuts long events and appends
   * `[Truncated...]`): fields after the cut are missing, so absence proves nothing.
   */
  readonly truncated: boolean;
  readonly origin: Origin;
  readonly aggregate?: Aggregate;
}

/** One `FLAG: --name="value"` line printed by kube-apiserver at start-up (klog, flags.go). */
export interface FlagRecord {
  readonly kind: 'apiserver-flag';
  /** Flag name without the leading dashes, e.g. `authorization-mode`. */
  readonly flag: string;
  /** Unquoted value, e.g. `[Node,RBAC,Webhook]`. */
  readonly value: string;
  /** klog header time as ISO 8601 when it can be placed in a year (from the wrapper), else undefined. */
  readonly time?: string;
  readonly origin: Origin;
  readonly aggregate?: Aggregate;
}

/** Any other kube-apiserver (klog) line: counted, not judged. */
export interface ApiserverLineRecord {
  readonly kind: 'apiserver-line';
  readonly text: string;
  readonly origin: Origin;
}

/** One aws-iam-authenticator line (logrus key=value). Keys as logged: level, msg, arn, username, groups, ... */
export interface AuthenticatorRecord {
  readonly kind: 'authenticator';
  readonly fields: Readonly<Record<string, string>>;
  /** `time=` field, ISO 8601, when present. */
  readonly time?: string;
  readonly origin: Origin;
  readonly aggregate?: Aggregate;
}

/** Who printed a node-denial line. */
export type NodeDenialSource = 'apiserver' | 'kubelet';

/**
 * A node's request refused, read from a text line instead of an audit event: kube-apiserver's own
 * Node-authorizer and RBAC denial lines (`"NODE DENY" err=...`, `RBAC DENY: user ...`), or the API error a
 * kubelet printed in its journal (`... is forbidden: User "..." cannot ...`). The node rules judge it like the
 * 403 audit event of the same request, so clusters without audit logging (or a node's journal alone) still
 * show node failures. Every field is as printed: attacker-controlled, possibly absent.
 */
export interface NodeDenialRecord {
  readonly kind: 'node-denial';
  readonly source: NodeDenialSource;
  /** The check that refused, when the text says: Node authorizer, RBAC, or NodeRestriction admission. */
  readonly by?: 'node-authorizer' | 'rbac' | 'node-restriction';
  /** The node concerned: from a system:node:<name> user, the Node authorizer's text, or the kubelet's own name. */
  readonly node?: string;
  /** The username the API server saw (for kubelet lines: the one in the error text). */
  readonly user?: string;
  /** Groups, when the line lists them (RBAC DENY). */
  readonly groups?: readonly string[];
  readonly verb?: string;
  /** `resource[/subresource]` as the API names it (persistentvolumes, leases, nodes/status). */
  readonly resource?: string;
  readonly namespace?: string;
  /** The object's name, when the text gives it. */
  readonly name?: string;
  /** Why: the Node-authorizer reason, the NodeRestriction detail, or the whole API error. */
  readonly reason: string;
  /** The log message without its klog header, for evidence. */
  readonly text: string;
  /** klog header time as ISO 8601 when it can be placed in a year, else undefined. */
  readonly time?: string;
  readonly origin: Origin;
  readonly aggregate?: Aggregate;
}


/**
 * A kubelet's certificate manager or TLS server saying it has no certificate: a CSR that was never signed
 * (`kubernetes.io/kubelet-serving: certificate request was not signed: ...`, or the structured
 * `"Certificate request was not signed" err=... logger="kubernetes.io/kubelet-serving"`), or a TLS handshake
 * refused for want of a serving certificate (`http: TLS handshake error from A: no serving certificate
 * available for the kubelet`). Not an API refusal: the CSR was accepted but no signer approved it. Every field is
 * as printed: attacker-controlled.
 */
export interface KubeletCertificateRecord {
  readonly kind: 'kubelet-certificate';
  readonly source: 'kubelet';
  /** `not-signed`: a CSR the kubelet gave up waiting for; `no-serving-certificate`: a TLS client turned away. */
  readonly failure: 'not-signed' | 'no-serving-certificate';
  /** The signer the CSR asked for, when the line names it (kubernetes.io/kubelet-serving, ...-client-kubelet). */
  readonly signer?: string;
  /** The node: the journald host of a line a kubelet printed. */
  readonly node?: string;
  /** Why, as printed (`timed out waiting for the condition`), or the TLS client's address. */
  readonly reason: string;
  /** The log message without its klog header, for evidence. */
  readonly text: string;
  /** klog header time as ISO 8601 when it can be placed in a year, else undefined. */
  readonly time?: string;
  readonly origin: Origin;
  readonly aggregate?: Aggregate;
}

/**
 * Facts about the cluster read from the EKS API, not from a log: one record per cluster per run, judged
 * by the rules in rules/eks through the same engine as the log records.
 */
export interface EksClusterRecord {
  readonly kind: 'eks-cluster';
  readonly cluster: EksClusterFacts;
  readonly origin: Origin;
}

export type LogRecord =
  | AuditRecord
  | FlagRecord
  | ApiserverLineRecord
  | AuthenticatorRecord
  | NodeDenialRecord
  | KubeletCertificateRecord
  | EksClusterRecord;

/** A line that could not be read as any known format. Counted and reported, never dropped silently. */
export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * The fields of an audit event that come before its bodies: what Go's encoding/json prints first
 * (kind ... responseStatus). A reader can look at these without parsing the rest of the line (see
 * AuditFilter); requestObject, responseObject, the timestamps and the annotations are not in it.
 */
export type AuditHead = Pick<
  AuditEvent,
  | 'kind' | 'apiVersion' | 'level' | 'auditID' | 'stage' | 'requestURI' | 'verb' | 'user' | 'impersonatedUser'
  | 'sourceIPs' | 'userAgent' | 'objectRef' | 'responseStatus'
>;

/**
 * The fast path a sink may offer: which audit events need a full parse. A reader that meets a well-formed
 * audit event line may glance at its head and ask each of `wants`; when all say false it calls skipped()
 * instead of parsing the line and calling record(). Every function here must be a pure function of the
 * head: the reader may reuse an answer for another line whose fields read were byte for byte the same
 * (the same caller, in practice), and may call them in any order.
 */
export interface AuditFilter {
  /** Each true when its consumer needs the event fully parsed. */
  readonly wants: readonly ((head: AuditHead) => boolean)[];
  /** What the sink keeps of an event it does not parse (the engine: the node role behind a kubelet). */
  keep(head: AuditHead): string | undefined;
  /**
   * An event was not parsed: count it as record() would (a duplicate included), with what keep() returned for
   * it and its identity (model/audit-identity.ts; undefined when it has no auditID).
   */
  skipped(kept: string | undefined, identity: number | undefined): void;
}

/**
 * Where readers push what they read. Push, not pull: one call per record keeps the hot path cheap
 * on multi-gigabyte inputs. The engine implements it.
 */
export interface RecordSink {
  /** A file (or stdin, or a query result set) is about to be read. */
  file(name: string): void;
  record(record: LogRecord): void;
  malformed(line: MalformedLine): void;
  /** Set when every consumer of audit events declared what it needs (see AuditFilter); else every event is parsed. */
  readonly auditFilter?: AuditFilter;
}
