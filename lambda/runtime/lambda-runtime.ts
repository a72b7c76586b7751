import type { Suppression } from '../model/suppression';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { RULES } from '../rules/registry';
import type { Rule } from '../model/rule';
import { publishClusterReport } from './publish';
import { SDK_SINGLE_ATTEMPT, systemClock, type Clock } from './backoff';
import type { RuntimeConfig } from './config';
import type { RunnerOptions } from './insights';
import { buildQueries } from './queries';
import { exportClients, exportStep, type ExportClients } from './exports-clients';
import { InvalidRequestError, parseInvocation } from './request';
import { runAudit, type AuditResponse, type MetricUnit as Unit, type Telemetry } from './run';
import type { LifecycleDeps } from './lifecycle-run';
import { StateStore } from './state-store';
import { DEFAULT_LIFECYCLE_SETTINGS } from './state';

/**
 * Time kept back from the Lambda deadline for what follows the queries: StopQuery on an abandoned
 * query, the engine, one SNS Publish per cluster and the metrics flush.
 */
export const PUBLISH_RESERVE_MS = 20_000;

export interface LambdaDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly logsClient: (region: string | undefined) => Pick<CloudWatchLogsClient, 'send'>;
  readonly snsClient: SNSClient;
  /** The life-cycle state table's client (used when the configuration names a table). */
  readonly stateClient?: Pick<DynamoDBDocumentClient, 'send'>;
  /** Absent: DescribeCluster is not called and each cluster's coverage is "not verified". */
  readonly eksClient?: (region: string | undefined) => Pick<EKSClient, 'send'>;
  readonly clock?: Clock;
  readonly rules?: readonly Rule[];
  readonly runnerOptions?: RunnerOptions;
  readonly reserveMs?: number;
  /** Clients of the opt-in exports (default: made from the configuration, none when both are off). */
  readonly exportClients?: ExportClients;
}

/**
 * Clients from the SDK's default chain (so AWS_ENDPOINT_URL_* work), one Logs client per region. The Logs
 * client makes one attempt per call: runtime/backoff.ts retries, knowing the deadline.
 */
export function defaultClients(topicArn: string): Pick<LambdaDeps, 'logsClient' | 'snsClient' | 'eksClient' | 'stateClient'> {
  const logs = new Map<string, CloudWatchLogsClient>();
  const eks = new Map<string, EKSClient>();
  const topicRegion = topicArn.split(':')[3];
  return {
    logsClient: (region) => {
      const key = region ?? '';
      let c = logs.get(key);
      if (!c) logs.set(key, (c = new CloudWatchLogsClient({ ...SDK_SINGLE_ATTEMPT, ...(region ? { region } : {}) })));
      return c;
    },
    eksClient: (region) => {
      const key = region ?? '';
      let c = eks.get(key);
      if (!c) eks.set(key, (c = new EKSClient({ ...SDK_SINGLE_ATTEMPT, ...(region ? { region } : {}) })));
      return c;
    },
    snsClient: new SNSClient(topicRegion ? { region: topicRegion } : {}),
    // The table is in the function's own region.
    stateClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  };
}

/** A lease outlasts the run: what is left of the invocation and a minute; without a deadline, 15 minutes. */
const LEASE_MARGIN_MS = 60_000;
const LEASE_WITHOUT_DEADLINE_MS = 15 * 60_000;

/**
 * The thin handler: validate the event, run the audit, map errors. Configuration was validated at
 * cold start; an invalid event is rejected (error naming the field) before anything is queried.
 */
export function createHandler(config: RuntimeConfig, deps: LambdaDeps): (event: unknown, context?: Partial<Context>) => Promise<AuditResponse> {
  const rules = deps.rules ?? RULES;
  const queries = buildQueries(rules);
  const clock = deps.clock ?? systemClock;
  const reserve = deps.reserveMs ?? PUBLISH_RESERVE_MS;
  const { logger, metrics } = deps;
  const exporters = deps.exportClients ?? exportClients(config);
  const store = config.stateTable && deps.stateClient ? new StateStore(deps.stateClient, { tableName: config.stateTable, clock }) : undefined;
  const telemetry: Telemetry = {
    info: (m, a) => logger.info(m, a ?? {}),
    warn: (m, a) => logger.warn(m, a ?? {}),
    error: (m, a) => logger.error(m, a ?? {}),
    metric: (name, unit, value, dimensions) => {
      if (dimensions) {
        const single = metrics.singleMetric();
        for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
        single.addMetric(name, toUnit(unit), value);
      } else {
        metrics.addMetric(name, toUnit(unit), value);
      }
    },
  };

  return async (event, context) => {
    if (context?.awsRequestId) logger.addContext(context as Context);
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis.bind(context) : undefined;
    const startedAt = clock.now();
    const lifecycle: LifecycleDeps | undefined = store && {
      store,
      settings: config.lifecycle ?? DEFAULT_LIFECYCLE_SETTINGS,
      leaseMs: () => (remaining ? remaining() + LEASE_MARGIN_MS : LEASE_WITHOUT_DEADLINE_MS),
    };
    try {
      const request = parseInvocation(event, config, clock.now());
      logger.info('audit started', { trigger: request.trigger, window: windowOf(request), clusters: request.clusters.map((c) => c.name), dryRun: request.dryRun });
      return await runAudit(request, {
        rules,
        queries,
        logsClient: deps.logsClient,
        ...(deps.eksClient ? { eksClient: deps.eksClient } : {}),
        clock,
        // Without a Lambda context (a local call) there is no deadline.
        timeLeft: remaining ? () => remaining() - reserve : () => Infinity,
        ...(deps.runnerOptions ? { runnerOptions: deps.runnerOptions } : {}),
        concurrency: config.concurrency,
        settings: config.ruleSettings,
        suppressions: (config.settings?.['suppressions'] as readonly Suppression[] | undefined) ?? [],
        publish: (report, minSeverity, decided) => publishClusterReport(deps.snsClient, report, { topicArn: config.topicArn, minSeverity }, decided),
        telemetry,
        ...(lifecycle ? { lifecycle } : {}),
        ...(exporters
          ? { exports: exportStep(exporters, context?.invokedFunctionArn, { rules, clock, timeLeft: remaining ? () => remaining() - reserve : () => Infinity, telemetry }) }
          : {}),
      });
    } catch (err) {
      if (err instanceof InvalidRequestError) logger.warn('invalid request: nothing queried or published', { field: err.field, error: err.message });
      else logger.error('audit failed', { error: err instanceof Error ? err.message : String(err), durationMs: clock.now() - startedAt });
      throw err;
    } finally {
      // A run that stored none (a rejected request) has nothing to flush; Powertools would log a warning for it.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

function windowOf(r: { window: { startMs: number; endMs: number } }): { start: string; end: string } {
  return { start: new Date(r.window.startMs).toISOString(), end: new Date(r.window.endMs).toISOString() };
}

function toUnit(unit: Unit): (typeof MetricUnit)[keyof typeof MetricUnit] {
  return unit === 'Bytes' ? MetricUnit.Bytes : unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count;
}

export { InvalidRequestError };
