import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { str } from '../../model/identity';
import { classifyNodeDenial, isForbiddenHead } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';

/** Distinct objects remembered per finding; beyond this we only say "at least". */
const MAX_OBJECTS = 1000;

/**
 * The Node authorizer lets a kubelet read a secret, configmap, PVC, PV or volume attachment only through a
 * pod bound to that node (graph node <- pod <- secret ...). A denial means the kubelet asked for something no
 * pod of its own references: a stale reference it keeps retrying (volumes of a pod that moved), or a node
 * credential used to look around. Many distinct objects, secrets above all, point to the second.
 */
export const nodeUnrelatedObjectAccess: Rule = {
  id: 'node-unrelated-object-access',
  severity: 'high',
  title: 'Node asked for objects unrelated to its pods',
  description:
    "The Node authorizer refused a node access to an object that no pod on that node references ('no relationship found between node ... and this object'): a stale binding the kubelet keeps retrying, or a stolen node credential probing secrets.",
  remediation:
    'Find which pod or volume references the object and where it is scheduled; if nothing on the node should need it, treat the node credential as compromised.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
  ],
  needs: {
    stream: 'audit',
    filter:
      'responseStatus.code = 403 and user.username like /^system:node:/' +
      ' and (`annotations.authorization.k8s.io/reason` like /no relationship found between node/ or responseStatus.message like /no relationship found between node/)',
    keys: ['user.username', 'objectRef.resource', 'objectRef.namespace', 'verb'],
  },
  create() {
    const seen = new Map<string, Set<string>>();
    return {
      wantsAudit: isForbiddenHead,
      onAudit(record, emit) {
        const e = record.event;
        const d = classifyNodeDenial(e);
        if (d?.kind !== 'unrelated-object') return;
        const key = `${d.node}\u0000${d.resource}`;
        let objects = seen.get(key);
        if (!objects) seen.set(key, (objects = new Set()));
        const name = `${str(e.objectRef?.namespace) ?? ''}/${str(e.objectRef?.name) ?? ''}`;
        const fresh = objects.size < MAX_OBJECTS && !objects.has(name);
        if (fresh) objects.add(name);
        const n = record.aggregate?.count ?? 1;
        emit({
          subject: { node: d.node, resource: d.resource },
          evidence: auditEvidence(record),
          tally: { objects: fresh ? 1 : 0, [str(e.verb) ?? 'unknown']: n },
        });
      },
    };
  },
  describe(g) {
    const { node, resource } = g.subject;
    const objects = g.tally['objects'] ?? 0;
    const many = objects >= 5 || resource === 'secrets';
    return {
      message:
        `The Node authorizer refused node ${node} ${g.count} time(s) on ${resource} (${tallyText(g.tally, ['objects'])})${timeSpan(g.firstSeen, g.lastSeen)}, ` +
        `${objects >= MAX_OBJECTS ? 'at least ' : ''}${objects} distinct object(s): no pod on that node references them. ` +
        (many
          ? 'Many objects, or secrets, can mean a node credential is being used to probe the cluster; a stale reference the kubelet retries is the benign explanation. '
          : 'Usually a stale reference the kubelet keeps retrying (a volume or pod that moved), which can block volume attach/detach. ') +
        'Certain: the API server refused; the cause is an inference.',
      remediation:
        `Check the objects in the evidence: which pods reference them and where those pods run (kubectl get pods -A -o wide). ` +
        `If a pod or volume on ${node} should need them, look for a stuck VolumeAttachment or a pod stuck terminating. ` +
        `If nothing on ${node} should, treat its credential as stolen: cordon and replace the node and review what else it requested.`,
    };
  },
};
