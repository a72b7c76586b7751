/**
 * Requests by control-plane components, EKS's own managers, service accounts and people, and the writes of
 * the aws-auth ConfigMap (logged by EKS at RequestResponse, so the mapRoles text is in the event).
 */
import type { Rng } from './prng';
import type { Micros } from './time';
import { isoSeconds } from './time';
import type { AuditEventJson, Caller, ServiceAccountToken } from './audit-event';
import { allow, auditEvent, certificateUser, rbacAllowed, serviceAccountUser } from './audit-event';

interface Base {
  readonly rng: Rng;
  readonly time: Micros;
}

export type LeaderElector = 'kube-controller-manager' | 'kube-scheduler';

/**
 * The active kube-controller-manager / kube-scheduler renewing its leader-election Lease in kube-system
 * (every retry period, 2 s by default). Their leader-election client tags its User-Agent.
 */
export function leaderElectionRenew(
  p: Base & {
    readonly component: LeaderElector;
    /** e.g. `v1.31.4` and the build's short commit. */
    readonly version: string;
    readonly build: string;
    readonly sourceIP: string;
    readonly leaseUid: string;
    readonly resourceVersion: string;
  },
): AuditEventJson {
  const username = `system:${p.component}`;
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Metadata',
    caller: {
      user: certificateUser(username),
      sourceIP: p.sourceIP,
      userAgent: `${p.component}/${p.version} (linux/amd64) kubernetes/${p.build}/leader-election`,
    },
    request: {
      verb: 'update', resource: 'leases', group: 'coordination.k8s.io', namespace: 'kube-system', name: p.component,
      query: 'timeout=5s', uid: p.leaseUid, resourceVersion: p.resourceVersion,
    },
    outcome: allow(200, rbacAllowed({ binding: username, role: username, subjectKind: 'User', subject: username })),
  });
}

/** A pod's service account (coredns, kube-proxy, aws-node ...) re-opening a watch when the last one timed out. */
export function serviceAccountWatch(
  p: Base & {
    readonly token: ServiceAccountToken;
    readonly sourceIP: string;
    readonly userAgent: string;
    readonly resource: string;
    readonly group?: string;
    readonly namespace?: string;
    readonly resourceVersion: string;
    /** The RBAC allow reason (see rbacAllowed). */
    readonly reason: string;
  },
): AuditEventJson {
  const seconds = 300 + p.rng.int(300);
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Metadata',
    caller: { user: serviceAccountUser(p.token), sourceIP: p.sourceIP, userAgent: p.userAgent },
    request: {
      verb: 'watch', resource: p.resource, group: p.group, namespace: p.namespace,
      query:
        `allowWatchBookmarks=true&resourceVersion=${p.resourceVersion}` +
        `&timeout=${Math.floor(seconds / 60)}m${seconds % 60}s&timeoutSeconds=${seconds}&watch=true`,
    },
    outcome: allow(200, p.reason),
  });
}

/** One aws-auth mapRoles entry. */
export interface RoleMapping {
  readonly rolearn: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * mapRoles as eksctl and the EKS node manager write it: a YAML list, keys sorted, list items at the
 * indentation of the parent key. Written by hand (not by a YAML library) so the text is stable.
 */
export function mapRolesYaml(entries: readonly RoleMapping[]): string {
  let out = '';
  for (const e of entries) {
    out += '- groups:\n';
    for (const g of e.groups) out += `  - ${g}\n`;
    out += `  rolearn: ${e.rolearn}\n  username: ${e.username}\n`;
  }
  return out;
}

export interface AwsAuthState {
  readonly uid: string;
  /** resourceVersion before and after the write. */
  readonly resourceVersion: string;
  readonly nextResourceVersion: string;
  readonly created: Micros;
}

/** A write of ConfigMap kube-system/aws-auth. */
export interface AwsAuthWrite extends Base {
  readonly caller: Caller;
  readonly mapRoles: string;
  readonly mapUsers?: string;
  readonly state: AwsAuthState;
  /** The field manager recorded in managedFields (kubectl-edit, eksctl, vpcLambda ...). */
  readonly manager: string;
  /** The RBAC reason; '' for system:masters. */
  readonly reason: string;
  readonly query?: string;
}

function awsAuthData(w: AwsAuthWrite): Record<string, string> {
  return w.mapUsers === undefined ? { mapRoles: w.mapRoles } : { mapRoles: w.mapRoles, mapUsers: w.mapUsers };
}

function storedConfigMap(w: AwsAuthWrite): Record<string, unknown> {
  return {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: {
      name: 'aws-auth', namespace: 'kube-system', uid: w.state.uid, resourceVersion: w.state.nextResourceVersion,
      creationTimestamp: isoSeconds(w.state.created),
      managedFields: [
        {
          manager: w.manager, operation: 'Update', apiVersion: 'v1', time: isoSeconds(w.time), fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': w.mapUsers === undefined ? { '.': {}, 'f:mapRoles': {} } : { '.': {}, 'f:mapRoles': {}, 'f:mapUsers': {} } },
        },
      ],
    },
    data: awsAuthData(w),
  };
}

/** `kubectl replace` / eksctl: an update that carries the whole ConfigMap. */
export function awsAuthUpdate(w: AwsAuthWrite): AuditEventJson {
  return auditEvent({
    rng: w.rng,
    time: w.time,
    level: 'RequestResponse',
    caller: w.caller,
    request: {
      verb: 'update', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', query: w.query,
      uid: w.state.uid, resourceVersion: w.state.resourceVersion,
    },
    outcome: allow(200, w.reason),
    requestObject: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: {
        name: 'aws-auth', namespace: 'kube-system', uid: w.state.uid, resourceVersion: w.state.resourceVersion,
        creationTimestamp: isoSeconds(w.state.created),
      },
      data: awsAuthData(w),
    },
    responseObject: storedConfigMap(w),
  });
}

/** `kubectl edit` / the EKS node manager: a merge patch whose body is only the changed data keys. */
export function awsAuthPatch(w: AwsAuthWrite): AuditEventJson {
  return auditEvent({
    rng: w.rng,
    time: w.time,
    level: 'RequestResponse',
    caller: w.caller,
    request: { verb: 'patch', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', query: w.query },
    outcome: allow(200, w.reason),
    requestObject: { data: awsAuthData(w) },
    responseObject: storedConfigMap(w),
  });
}

/**
 * `kubectl patch --type json`: RFC 6902 operations on /data/mapRoles. With `before`, a `test` operation first
 * proves what mapRoles held (kubectl sends what it is given; scripts that guard their change do this).
 */
export function awsAuthJsonPatch(w: AwsAuthWrite & { readonly before?: string }): AuditEventJson {
  const ops: unknown[] = [];
  if (w.before !== undefined) ops.push({ op: 'test', path: '/data/mapRoles', value: w.before });
  ops.push({ op: 'replace', path: '/data/mapRoles', value: w.mapRoles });
  return auditEvent({
    rng: w.rng,
    time: w.time,
    level: 'RequestResponse',
    caller: w.caller,
    request: { verb: 'patch', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', query: w.query },
    outcome: allow(200, w.reason),
    requestObject: ops,
    responseObject: storedConfigMap(w),
  });
}

/**
 * `kubectl apply --server-side`: a patch whose body is the whole intended object (apiVersion, kind, metadata,
 * data) and whose query names the field manager.
 */
export function awsAuthApply(w: AwsAuthWrite): AuditEventJson {
  return auditEvent({
    rng: w.rng,
    time: w.time,
    level: 'RequestResponse',
    caller: w.caller,
    request: {
      verb: 'patch', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth',
      query: w.query ?? `fieldManager=${encodeURIComponent(w.manager)}&force=true`,
    },
    outcome: allow(200, w.reason),
    requestObject: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: awsAuthData(w) },
    responseObject: storedConfigMap(w),
  });
}
