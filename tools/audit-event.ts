/**
 * Builders for Kubernetes audit events as EKS writes them to the `kube-apiserver-audit-*` streams.
 *
 * Field order, status shapes and message formats follow the API server (k8s.io/apiserver audit and
 * responsewriters, apimachinery StatusError) and real published EKS events: objects are built key by key
 * in that order so JSON.stringify prints them the same way. Builders are plain functions of explicit
 * parameters (no clock, no Math.random): the same inputs give the same event. They are also the
 * benchmark's generator, so they build objects directly and copy nothing they do not have to.
 *
 * The kubelet, control-plane and human request builders (kubelet-events.ts, control-plane-events.ts) wrap
 * auditEvent(); eks-events.ts re-exports them all.
 */
import type { Rng } from './prng';
import type { Micros } from './time';
import { isoMicros } from './time';

export const AUTHENTICATED = 'system:authenticated';
export const DECISION = 'authorization.k8s.io/decision';
export const REASON = 'authorization.k8s.io/reason';

export type AuditLevel = 'Metadata' | 'Request' | 'RequestResponse';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Who sends a request: identity, source address and User-Agent header. */
export interface Caller {
  readonly user: UserInfo;
  readonly sourceIP: string;
  readonly userAgent: string;
}

/** An IAM role session as aws-iam-authenticator reports it (user.uid and user.extra). */
export interface IamRoleSession {
  readonly account: string;
  readonly roleName: string;
  /** The role's unique id (AROA...), which is also the principalId. */
  readonly roleId: string;
  /** For a node: the EC2 instance id. */
  readonly sessionName: string;
  readonly accessKeyId: string;
}

export function roleArn(account: string, roleName: string): string {
  return `arn:aws:iam::${account}:role/${roleName}`;
}

/**
 * A user authenticated by aws-iam-authenticator: `mappedGroups` are the groups of the aws-auth entry (or
 * access entry); the API server appends system:authenticated.
 */
export function iamRoleUser(username: string, mappedGroups: readonly string[], s: IamRoleSession): UserInfo {
  return {
    username,
    uid: `aws-iam-authenticator:${s.account}:${s.roleId}`,
    groups: [...mappedGroups, AUTHENTICATED],
    extra: {
      accessKeyId: [s.accessKeyId],
      arn: [`arn:aws:sts::${s.account}:assumed-role/${s.roleName}/${s.sessionName}`],
      canonicalArn: [roleArn(s.account, s.roleName)],
      principalId: [s.roleId],
      sessionName: [s.sessionName],
    },
  };
}

/** A control-plane component authenticated by client certificate: no uid, no extra. */
export function certificateUser(username: string, groups: readonly string[] = []): UserInfo {
  return { username, groups: [...groups, AUTHENTICATED] };
}

/** A pod's bound service account token (Kubernetes 1.30+ adds the credential id and node to extra). */
export interface ServiceAccountToken {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly podName: string;
  readonly podUid: string;
  readonly nodeName: string;
  readonly nodeUid: string;
  /** The token's JWT id. */
  readonly jti: string;
}

export function serviceAccountUser(t: ServiceAccountToken): UserInfo {
  return {
    username: `system:serviceaccount:${t.namespace}:${t.name}`,
    uid: t.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`, AUTHENTICATED],
    extra: {
      'authentication.kubernetes.io/credential-id': [`JTI=${t.jti}`],
      'authentication.kubernetes.io/node-name': [t.nodeName],
      'authentication.kubernetes.io/node-uid': [t.nodeUid],
      'authentication.kubernetes.io/pod-name': [t.podName],
      'authentication.kubernetes.io/pod-uid': [t.podUid],
    },
  };
}

/** What a request asks for: the authorizer's attributes plus the query string. */
export interface ApiRequest {
  readonly verb: string;
  readonly resource: string;
  /** API group; '' or absent for the core group. */
  readonly group?: string;
  /** Defaults to v1. */
  readonly version?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  /** Query string without the `?`. */
  readonly query?: string;
  /** objectRef.uid and resourceVersion: only known once the object was read, so absent on denials. */
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** How the request ended. Decision and reason are the two authorization annotations. */
export type Outcome =
  | { readonly kind: 'allow'; readonly code: number; readonly reason: string; readonly status?: 'Success' }
  | { readonly kind: 'not-found'; readonly reason: string }
  /** Refused by the authorizers: decision forbid. reason is '' for RBAC, the Node authorizer's text otherwise. */
  | { readonly kind: 'forbid'; readonly reason: string }
  /** Authorized, then refused by an admission plugin (NodeRestriction): decision allow, code 403. */
  | { readonly kind: 'admission-deny'; readonly error: string; readonly reason: string };

export function allow(code = 200, reason = '', status?: 'Success'): Outcome {
  return status ? { kind: 'allow', code, reason, status } : { kind: 'allow', code, reason };
}
export function forbid(reason = ''): Outcome {
  return { kind: 'forbid', reason };
}
export function notFound(reason = ''): Outcome {
  return { kind: 'not-found', reason };
}
export function admissionDeny(error: string, reason = ''): Outcome {
  return { kind: 'admission-deny', error, reason };
}

/** `RBAC: allowed by ...` as the RBAC authorizer words an allow (plugin/pkg/auth/authorizer/rbac). */
export function rbacAllowed(p: {
  readonly binding: string;
  /** For a RoleBinding: its namespace (printed as "name/namespace"). */
  readonly bindingNamespace?: string;
  readonly role: string;
  readonly subjectKind: 'User' | 'Group' | 'ServiceAccount';
  /** For a ServiceAccount: "name/namespace". */
  readonly subject: string;
}): string {
  const binding = p.bindingNamespace
    ? `RoleBinding "${p.binding}/${p.bindingNamespace}" of Role "${p.role}"`
    : `ClusterRoleBinding "${p.binding}" of ClusterRole "${p.role}"`;
  return `RBAC: allowed by ${binding} to ${p.subjectKind} "${p.subject}"`;
}

/** The audit event as JSON: only the fields EKS prints, in its order. */
export interface AuditEventJson {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: UserInfo;
  sourceIPs: string[];
  userAgent: string;
  objectRef: Record<string, string>;
  responseStatus: Record<string, unknown>;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
}

export interface EventSpec {
  readonly rng: Rng;
  /** When the API server received the request. */
  readonly time: Micros;
  /** Time to the response; default a few milliseconds drawn from rng. */
  readonly latency?: Micros;
  readonly level: AuditLevel;
  readonly caller: Caller;
  readonly request: ApiRequest;
  readonly outcome: Outcome;
  /** Logged at Request level and above, and only when the body was read (never on an authorization denial). */
  readonly requestObject?: unknown;
  /** Logged at RequestResponse level. */
  readonly responseObject?: unknown;
  /** More annotations (e.g. pod-security); the two authorization ones are always set. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Builds one audit event. The other builders are thin wrappers around this. */
export function auditEvent(spec: EventSpec): AuditEventJson {
  const { request: r, outcome } = spec;
  const latency = spec.latency ?? 1500 + spec.rng.int(11000);
  // Assigned in print order: optional bodies sit between responseStatus and the timestamps.
  const event: Partial<AuditEventJson> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: spec.level,
    auditID: spec.rng.uuid(),
    stage: 'ResponseComplete',
    requestURI: requestURI(r),
    verb: r.verb,
    user: spec.caller.user,
    sourceIPs: [spec.caller.sourceIP],
    userAgent: spec.caller.userAgent,
    objectRef: objectRef(r, outcome),
    responseStatus: responseStatus(spec.caller.user.username, r, outcome),
  };
  // An authorization denial happens before the body is decoded, so nothing of it is logged.
  const bodyRead = outcome.kind !== 'forbid';
  if (spec.level !== 'Metadata' && bodyRead && spec.requestObject !== undefined) event.requestObject = spec.requestObject;
  if (spec.level === 'RequestResponse' && outcome.kind === 'allow' && spec.responseObject !== undefined) {
    event.responseObject = spec.responseObject;
  }
  event.requestReceivedTimestamp = isoMicros(spec.time);
  event.stageTimestamp = isoMicros(spec.time + latency);
  event.annotations = annotations(outcome, spec.annotations);
  return event as AuditEventJson;
}

/** `/apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>][/<subresource>][?query]`. */
export function requestURI(r: ApiRequest): string {
  let uri = r.group ? `/apis/${r.group}/${r.version ?? 'v1'}` : `/api/${r.version ?? 'v1'}`;
  if (r.namespace) uri += `/namespaces/${r.namespace}`;
  uri += `/${r.resource}`;
  if (r.name && nameInPath(r)) uri += `/${r.name}`;
  if (r.subresource) uri += `/${r.subresource}`;
  return r.query ? `${uri}?${r.query}` : uri;
}

/** A create names its object in the body, a list/watch in a field selector; other verbs in the path. */
function nameInPath(r: ApiRequest): boolean {
  if (r.subresource) return true;
  return r.verb !== 'create' && r.verb !== 'list' && r.verb !== 'watch' && r.verb !== 'deletecollection';
}

function objectRef(r: ApiRequest, outcome: Outcome): Record<string, string> {
  const ref: Record<string, string> = { resource: r.resource };
  if (r.namespace) ref.namespace = r.namespace;
  if (r.name) ref.name = r.name;
  const read = outcome.kind === 'allow' || outcome.kind === 'admission-deny';
  if (read && r.uid) ref.uid = r.uid;
  if (r.group) ref.apiGroup = r.group;
  ref.apiVersion = r.version ?? 'v1';
  if (read && r.resourceVersion) ref.resourceVersion = r.resourceVersion;
  if (r.subresource) ref.subresource = r.subresource;
  return ref;
}

/** Go's %q for the ASCII text of names and users: the same as a JSON string. */
function q(s: string): string {
  return JSON.stringify(s);
}

function qualifiedResource(r: ApiRequest): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** The name the authorizer sees: none on create (it is in the body). */
function attributeName(r: ApiRequest): string {
  return r.verb === 'create' && !r.subresource ? '' : (r.name ?? '');
}

/**
 * responsewriters.ForbiddenStatusError: `User "u" cannot <verb> resource "<res>[/<sub>]" in API group "<g>"
 * in the namespace "<ns>"` (or `at the cluster scope`), then `: <reason>` when the authorizer gave one.
 */
export function forbiddenText(username: string, r: ApiRequest, reason: string): string {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace ${q(r.namespace)}` : 'at the cluster scope';
  const text = `User ${q(username)} cannot ${r.verb} resource ${q(resource)} in API group ${q(r.group ?? '')} ${scope}`;
  return reason ? `${text}: ${reason}` : text;
}

/** apierrors.NewForbidden: `<resource>[.<group>] ["<name>" ]is forbidden: <err>`. */
export function forbiddenMessage(r: ApiRequest, err: string): string {
  const name = attributeName(r);
  return name ? `${qualifiedResource(r)} ${q(name)} is forbidden: ${err}` : `${qualifiedResource(r)} is forbidden: ${err}`;
}

function details(r: ApiRequest): Record<string, string> {
  const d: Record<string, string> = {};
  const name = attributeName(r);
  if (name) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.resource;
  return d;
}

function responseStatus(username: string, r: ApiRequest, o: Outcome): Record<string, unknown> {
  switch (o.kind) {
    case 'allow':
      return o.status ? { metadata: {}, status: o.status, code: o.code } : { metadata: {}, code: o.code };
    case 'not-found':
      return {
        metadata: {}, status: 'Failure', message: `${qualifiedResource(r)} ${q(r.name ?? '')} not found`,
        reason: 'NotFound', details: details(r), code: 404,
      };
    case 'forbid':
      return {
        metadata: {}, status: 'Failure', message: forbiddenMessage(r, forbiddenText(username, r, o.reason)),
        reason: 'Forbidden', details: details(r), code: 403,
      };
    case 'admission-deny':
      return {
        metadata: {}, status: 'Failure', message: forbiddenMessage(r, o.error),
        reason: 'Forbidden', details: details(r), code: 403,
      };
  }
}

function annotations(o: Outcome, more: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const base: Record<string, string> = {
    [DECISION]: o.kind === 'forbid' ? 'forbid' : 'allow',
    [REASON]: o.reason,
  };
  if (!more) return base;
  // Go marshals the annotations map with its keys sorted.
  const all: Record<string, string> = { ...base, ...more };
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(all).sort()) sorted[k] = all[k] as string;
  return sorted;
}
