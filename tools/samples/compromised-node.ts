/**
 * A node credential used from outside the node. The kubelet of ip-10-0-3-51 heart-beats from 10.0.3.51 as
 * usual, while someone with its IAM credentials (taken from the instance) calls the API server from
 * 203.0.113.45 with kubectl: lists pods (nodes may), then probes Secrets and tokens the Node authorizer does
 * not relate to this node, and tries to taint another node and to label itself a control-plane node
 * (NodeRestriction). Delivered as a CloudWatch Logs Insights console JSON export of a query on that user.
 */
import { Rng } from '../prng';
import type { Micros } from '../time';
import type { ApiRequest, AuditEventJson, AuditLevel, Caller, Outcome } from '../audit-event';
import { admissionDeny, allow, auditEvent, forbid } from '../audit-event';
import type { InsightsRow } from '../text-logs';
import { insightsConsoleExport } from '../text-logs';
import type { Scenario } from './scenario';
import { ResourceVersions, Timeline, at, kubelet, node, streamId } from './cluster';
import type { Out } from './traffic';
import { heartbeats } from './traffic';

const START = at('10:44:00');
const END = at('10:50:00');
export const ATTACKER_IP = '203.0.113.45';

const noRelationship = (nodeName: string) => `no relationship found between node '${nodeName}' and this object`;

export function compromisedNodeExport(): string {
  const rng = new Rng('scenario:compromised-node');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };
  const victim = node('apps', 0);
  const other = node('apps', 1);
  const own = kubelet(victim, 'correct');
  heartbeats(out, own, new Rng(`lease:${victim.name}`).uuid(), START + rng.int(10_000_000), END);

  // The same credential (same role session, same access key) from somewhere else, with kubectl.
  const thief: Caller = { user: own.user, sourceIP: ATTACKER_IP, userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/7c5b1e2' };
  const steps: [string, AuditLevel, ApiRequest, Outcome, unknown?][] = [
    ['10:46:02.118', 'Metadata', { verb: 'list', resource: 'pods', query: 'limit=500' }, allow()],
    ['10:46:09.774', 'Metadata', { verb: 'list', resource: 'secrets', query: 'limit=500' }, forbid('can only read namespaced object of this type')],
    ['10:46:15.320', 'Metadata', { verb: 'list', resource: 'secrets', namespace: 'kube-system', query: 'limit=500' }, forbid('No Object name found')],
    ['10:46:31.047', 'Metadata', { verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'aws-load-balancer-webhook-tls' }, forbid(noRelationship(victim.name))],
    ['10:46:40.613', 'Metadata', { verb: 'get', resource: 'secrets', namespace: 'shop', name: 'checkout-db-credentials' }, forbid(noRelationship(victim.name))],
    ['10:46:52.290', 'Metadata', { verb: 'get', resource: 'secrets', namespace: 'payments', name: 'stripe-api-key' }, forbid(noRelationship(victim.name))],
    ['10:47:05.882', 'Metadata', { verb: 'get', resource: 'secrets', namespace: 'monitoring', name: 'grafana-admin' }, forbid(noRelationship(victim.name))],
    [
      '10:47:20.451', 'Metadata',
      { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'clusterrole-aggregation-controller', subresource: 'token' },
      forbid(noRelationship(victim.name)),
    ],
    ['10:47:41.006', 'Metadata', { verb: 'list', resource: 'persistentvolumes', query: 'limit=500' }, forbid('can only get individual resources of this type')],
    [
      '10:48:03.529', 'Request', { verb: 'patch', resource: 'nodes', name: other.name },
      admissionDeny(`node "${victim.name}" is not allowed to modify node "${other.name}"`),
      { spec: { taints: [{ effect: 'NoExecute', key: 'maintenance', value: 'true' }] } },
    ],
    [
      '10:48:20.164', 'Request', { verb: 'patch', resource: 'nodes', name: victim.name },
      admissionDeny('is not allowed to modify labels: node-role.kubernetes.io/control-plane'),
      { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } },
    ],
  ];
  for (const [hms, level, request, outcome, body] of steps) {
    out.audit.add(at(hms), auditEvent({ rng, time: at(hms), level, caller: thief, request, outcome, requestObject: body }));
  }

  // Insights shows newest first; EKS runs two API server instances, each with its own audit stream.
  const streams = [`kube-apiserver-audit-${streamId('apiserver-a')}`, `kube-apiserver-audit-${streamId('apiserver-b')}`];
  const rows: InsightsRow[] = out.audit.sorted().map((e) => {
    const event = e as AuditEventJson;
    const time: Micros = Date.parse(event.stageTimestamp) * 1000 + 2_000 + rng.int(40_000);
    return { time, logStream: rng.pick(streams), message: event };
  });
  rows.sort((a, b) => b.time - a.time);
  return insightsConsoleExport(rows);
}

export const compromisedNode: Scenario = {
  dir: 'compromised-node',
  title: 'A node credential used from outside its node',
  story:
    'Between 10:46 and 10:49 the credential of node `ip-10-0-3-51` (a recognized node identity: ' +
    '`system:node:ip-10-0-3-51.us-west-2.compute.internal` in `system:nodes`) is used from `203.0.113.45` with kubectl ' +
    'while the real kubelet keeps heart-beating from `10.0.3.51`. It lists pods (nodes may), then is refused: Secrets in ' +
    'four namespaces and a service account token the Node authorizer relates to no pod of this node ' +
    '(`no relationship found between node …`), list variants (`No Object name found`, ' +
    '`can only get individual resources of this type`), tainting another node (NodeRestriction: ' +
    '`node "ip-10-0-3-51…" is not allowed to modify node "ip-10-0-3-88…"`) and labelling itself a control-plane node ' +
    '(`is not allowed to modify labels: node-role.kubernetes.io/control-plane`). The Node authorizer and NodeRestriction ' +
    'held; the finding is that someone holds this node\'s credential.',
  expected: [
    { ruleId: 'node-unrelated-object-access', because: 'Secrets and a service account token refused with `no relationship found`' },
    { ruleId: 'node-name-mismatch', because: 'NodeRestriction: the node tried to modify another node' },
    { ruleId: 'node-restriction-denied', because: 'NodeRestriction refused a control-plane label on its own node' },
    { ruleId: 'node-forbidden-other', because: 'the list requests refused by the Node authorizer for other reasons' },
  ],
  info: [],
  incidents: [
    {
      kind: 'node-credential', key: node('apps', 0).name, cause: 'the credential of node `ip-10-0-3-51`, refused by the Node authorizer and NodeRestriction',
      findings: ['node-unrelated-object-access', 'node-unrelated-object-access', 'node-name-mismatch', 'node-restriction-denied', 'node-forbidden-other', 'node-forbidden-other'],
    },
  ],
  formats:
    '`logs-insights-export.json`: a Logs Insights console export (Export results -> JSON) of the query ' +
    '`fields @timestamp, @logStream, @message | filter user.username = "system:node:ip-10-0-3-51.us-west-2.compute.internal" ' +
    '| sort @timestamp desc`, each `@message` the parsed audit event',
  files() {
    return [{ path: 'compromised-node/logs-insights-export.json', content: compromisedNodeExport() }];
  },
};
