import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler, defaultClients } from '../../lambda/runtime/lambda-runtime';
import { DEFAULT_RETRY } from '../../lambda/runtime/backoff';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import type { Rule } from '../../lambda/model/rule';
import { RULES } from '../../lambda/rules/registry';
import { METRICS } from '../../lambda/settings/names';
import { NON_FINAL_STAGES } from '../../lambda/runtime/queries';
import { Engine } from '../../lambda/engine/engine';
import { readMessage } from '../../lambda/readers/message';
import { fakeClock, leaseForbiddenEvent, scheduledEvent } from '../aws/helpers';
import { FakeAws, logsError, type StartedQuery } from './fake-aws';
import { serveFakeAws } from './sdk-environment';
import type { FakeLogEvent } from './fake-insights';

/**
 * The audit function's own code (createHandler with the SDK clients of defaultClients) against the local
 * CloudWatch Logs, EKS and SNS of fake-aws.ts, wired with AWS_ENDPOINT_URL only: coverage (logging off,
 * nothing logged, EKS API denied), streams named per kind and their cost, the row bound against hostile
 * traffic, rule errors, and the access-entry rules with their look-alikes.
 */
const fake = new FakeAws();
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:eks-authz-audit';
const GROUP = '/aws/eks/prod/cluster';
const NODE_ROLE = 'arn:aws:iam::123456789012:role/eks-nodes';
const EVENT_TIME = '2024-05-19T07:00:00Z';
const START = Date.parse('2024-05-19T05:55:00Z');
const AUDIT = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
const APISERVER = 'kube-apiserver-0123456789abcdef0123456789abcdef';
const AUTHENTICATOR = 'authenticator-0123456789abcdef0123456789abcdef';
const ALL_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
const config: RuntimeConfig = {
  clusters: [{ name: 'prod', logGroup: GROUP }], topicArn: TOPIC, minSeverity: 'medium', scheduleMinutes: 60, ingestionLagMinutes: 5,
  maxLookbackDays: 30, concurrency: 1, ruleSettings: {},
};
let metrics: { name: string; value: number }[];

function handler(rules: readonly Rule[] = RULES) {
  return createHandler(config, {
    logger: new Logger({ serviceName: METRICS.SERVICE }),
    metrics: new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE }),
    ...defaultClients(TOPIC),
    clock: fakeClock(Date.parse('2024-05-19T07:00:03Z')),
    rules,
  });
}

const at = (i: number): number => START + 1_000 + i;
const ev = (i: number, message: string): FakeLogEvent => ({ timestamp: at(i), message });
const flagLine = (i: number): FakeLogEvent => ev(i, 'I0519 05:56:00.000000      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC,Webhook]"');

function anonymous403(i: number): string {
  const path = i % 2 === 0 ? `/api/v1/namespaces/default/secrets/probe-${i}` : `/scan-${i}/.env`;
  const resource = i % 2 === 0;
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `anon-${i}`, stage: 'ResponseComplete', requestURI: path, verb: 'get',
    user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIPs: ['203.0.113.7'], userAgent: 'masscan/1.3',
    ...(resource ? { objectRef: { resource: 'secrets', namespace: 'default', name: `probe-${i}`, apiVersion: 'v1' } } : {}),
    responseStatus: {
      metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: resource
        ? `secrets "probe-${i}" is forbidden: User "system:anonymous" cannot get resource "secrets" in API group "" in the namespace "default"`
        : `forbidden: User "system:anonymous" cannot get path "${path}"`,
    },
    requestReceivedTimestamp: new Date(at(i)).toISOString(), stageTimestamp: new Date(at(i)).toISOString(),
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  });
}

/** A healthy cluster's log group: one stream of each kind with events in the window, plus noise before it. */
function logGroup(audit: FakeLogEvent[], extra: Record<string, FakeLogEvent[]> = {}) {
  fake.logGroups.set(GROUP, {
    streams: {
      [AUDIT]: audit,
      [APISERVER]: [flagLine(0), ev(5, 'I0519 05:56:00.100000      10 trace.go:236] Trace[1]: "List" (took 10ms)')],
      [AUTHENTICATOR]: [ev(3, 'time="2024-05-19T05:56:00Z" level=info msg="access granted" arn="arn:aws:iam::123456789012:role/eks-nodes" username="system:node:ip-10-0-1-23.ec2.internal"')],
      'kube-controller-manager-0123456789abcdef': Array.from({ length: 50 }, (_, i) => ev(10 + i, `I0519 controller noise ${'x'.repeat(400)} ${i}`)),
      ...extra,
    },
  });
}

function cluster(o: { logging?: string[]; mode?: string; nodegroups?: Record<string, Record<string, unknown>>; entries?: Record<string, { entry: Record<string, unknown>; policies?: Record<string, unknown>[] }> } = {}) {
  fake.eks.set('prod', {
    cluster: {
      arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', status: 'ACTIVE', version: '1.31',
      logging: { clusterLogging: [{ types: o.logging ?? ALL_LOGS, enabled: true }, { types: ALL_LOGS.filter((t) => !(o.logging ?? ALL_LOGS).includes(t)), enabled: false }] },
      accessConfig: { authenticationMode: o.mode ?? 'API_AND_CONFIG_MAP' },
    },
    nodegroups: o.nodegroups ?? { workers: { nodeRole: NODE_ROLE, amiType: 'AL2023_x86_64_STANDARD' } },
    accessEntries: o.entries ?? { [NODE_ROLE]: { entry: { type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}' } } },
  });
}

const published = (): string => JSON.parse(fake.published[0]!.get('Message')!).default as string;
const metric = (name: string): number[] => metrics.filter((m) => m.name === name).map((m) => m.value);

serveFakeAws(fake);
beforeAll(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});
beforeEach(() => {
  fake.reset({ getQueryResults: (q: StartedQuery) => fake.evaluate(q) });
  metrics = [];
  vi.spyOn(Metrics.prototype, 'addMetric').mockImplementation(function (this: Metrics, name, _unit, value) {
    metrics.push({ name, value });
    return this;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('coverage: never silently blind', () => {
  it('reports audit logging switched off as a finding with the command, not as a healthy cluster', async () => {
    // Prepare: no audit stream at all, the other types on.
    cluster({ logging: ['api', 'authenticator'] });
    logGroup([]);
    delete fake.logGroups.get(GROUP)!.streams[AUDIT];

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.findings.map((f) => f.ruleId)).toContain('cluster-logging-disabled');
    expect(prod.findings.find((f) => f.ruleId === 'cluster-logging-disabled')!.remediation).toContain(
      `aws eks update-cluster-config --name prod --logging '{"clusterLogging":[{"types":["audit"],"enabled":true}]}'`,
    );
    // Logging confirmed off: the finding says it; "no audit events" would only repeat it.
    expect(prod.incompleteReason ?? '').not.toContain('no audit events');
    expect(prod.statistics.find((s) => s.stream === 'audit')).toMatchObject({ streamFilter: 'none', bytesScanned: 0 });
    expect(fake.published).toHaveLength(1);
    expect(published()).toContain('Control-plane logging needed by this audit is off');
  });

  it('marks the audit incomplete when audit logging is on but no audit event was scanned in the window', async () => {
    // Prepare: the audit stream exists but its last events are from the day before.
    cluster();
    logGroup([{ timestamp: START - 86_400_000, message: leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }) }]);

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.complete).toBe(false);
    expect(prod.incompleteReason).toBe('no audit events in the window');
    expect(metric(METRICS.INCOMPLETE_AUDITS)).toEqual([1]);
    expect(fake.published).toHaveLength(1);
    expect(published()).toContain('AUDIT INCOMPLETE: no audit events in the window');
  });

  it('says "coverage not verified" with the reason when the EKS API refuses, and still audits the logs', async () => {
    // Prepare
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);
    fake.script = { ...fake.script, eks: () => logsError(403, 'AccessDeniedException', 'User is not authorized to perform: eks:DescribeCluster') };

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.complete).toBe(true);
    expect(prod.coverage).toEqual({ verified: false, reason: 'DescribeCluster failed: AccessDeniedException: User is not authorized to perform: eks:DescribeCluster' });
    expect(prod.findings.map((f) => f.ruleId)).toContain('node-lease-forbidden');
    expect(metric(METRICS.COVERAGE_NOT_VERIFIED)).toEqual([1]);
    expect(published()).toContain('Coverage not verified: DescribeCluster failed: AccessDeniedException');
    // One retry layer for EKS too: an access denial is not retried.
    expect(fake.eksCalls).toEqual(['GET /clusters/prod']);
  });

  it('retries a throttled EKS call exactly the retry policy\'s number of times', async () => {
    // Prepare
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);
    fake.script = { ...fake.script, eks: () => logsError(429, 'TooManyRequestsException', 'Rate exceeded') };

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    expect(fake.eksCalls).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(response.clusters[0]!.coverage?.reason).toMatch(/TooManyRequestsException/);
  });

  it('counts a rule that throws, shows it in the alert, and marks the audit incomplete', async () => {
    // Prepare
    cluster();
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);
    const broken: Rule = { ...RULES.find((r) => r.id === 'node-lease-forbidden')!, create: () => ({ wantsAudit: () => true, onAudit: () => { throw new Error('boom'); } }) };

    // Act
    const response = await handler([broken, ...RULES.filter((r) => r.id !== 'node-lease-forbidden')])(scheduledEvent(EVENT_TIME), {});

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.complete).toBe(false);
    expect(prod.incompleteReason).toMatch(/rule node-lease-forbidden failed \(1x: boom\)/);
    expect(metric(METRICS.RULE_ERRORS)).toEqual([1]);
    expect(metric(METRICS.MALFORMED_ROWS)).toEqual([0]);
    expect(published()).toContain('Rule errors: 1 (node-lease-forbidden)');
  });

  it('emits the heartbeat metric once per completed scheduled run, and none for a manual one', async () => {
    // Prepare
    cluster();
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);

    // Act
    await handler()(scheduledEvent(EVENT_TIME), {});
    const scheduled = metric(METRICS.SCHEDULED_RUNS);
    metrics.length = 0;
    await handler()({ start: '2024-05-19T05:55:00Z', end: '2024-05-19T06:55:00Z', dryRun: true }, {});

    // Assess
    expect(scheduled).toEqual([1]);
    expect(metric(METRICS.SCHEDULED_RUNS)).toEqual([]);
  });
});

describe('cost: each stream kind scans its own streams', () => {
  it('names each kind\'s streams, scans only their bytes, and reports bytes and cost', async () => {
    // Prepare
    cluster();
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const scanned = [...fake.scannedByQuery.values()];
    expect(scanned.map((s) => Object.keys(s))).toEqual([[AUDIT], [APISERVER], [AUTHENTICATOR]]);
    const prod = response.clusters[0]!;
    expect(prod.statistics.map((s) => [s.stream, s.streamFilter, s.streams])).toEqual([['audit', 'streams', 1], ['apiserver', 'streams', 1], ['authenticator', 'streams', 1]]);
    const total = scanned.reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);
    expect(prod.cost?.bytesScanned).toBe(total);
    expect(response.summary.bytesScanned).toBe(total);
    expect(metric(METRICS.BYTES_SCANNED).reduce((a, b) => a + b, 0)).toBe(total);
    // The controller-manager noise (20 KB) is never scanned.
    expect(total).toBeLessThan(5_000);
    expect(fake.queries.every((q) => q.queryString.includes('filter @logStream in ['))).toBe(true);
    // The conditions on the events themselves stay: the audit query still reads final stages only.
    expect(fake.queries.find((q) => q.stream === 'audit')!.queryString).toContain(`filter @logStream in ['${AUDIT}'] and ${NON_FINAL_STAGES}\n`);
  });

  it('falls back to the prefix filter when the stream list would break the query length limit, and says so', async () => {
    // Prepare: 300 audit streams with events in the window.
    cluster();
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`kube-apiserver-audit-${String(i).padStart(32, '0')}`, [ev(i, leaseForbiddenEvent({ node: `ip-10-0-1-${i % 250}.ec2.internal` }))]]));
    logGroup([], many);

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const audit = response.clusters[0]!.statistics.find((s) => s.stream === 'audit')!;
    expect(audit.streamFilter).toBe('prefix');
    expect(audit.fallbackReason).toMatch(/301 streams would make the query longer than 10,000 characters/);
    expect(fake.queries.find((q) => q.stream === 'audit')!.queryString).toContain('filter @logStream like /^kube-apiserver-audit-/');
    expect(response.clusters[0]!.incompleteReason).toBeUndefined();
  });

  it('falls back to the prefix filter on an Infrequent Access log group', async () => {
    // Prepare
    cluster();
    logGroup([ev(1, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }))]);
    fake.logGroups.set(GROUP, { ...fake.logGroups.get(GROUP)!, logGroupClass: 'INFREQUENT_ACCESS' });

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    expect(response.clusters[0]!.statistics.map((s) => s.streamFilter)).toEqual(['prefix', 'prefix', 'prefix']);
    expect(response.clusters[0]!.statistics[0]!.fallbackReason).toMatch(/INFREQUENT_ACCESS has no @logStream index/);
  });

  it('keeps rows bounded under 10,000 anonymous 403s with distinct names and paths, with the findings a local scan gives', async () => {
    // Prepare: a real node failure hidden in the noise.
    cluster();
    const events = [ev(0, leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' })), ...Array.from({ length: 10_000 }, (_, i) => ev(i + 1, anonymous403(i)))];
    logGroup(events);

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.complete).toBe(true);
    const audit = prod.statistics.find((s) => s.stream === 'audit')!;
    expect(audit.windowSplits).toBe(0);
    const auditQuery = fake.queries.find((q) => q.stream === 'audit')!;
    const rows = (fake.evaluate(auditQuery).body as { results: unknown[] }).results.length;
    expect(rows).toBeLessThan(10);
    const local = new Engine(RULES, { cluster: 'prod' });
    events.forEach((e, i) => readMessage(e.message, { file: 'local', line: i + 1 }, local));
    const subjects = (fs: { ruleId: string; subject: Record<string, string> }[]) => fs.map((f) => `${f.ruleId} ${JSON.stringify(f.subject)}`).sort();
    const auditRules = new Set(RULES.filter((r) => r.needs.stream === 'audit').map((r) => r.id));
    expect(subjects(prod.findings.filter((f) => auditRules.has(f.ruleId)))).toEqual(subjects(local.finish().findings.filter((f) => auditRules.has(f.ruleId) && f.severity !== 'info' && f.severity !== 'low')));
    expect(prod.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['node-lease-forbidden', 'forbidden-burst']));
  });
});

/** A kubectl update of aws-auth mapping the node role to a non-node username (misconfiguration 1). */
function awsAuthWrite(auditID: string): Record<string, unknown> {
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID, stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth', verb: 'update',
    user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, sourceIPs: ['10.0.0.5'], userAgent: 'kubectl/v1.29.0',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: `- rolearn: ${NODE_ROLE}\n  username: WorkerNodeRole\n  groups:\n    - system:bootstrappers\n    - system:nodes\n` } },
    requestReceivedTimestamp: new Date(at(1)).toISOString(), stageTimestamp: new Date(at(1)).toISOString(),
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
}

describe('access entries of node roles', () => {
  const HUMAN = 'arn:aws:iam::123456789012:role/platform-admins';
  const FARGATE = 'arn:aws:iam::123456789012:role/fargate-pods';
  const HYBRID = 'arn:aws:iam::123456789012:role/hybrid-nodes';
  const policy = (name: string) => ({ policyArn: `arn:aws:eks::aws:cluster-access-policy/${name}`, accessScope: { type: 'cluster' } });

  it('finds a STANDARD entry and an admin policy on node roles, and stays quiet for the look-alikes', async () => {
    // Prepare: kubelets of the workers role, and of the other node types, authenticate in the window.
    cluster({
      nodegroups: { workers: { nodeRole: NODE_ROLE }, windows: { nodeRole: 'arn:aws:iam::123456789012:role/team/win-nodes' } },
      entries: {
        [NODE_ROLE]: { entry: { type: 'STANDARD', username: 'arn:aws:sts::123456789012:assumed-role/eks-nodes/{{SessionName}}' } },
        'arn:aws:iam::123456789012:role/team/win-nodes': { entry: { type: 'EC2_WINDOWS' }, policies: [policy('AmazonEKSClusterAdminPolicy')] },
        [FARGATE]: { entry: { type: 'FARGATE_LINUX' } },
        [HYBRID]: { entry: { type: 'HYBRID_LINUX' } },
        [HUMAN]: { entry: { type: 'STANDARD' }, policies: [policy('AmazonEKSClusterAdminPolicy')] },
      },
    });
    const kubelet = (node: string) => JSON.parse(leaseForbiddenEvent({ node })) as Record<string, any>;
    const seen = [FARGATE, HYBRID].map((role, i) => {
      const e = kubelet(`node-${i}`);
      e.user = { username: `system:node:node-${i}`, groups: ['system:nodes', 'system:authenticated'], extra: { canonicalArn: [role] } };
      e.responseStatus = { code: 200 };
      e.annotations = { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' };
      return ev(i, JSON.stringify(e));
    });
    logGroup(seen);

    // Act
    const response = await handler()(scheduledEvent(EVENT_TIME), {});

    // Assess
    const found = response.clusters[0]!.findings.filter((f) => f.ruleId.startsWith('access-entry-')).map((f) => [f.ruleId, f.subject['arn']]);
    expect(found.sort()).toEqual([
      ['access-entry-node-admin', 'arn:aws:iam::123456789012:role/team/win-nodes'],
      ['access-entry-node-standard', NODE_ROLE],
    ]);
    // The human role's entry was never read: it is no node role.
    expect(fake.eksCalls.filter((c) => c.includes('platform-admins'))).toEqual([]);
    expect(response.clusters[0]!.coverage).toMatchObject({ verified: true, authenticationMode: 'API_AND_CONFIG_MAP', nodeRoles: 4 });
  });

  it('in mode API finds a node group role without an entry, and turns aws-auth findings into info', async () => {
    // Prepare: an aws-auth write mapping the node role to a non-node username.
    cluster({ mode: 'API', entries: {} });
    const write = awsAuthWrite('w-1');
    logGroup([ev(1, JSON.stringify(write))]);

    // Act
    const response = await handler()({ start: '2024-05-19T05:55:00Z', end: '2024-05-19T06:55:00Z', minSeverity: 'info', dryRun: true }, {});

    // Assess
    const findings = response.clusters[0]!.findings;
    expect(findings.find((f) => f.ruleId === 'access-entry-node-missing')).toMatchObject({ severity: 'high', subject: { arn: NODE_ROLE } });
    const awsAuth = findings.find((f) => f.ruleId === 'aws-auth-node-username');
    expect(awsAuth).toMatchObject({ severity: 'info' });
    expect(awsAuth!.message).toMatch(/^Ignored by this cluster: authentication mode API/);
    // Its incident is told at the severity of what is left in it, not at the aws-auth finding's original one.
    const incidents = response.clusters[0]!.incidents ?? [];
    const withAwsAuth = incidents.filter((i) => i.findings.includes(awsAuth!.fingerprint));
    expect(withAwsAuth.length).toBeGreaterThan(0);
    for (const incident of withAwsAuth) {
      const members = findings.filter((f) => incident.findings.includes(f.fingerprint));
      expect(members.length).toBe(incident.findings.length);
      expect(incident.severity).toBe(members.some((f) => f.severity === 'high') ? 'high' : members.some((f) => f.severity === 'medium') ? 'medium' : 'info');
    }
  });

  it('in mode API leaves out an incident made only of aws-auth findings when they fall below the minimum severity', async () => {
    // Prepare: the same write, the default minimum severity (medium).
    cluster({ mode: 'API' });
    const write = awsAuthWrite('w-2');
    logGroup([ev(1, JSON.stringify(write))]);

    // Act
    const response = await handler()({ start: '2024-05-19T05:55:00Z', end: '2024-05-19T06:55:00Z', minSeverity: 'medium', dryRun: true }, {});

    // Assess: the aws-auth finding is info, below the minimum: neither it nor an incident of it is reported.
    const report = response.clusters[0]!;
    expect(report.findings.filter((f) => f.ruleId.startsWith('aws-auth-'))).toEqual([]);
    expect((report.incidents ?? []).filter((i) => i.cause.roleArn !== undefined && i.findings.length === 0)).toEqual([]);
    const fingerprints = new Set(report.findings.map((f) => f.fingerprint));
    for (const incident of report.incidents ?? []) for (const fp of incident.findings) expect(fingerprints.has(fp)).toBe(true);
  });
});
