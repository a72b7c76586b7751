import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { Clock } from '../../lambda/runtime/backoff';

/** A clock whose sleep() returns at once and moves time forward: retries and polls cost nothing. */
export interface FakeClock extends Clock {
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(startMs = Date.parse('2024-05-19T07:00:00Z'), random = 0.5): FakeClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => random,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** `2024-05-19 06:10:35.743`, the way Logs Insights prints @timestamp. */
export function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export interface LeaseEventOptions {
  node: string;
  user?: string;
  verb?: string;
  time?: string;
  auditID?: string;
}

/**
 * A kubelet's lease request refused with 403, as the API server writes it to kube-apiserver-audit-*
 * (written for these tests, shaped like EKS audit events: Metadata level, empty authorization reason).
 */
export function leaseForbiddenEvent(o: LeaseEventOptions): string {
  const user = o.user ?? 'WorkerNodeRole';
  const verb = o.verb ?? 'get';
  const time = o.time ?? '2024-05-19T06:10:35.743000Z';
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: o.auditID ?? `a-${o.node}-${verb}`,
    stage: 'ResponseComplete',
    requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${o.node}?timeout=10s`,
    verb,
    user: { username: user, groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'] },
    sourceIPs: ['10.0.1.23'],
    userAgent: 'kubelet/v1.29.3 (linux/amd64) kubernetes/6813625',
    objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: o.node, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
    responseStatus: {
      metadata: {},
      status: 'Failure',
      message: `leases.coordination.k8s.io "${o.node}" is forbidden: User "${user}" cannot ${verb} resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease"`,
      reason: 'Forbidden',
      code: 403,
    },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  });
}

export interface RowOptions {
  n: number;
  firstSeen: number;
  lastSeen: number;
  sample: string;
  firstSample?: string;
  logStream?: string;
  keys?: Record<string, string>;
}

/** One aggregated result row as GetQueryResults returns it (plus @ptr, which real rows carry). */
export function resultRow(o: RowOptions): ResultField[] {
  const fields: ResultField[] = Object.entries(o.keys ?? {}).map(([field, value]) => ({ field, value }));
  fields.push(
    { field: 'n', value: String(o.n) },
    { field: 'firstSeen', value: insightsTime(o.firstSeen) },
    { field: 'lastSeen', value: insightsTime(o.lastSeen) },
    { field: 'sample', value: o.sample },
    { field: 'firstSample', value: o.firstSample ?? o.sample },
    { field: 'logStream', value: o.logStream ?? 'kube-apiserver-audit-0123456789abcdef' },
  );
  return fields;
}

/** An EventBridge scheduled-rule event, as documented for Lambda targets. */
export function scheduledEvent(time: string): Record<string, unknown> {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/eks-authz-audit'],
    detail: {},
  };
}
