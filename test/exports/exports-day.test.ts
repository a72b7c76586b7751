import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler } from '../../lambda/runtime/lambda-runtime';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import type { Incident } from '../../lambda/model/incident';
import { METRICS } from '../../lambda/settings/names';
import { fakeClock, scheduledEvent } from '../aws/helpers';
import { FakeAws, type StartedQuery } from '../integration/fake-aws';
import { DayScenario } from '../state/day-scenario';
import { startDynalite, TEST_CREDENTIALS, type LocalDynamo } from '../state/local-dynamodb';

/**
 * The exports through the real handler: scheduled runs over a misconfiguration that starts, lasts and is fixed,
 * with the life cycle on dynalite, and Security Hub and EventBridge reached by the real SDK clients through
 * AWS_ENDPOINT_URL_SECURITYHUB and AWS_ENDPOINT_URL_EVENTBRIDGE (the clients the handler makes itself).
 */
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:eks-authz-audit';
const DAY = Date.parse('2026-03-02T00:00:00Z');
const QUARTER = 15 * 60_000;
let fake: FakeAws;
let db: LocalDynamo;
let endpoint: string;
let tables = 0;

beforeAll(async () => {
  fake = new FakeAws();
  endpoint = await fake.start();
  db = await startDynalite();
  const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-exports-day-'));
  vi.stubEnv('AWS_ENDPOINT_URL_SECURITYHUB', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', endpoint);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'no-config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'no-credentials'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.stop();
  await db.stop();
});
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

async function handlerFor(scenario: DayScenario, exportsOn: Partial<RuntimeConfig>) {
  const table = `eks-authz-audit-exports-${++tables}`;
  await db.createTable(table);
  const config: RuntimeConfig = {
    clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }],
    topicArn: TOPIC, minSeverity: 'medium', scheduleMinutes: 15, ingestionLagMinutes: 0, maxLookbackDays: 30, concurrency: 1,
    ruleSettings: {}, stateTable: table, ...exportsOn,
  };
  fake.reset({
    getQueryResults: (q: StartedQuery) => {
      const [startMs, endMs] = [q.startTime * 1000, (q.endTime + 1) * 1000];
      const results = q.stream === 'audit' ? scenario.auditRows(startMs, endMs) : [];
      return { status: 200, body: { status: 'Complete', results, statistics: { recordsMatched: results.length, recordsScanned: 1000, bytesScanned: 1e6 } } };
    },
  });
  fake.exports.reset();
  const clock = fakeClock(DAY);
  const client = { endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS };
  const logs = new CloudWatchLogsClient(client);
  const handler = createHandler(config, {
    logger: new Logger({ serviceName: METRICS.SERVICE }),
    metrics: new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE }),
    logsClient: () => logs,
    snsClient: new SNSClient(client),
    stateClient: db.client,
    clock,
  });
  const run = async (n: number) => {
    const end = DAY + (n + 1) * QUARTER;
    if (clock.now() < end) clock.advance(end - clock.now());
    return handler(scheduledEvent(new Date(end).toISOString()), {
      awsRequestId: `run-${n}`, invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 600_000,
    });
  };
  return { run };
}

const held = () => [...fake.exports.findings.values()];
const detail = (e: Record<string, unknown>) => JSON.parse(String(e['Detail'])) as Incident;

describe('exports of scheduled runs', () => {
  it('imports each finding once and updates it run after run, archives them when the incident resolves, and puts one event per status change', async () => {
    // Prepare: 120 nodes refused from 00:05:41 until the fix at 02:00; resolved an hour of quiet later.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 120 });
    const { run } = await handlerFor(scenario, { securityHub: true, eventBus: 'ops' });
    // Act
    const responses = [];
    for (let n = 0; n < 14; n++) responses.push(await run(n));
    // Assess: no duplicates, more imports than findings (each run updated them), in requests of at most 100.
    const findings = held();
    const ids = new Set(findings.map((f) => f['Id']));
    expect(ids.size).toBe(findings.length);
    expect(findings.length).toBeGreaterThan(100);
    expect(fake.exports.imports.flat().length).toBeGreaterThan(findings.length * 3);
    expect(Math.max(...fake.exports.importCalls)).toBe(100);
    // The last run that saw the refusals set UpdatedAt and LastObservedAt; the resolving run archived them all.
    expect(findings.every((f) => f['RecordState'] === 'ARCHIVED')).toBe(true);
    const lease = findings.find((f) => f['GeneratorId'] === 'node-lease-forbidden')!;
    expect(String(lease['LastObservedAt']) < '2026-03-02T02:00:01Z').toBe(true);
    expect(lease['Resources']).toContainEqual(expect.objectContaining({ Type: 'AwsEksCluster', Id: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' }));
    // One event when it opened, one when it resolved.
    expect(fake.exports.events.map((e) => [e['Source'], e['DetailType'], detail(e).status])).toEqual([
      ['eks-authz-audit', 'EKS Authz Audit Incident', 'new'],
      ['eks-authz-audit', 'EKS Authz Audit Incident', 'resolved'],
    ]);
    expect(responses.at(-1)!.clusters[0]!.exports).toMatchObject({ securityHub: { failedCount: 0 } });
  });

  it('reports findings Security Hub refused in the response, and fails the run when a request failed outright so its retry imports again', async () => {
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 3 });
    const { run } = await handlerFor(scenario, { securityHub: true });
    fake.exports.reset({ rejectFinding: (f) => (f['GeneratorId'] === 'node-lease-forbidden' ? { code: 'InvalidInput', message: 'refused for the test' } : undefined) });
    const refused = await run(0);
    expect(refused.clusters[0]!.exports!.securityHub).toMatchObject({ failedCount: 3, failed: expect.arrayContaining([expect.objectContaining({ code: 'InvalidInput' })]) });

    fake.exports.reset({ importFindings: () => ({ status: 503, errorType: 'ServiceUnavailableException', body: { Message: 'down' } }) });
    await expect(run(1)).rejects.toThrow(/Security Hub: ServiceUnavailableException/);
    // The retry of the same window, with Security Hub back: the findings arrive.
    fake.exports.reset();
    await run(1);
    expect(held().length).toBeGreaterThan(0);
  });

  it('exports nothing when neither is turned on', async () => {
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 3 });
    const { run } = await handlerFor(scenario, {});
    const response = await run(0);
    expect(fake.exports.importCalls).toEqual([]);
    expect(fake.exports.putEvents).toEqual([]);
    expect(response.clusters[0]!.exports).toBeUndefined();
  });
});
