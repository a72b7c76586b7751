import type { AuditEvent } from '../../model/records';
import { str, strArray } from '../../model/identity';

/**
 * What a request was about, for anonymous-request-allowed and forbidden-burst: a resource
 * (`resource[/subresource]`, objectRef) or, for non-resource requests (no objectRef: /healthz, /version,
 * /metrics, a scanner's /.env), the URL path without its query string.
 */
export type RequestTarget = { readonly kind: 'resource'; readonly value: string } | { readonly kind: 'path'; readonly value: string };

export function requestTarget(e: AuditEvent): RequestTarget | undefined {
  // Tolerates `objectRef: null` (seen in exported logs) as well as a missing one.
  const ref = e.objectRef ?? undefined;
  const resource = str(ref?.resource);
  if (resource) {
    const sub = str(ref?.subresource);
    return { kind: 'resource', value: sub ? `${resource}/${sub}` : resource };
  }
  const uri = str(e.requestURI);
  if (uri === undefined || uri === '') return undefined;
  const q = uri.indexOf('?');
  return { kind: 'path', value: q < 0 ? uri : uri.slice(0, q) };
}

/**
 * The address the client cannot choose: the last of sourceIPs. The API server lists the X-Forwarded-For
 * addresses first, then X-Real-Ip, then the connection's remote address, and "all but the last IP can be
 * arbitrarily set by the client" (audit.k8s.io/v1 Event.sourceIPs). Keying on the first would let a prober hide
 * behind a new forged header on every request.
 */
export function sourceIP(e: AuditEvent): string | undefined {
  const ips = strArray(e.sourceIPs);
  return ips[ips.length - 1];
}

/** The addresses before the last: claimed by the client (X-Forwarded-For, X-Real-Ip), not verified. */
export function claimedSourceIPs(e: AuditEvent): string[] {
  return strArray(e.sourceIPs).slice(0, -1);
}

/**
 * The endpoints Kubernetes lets anyone read: ClusterRole system:public-info-viewer grants `get` on /livez,
 * /readyz, /healthz, /version and /version/ to system:authenticated and system:unauthenticated
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy). Their sub-paths (/readyz/etcd, /livez/ping) are the
 * same health checks. A segment may not start with a dot, so `/healthz/../api` is never taken for one.
 */
const PUBLIC_INFO_PATH = /^\/(?:healthz|livez|readyz|version)(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\/?$/;

export function isPublicInfoPath(path: string): boolean {
  return PUBLIC_INFO_PATH.test(path);
}

/** The same test for Logs Insights, on requestURI (which keeps its query string). */
export const PUBLIC_INFO_URI_INSIGHTS = '/^\\/(healthz|livez|readyz|version)(\\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\\/?(\\?|$)/';
