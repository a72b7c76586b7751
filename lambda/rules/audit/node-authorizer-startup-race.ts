import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { str } from '../../model/identity';
import { classifyDenialRecord, classifyNodeDenial, isForbiddenHead, textOf } from '../support/node-denial';
import { NODE_DENIAL_LINE_NEEDS } from '../support/node-denial-line-needs';
import { APISERVER_FLAG_NEEDS } from '../support/apiserver-flag-starts';
import { emitBuffered } from '../support/buffered-observation';
import { isNodeGraphSuccessHead, objectKey, STARTUP_WINDOW_MS, StartupRaces } from '../support/startup-race';
import { denialEvidence } from '../support/text-denials';

/**
 * The benign twin of node-unrelated-object-access (see support/startup-race.ts): a node refused objects only in
 * the first moments after an API server started, and granted the same objects afterwards. The authorizer's graph
 * was still filling; nothing to do unless it keeps happening.
 */
export const nodeAuthorizerStartupRace: Rule = {
  id: 'node-authorizer-startup-race',
  severity: 'low',
  title: "Node refused while the API server's Node authorizer was starting",
  description:
    `A node was refused objects by the Node authorizer only within ${STARTUP_WINDOW_MS / 1000} s after an API-server start seen in the same input, and the same requests succeeded afterwards: the authorizer's graph is filled from informers after start-up, so a kubelet that asks first is refused once. Not a stolen credential.`,
  remediation:
    'Nothing to fix for a single occurrence. If it recurs at every API-server start and pods fail to start meanwhile, check the control plane for slow start-ups (etcd latency, many objects).',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
  ],
  needs: {
    stream: 'audit',
    // The successes that end a race and the refusals themselves (node-unrelated-object-access's filter covers those).
    filter:
      "user.username like /^system:node:/ and responseStatus.code >= 200 and responseStatus.code < 300 and objectRef.resource in ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'volumeattachments', 'resourceclaims', 'serviceaccounts']",
    keys: ['user.username', 'objectRef.resource', 'responseStatus.code'],
  },
  alsoNeeds: [NODE_DENIAL_LINE_NEEDS, APISERVER_FLAG_NEEDS],
  incident: { cause: 'node-credential', by: 'node' },
  create(context) {
    const races = new StartupRaces();
    return {
      wantsAudit: (head) => isForbiddenHead(head) || isNodeGraphSuccessHead(head, races, context.statelessFilter),
      onFlag(record) {
        races.addFlag(record);
      },
      onAudit(record) {
        const e = record.event;
        const d = classifyNodeDenial(e);
        if (d?.kind !== 'unrelated-object') return races.addSuccess(record);
        races.addDenial(d.node, objectKey(d.resource, str(e.objectRef?.namespace), str(e.objectRef?.name)), record, auditEvidence(record), true);
      },
      onNodeDenial(record) {
        const d = classifyDenialRecord(record);
        if (d?.kind !== 'unrelated-object') return;
        races.addDenial(d.node, objectKey(d.resource, textOf(record.namespace) || undefined, textOf(record.name) || undefined), record, denialEvidence(record), false);
      },
      finish(emit) {
        for (const node of races.nodeNames) {
          const race = races.race(node);
          if (!race) continue;
          emitBuffered(emit, { node }, race.buffered, { facts: { start: race.start, objects: String(race.objects) } });
        }
      },
    };
  },
  describe(g) {
    const node = g.subject['node'];
    return {
      message:
        `Node ${node} was refused ${g.count} time(s) on ${g.facts['objects'] ?? '?'} object(s) by the Node authorizer, all within ${STARTUP_WINDOW_MS / 1000} s after an API server started at ${g.facts['start'] ?? '?'}, ` +
        'and the same requests succeeded afterwards. The authorizer fills its graph of pods and volumes from informers after start-up, so a kubelet that asks first is refused once: a start-up race, not a stolen credential. ' +
        'Likely, from the timing and the later successes.',
      remediation:
        'Nothing to fix for a single occurrence. If it happens at every API-server start and pods fail to mount volumes meanwhile, look at why the control plane starts slowly.',
    };
  },
};
