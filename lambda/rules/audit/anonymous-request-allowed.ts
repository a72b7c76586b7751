import type { Rule } from '../../model/rule';
import type { AuditEvent } from '../../model/records';
import { auditEvidence, authzReason, decision, statusCode } from '../../model/audit';
import { groups, str, username } from '../../model/identity';
import { isPublicInfoPath, PUBLIC_INFO_URI_INSIGHTS, requestTarget, sourceIP } from '../support/request-target';
import { tallyText, timeSpan } from '../support/node-mapping';

const ANONYMOUS = 'system:anonymous';
const UNAUTHENTICATED = 'system:unauthenticated';

/** A Kubernetes object name (DNS subdomain), the only thing allowed into a printed kubectl command. */
const K8S_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
// `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to Group "g"`; a RoleBinding prints "name/namespace".
const RBAC_ALLOW = /^RBAC: allowed by (ClusterRoleBinding|RoleBinding) "([^"]*)" of (?:ClusterRole|Role) "([^"]*)" to (\w+) "([^"]*)"/;

function isAnonymous(e: AuditEvent): boolean {
  return username(e) === ANONYMOUS || groups(e).includes(UNAUTHENTICATED);
}

/** Authorized: the decision annotation says allow; when a truncated event lost it, a success code stands in. */
function isAllowed(e: AuditEvent): boolean {
  const d = decision(e);
  if (d !== undefined) return d === 'allow';
  const code = statusCode(e);
  return code !== undefined && code >= 200 && code < 400;
}

/**
 * Anyone who can reach the API endpoint is `system:anonymous` (group system:unauthenticated) when they send
 * no credentials. Kubernetes grants them the health and version endpoints and nothing else; anything more
 * was granted by a binding someone added (or by an authorizer that allows everything), and is open to the
 * internet when the endpoint is public. Health checks by load balancers and probes are the benign look-alike.
 */
export const anonymousRequestAllowed: Rule = {
  id: 'anonymous-request-allowed',
  severity: 'high',
  title: 'Unauthenticated request allowed beyond health and version',
  description:
    'system:anonymous (group system:unauthenticated) was authorized for something other than the public health and version endpoints (/healthz, /livez, /readyz, /version and their sub-paths): ' +
    'anyone who can reach the API endpoint can do the same without credentials.',
  remediation:
    'Delete the (Cluster)RoleBinding that grants system:anonymous or system:unauthenticated more than system:public-info-viewer, and restrict who can reach the public endpoint (publicAccessCidrs, or a private endpoint).',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles',
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
  ],
  needs: {
    stream: 'audit',
    filter:
      `(user.username = '${ANONYMOUS}' or @message like /"${UNAUTHENTICATED}"/) and \`annotations.authorization.k8s.io/decision\` = 'allow'` +
      ` and requestURI not like ${PUBLIC_INFO_URI_INSIGHTS}`,
    // Not requestURI: the keys of all audit rules are grouped by together, and request URIs (names, resource
    // versions, timeouts) would split every other rule's rows. A non-resource row keeps its earliest and latest
    // path, which is enough to see that something beyond health checks was allowed.
    // Nor sourceIPs.0: it would split the node traffic other rules count into one row per node.
    keys: ['user.username', 'verb', 'objectRef.resource', 'objectRef.subresource', 'objectRef.namespace'],
  },
  // One grant (the authorizer's reason names the binding) is one cause, whatever it let through.
  incident: { cause: 'rbac-grant', by: 'reason' },
  create() {
    return {
      // The fast path's contract (RuleRun.wantsAudit): the decision is not in the head, the identity is.
      wantsAudit: (head) => isAnonymous(head),
      onAudit(record, emit) {
        const e = record.event;
        if (!isAnonymous(e) || !isAllowed(e)) return;
        const target = requestTarget(e);
        if (!target || (target.kind === 'path' && isPublicInfoPath(target.value))) return;
        const facts: Record<string, string> = {};
        const reason = authzReason(e);
        if (reason) facts['reason'] = reason;
        const ip = sourceIP(e);
        if (ip) facts['sourceIP'] = ip;
        const ua = str(e.userAgent);
        if (ua) facts['userAgent'] = ua;
        emit({
          subject: { username: username(e) ?? ANONYMOUS, [target.kind]: target.value },
          evidence: auditEvidence(record),
          tally: { [str(e.verb) ?? 'unknown']: record.aggregate?.count ?? 1 },
          facts,
        });
      },
    };
  },
  describe(g) {
    const what = g.subject['resource'] ? `resource ${g.subject['resource']}` : `path ${g.subject['path'] ?? '(unknown)'}`;
    const from = g.facts['sourceIP'] ? ` from ${g.facts['sourceIP']}${g.facts['userAgent'] ? ` (${g.facts['userAgent']})` : ''}` : '';
    const rbac = RBAC_ALLOW.exec(g.facts['reason'] ?? '');
    let grant: string;
    let fix: string;
    if (rbac) {
      const [, kind, binding, role, subjectKind, subject] = rbac;
      const [name, namespace] = kind === 'RoleBinding' ? (binding ?? '').split('/') : [binding, undefined];
      grant = `RBAC allowed it through ${kind} "${binding}" (${kind === 'RoleBinding' ? 'Role' : 'ClusterRole'} "${role}") bound to ${subjectKind} "${subject}".`;
      // Names come from the log: only a valid Kubernetes name goes into a command line.
      const safe = (v: string | undefined): string | undefined => (v && K8S_NAME.test(v) ? v : undefined);
      fix = `kubectl delete ${kind === 'RoleBinding' ? `rolebinding ${safe(name) ?? '<name>'} -n ${safe(namespace) ?? '<namespace>'}` : `clusterrolebinding ${safe(name) ?? '<name>'}`} ` +
        `(or remove the ${subject} subject from it).`;
    } else {
      grant = 'No RBAC reason was recorded: another authorizer (a webhook, or AlwaysAllow on a self-managed API server) allowed it.';
      fix = 'Find the authorizer that allows anonymous requests (the authorization webhook, or --authorization-mode) and make it refuse system:anonymous.';
    }
    return {
      message:
        `An unauthenticated caller (${g.subject['username']}) was allowed ${tallyText(g.tally)} on ${what} ${g.count} time(s)${timeSpan(g.firstSeen, g.lastSeen)}${from}. ` +
        `Kubernetes grants unauthenticated callers only /healthz, /livez, /readyz and /version (ClusterRole system:public-info-viewer); ${grant} ` +
        'Anyone who can reach the API endpoint can do the same without credentials, from the internet if the endpoint is public. Certain: the API server authorized it.',
      remediation:
        `${fix} List every grant to anonymous callers with kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)' ` +
        'and keep only system:public-info-viewer. Also limit who can reach the endpoint: aws eks update-cluster-config --name <cluster-name> ' +
        '--resources-vpc-config endpointPublicAccess=true,publicAccessCidrs="<your CIDRs>" (or endpointPrivateAccess=true,endpointPublicAccess=false).',
    };
  },
};
