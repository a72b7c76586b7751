import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { Engine } from '../engine/engine';
import type { ScanResult } from '../model/findings';
import type { Suppression } from '../model/suppression';
import type { AwsAuthMemory } from '../model/aws-auth-memory';
import type { Severity } from '../model/severity';
import type { Rule } from '../model/rule';
import type { RuleSettings } from '../model/rule-settings';
import type { ClusterReport, QueryStatistics } from '../model/report';
import type { Clock } from './backoff';
import type { ClusterTarget } from './config';
import { runQuery, type QueryOutcome, type QueryProgress, type RunnerOptions } from './insights';
import { ROW_LIMIT, type StreamQuery } from './queries';
import { readRow } from './rows';
import { windowIso, type TimeWindow } from './window';

export interface ClusterAuditDeps {
  /** Known exceptions (the `suppressions` setting): matching findings open no incident and are never published. */
  readonly suppressions?: readonly Suppression[];
  /** aws-auth remembered for a cluster from earlier runs (the state store), for the root cause of its incidents. */
  readonly knownAwsAuth?: (cluster: string) => AwsAuthMemory | undefined;
  readonly rules: readonly Rule[];
  readonly queries: readonly StreamQuery[];
  /** The Logs client for a cluster's region (undefined: the default region). */
  readonly logsClient: (region: string | undefined) => Pick<CloudWatchLogsClient, 'send'>;
  readonly clock: Clock;
  readonly timeLeft: () => number;
  readonly runnerOptions?: RunnerOptions;
  readonly rowLimit?: number;
  /** Rule thresholds by name (the rest take their declared defaults); a window is one run. */
  readonly settings?: Partial<RuleSettings>;
  /** Collect the timelines of the HTML report (ScanResult.timelines). */
  readonly timelines?: boolean;
  readonly onProgress?: (cluster: string, p: QueryProgress) => void;
  readonly onQueryStart?: (cluster: string, info: { stream: string; queryId: string; startTime: number; endTime: number }) => void;
}

/** One cluster's audit: the report the publisher takes, and the engine's bookkeeping beside it. */
export interface ClusterAudit {
  readonly report: ClusterReport & { statistics: QueryStatistics[] };
  readonly scan: ScanResult;
}

/**
 * Audits one cluster over one window: one query per stream kind (run side by side), every result row
 * classified by the CLI's reader and judged by the CLI's rules in one engine.
 */
export async function auditCluster(
  target: ClusterTarget,
  window: TimeWindow,
  minSeverity: Severity,
  deps: ClusterAuditDeps,
): Promise<ClusterAudit> {
  const client = deps.logsClient(target.region);
  const outcomes: QueryOutcome[] = await Promise.all(
    deps.queries.map((q) =>
      runQuery(
        {
          stream: q.stream,
          logGroups: [target.logGroup],
          queryString: q.queryString,
          startMs: window.startMs,
          endMs: window.endMs,
          limit: deps.rowLimit ?? ROW_LIMIT,
        },
        {
          client,
          clock: deps.clock,
          timeLeft: deps.timeLeft,
          ...(deps.runnerOptions ? { options: deps.runnerOptions } : {}),
          ...(deps.onProgress ? { onProgress: (p: QueryProgress) => deps.onProgress!(target.name, p) } : {}),
          ...(deps.onQueryStart ? { onStart: (i: { stream: string; queryId: string; startTime: number; endTime: number }) => deps.onQueryStart!(target.name, i) } : {}),
        },
      ),
    ),
  );

  const engine = new Engine(deps.rules, {
    cluster: target.name, minSeverity, settings: deps.settings, timelines: deps.timelines === true,
    ...(deps.suppressions?.length ? { suppressions: deps.suppressions, now: new Date(deps.clock.now()) } : {}),
    ...(deps.knownAwsAuth ? { knownAwsAuth: deps.knownAwsAuth(target.name) } : {}),
  });
  outcomes.forEach((outcome) => {
    engine.file();
    outcome.rows.forEach((row, r) => readRow(row, { logGroup: target.logGroup, line: r + 1 }, engine));
  });
  const scan = engine.finish();

  const reasons = outcomes.filter((o) => !o.complete).map((o) => o.incompleteReason ?? `${o.statistics.stream} query incomplete`);
  const report: ClusterReport & { statistics: QueryStatistics[] } = {
    cluster: target.name,
    window: windowIso(window),
    findings: scan.findings,
    incidents: scan.incidents,
    ...(scan.suppressed ? { suppressed: scan.suppressed } : {}),
    ...(scan.expiredSuppressions ? { expiredSuppressions: scan.expiredSuppressions } : {}),
    complete: reasons.length === 0,
    statistics: outcomes.map((o) => o.statistics),
  };
  if (reasons.length > 0) report.incompleteReason = reasons.join('; ');
  return { report, scan };
}
