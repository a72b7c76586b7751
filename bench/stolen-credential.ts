/**
 * A node credential used from outside its node (as in samples/compromised-node): someone with the IAM
 * credentials of a general node calls the API server with kubectl while the kubelet keeps heart-beating.
 * The Node authorizer and NodeRestriction refuse most of it; each refusal is one planted finding.
 */
import type { ApiRequest, AuditLevel, Caller, Outcome } from '../tools/eks-events';
import { admissionDeny, allow, auditEvent, forbid } from '../tools/eks-events';
import { kubeletUser } from './fleet';
import type { Incident } from './incidents';
import type { Ctx } from './traffic';
import { within } from './traffic';

const ATTACKER_IP = '203.0.113.45';

interface Step {
  readonly second: number;
  readonly level: AuditLevel;
  readonly request: ApiRequest;
  readonly outcome: Outcome;
  readonly body?: unknown;
  /** The finding it plants (rule id and subject without the node), if any. */
  readonly finding?: readonly [string, Record<string, string>];
}

function steps(node: string, other: string): Step[] {
  const noRelationship = forbid(`no relationship found between node '${node}' and this object`);
  const secret = (second: number, namespace: string, name: string): Step => ({
    second, level: 'Metadata', request: { verb: 'get', resource: 'secrets', namespace, name }, outcome: noRelationship,
    finding: ['node-unrelated-object-access', { resource: 'secrets' }],
  });
  return [
    { second: 2, level: 'Metadata', request: { verb: 'list', resource: 'pods', query: 'limit=500' }, outcome: allow() },
    {
      second: 9, level: 'Metadata', request: { verb: 'list', resource: 'secrets', query: 'limit=500' },
      outcome: forbid('can only read namespaced object of this type'), finding: ['node-forbidden-other', { resource: 'secrets' }],
    },
    {
      second: 15, level: 'Metadata', request: { verb: 'list', resource: 'secrets', namespace: 'kube-system', query: 'limit=500' },
      outcome: forbid('No Object name found'), finding: ['node-forbidden-other', { resource: 'secrets' }],
    },
    secret(31, 'kube-system', 'aws-load-balancer-webhook-tls'),
    secret(40, 'shop', 'checkout-db-credentials'),
    secret(52, 'payments', 'stripe-api-key'),
    secret(65, 'monitoring', 'grafana-admin'),
    {
      second: 80, level: 'Metadata',
      request: { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'clusterrole-aggregation-controller', subresource: 'token' },
      outcome: noRelationship, finding: ['node-unrelated-object-access', { resource: 'serviceaccounts/token' }],
    },
    {
      second: 101, level: 'Metadata', request: { verb: 'list', resource: 'persistentvolumes', query: 'limit=500' },
      outcome: forbid('can only get individual resources of this type'), finding: ['node-forbidden-other', { resource: 'persistentvolumes' }],
    },
    {
      second: 123, level: 'Request', request: { verb: 'patch', resource: 'nodes', name: other },
      outcome: admissionDeny(`node "${node}" is not allowed to modify node "${other}"`),
      body: { spec: { taints: [{ effect: 'NoExecute', key: 'maintenance', value: 'true' }] } },
      finding: ['node-name-mismatch', { object: other }],
    },
    {
      second: 140, level: 'Request', request: { verb: 'patch', resource: 'nodes', name: node },
      outcome: admissionDeny('is not allowed to modify labels: node-role.kubernetes.io/control-plane'),
      body: { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } },
      finding: ['node-restriction-denied', {}],
    },
  ];
}

export function compromisedCredential(at: number): Incident {
  let plan: Step[] = [];
  let thief: Caller | undefined;
  return {
    name: 'stolen-node-credential', at, seconds: 141,
    start(ctx) {
      const general = ctx.fleet.groups.general.nodes;
      const victim = general[0]!;
      plan = steps(victim.name, general[1]!.name);
      thief = { user: kubeletUser(victim), sourceIP: ATTACKER_IP, userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/7c5b1e2' };
    },
    second(ctx: Ctx, elapsed: number) {
      for (const step of plan) {
        if (step.second !== elapsed || !thief) continue;
        ctx.out.event(auditEvent({
          rng: ctx.rng, time: within(ctx), level: step.level, caller: thief, request: step.request, outcome: step.outcome, requestObject: step.body,
        }));
        if (step.finding) {
          const node = thief.user.username.slice('system:node:'.length);
          ctx.expect.add(step.finding[0], { node, ...step.finding[1] });
        }
      }
    },
  };
}
