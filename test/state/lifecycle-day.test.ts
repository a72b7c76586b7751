import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler } from '../../lambda/runtime/lambda-runtime';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import { METRICS } from '../../lambda/settings/names';
import { fakeClock, scheduledEvent } from '../aws/helpers';
import { FakeAws, type StartedQuery } from '../integration/fake-aws';
import { DayScenario } from './day-scenario';
import { startDynalite, TEST_CREDENTIALS, type LocalDynamo } from './local-dynamodb';

/**
 * The acceptance test: a misconfiguration that lasts most of a day, audited every 15 minutes (96
 * scheduled runs) by the real handler, engine and rules, with the real SDK clients talking to a local
 * CloudWatch Logs and SNS (FakeAws) and to DynamoDB (dynalite). One alert when it starts, naming the aws-auth
 * write that caused it; no reminder within the day (24 h default); one RESOLVED alert when it ends.
 */
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit';
const TABLE = 'eks-authz-audit-state';
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
});
afterAll(async () => {
  await fake.stop();
  await db.stop();
});
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

interface Message { subject: string; status: string | undefined; text: string }

async function handlerFor(scenario: DayScenario, failWindows: ReadonlySet<number> = new Set()) {
  const table = `${TABLE}-${++tables}`;
  await db.createTable(table);
  const config: RuntimeConfig = {
    clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }],
    topicArn: TOPIC, minSeverity: 'medium', scheduleMinutes: 15, ingestionLagMinutes: 0, maxLookbackDays: 30, concurrency: 1,
    ruleSettings: {}, stateTable: table,
  };
  fake.reset({
    getQueryResults: (q: StartedQuery) => {
      const [startMs, endMs] = [q.startTime * 1000, (q.endTime + 1) * 1000];
      if (failWindows.has(startMs)) return { status: 200, body: { status: 'Failed', statistics: {} } };
      const results = q.stream === 'audit' ? scenario.auditRows(startMs, endMs) : [];
      return { status: 200, body: { status: 'Complete', results, statistics: { recordsMatched: results.length, recordsScanned: 1000, bytesScanned: 1e6 } } };
    },
  });
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
  /** The scheduled run of the n-th quarter of the day (its event fires at the window's end). */
  const run = async (n: number): Promise<void> => {
    const end = DAY + (n + 1) * QUARTER;
    if (clock.now() < end) clock.advance(end - clock.now());
    await handler(scheduledEvent(new Date(end).toISOString()), { awsRequestId: `run-${n}`, getRemainingTimeInMillis: () => 600_000 }).catch((err: Error) => {
      // A window whose every query failed fails the run (so the alarm fires); the message went out before.
      if (!failWindows.has(end - QUARTER)) throw err;
    });
  };
  const messages = (): Message[] =>
    fake.published.map((p) => ({
      subject: p.get('Subject') ?? '',
      status: attribute(p, 'status'),
      text: (JSON.parse(p.get('Message')!) as { email: string }).email,
    }));
  return { run, messages };
}

function attribute(p: URLSearchParams, name: string): string | undefined {
  for (let i = 1; p.has(`MessageAttributes.entry.${i}.Name`); i++) {
    if (p.get(`MessageAttributes.entry.${i}.Name`) === name) return p.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? undefined;
  }
  return undefined;
}

const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('a day of misconfiguration, 96 scheduled runs', () => {
  it('alerts once when it starts naming the aws-auth write, never reminds within the day, and alerts RESOLVED once', async () => {
    // Prepare: broken at 00:05, fixed at 20:00; the 10:00 window's query fails; the 12:30 run is retried.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T20:00:00Z', nodes: 12 });
    const { run, messages } = await handlerFor(scenario, new Set([DAY + 40 * QUARTER]));

    // Act
    for (let n = 0; n < 96; n++) {
      await run(n);
      if (n === 50) await run(50);
    }

    // Assess
    const all = messages();
    const alerts = all.filter((m) => m.status !== undefined);
    expect(alerts.map((m) => [m.subject, m.status])).toEqual([
      ['[HIGH] eks-authz-audit prod: 1 new incident (12 nodes NotReady)', '["new"]'],
      ['[RESOLVED] eks-authz-audit prod: 1 incident resolved', '["resolved"]'],
    ]);
    const [opened, resolved] = alerts.map((m) => flat(m.text));
    expect(opened).toContain('Changed by: update of ConfigMap kube-system/aws-auth at 2026-03-02T00:05:00');
    expect(opened).toContain('by kubernetes-admin');
    expect(opened).toContain('from 192.0.2.10 with kubectl/v1.31.2');
    expect(opened).toContain('41 s after the change');
    // Resolved by the first run an hour after the last refusal (the window ending 20:00), once.
    expect(resolved).toContain('Resolved: at 2026-03-02T21:00:00.000Z: no complete window has shown it since 2026-03-02T20:00:00.000Z');
    expect(resolved).toMatch(/it lasted 19 h 5\d min/);
    // The failed window says so (it is no incident alert), and resolves nothing.
    expect(all.filter((m) => m.status === undefined).map((m) => m.subject)).toEqual(['[INCOMPLETE] eks-authz-audit prod: audit incomplete, nothing new']);
  }, 240_000);
});
