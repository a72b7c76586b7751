import type { AuditEvent, AuditHead, NodeDenialRecord } from '../../model/records';
import { authzReason, decision, isForbidden, statusMessage } from '../../model/audit';
import { isNodeCredential, isRecognizedNode, NODE_USER_PREFIX, nodeName, str } from '../../model/identity';

/**
 * One place that decides what kind of 403 a node got, so the node rules cannot disagree:
 * node-unrelated-object-access, node-name-mismatch, node-restriction-denied and node-forbidden-other
 * each take exactly one kind, and node-forbidden-other leaves node-lease-forbidden's kind alone.
 *
 * Strings are Kubernetes' own (checked in kubernetes/kubernetes):
 * - Node authorizer, plugin/pkg/auth/authorizer/node/node_authorizer.go: its reason goes to the
 *   `authorization.k8s.io/reason` annotation and, after `: `, to responseStatus.message. Older releases
 *   formatted node names with %q (double quotes) instead of '%s'.
 * - NodeRestriction, plugin/pkg/admission/noderestriction/admission.go: admission errors wrapped by
 *   admission.NewForbidden -> apierrors.NewForbidden, so the message is
 *   `<resource> "<name>" is forbidden: <detail>` while the decision annotation stays `allow`.
 */

export type NodeDenialKind = 'unrelated-object' | 'name-mismatch' | 'node-restriction' | 'lease' | 'other';

export interface NodeDenial {
  readonly kind: NodeDenialKind;
  /** The requesting node, from its system:node:<name> username. */
  readonly node: string;
  /** `resource[/subresource]`, or the URL path of a non-resource request. */
  readonly resource: string;
  /** name-mismatch: the name the node tried to use. */
  readonly object?: string;
  /** name-mismatch: which check caught it; node-restriction: what the node tried to change. */
  readonly detail?: string;
}

/** RuleRun.wantsAudit of the rules built on this file: each acts only on a 403. */
export function isForbiddenHead(head: AuditHead): boolean {
  return isForbidden(head);
}

const LEASE_VERBS = new Set(['get', 'create', 'update', 'patch']);

/**
 * A node credential refused on its heartbeat Lease: node-lease-forbidden's kind. Exported so that rule
 * and node-forbidden-other use the same test.
 */
export function isNodeLeaseDenial(e: AuditEvent): boolean {
  const ref = e.objectRef;
  return (
    ref?.resource === 'leases' &&
    ref.namespace === 'kube-node-lease' &&
    LEASE_VERBS.has(str(e.verb) ?? '') &&
    isForbidden(e) &&
    isNodeCredential(e)
  );
}

// node_authorizer.go authorize()/authorizeCreateToken(): "no relationship found between node '%s' and this object";
// before 1.11 the reason was "no path found to object". The API server's own NODE DENY line gives the graph error
// instead: "... cannot get unknown pv ...", "unknown node '%s' cannot get ...", "... no relationship to this object was found".
const UNRELATED = /no relationship found between node ['"]|no path found to object/;
const UNRELATED_GRAPH = /cannot \S+ unknown \S+ |^unknown node ['"]|no relationship to this object was found|not in the Node authorizer's graph/;

// Name checks. Lease and CSINode: node_authorizer.go authorizeLease/authorizeCSINode (get/update/patch/delete)
// and admission.go admitLease/admitCSINode (create). Node: admission.go admitNode `node %q is not allowed to
// modify node %q`; node_authorizer.go authorizeNode `node '%s' cannot read '%s', only its own Node object`.
const LEASE_NAME = 'can only access node lease with the same name as the requesting node';
const CSINODE_NAME = 'can only access CSINode with the same name as the requesting node';
const MODIFY_NODE = /node "((?:[^"\\]|\\.)*)" is not allowed to modify node "((?:[^"\\]|\\.)*)"/;
const READ_NODE = /node ['"]([^'"]*)['"] cannot read ['"]([^'"]*)['"], only its own Node object/;
// apierrors.NewForbidden: `<resource> "<name>" is forbidden: ...`.
const FORBIDDEN_NAME = /^\S+ "((?:[^"\\]|\\.)*)" is forbidden: /;

/** NodeRestriction messages from admission.go, by what the node tried to change. First match wins. */
const RESTRICTIONS: readonly (readonly [string, RegExp])[] = [
  ['taints', /is not allowed to modify taints/],
  ['labels', /is not allowed to modify labels: |is not allowed to set the following labels: /],
  ['config source', /configSource/],
  [
    'pods',
    /can only (?:create|delete|evict) pods|can only create (?:and delete )?mirror pods|can only update pod status|can not create pods that reference|must not set blockOwnerDeletion|UID mismatch: expected|cannot update labels through pod status|cannot update resource claim statu|unexpected pod subresource/,
  ],
  ['tokens', /node requested token|the UID in the bound object reference/],
  ['volume claims', /may only update PVC status|is not allowed to update fields other than status\./],
  ['leases', /can only access leases in the "kube-node-lease" system namespace/],
  ['identity', /could not determine node from user/],
];

/** Classifies a 403 of a recognized node identity; undefined for anything else. */
export function classifyNodeDenial(e: AuditEvent): NodeDenial | undefined {
  if (!isForbidden(e) || !isRecognizedNode(e)) return undefined;
  const node = nodeName(e) ?? '';
  const resource = resourceOf(e);
  const reason = authzReason(e) ?? '';
  const message = statusMessage(e) ?? '';
  const text = `${reason}\n${message}`;

  if (UNRELATED.test(text)) return { kind: 'unrelated-object', node, resource };

  const mismatch = nameMismatch(e, text, message);
  if (mismatch) return { kind: 'name-mismatch', node, resource, ...mismatch };

  // Admission runs only after authorization allowed the request: a `forbid` decision is never NodeRestriction.
  if (decision(e) !== 'forbid') {
    for (const [detail, pattern] of RESTRICTIONS) {
      if (pattern.test(message)) return { kind: 'node-restriction', node, resource, detail };
    }
  }

  if (isNodeLeaseDenial(e)) return { kind: 'lease', node, resource };
  return { kind: 'other', node, resource };
}

function nameMismatch(e: AuditEvent, text: string, message: string): { object: string; detail: string } | undefined {
  const modify = MODIFY_NODE.exec(message);
  if (modify) return { object: modify[2] ?? '', detail: 'node' };
  const read = READ_NODE.exec(text);
  if (read) return { object: read[2] ?? '', detail: 'node read' };
  if (text.includes(LEASE_NAME)) return { object: objectName(e, message), detail: 'lease' };
  if (text.includes(CSINODE_NAME)) return { object: objectName(e, message), detail: 'CSINode' };
  return undefined;
}

/** The object's name: objectRef.name (the audit layer fills it in on create too), else the forbidden message. */
function objectName(e: AuditEvent, message: string): string {
  const name = str(e.objectRef?.name);
  if (name) return name;
  return FORBIDDEN_NAME.exec(message)?.[1] ?? '(unknown)';
}

function resourceOf(e: AuditEvent): string {
  const resource = str(e.objectRef?.resource);
  if (resource) {
    const sub = str(e.objectRef?.subresource);
    return sub ? `${resource}/${sub}` : resource;
  }
  const uri = str(e.requestURI);
  return uri ? uri.split('?')[0] ?? uri : '(unknown)';
}

/**
 * The same classification for a refusal read from a text line (NodeDenialRecord): kube-apiserver's NODE DENY and
 * RBAC DENY lines, or the API error a kubelet printed. Undefined for refusals no node rule reports: an anonymous
 * kubelet (node-kubelet-anonymous) and a credential that is no node at all (node-identity-unrecognized).
 */
export function classifyDenialRecord(r: NodeDenialRecord): NodeDenial | undefined {
  const user = textOf(r.user);
  if (!user.startsWith(NODE_USER_PREFIX) || user.length === NODE_USER_PREFIX.length) {
    // A kubelet whose credential is not a node still loses its lease: node-lease-forbidden says so.
    if (isLeaseText(r) && user !== ANONYMOUS) return { kind: 'lease', node: textOf(r.node) || '(unknown)', resource: 'leases' };
    return undefined;
  }
  const node = user.slice(NODE_USER_PREFIX.length);
  const resource = textOf(r.resource) || '(unknown)';
  const reason = textOf(r.reason);
  if (UNRELATED.test(reason) || (r.by === 'node-authorizer' && UNRELATED_GRAPH.test(reason))) {
    return { kind: 'unrelated-object', node, resource };
  }
  const modify = MODIFY_NODE.exec(reason);
  if (modify) return { kind: 'name-mismatch', node, resource, object: modify[2] ?? '', detail: 'node' };
  const read = READ_NODE.exec(reason);
  if (read) return { kind: 'name-mismatch', node, resource, object: read[2] ?? '', detail: 'node read' };
  if (reason.includes(LEASE_NAME)) return { kind: 'name-mismatch', node, resource, object: textOf(r.name) || '(unknown)', detail: 'lease' };
  if (reason.includes(CSINODE_NAME)) return { kind: 'name-mismatch', node, resource, object: textOf(r.name) || '(unknown)', detail: 'CSINode' };
  if (r.by === 'node-restriction') {
    for (const [detail, pattern] of RESTRICTIONS) if (pattern.test(reason)) return { kind: 'node-restriction', node, resource, detail };
    return { kind: 'node-restriction', node, resource, detail: 'other' };
  }
  if (isLeaseText(r)) return { kind: 'lease', node, resource };
  return { kind: 'other', node, resource };
}

const ANONYMOUS = 'system:anonymous';

function isLeaseText(r: NodeDenialRecord): boolean {
  return textOf(r.resource) === 'leases' && textOf(r.namespace) === 'kube-node-lease' && LEASE_VERBS.has(textOf(r.verb));
}

/** A field of a text record as a string ('' when absent or not a string: records are built from hostile text). */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
