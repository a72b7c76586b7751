import type { AuditEvent } from './records';

/**
 * Who is a node. The Node authorizer and NodeRestriction treat a request as a node's only when the
 * username starts with `system:node:` AND the groups include `system:nodes`
 * (k8s.io/apiserver/pkg/authentication/user and plugin/pkg/auth/authorizer/node).
 */
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const MASTERS_GROUP = 'system:masters';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function username(e: AuditEvent): string | undefined {
  return str(e.user?.username);
}

export function groups(e: AuditEvent): string[] {
  return strArray(e.user?.groups);
}

/**
 * A node credential: something that acts as a kubelet, whether or not the API server recognizes it.
 * Bootstrap tokens and service accounts are never node credentials (they legitimately lack a node name).
 */
export function isNodeCredential(e: AuditEvent): boolean {
  const u = username(e) ?? '';
  if (u.startsWith('system:bootstrap:') || u.startsWith('system:serviceaccount:')) return false;
  if (u.startsWith(NODE_USER_PREFIX)) return true;
  if (groups(e).includes(NODES_GROUP)) return true;
  const ua = str(e.userAgent) ?? '';
  return ua.startsWith('kubelet/');
}

/** A recognized node identity: the Node authorizer will judge it (username system:node:<name> AND group system:nodes). */
export function isRecognizedNode(e: AuditEvent): boolean {
  const u = username(e) ?? '';
  return u.startsWith(NODE_USER_PREFIX) && u.length > NODE_USER_PREFIX.length && groups(e).includes(NODES_GROUP);
}

/** The node name of a `system:node:<name>` username, else undefined. */
export function nodeName(e: AuditEvent): string | undefined {
  const u = username(e) ?? '';
  return u.startsWith(NODE_USER_PREFIX) && u.length > NODE_USER_PREFIX.length ? u.slice(NODE_USER_PREFIX.length) : undefined;
}

/** The IAM role behind an aws-iam-authenticator identity (user.extra.canonicalArn), when present. */
export function canonicalArn(e: AuditEvent): string | undefined {
  const extra = e.user?.extra;
  if (!extra || typeof extra !== 'object') return undefined;
  const v = (extra as Record<string, unknown>)['canonicalArn'];
  const arr = strArray(v);
  return arr[0] ?? str(v);
}
