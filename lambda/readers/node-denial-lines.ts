import type { NodeDenialRecord } from '../model/records';
import { goUnquote } from './text';
import { isMultiComponent } from '../model/program';

/**
 * The text of a node's refusal, out of one klog message (the part after the `] ` of its header). Three kinds
 * of line carry one, in the API server's and the kubelet's own words (Kubernetes source, checked):
 * - kube-apiserver, Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go, at verbosity 2):
 *   `"NODE DENY" err="node 'N' cannot get unknown pv /NAME"`, `... cannot get pv NS/NAME, no relationship to this
 *   object was found in the node authorizer graph`, `unknown node 'N' cannot get ...` (older releases: `NODE DENY:`
 *   with the same error, node names in double quotes), `NODE DENY: unknown node for user "U"` and
 *   `NODE DENY: 'N' &authorizer.AttributesRecord{...Verb:"get", Namespace:"ns", ...}`;
 * - kube-apiserver, RBAC (plugin/pkg/auth/authorizer/rbac/rbac.go): `RBAC DENY: user "U" groups ["g" ...] cannot
 *   "VERB" resource "RES" named "NAME" cluster-wide` (or `in namespace "NS"`), and since 1.8, at verbosity 5,
 *   `RBAC: no rules authorize user "U" with groups ["g"] to "VERB" resource "RES.GROUP/SUB" named "NAME" ...`;
 * - a kubelet printing the API error it got (apierrors.NewForbidden):
 *   `leases.coordination.k8s.io "N" is forbidden: User "U" cannot get resource "leases" in API group
 *   "coordination.k8s.io" in the namespace "kube-node-lease"[: REASON]` (before 1.11: `cannot get leases in the
 *   namespace "NS"`), or a NodeRestriction refusal `nodes "X" is forbidden: node "Y" is not allowed to modify node "X"`.
 *   Structured kubelet lines quote the error inside `err="..."`.
 * A kubelet line is taken only when it is about a node (see isKubeletDenial): controllers print the same API
 * errors about themselves.
 */

export type NodeDenialFields = Omit<NodeDenialRecord, 'kind' | 'origin' | 'aggregate' | 'time'>;

/** What the framing knows about the line: the program that printed it, when a prefix named one. */
export interface LineContext {
  /** `kubelet`, `kube-apiserver`, `hyperkube`, ... from a journald identifier or a CloudWatch stream, if known. */
  readonly program?: string;
  /** The host of a journald line: for a kubelet, usually its node's name. */
  readonly host?: string;
}

const NODE_USER = 'system:node:';

// The graph's vertex type names (node/graph.go vertexTypes) and the resources they stand for.
const VERTEX_RESOURCES: Readonly<Record<string, string>> = {
  configmap: 'configmaps',
  node: 'nodes',
  pod: 'pods',
  pvc: 'persistentvolumeclaims',
  pv: 'persistentvolumes',
  resourceclaim: 'resourceclaims',
  resourceslice: 'resourceslices',
  secret: 'secrets',
  serviceAccount: 'serviceaccounts',
  volumeattachment: 'volumeattachments',
};

/** Reads `message` (a klog message, header removed); undefined when it is no node's refusal. */
export function parseNodeDenial(message: string, context: LineContext = {}): NodeDenialFields | undefined {
  if (message.startsWith('"NODE DENY"') || message.startsWith('NODE DENY:')) return nodeDeny(message);
  if (message.startsWith('RBAC DENY: ') || message.startsWith('RBAC: no rules authorize user ')) return rbacDeny(message);
  if (message.includes('is forbidden: ')) return kubeletDenial(message, context);
  return undefined;
}

// ---- kube-apiserver: Node authorizer ----

// `node 'N' cannot get unknown pv NS/NAME`, `unknown node 'N' cannot get pv NS/NAME`,
// `node 'N' cannot get pv NS/NAME, no relationship to this object was found in the node authorizer graph`.
const GRAPH_ERROR = /^(unknown )?node ['"]([^'"]*)['"] cannot (\S+) (unknown )?(\S+) ([^\s,]*)/;
const UNKNOWN_NODE_FOR_USER = /^unknown node for user "((?:[^"\\]|\\.)*)"/;
const ATTRIBUTES = /^['"]([^'"]*)['"] &?authorizer\.AttributesRecord\{/;

function nodeDeny(message: string): NodeDenialFields | undefined {
  const structured = message.startsWith('"NODE DENY"');
  const err = structured ? quotedValue(message, 'err') : message.slice('NODE DENY: '.length);
  if (err === undefined) return undefined;
  const base = { source: 'apiserver' as const, by: 'node-authorizer' as const, text: message };

  const graph = GRAPH_ERROR.exec(err);
  if (graph) {
    const [, unknownNode, node = '', verb = '', unknownObject, vertex = '', path = ''] = graph;
    const slash = path.indexOf('/');
    const namespace = slash > 0 ? path.slice(0, slash) : undefined;
    const name = slash >= 0 ? path.slice(slash + 1) : path;
    return {
      ...base, node, user: `${NODE_USER}${node}`, verb,
      resource: VERTEX_RESOURCES[vertex] ?? vertex,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      reason: unknownNode
        ? `the node is not in the Node authorizer's graph yet: ${err}`
        : unknownObject
          ? `the object is not in the Node authorizer's graph: ${err}`
          : err,
    };
  }
  const unknownUser = UNKNOWN_NODE_FOR_USER.exec(err);
  if (unknownUser) {
    const user = goUnquote(`"${unknownUser[1] ?? ''}"`) ?? unknownUser[1] ?? '';
    return { ...base, user, reason: `unknown node for user "${user}"` };
  }
  const attrs = ATTRIBUTES.exec(err);
  if (attrs) {
    const node = attrs[1] ?? '';
    const field = (key: string): string | undefined => {
      const v = new RegExp(`[{ ]${key}:("(?:[^"\\\\]|\\\\.)*")`).exec(err)?.[1];
      const s = v === undefined ? undefined : goUnquote(v);
      return s === '' ? undefined : s;
    };
    const resource = field('Resource');
    const sub = field('Subresource');
    const namespace = field('Namespace');
    const name = field('Name');
    const verb = field('Verb');
    return {
      ...base, node, user: `${NODE_USER}${node}`,
      ...(verb ? { verb } : {}),
      ...(resource ? { resource: sub ? `${resource}/${sub}` : resource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      reason: 'the Node authorizer refused it (this log line does not say why; the audit log does)',
    };
  }
  return undefined;
}

// ---- kube-apiserver: RBAC ----

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const RBAC_OLD = new RegExp(`^RBAC DENY: user ${QUOTED} groups \\[([^\\]]*)\\] cannot ${QUOTED} (.*)$`);
const RBAC_NEW = new RegExp(`^RBAC: no rules authorize user ${QUOTED} with groups \\[([^\\]]*)\\] to ${QUOTED} (.*)$`);
const RBAC_RESOURCE = new RegExp(`^resource ${QUOTED}(?: named ${QUOTED})? (?:cluster-wide|in namespace ${QUOTED})`);

function rbacDeny(message: string): NodeDenialFields | undefined {
  const m = RBAC_OLD.exec(message) ?? RBAC_NEW.exec(message);
  if (!m) return undefined;
  const user = unq(m[1]);
  const groups = [...(m[2] ?? '').matchAll(new RegExp(QUOTED, 'g'))].map((g) => unq(g[1]));
  // Only a node's refusals: the Node authorizer and NodeRestriction act on system:node:<name> in system:nodes.
  if (!user.startsWith(NODE_USER) && !groups.includes('system:nodes')) return undefined;
  const verb = unq(m[3]);
  const rest = m[4] ?? '';
  const target = RBAC_RESOURCE.exec(rest);
  const node = user.startsWith(NODE_USER) ? user.slice(NODE_USER.length) : undefined;
  const out: NodeDenialFields = {
    source: 'apiserver', by: 'rbac', user, groups, verb, text: message,
    reason: `no RBAC rule allows it (${rest.trim()})`,
    ...(node ? { node } : {}),
  };
  if (!target) return out;
  // The newer form writes `resource.group/subresource`; the older `resource/subresource`.
  const written = unq(target[1]);
  const slash = written.indexOf('/');
  const resourceGroup = slash >= 0 ? written.slice(0, slash) : written;
  const resource = resourceGroup.split('.')[0] ?? resourceGroup;
  const name = target[2] === undefined ? undefined : unq(target[2]);
  const namespace = target[3] === undefined ? undefined : unq(target[3]);
  return {
    ...out,
    resource: slash >= 0 ? `${resource}${written.slice(slash)}` : resource,
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

// ---- kubelet: the API error it received ----

// `<resource>[.<group>] ["<name>"] is forbidden: User "<u>" cannot <verb> resource "<r>" in API group "<g>" <scope>[: <reason>]`,
// and the pre-1.11 `cannot <verb> <resource> in the namespace "<ns>"` / `at the cluster scope`.
const FORBIDDEN = new RegExp(
  `(?:^|[\\s:"])([a-z0-9.-]+)(?: ${QUOTED})? is forbidden: User ${QUOTED} cannot (\\S+) ` +
    `(?:resource ${QUOTED} in API group ${QUOTED}|([a-z0-9/.-]+))` +
    `(?: in the namespace ${QUOTED}| at the cluster scope)?(?:: (.*))?$`,
);
// NodeRestriction (plugin/pkg/admission/noderestriction/admission.go): `nodes "X" is forbidden: node "Y" is not allowed to modify node "X"`.
const RESTRICTED = new RegExp(`(?:^|[\\s:"])([a-z0-9.-]+)(?: ${QUOTED})? is forbidden: (node ${QUOTED} .*)$`);

/** Phrases only a kubelet prints about its own node, lease or certificate. */
const KUBELET_WORDS = /Unable to register node|Failed to ensure lease exists|Failed to update lease|failed to ensure node lease|Error updating node status|Failed to (?:update|get) node|certificate_manager|kubelet-serving|kube-apiserver-client-kubelet|MountVolume|desired_state_of_world|Error processing volume|Unable to attach or mount volumes|csi_plugin|nodeinfomanager|CSINode/;

function kubeletDenial(message: string, context: LineContext): NodeDenialFields | undefined {
  const errText = quotedValue(message, 'err');
  const text = errText ?? message;
  const node = quotedValue(message, 'node');
  const restricted = RESTRICTED.exec(text);
  if (restricted) {
    const detail = restricted[3] ?? '';
    const requester = /^node "((?:[^"\\]|\\.)*)"/.exec(detail)?.[1];
    const object = restricted[2] === undefined ? undefined : unq(restricted[2]);
    const requesterName = requester === undefined ? undefined : unq(requester);
    return {
      source: 'kubelet', by: 'node-restriction', text: message, reason: detail,
      resource: resourceName(restricted[1] ?? ''),
      ...(object ? { name: object } : {}),
      ...(requesterName ? { node: requesterName, user: `${NODE_USER}${requesterName}` } : {}),
    };
  }
  const m = FORBIDDEN.exec(text);
  if (!m) return undefined;
  const [, what = '', nameQ, userQ, verb = '', resQ, , oldResource, nsQ, reason] = m;
  const user = unq(userQ);
  const name = nameQ === undefined ? undefined : unq(nameQ);
  const namespace = nsQ === undefined ? undefined : unq(nsQ);
  const resource = resQ !== undefined ? unq(resQ) : oldResource ? oldResource : resourceName(what);
  const fields: NodeDenialFields = {
    source: 'kubelet',
    user,
    verb,
    resource,
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
    reason: reason ? reason.replace(/"$/, '') : text,
    text: message,
  };
  if (!isKubeletDenial(fields, message, context)) return undefined;
  const nodeName = user.startsWith(NODE_USER)
    ? user.slice(NODE_USER.length)
    : resource === 'leases' && namespace === 'kube-node-lease' && name
      ? name
      : (node ?? (context.program?.toLowerCase() === 'kubelet' ? context.host : undefined));
  return nodeName ? { ...fields, node: nodeName } : fields;
}

/**
 * A refusal about a node: printed by a kubelet (the framing says so), or naming a node credential, the
 * node's Lease, or something only a kubelet does. kube-controller-manager and friends print the same API
 * errors about their own identities; those are not node failures.
 */
function isKubeletDenial(f: NodeDenialFields, message: string, context: LineContext): boolean {
  const program = context.program?.toLowerCase();
  if (program === 'kubelet') return true;
  // A multi-component binary (hyperkube, k3s) may be the kubelet: the content decides.
  if (program !== undefined && program !== '' && !isMultiComponent(program)) return false;
  if (f.user?.startsWith(NODE_USER)) return true;
  if (f.resource === 'leases' && f.namespace === 'kube-node-lease') return true;
  return KUBELET_WORDS.test(message);
}

/** `leases.coordination.k8s.io` -> `leases`; `nodes` -> `nodes`. */
function resourceName(what: string): string {
  return what.split('.')[0] ?? what;
}

/** Unquotes the body of a Go %q string (without its quotes). */
function unq(body: string | undefined): string {
  if (body === undefined) return '';
  return body.includes('\\') ? (goUnquote(`"${body}"`) ?? body) : body;
}

/** The Go-quoted value of ` key="..."` (klog structured logging), unquoted; undefined when absent. */
export function quotedValue(message: string, key: string): string | undefined {
  const at = message.indexOf(` ${key}="`);
  const start = at >= 0 ? at + key.length + 2 : message.startsWith(`${key}="`) ? key.length + 1 : -1;
  if (start < 0) return undefined;
  let i = start + 1;
  while (i < message.length) {
    const c = message.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return goUnquote(message.slice(start, i + 1));
    else i++;
  }
  return undefined;
}
