import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { str } from '../../model/identity';
import { classifyDenialRecord, classifyNodeDenial, isForbiddenHead, textOf } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';
import { denialEvidence, TextDenials } from '../support/text-denials';
import { isNodeGraphSuccessHead, objectKey, StartupRaces } from '../support/startup-race';
import type { Buffered } from '../support/buffered-observation';
import { addRecord, emitBuffered, emptyBuffered } from '../support/buffered-observation';
import { RequestOnce, requestId } from '../../model/request-once';
import { NODE_DENIAL_LINE_NEEDS } from '../support/node-denial-line-needs';

/** Distinct objects remembered per finding; beyond this we only say "at least". */
const MAX_OBJECTS = 1000;
/**
 * Nodes x resources kept until finish() (where a start-up race is told apart). The engine lists 1,000 findings per
 * rule; a log naming more subjects than this (forged node names) has the rest observed at once, counted by the
 * engine and never checked for a race, so that memory stays bounded (bench/README.md "Hostile inputs").
 */
export const MAX_SUBJECTS = 2_000;
/** Distinct objects remembered over all nodes (to count each node's objects once): past it they are not counted. */
export const MAX_COUNTED_OBJECTS = 20_000;

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
  alsoNeeds: [NODE_DENIAL_LINE_NEEDS],
  incident: { cause: 'node-credential', by: 'node' },
  create(context) {
    const seen = new Map<string, Set<string>>();
    let counted = 0;
    const text = new TextDenials();
    const races = new StartupRaces();
    const requests = new RequestOnce();
    // Audit observations wait for finish(): a node whose refusals turn out to be a start-up race is
    // node-authorizer-startup-race's, not this rule's.
    const audit = new Map<string, { subject: Record<string, string>; buffered: Buffered; tally: Record<string, number> }>();
    /**
     * Tally counts for `namespace/name`: `objects` 1 when it is a new object of this node and resource (up to
     * MAX_OBJECTS per node and resource), `uncounted` 1 when it could not be checked (MAX_COUNTED_OBJECTS over all
     * nodes were reached).
     */
    const fresh = (node: string, resource: string, object: string): { objects: number; uncounted: number } => {
      const key = `${node}\u0000${resource}`;
      const objects = seen.get(key);
      if (objects?.has(object)) return { objects: 0, uncounted: 0 };
      if (counted >= MAX_COUNTED_OBJECTS) return { objects: 0, uncounted: 1 };
      if (objects && objects.size >= MAX_OBJECTS) return { objects: 0, uncounted: 0 };
      if (objects) objects.add(object);
      else seen.set(key, new Set([object]));
      counted++;
      return { objects: 1, uncounted: 0 };
    };
    return {
      wantsAudit: (head) => isForbiddenHead(head) || isNodeGraphSuccessHead(head, races, context.statelessFilter),
      onFlag(record) {
        races.addFlag(record);
      },
      onAudit(record, emit) {
        const e = record.event;
        const d = classifyNodeDenial(e);
        if (d?.kind !== 'unrelated-object') {
          races.addSuccess(record);
          return;
        }
        const subject = { node: d.node, resource: d.resource };
        text.coveredByAudit(subject);
        const evidence = auditEvidence(record);
        const ns = str(e.objectRef?.namespace);
        const name = str(e.objectRef?.name);
        races.addDenial(d.node, objectKey(d.resource, ns, name), record, evidence, true);
        const key = `${d.node}\u0000${d.resource}`;
        let a = audit.get(key);
        if (!a && audit.size >= MAX_SUBJECTS) {
          const f = fresh(d.node, d.resource, `${ns ?? ''}/${name ?? ''}`);
          const tally = { objects: f.objects, ...(f.uncounted ? { uncounted: f.uncounted } : {}), [str(e.verb) ?? 'unknown']: record.aggregate?.count ?? 1 };
          emit({ subject, evidence, tally });
          return;
        }
        if (!a) audit.set(key, (a = { subject, buffered: emptyBuffered(), tally: Object.create(null) as Record<string, number> }));
        // Requests, not stages or duplicates: the engine's RequestOnce does not see buffered counts.
        const id = requestId(record);
        if (id !== undefined && !requests.first(`${key}\u0000${id}`)) return;
        addRecord(a.buffered, record, evidence);
        const verb = str(e.verb) ?? 'unknown';
        const f = fresh(d.node, d.resource, `${ns ?? ''}/${name ?? ''}`);
        a.tally['objects'] = (a.tally['objects'] ?? 0) + f.objects;
        if (f.uncounted) a.tally['uncounted'] = (a.tally['uncounted'] ?? 0) + f.uncounted;
        a.tally[verb] = (a.tally[verb] ?? 0) + (record.aggregate?.count ?? 1);
      },
      onNodeDenial(record) {
        const d = classifyDenialRecord(record);
        if (d?.kind !== 'unrelated-object') return;
        const n = record.aggregate?.count ?? 1;
        const ns = textOf(record.namespace);
        const name = textOf(record.name);
        races.addDenial(d.node, objectKey(d.resource, ns || undefined, name || undefined), record, denialEvidence(record), false);
        const f = fresh(d.node, d.resource, `${ns}/${name}`);
        text.add({ node: d.node, resource: d.resource }, record, {
          objects: f.objects,
          ...(f.uncounted ? { uncounted: f.uncounted } : {}),
          [textOf(record.verb) || 'unknown']: n,
        });
      },
      finish(emit) {
        for (const a of audit.values()) {
          if (races.race(a.subject['node'] ?? '')) continue;
          emitBuffered(emit, a.subject, a.buffered, { tally: { ...a.tally } });
        }
        text.flush(emit, (subject) => races.race(subject['node'] ?? '') === undefined);
      },
    };
  },
  describe(g) {
    const { node, resource } = g.subject;
    const objects = g.tally['objects'] ?? 0;
    const many = objects + (g.tally['uncounted'] ?? 0) >= 5 || resource === 'secrets';
    const from = g.facts['source'] ? ` (seen in the ${g.facts['source']}; no audit event in this input covers it)` : '';
    // A kubelet refused on the ConfigMaps and Secrets of its own pods: the authorizer's graph does not know the pods
    // yet (a restored or restarted control plane rebuilds it from informers).
    const ownPods =
      g.facts['source'] === 'kubelet log' && (resource === 'configmaps' || resource === 'secrets')
        ? 'If these are the volumes of pods already running on the node, the API server may not know those pods yet (after a control-plane restore or restart the graph is rebuilt): check that the pods exist and are bound to this node. '
        : '';
    return {
      message:
        `The Node authorizer refused node ${node} ${g.count} time(s) on ${resource} (${tallyText(g.tally, ['objects', 'uncounted'])})${from}${timeSpan(g.firstSeen, g.lastSeen)}, ` +
        `${objects >= MAX_OBJECTS || g.tally['uncounted'] ? 'at least ' : ''}${objects} distinct object(s)` +
        `${g.tally['uncounted'] ? ' (this input names more objects than a scan counts one by one: the rest were not told apart)' : ''}` +
        ': no pod on that node references them. ' +
        (many
          ? 'Many objects, or secrets, can mean a node credential is being used to probe the cluster; a stale reference the kubelet retries is the benign explanation. '
          : 'Usually a stale reference the kubelet keeps retrying (a volume or pod that moved), which can block volume attach/detach. ') +
        ownPods +
        'Certain: the API server refused; the cause is an inference.',
      remediation:
        `Check the objects in the evidence: which pods reference them and where those pods run (kubectl get pods -A -o wide). ` +
        `If a pod or volume on ${node} should need them, look for a stuck VolumeAttachment or a pod stuck terminating. ` +
        `If nothing on ${node} should, treat its credential as stolen: cordon and replace the node and review what else it requested.`,
    };
  },
};
