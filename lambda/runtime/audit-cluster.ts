import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { Engine } from '../engine/engine';
import type { ScanResult } from '../model/findings';
import type { Suppression } from '../model/suppression';
import type { AwsAuthMemory } from '../model/aws-auth-memory';
import type { Severity } from '../model/severity';
import type { QueriedStream, Rule } from '../model/rule';
import type { RuleSettings } from '../model/rule-settings';
import type { ClusterReport, QueryStatistics } from '../model/report';
import { clean } from '../model/sanitize';
import { applyAuthenticationMode, incidentsOfFindings } from './authentication-mode';
import type { Clock } from './backoff';
import type { ClusterTarget } from './config';
import { estimateCost } from './cost';
import { coverageOf, describeCluster, readClusterFacts, type DescribeOutcome, type EksClusterFactsOrNone, type EksSend } from './eks-cluster';
import { runQuery, type QueryOutcome, type QueryProgress, type RunnerOptions } from './insights';
import { selectStreams, streamFilter, type StreamSelection } from './log-streams';
import { queryWithStreamFilter, ROW_LIMIT, type StreamQuery } from './queries';
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
  /** The EKS client for a cluster's region; absent: coverage is reported as not verified. */
  readonly eksClient?: (region: string | undefined) => EksSend;
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

/** The control-plane log type that feeds each stream kind (DescribeCluster logging types). */
const LOG_TYPE: Record<QueriedStream, string> = { audit: 'audit', apiserver: 'api', authenticator: 'authenticator' };
/** Stream kinds that always carry events on a live cluster: none in a window means the audit saw nothing. */
const NEVER_SILENT: Record<QueriedStream, string | undefined> = { audit: 'no audit events in the window', apiserver: 'no API server events in the window', authenticator: undefined };

/**
 * Audits one cluster over one window: DescribeCluster while each stream kind's streams are listed and
 * queried (side by side), every result row classified by the CLI's reader and judged by the CLI's rules
 * in one engine, with the cluster's EKS API facts (logging, access entries) as one more record.
 */
export async function auditCluster(
  target: ClusterTarget,
  window: TimeWindow,
  minSeverity: Severity,
  deps: ClusterAuditDeps,
): Promise<ClusterAudit> {
  const client = deps.logsClient(target.region);
  const eks = deps.eksClient?.(target.region);
  const retryDeps = { clock: deps.clock, timeLeft: deps.timeLeft, ...(deps.runnerOptions ? { retry: deps.runnerOptions.retry } : {}) };
  const describing: Promise<DescribeOutcome> = eks
    ? describeCluster(target.name, target.region, { client: eks, ...retryDeps })
    : Promise.resolve({ ok: false, reason: 'the EKS API was not asked (no EKS client)' });

  const limit = deps.rowLimit ?? ROW_LIMIT;
  const selections = await selectStreams(
    target.logGroup,
    window,
    deps.queries.map((q) => q.stream),
    (kind, filter) => queryWithStreamFilter(deps.queries.find((q) => q.stream === kind)!, filter).length,
    { client, ...retryDeps },
  );
  const outcomes: QueryOutcome[] = await Promise.all(deps.queries.map((q) => runStreamQuery(q, selections.get(q.stream), target, window, limit, client, deps)));

  const engine = new Engine(deps.rules, {
    cluster: target.name, minSeverity, settings: deps.settings, timelines: deps.timelines === true,
    ...(deps.suppressions?.length ? { suppressions: deps.suppressions, now: new Date(deps.clock.now()) } : {}),
    ...(deps.knownAwsAuth ? { knownAwsAuth: deps.knownAwsAuth(target.name) } : {}),
  });
  outcomes.forEach((outcome) => {
    engine.file();
    outcome.rows.forEach((row, r) => readRow(row, { logGroup: target.logGroup, line: r + 1 }, engine));
  });

  const described = await describing;
  let facts: EksClusterFactsOrNone;
  if (described.ok && eks) {
    facts = await readClusterFacts(described.cluster, engine.kubeletRoleArns, { client: eks, ...retryDeps });
    engine.record({ kind: 'eks-cluster', cluster: facts, origin: { file: `eks-api:${target.name}`, line: 1, timestamp: new Date(deps.clock.now()).toISOString() } });
  }
  const scan = engine.finish();
  const coverage = coverageOf(described, facts);

  const reasons = outcomes.filter((o) => !o.complete).map((o) => o.incompleteReason ?? `${o.statistics.stream} query incomplete`);
  for (const o of outcomes) {
    const silent = NEVER_SILENT[o.statistics.stream];
    const loggingOff = coverage.enabledLogTypes !== undefined && !coverage.enabledLogTypes.includes(LOG_TYPE[o.statistics.stream]);
    // Logging confirmed off is said by cluster-logging-disabled; otherwise nothing seen is not "healthy".
    if (silent && o.complete && o.statistics.recordsScanned === 0 && !loggingOff) reasons.push(silent);
  }
  for (const e of scan.ruleErrors) reasons.push(`rule ${e.ruleId} failed (${e.count}x: ${clean(e.error, 200)}): it saw nothing after that`);

  const statistics = outcomes.map((o) => ({ ...o.statistics, estimatedCostUsd: estimateCost(o.statistics.bytesScanned).estimatedCostUsd }));
  const findings = applyAuthenticationMode(scan.findings, facts?.authenticationMode, minSeverity);
  const report: ClusterReport & { statistics: QueryStatistics[] } = {
    cluster: target.name,
    window: windowIso(window),
    findings,
    incidents: incidentsOfFindings(scan.incidents, findings),
    ...(scan.suppressed ? { suppressed: scan.suppressed } : {}),
    ...(scan.expiredSuppressions ? { expiredSuppressions: scan.expiredSuppressions } : {}),
    complete: reasons.length === 0,
    statistics,
    cost: estimateCost(statistics.reduce((sum, s) => sum + s.bytesScanned, 0)),
    coverage,
  };
  if (scan.ruleErrors.length > 0 || scan.stats.malformed > 0) {
    report.problems = { ruleErrors: scan.ruleErrors.reduce((n, e) => n + e.count, 0), malformedRows: scan.stats.malformed };
    if (scan.ruleErrors.length > 0) report.problems.ruleErrorIds = scan.ruleErrors.map((e) => e.ruleId);
  }
  if (reasons.length > 0) report.incompleteReason = reasons.join('; ');
  return { report, scan };
}

async function runStreamQuery(
  q: StreamQuery,
  selection: StreamSelection | undefined,
  target: ClusterTarget,
  window: TimeWindow,
  limit: number,
  client: Pick<CloudWatchLogsClient, 'send'>,
  deps: ClusterAuditDeps,
): Promise<QueryOutcome> {
  if (selection?.noStreams) {
    // Nothing can hold events of the window: no bytes to pay for, and nothing seen.
    return {
      rows: [],
      complete: true,
      statistics: { stream: q.stream, recordsMatched: 0, recordsScanned: 0, bytesScanned: 0, durationMs: 0, status: 'Complete', windowSplits: 0, streamFilter: 'none', streams: 0 },
    };
  }
  const named = selection?.mode === 'streams';
  const outcome = await runQuery(
    {
      stream: q.stream,
      logGroups: [target.logGroup],
      queryString: named ? queryWithStreamFilter(q, streamFilter(selection.streams)) : q.queryString,
      startMs: window.startMs,
      endMs: window.endMs,
      limit,
    },
    {
      client,
      clock: deps.clock,
      timeLeft: deps.timeLeft,
      ...(deps.runnerOptions ? { options: deps.runnerOptions } : {}),
      ...(deps.onProgress ? { onProgress: (p: QueryProgress) => deps.onProgress!(target.name, p) } : {}),
      ...(deps.onQueryStart ? { onStart: (i: { stream: string; queryId: string; startTime: number; endTime: number }) => deps.onQueryStart!(target.name, i) } : {}),
    },
  );
  const how: Partial<QueryStatistics> = named
    ? { streamFilter: 'streams', streams: selection.streams.length }
    : { streamFilter: 'prefix', fallbackReason: selection?.fallbackReason ?? 'streams not listed' };
  return { ...outcome, statistics: { ...outcome.statistics, ...how } };
}
