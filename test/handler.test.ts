import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler } from '../lambda/runtime/lambda-runtime';
import { loadConfig, type RuntimeConfig } from '../lambda/runtime/config';
import { InvalidRequestError } from '../lambda/runtime/request';
import { AuditFailedError, DeliveryFailedError } from '../lambda/runtime/run';
import { METRICS, ENV } from '../lambda/settings/names';
import { nodeLeaseForbidden } from '../lambda/rules/audit/node-lease-forbidden';
import { RULES } from '../lambda/rules/registry';
import { fakeClock, leaseForbiddenEvent, resultRow, scheduledEvent, type FakeClock } from './aws/helpers';

const cw = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:eks-authz-audit';
const config: RuntimeConfig = {
  clusters: [
    { name: 'prod', logGroup: '/aws/eks/prod/cluster' },
    { name: 'staging', region: 'us-east-1', logGroup: '/aws/eks/staging/cluster' },
  ],
  topicArn: TOPIC,
  minSeverity: 'medium',
  scheduleMinutes: 60,
  ingestionLagMinutes: 5,
  maxLookbackDays: 30,
  concurrency: 2,
  ruleSettings: {},
};
const EVENT_TIME = '2024-05-19T07:00:00Z';
const WINDOW_START = Date.parse('2024-05-19T05:55:00Z');
const WINDOW_END = Date.parse('2024-05-19T06:55:00Z');

let clock: FakeClock;
let metricCalls: { name: string; unit: string; value: number }[];
let dimensionCalls: [string, string][];

function handlerWith(overrides: { rules?: typeof RULES; config?: RuntimeConfig } = {}) {
  const logsClients = new Map<string, CloudWatchLogsClient>();
  return createHandler(overrides.config ?? config, {
    logger: new Logger({ serviceName: METRICS.SERVICE }),
    metrics: new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE }),
    logsClient: (region) => {
      const key = region ?? 'default';
      if (!logsClients.has(key)) logsClients.set(key, new CloudWatchLogsClient({ region: region ?? 'eu-west-1' }));
      return logsClients.get(key)!;
    },
    snsClient: new SNSClient({ region: 'eu-west-1' }),
    clock,
    rules: overrides.rules ?? [nodeLeaseForbidden],
  });
}

/** A Lambda context whose deadline follows the fake clock. */
function context(budgetMs = 300_000) {
  const deadline = clock.now() + budgetMs;
  return { awsRequestId: 'req-1', functionName: 'eks-authz-audit', getRemainingTimeInMillis: () => deadline - clock.now() };
}

function leaseRows(nodes: number, perNode = 360): ResultField[][] {
  return Array.from({ length: nodes }, (_, i) => {
    const node = `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`;
    return resultRow({
      n: perNode,
      firstSeen: WINDOW_START + 1000,
      lastSeen: WINDOW_END - 1000,
      sample: leaseForbiddenEvent({ node, verb: 'get', time: '2024-05-19T06:54:59.000Z' }),
      keys: { 'user.username': 'WorkerNodeRole', 'objectRef.name': node, verb: 'get' },
    });
  });
}

beforeEach(() => {
  cw.reset();
  sns.reset();
  clock = fakeClock(Date.parse('2024-05-19T07:00:03Z'));
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  metricCalls = [];
  dimensionCalls = [];
  vi.spyOn(Metrics.prototype, 'addMetric').mockImplementation(function (this: Metrics, name, unit, value) {
    metricCalls.push({ name, unit, value });
    return this;
  });
  vi.spyOn(Metrics.prototype, 'addDimension').mockImplementation(function (this: Metrics, name, value) {
    dimensionCalls.push([name, value]);
    return this;
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  cw.on(StopQueryCommand).resolves({ success: true });
  // One live stream of each kind (runtime/log-streams.ts names them in the queries).
  cw.on(DescribeLogStreamsCommand).callsFake(({ logStreamNamePrefix }: { logStreamNamePrefix: string }) => ({ logStreams: [{ logStreamName: `${logStreamNamePrefix}0123456789abcdef` }] }));
  cw.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('handler: scheduled runs', () => {
  it('queries each cluster once over the aligned window and publishes its findings', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: leaseRows(3), statistics: { recordsMatched: 1080, recordsScanned: 90000, bytesScanned: 5e7 } });

    // Act
    const response = await handlerWith()(scheduledEvent(EVENT_TIME), context());

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 2);
    for (const group of ['/aws/eks/prod/cluster', '/aws/eks/staging/cluster']) {
      expect(cw).toReceiveCommandWith(StartQueryCommand, { logGroupIdentifiers: [group], startTime: WINDOW_START / 1000, endTime: WINDOW_END / 1000 - 1 });
    }
    expect(response.window).toEqual({ start: '2024-05-19T05:55:00.000Z', end: '2024-05-19T06:55:00.000Z' });
    expect(response.trigger).toBe('scheduled');
    expect(response.summary).toEqual({ clusters: 2, complete: 2, incomplete: 0, findings: 6, incidents: 2, published: 2, bytesScanned: 1e8, estimatedCostUsd: 0.0005 });
    const prod = response.clusters[0]!;
    expect(prod.cluster).toBe('prod');
    expect(prod.findings.map((f) => [f.ruleId, f.count])).toEqual([
      ['node-lease-forbidden', 360], ['node-lease-forbidden', 360], ['node-lease-forbidden', 360],
    ]);
    expect(prod.statistics).toEqual([
      {
        stream: 'audit', queryId: 'q1', status: 'Complete', recordsMatched: 1080, recordsScanned: 90000, bytesScanned: 5e7, durationMs: expect.any(Number), windowSplits: 0,
        streamFilter: 'streams', streams: 1, estimatedCostUsd: 0.0002,
      },
    ]);
    expect(prod.published).toMatchObject({ published: true, messageId: 'm-1' });
    expect(sns).toReceiveCommandTimes(PublishCommand, 2);
    expect(sns).toReceiveCommandWith(PublishCommand, { TopicArn: TOPIC, MessageStructure: 'json' });
    expect(metricCalls).toContainEqual({ name: METRICS.FINDINGS, unit: 'Count', value: 6 });
    expect(dimensionCalls).toContainEqual(['severity', 'high']);
    expect(metricCalls.filter((m) => m.name === METRICS.BYTES_SCANNED)).toEqual([
      { name: METRICS.BYTES_SCANNED, unit: 'Bytes', value: 5e7 }, { name: METRICS.BYTES_SCANNED, unit: 'Bytes', value: 5e7 },
    ]);
    expect(metricCalls.some((m) => m.name === METRICS.INCOMPLETE_AUDITS)).toBe(false);
  });

  it('publishes nothing for a clean, complete cluster', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [], statistics: { recordsMatched: 0, recordsScanned: 10, bytesScanned: 10 } });

    // Act
    const response = await handlerWith()(scheduledEvent(EVENT_TIME), context());

    // Assess
    expect(sns).not.toReceiveCommand(PublishCommand);
    expect(response.clusters.map((c) => c.published?.published)).toEqual([false, false]);
    expect(response.summary.published).toBe(0);
  });

  it('says which cluster is incomplete and why, counts it, and still succeeds while another was audited', async () => {
    // Prepare
    cw.on(StartQueryCommand, { logGroupIdentifiers: ['/aws/eks/prod/cluster'] }).resolves({ queryId: 'q-prod' });
    cw.on(StartQueryCommand, { logGroupIdentifiers: ['/aws/eks/staging/cluster'] }).resolves({ queryId: 'q-staging' });
    cw.on(GetQueryResultsCommand, { queryId: 'q-prod' }).resolves({ status: 'Complete', results: [], statistics: { recordsScanned: 5000 } });
    cw.on(GetQueryResultsCommand, { queryId: 'q-staging' }).resolves({ status: 'Failed', statistics: {} });

    // Act
    const response = await handlerWith()(scheduledEvent(EVENT_TIME), context());

    // Assess
    const staging = response.clusters[1]!;
    expect(staging).toMatchObject({ cluster: 'staging', complete: false, incompleteReason: 'audit query ended with status Failed' });
    expect(response.summary).toMatchObject({ complete: 1, incomplete: 1 });
    expect(metricCalls).toContainEqual({ name: METRICS.INCOMPLETE_AUDITS, unit: 'Count', value: 1 });
    // The incomplete cluster is reported even without findings.
    expect(sns).toReceiveCommandTimes(PublishCommand, 1);
    expect(JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!).default).toContain('staging');
  });

  it('fails the run when no cluster could be audited, after reporting each one', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Timeout', statistics: {} });

    // Act
    const run = handlerWith()(scheduledEvent(EVENT_TIME), context());

    // Assess
    await expect(run).rejects.toThrow(AuditFailedError);
    await expect(run).rejects.toThrow(/No cluster could be audited for 2024-05-19T05:55:00.000Z..2024-05-19T06:55:00.000Z: prod: audit query ended with status Timeout/);
    expect(sns).toReceiveCommandTimes(PublishCommand, 2);
    expect(metricCalls.filter((m) => m.name === METRICS.INCOMPLETE_AUDITS)).toHaveLength(2);
  });

  it('stops queries still running before the Lambda deadline and marks the clusters incomplete', async () => {
    // Prepare: 25 s left, 20 s of it kept for publishing.
    cw.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Running', statistics: { bytesScanned: 123 } });

    // Act
    const run = handlerWith({ config: { ...config, clusters: [config.clusters[0]!, { name: 'dev', logGroup: '/aws/eks/dev/cluster' }] } })(
      scheduledEvent(EVENT_TIME),
      context(25_000),
    );

    // Assess
    await expect(run).rejects.toThrow(/stopped unfinished \(last status Running\): the run ran out of time/);
    expect(cw).toReceiveCommandWith(StopQueryCommand, { queryId: 'q-slow' });
    expect(clock.now() - Date.parse('2024-05-19T07:00:03Z')).toBeLessThan(5_000);
  });

  it('fails the run when a report cannot be delivered, so the alarm fires and the retry re-runs the window', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: leaseRows(1), statistics: {} });
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));

    // Act
    const run = handlerWith()(scheduledEvent(EVENT_TIME), context());

    // Assess
    await expect(run).rejects.toThrow(DeliveryFailedError);
    await expect(run).rejects.toThrow(/2 report\(s\) could not be published: PublishError: SNS Publish of the report for cluster (prod|staging)/);
  });
});

describe('handler: manual runs', () => {
  it('audits the cluster subset without publishing on dryRun', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: leaseRows(2), statistics: {} });

    // Act
    const response = await handlerWith()({ start: '2024-05-18T00:00:00Z', end: '2024-05-19T00:00:00Z', clusters: ['staging'], dryRun: true }, context());

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 1);
    expect(cw).toReceiveCommandWith(StartQueryCommand, {
      logGroupIdentifiers: ['/aws/eks/staging/cluster'],
      startTime: Date.parse('2024-05-18T00:00:00Z') / 1000,
      endTime: Date.parse('2024-05-19T00:00:00Z') / 1000 - 1,
    });
    expect(sns).not.toReceiveCommand(PublishCommand);
    expect(response).toMatchObject({ trigger: 'manual', dryRun: true, window: { start: '2024-05-18T00:00:00.000Z', end: '2024-05-19T00:00:00.000Z' } });
    expect(response.clusters.map((c) => [c.cluster, c.findings.length, c.published])).toEqual([['staging', 2, null]]);
  });

  it('leaves findings below minSeverity out of the response', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: leaseRows(2), statistics: {} });

    // Act
    const response = await handlerWith()({ lookback: '1h', minSeverity: 'critical', dryRun: true }, context());

    // Assess
    expect(response.minSeverity).toBe('critical');
    expect(response.summary.findings).toBe(0);
  });

  it.each([
    [{ lookback: '1h', clusters: ['nope'] }, 'clusters[0]'],
    [{ lookback: '1h', dryrun: true }, 'dryrun'],
    [{ start: 'yesterday', end: '2024-05-19T00:00:00Z' }, 'start'],
    [{ start: '2024-05-19T00:00:00Z', end: '2024-05-18T00:00:00Z' }, 'end'],
    [{ lookback: '90d' }, 'lookback'],
  ])('rejects %j naming %s, and queries and publishes nothing', async (event, field) => {
    // Act
    const run = handlerWith()(event, context());

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(run).rejects.toMatchObject({ field });
    expect(cw).not.toReceiveCommand(StartQueryCommand);
    expect(sns).not.toReceiveCommand(PublishCommand);
  });
});

describe('handler: scale', () => {
  it('fits 1,000 kubelets refused every 10 s for an hour in one bounded result and one finding each', async () => {
    // Prepare: 360,000 refusals aggregate to one row per node; every other stream query comes back empty.
    const rows = leaseRows(1000);
    cw.on(StartQueryCommand).callsFake(({ queryString }: { queryString: string }) => ({ queryId: queryString.includes('audit streams') ? 'audit' : 'other' }));
    cw.on(GetQueryResultsCommand, { queryId: 'audit' }).resolves({ status: 'Complete', results: rows, statistics: { recordsMatched: 360_000, recordsScanned: 2_000_000, bytesScanned: 4e9 } });
    cw.on(GetQueryResultsCommand, { queryId: 'other' }).resolves({ status: 'Complete', results: [], statistics: { recordsScanned: 10 } });

    // Act
    const response = await handlerWith({ rules: RULES, config: { ...config, clusters: [config.clusters[0]!] } })(scheduledEvent(EVENT_TIME), context());

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.complete).toBe(true);
    const audit = prod.statistics.find((s) => s.stream === 'audit')!;
    expect(audit.windowSplits).toBe(0);
    expect(new Set(cw.commandCalls(StartQueryCommand).map((c) => c.args[0].input.queryString!.split('\n')[0])).size).toBe(cw.commandCalls(StartQueryCommand).length);
    const lease = prod.findings.filter((f) => f.ruleId === 'node-lease-forbidden');
    expect(lease).toHaveLength(1000);
    expect(lease.every((f) => f.count === 360)).toBe(true);
    expect(prod.stats.auditEvents).toBe(1000);
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(Buffer.byteLength(published.Message!, 'utf8')).toBeLessThan(256 * 1024);
    expect(JSON.stringify(response).length).toBeLessThan(6 * 1024 * 1024);
  });
});

describe('handler module: cold start', () => {
  it('fails the init with an error naming the bad variable', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv(ENV.CLUSTERS, '[{"name":"prod"}]');
    vi.stubEnv(ENV.TOPIC_ARN, 'not-an-arn');

    // Act
    const load = import('../lambda/runtime/handler');

    // Assess
    await expect(load).rejects.toThrow(`${ENV.TOPIC_ARN}: "not-an-arn" is not an SNS topic ARN`);
  });

  it('exports the handler when the environment is valid', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv(ENV.CLUSTERS, '[{"name":"prod"}]');
    vi.stubEnv(ENV.TOPIC_ARN, TOPIC);
    vi.stubEnv('AWS_REGION', 'eu-west-1');

    // Act
    const mod = await import('../lambda/runtime/handler');

    // Assess
    expect(typeof mod.handler).toBe('function');
    await expect(mod.handler({ lookback: 'x' })).rejects.toMatchObject({ field: 'lookback' });
  });
});

describe('handler: suppressions', () => {
  it('reads the suppressions setting from its variable: suppressed findings are counted, not published, and open no incident', async () => {
    // Prepare
    const env = {
      [ENV.CLUSTERS]: '[{"name":"prod"}]', [ENV.TOPIC_ARN]: TOPIC,
      [ENV.SUPPRESSIONS]: JSON.stringify([{ ruleId: 'node-lease-forbidden', subject: { node: 'ip-10-0-0-1.*' }, reason: 'node being replaced', expires: '2099-01-01' }]),
    };
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: leaseRows(3), statistics: { recordsMatched: 1080, recordsScanned: 90000, bytesScanned: 5e7 } });

    // Act
    const response = await handlerWith({ config: loadConfig(env) })(scheduledEvent(EVENT_TIME), context());

    // Assess
    const prod = response.clusters[0]!;
    expect(prod.findings.map((f) => f.subject['node']).sort()).toEqual(['ip-10-0-0-0.ec2.internal', 'ip-10-0-0-2.ec2.internal']);
    expect(prod.suppressed).toMatchObject([{ ruleId: 'node-lease-forbidden', subject: { node: 'ip-10-0-0-1.ec2.internal' }, reason: 'node being replaced' }]);
    expect(prod.incidents?.flatMap((i) => i.findings)).not.toContain(prod.suppressed![0]!.fingerprint);
    expect(prod.incidents?.[0]?.nodes?.count).toBe(2);
  });
});
