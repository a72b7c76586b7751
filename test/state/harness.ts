import { afterAll, beforeAll, vi } from 'vitest';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler } from '../../lambda/runtime/lambda-runtime';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import type { AuditResponse } from '../../lambda/runtime/run';
import { METRICS } from '../../lambda/settings/names';
import { fakeClock, scheduledEvent } from '../aws/helpers';
import { FakeAws, type StartedQuery } from '../integration/fake-aws';
import { serveFakeAws, TEST_CREDENTIALS } from '../integration/sdk-environment';
import type { DayScenario } from './day-scenario';
import { startDynalite, type LocalDynamo } from './local-dynamodb';

/**
 * Scheduled runs of the real handler, engine and rules over a DayScenario: the real SDK clients talk to a local
 * CloudWatch Logs and SNS (FakeAws) and to DynamoDB (dynalite), and the clients the handler makes itself
 * (Security Hub, EventBridge) reach FakeAws through AWS_ENDPOINT_URL_SECURITYHUB and _EVENTBRIDGE. Each Logs
 * Insights query gets the scenario's rows for its window; a fake clock stands at the end of the window run.
 */
export const DAY = Date.parse('2026-03-02T00:00:00Z');
export const QUARTER = 15 * 60_000;
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:eks-authz-audit';

/** One cluster on a 15-minute schedule, no ingestion lag; each handler gets a state table of its own. */
export const DAY_CONFIG: RuntimeConfig = {
  clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }],
  topicArn: 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit',
  minSeverity: 'medium', scheduleMinutes: 15, ingestionLagMinutes: 0, maxLookbackDays: 30, concurrency: 1, ruleSettings: {},
};

/** The start of the n-th quarter of DAY (the window of the n-th scheduled run). */
export const quarter = (n: number): number => DAY + n * QUARTER;

/** The scheduled run of the n-th quarter of DAY: its event fires at the window's end. */
export type ScheduledRun = (n: number) => Promise<AuditResponse>;

export interface ScheduledDay {
  /** The local AWS: what was published and exported, and scripts for the exports. */
  readonly fake: FakeAws;
  /**
   * A fresh handler over `scenario` with `config` and a new state table, its clock at the start of DAY, FakeAws
   * reset; the queries of the windows starting at `failedWindows` fail.
   */
  runsOf(scenario: DayScenario, config: RuntimeConfig, failedWindows?: ReadonlySet<number>): Promise<ScheduledRun>;
}

/** Serves the local services for the calling file's tests; call it once, at the top of the file. */
export function serveScheduledDay(): ScheduledDay {
  const fake = new FakeAws();
  const endpoint = serveFakeAws(fake, ['SECURITYHUB', 'EVENTBRIDGE']);
  let db: LocalDynamo | undefined;
  let tables = 0;
  beforeAll(async () => {
    db = await startDynalite();
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  });
  afterAll(async () => {
    await db?.stop();
  });

  async function runsOf(scenario: DayScenario, config: RuntimeConfig, failedWindows: ReadonlySet<number> = new Set()): Promise<ScheduledRun> {
    const stateTable = `eks-authz-audit-state-${++tables}`;
    await db!.createTable(stateTable);
    fake.reset({
      getQueryResults: (q: StartedQuery) => {
        const [startMs, endMs] = [q.startTime * 1000, (q.endTime + 1) * 1000];
        if (failedWindows.has(startMs)) return { status: 200, body: { status: 'Failed', statistics: {} } };
        const results = q.stream === 'audit' ? scenario.auditRows(startMs, endMs) : [];
        return { status: 200, body: { status: 'Complete', results, statistics: { recordsMatched: results.length, recordsScanned: 1000, bytesScanned: 1e6 } } };
      },
    });
    fake.exports.reset();
    const clock = fakeClock(DAY);
    const client = { endpoint: endpoint(), region: 'eu-west-1', credentials: TEST_CREDENTIALS };
    const logs = new CloudWatchLogsClient(client);
    const handler = createHandler({ ...config, stateTable }, {
      logger: new Logger({ serviceName: METRICS.SERVICE }),
      metrics: new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE }),
      logsClient: () => logs,
      snsClient: new SNSClient(client),
      stateClient: db!.client,
      clock,
    });
    return async (n) => {
      const end = quarter(n + 1);
      if (clock.now() < end) clock.advance(end - clock.now());
      return handler(scheduledEvent(new Date(end).toISOString()), {
        awsRequestId: `run-${n}`, invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 600_000,
      });
    };
  }

  return { fake, runsOf };
}

/** An alert as published: its subject, its `status` message attribute, and the email text. */
export interface PublishedMessage { subject: string; status: string | undefined; text: string }

/** What `fake` published, in order. */
export function publishedMessages(fake: FakeAws): PublishedMessage[] {
  return fake.published.map((p) => ({
    subject: p.get('Subject') ?? '',
    status: attribute(p, 'status'),
    text: (JSON.parse(p.get('Message')!) as { email: string }).email,
  }));
}

function attribute(p: URLSearchParams, name: string): string | undefined {
  for (let i = 1; p.has(`MessageAttributes.entry.${i}.Name`); i++) {
    if (p.get(`MessageAttributes.entry.${i}.Name`) === name) return p.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? undefined;
  }
  return undefined;
}
