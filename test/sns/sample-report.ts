import { Engine } from '../../lambda/engine/engine';
import type { AuditRecord } from '../../lambda/model/records';
import { RULES } from '../../lambda/rules/registry';
import type { Rule } from '../../lambda/model/rule';
import type { ClusterReport } from '../../lambda/model/report';
import type { Finding } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';

/**
 * A realistic hour of misconfiguration 1 (docs domain notes, section 2): the node role is mapped with
 * groups [system:bootstrappers, system:nodes] but username WorkerNodeRole, so two kubelets are
 * refused their Lease. Written by hand in the shape of Logs Insights `stats ... latest(@message)` rows
 * (one aggregated record per node) and run through the real engine and every registered rule, so the
 * sample alert is what the product sends: one finding for the unrecognized credential and one per
 * node that cannot renew its lease. Account 111122223333 is the AWS documentation example account.
 */
const ROLE_ARN = 'arn:aws:iam::111122223333:role/WorkerNodeRole';
const STREAM = 'kube-apiserver-audit-5f1c0e9a2b7d4c3e8f6a1b0c9d8e7f6a';

const NODES = [
  { name: 'ip-10-0-1-23.eu-west-1.compute.internal', instance: 'i-0a1b2c3d4e5f60718', count: 514, first: '09:00:03.412Z', last: '09:59:58.107Z' },
  { name: 'ip-10-0-3-145.eu-west-1.compute.internal', instance: 'i-0c3d4e5f607182930', count: 287, first: '09:27:41.052Z', last: '09:59:59.640Z' },
];

function leaseGet(node: (typeof NODES)[number], line: number): AuditRecord {
  const last = `2026-03-02T${node.last}`;
  return {
    kind: 'audit',
    truncated: false,
    origin: { file: 'cloudwatch:/aws/eks/prod/cluster', line, logStream: STREAM, timestamp: last },
    aggregate: { count: node.count, firstSeen: `2026-03-02T${node.first}`, lastSeen: last },
    event: {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: `3f9c2a71-0d4e-4b8a-9c1f-${String(line).padStart(12, '0')}`,
      stage: 'ResponseComplete',
      requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}?timeout=10s`,
      verb: 'get',
      user: {
        username: 'WorkerNodeRole',
        uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEWORKERNODE',
        groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
        extra: { canonicalArn: [ROLE_ARN], sessionName: [node.instance] },
      },
      sourceIPs: [node.name.split('.')[0]!.slice(3).replace(/-/g, '.')],
      userAgent: 'kubelet/v1.31.4 (linux/amd64) kubernetes/7a1b2c3',
      objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: node.name, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      responseStatus: {
        code: 403,
        status: 'Failure',
        reason: 'Forbidden',
        message: `leases.coordination.k8s.io "${node.name}" is forbidden: User "WorkerNodeRole" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease"`,
      },
      requestReceivedTimestamp: last,
      stageTimestamp: last,
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    },
  };
}

/**
 * The incident the findings make: one node role, its cause, and the aws-auth write that introduced it (by
 * kubernetes-admin at 08:59:22, the entry before and after), as the engine's grouping and root cause state
 * them when the write is in the input or in the state store.
 */
function sampleIncident(findings: readonly Finding[]): Incident {
  const times = findings.flatMap((f) => [f.firstSeen, f.lastSeen]).filter((t): t is string => t !== null).sort();
  return {
    id: '5e0d3c1b9a7f4e2d8c6b4a29f1e3d5c7',
    cluster: 'prod',
    severity: 'high',
    title: 'Node role WorkerNodeRole is not mapped as a node: 2 nodes NotReady',
    cause: {
      kind: 'node-role',
      summary: `aws-auth maps ${ROLE_ARN} with username WorkerNodeRole and groups [system:bootstrappers, system:nodes]: the username is not system:node:<node name>, so the Node authorizer ignores its nodes`,
      roleArn: ROLE_ARN,
      username: 'WorkerNodeRole',
      change: {
        time: '2026-03-02T08:59:22.118Z', verb: 'update', username: 'kubernetes-admin',
        arn: 'arn:aws:iam::111122223333:role/Admin', sourceIP: '192.0.2.10',
        userAgent: 'kubectl/v1.31.4 (darwin/arm64) kubernetes/9f1c2e4', auditID: '7d2e9b14-5c3a-4f1e-8b6d-0a9c8e7f6d51',
        before: `- {rolearn: ${ROLE_ARN}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}`,
        after: `- {rolearn: ${ROLE_ARN}, username: WorkerNodeRole, groups: [system:bootstrappers, system:nodes]}`,
        firstFailureAfterSeconds: 41, firstFailure: 'lease refusal',
      },
    },
    impact: '2 nodes cannot renew their lease: NotReady, their pods evicted; kubectl logs/exec will fail on them once their serving certificates expire',
    remediation:
      "Put the role's entry in aws-auth (kube-system) mapRoles back as it was:\n" +
      `    - {rolearn: ${ROLE_ARN}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}\n` +
      'or delete the mapping and create an access entry of type EC2_LINUX for the role.',
    findings: findings.map((f) => f.fingerprint),
    firstSeen: times[0] ?? null,
    lastSeen: times[times.length - 1] ?? null,
    nodes: { count: NODES.length, names: NODES.map((n) => n.name) },
  };
}

export function sampleReport(rules: readonly Rule[] = RULES): ClusterReport {
  const engine = new Engine(rules, { cluster: 'prod' });
  NODES.forEach((node, i) => engine.record(leaseGet(node, i + 1)));
  const findings = engine.finish().findings;
  return {
    cluster: 'prod',
    window: { start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z' },
    findings,
    incidents: [sampleIncident(findings)],
    complete: true,
    statistics: [
      {
        stream: 'audit', queryId: '8e4f1c2a-7b3d-4e5f-9a0b-1c2d3e4f5a6b', recordsMatched: 801, recordsScanned: 2_845_310,
        bytesScanned: 3_912_448_102, durationMs: 14_200, status: 'Complete',
      },
    ],
  };
}

export const SAMPLE_TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit-findings';
