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
 * A wrong node-role mapping whose nodes fail only hours after the write (their kubelets' credentials were still
 * cached): the windows in between hold neither the write nor a failure. The remembered aws-auth content keeps
 * the incident open through them, so the scheduled runs (real handler, engine and rules; FakeAws for Logs
 * Insights and SNS; dynalite for the state) alert it once when written and once RESOLVED when a write fixes it,
 * never RESOLVED and "recurred" in between.
 */
const DAY = Date.parse('2026-03-02T00:00:00Z');
const QUARTER = 15 * 60_000;
let fake: FakeAws;
let db: LocalDynamo;
let endpoint: string;

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

/** Scheduled runs of the n-th quarter of DAY over `scenario`, and what they published. */
async function scheduledRuns(scenario: DayScenario) {
  const table = 'eks-authz-audit-state-latent';
  await db.createTable(table);
  const config: RuntimeConfig = {
    clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }],
    topicArn: 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit', minSeverity: 'medium', scheduleMinutes: 15,
    ingestionLagMinutes: 0, maxLookbackDays: 30, concurrency: 1, ruleSettings: {}, stateTable: table,
  };
  fake.reset({
    getQueryResults: (q: StartedQuery) => {
      const [startMs, endMs] = [q.startTime * 1000, (q.endTime + 1) * 1000];
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
  const run = async (n: number): Promise<void> => {
    const end = DAY + (n + 1) * QUARTER;
    if (clock.now() < end) clock.advance(end - clock.now());
    await handler(scheduledEvent(new Date(end).toISOString()), { awsRequestId: `run-${n}`, getRemainingTimeInMillis: () => 600_000 });
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

describe('a wrong node-role mapping whose nodes fail hours after the write', () => {
  it('alerts it once when written and RESOLVED once when fixed, not RESOLVED and recurred while the nodes still hold their credentials', async () => {
    // Prepare: written at 00:05; the nodes are refused from 02:30 (2 h 25 min later, well past the 60 min that
    // resolve an incident nobody shows); fixed at 05:00.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', nodesFrom: '2026-03-02T02:30:00Z', fixAt: '2026-03-02T05:00:00Z', nodes: 4 });
    const { run, messages } = await scheduledRuns(scenario);

    // Act: every quarter from 00:00 to 07:00.
    for (let n = 0; n < 28; n++) await run(n);

    // Assess
    const alerts = messages().filter((m) => m.status !== undefined);
    expect(alerts.map((m) => m.status)).toEqual(['["new"]', '["resolved"]']);
    const [opened, resolved] = alerts.map((m) => flat(m.text));
    expect(opened).toContain('Changed by: update of ConfigMap kube-system/aws-auth at 2026-03-02T00:05:00');
    expect(opened).not.toContain('recurred');
    // Open through the quiet hours and the refusals; resolved an hour after the fixing write's window.
    expect(resolved).toContain('Resolved: at 2026-03-02T06:00:00.000Z: no complete window has shown it since 2026-03-02T05:00:00.000Z');
    expect(resolved).toMatch(/it lasted 4 h 5\d min \(2026-03-02T00:05:00/);
    expect(resolved).not.toContain('recurred');
  }, 120_000);
});
