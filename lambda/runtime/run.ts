import type { RuleError } from '../model/findings';
import type { ScanStats } from '../model/findings';
import type { MalformedLine } from '../model/records';
import type { ScanTimelines } from '../model/timeline';
import { SEVERITIES, type Severity } from '../model/severity';
import { METRICS } from '../settings/names';
import type { ClusterReport, PublishOutcome, QueryStatistics } from '../model/report';
import { auditCluster, type ClusterAuditDeps } from './audit-cluster';
import { describeError } from './backoff';
import type { ClusterLifecycle } from '../model/lifecycle';
import { closeState, decide, knownAwsAuth, oneOff, openState, type LifecycleDeps, type OpenedState } from './lifecycle-run';
import { estimateCost } from './cost';
import type { AuditRequest } from './request';
import { windowIso } from './window';
import type { ExportStep } from './exports-clients';
import type { ClusterExports } from './exports';

/** One cluster in the response: the publisher's report plus what the engine and the publisher did. */
export interface ClusterResult extends ClusterReport {
  statistics: QueryStatistics[];
  stats: ScanStats;
  malformedSamples: MalformedLine[];
  ruleErrors: RuleError[];
  /** null when nothing was to be published (dryRun, or no topic given to the CLI). */
  published: PublishOutcome | null;
  /** Only when asked (RunDeps.timelines, the CLI's HTML report): never in the Lambda response. */
  timelines?: ScanTimelines;
  /**
   * What the life cycle decided (scheduled runs with a state store): the incidents with their status and the
   * alerted transitions; `one-off` for manual runs and the CLI. `incidents` above is lifecycle.incidents.
   */
  lifecycle: ClusterLifecycle;
  /** What the opt-in exports did (Security Hub, EventBridge): scheduled runs with an export configured only. */
  exports?: ClusterExports;
}

/** The Lambda response and the CLI's `audit --format json` output (README "Manual runs"). */
export interface AuditResponse {
  trigger: 'scheduled' | 'manual' | 'cli';
  window: { start: string; end: string };
  minSeverity: Severity;
  dryRun: boolean;
  clusters: ClusterResult[];
  summary: {
    clusters: number; complete: number; incomplete: number; findings: number; incidents: number; published: number;
    /** Bytes every query of the run scanned, and their cost at the Logs Insights list price (runtime/cost.ts). */
    bytesScanned?: number; estimatedCostUsd?: number;
  };
}

export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds';

/** Where the run reports itself: Powertools Logger and Metrics in Lambda, stderr (or nothing) in the CLI. */
export interface Telemetry {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  metric(name: string, unit: MetricUnit, value: number, dimensions?: Record<string, string>): void;
}

export const silentTelemetry: Telemetry = { info() {}, warn() {}, error() {}, metric() {} };

export interface RunDeps extends Omit<ClusterAuditDeps, 'onQueryStart'> {
  readonly concurrency: number;
  /** Publishes one cluster's report; absent means "never publish" (CLI without --publish). */
  readonly publish?: (report: ClusterReport, minSeverity: Severity, lifecycle: ClusterLifecycle) => Promise<PublishOutcome>;
  readonly telemetry?: Telemetry;
  /** The state store and settings of the life cycle; scheduled runs go through it, manual runs never. */
  readonly lifecycle?: LifecycleDeps;
  /** The opt-in exports, per cluster, after the publish: scheduled runs only (a manual run changes nothing). */
  readonly exports?: ExportStep;
}

/** No cluster could be audited: the run fails so the alarm fires and the retry re-runs the window. */
export class AuditFailedError extends Error {
  override readonly name = 'AuditFailedError';
}

/** A report could not be delivered: the run fails too, rather than lose findings without a trace. */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
  constructor(
    message: string,
    readonly response: AuditResponse,
  ) {
    super(message);
  }
}

/** The state store failed (or another run held the cluster too long): the retry of the run tries again. */
export class StateFailedError extends Error {
  override readonly name = 'StateFailedError';
  constructor(
    message: string,
    readonly response: AuditResponse,
  ) {
    super(message);
  }
}

/**
 * Audits every requested cluster (at most `concurrency` at once), publishes one report per cluster
 * unless dryRun, and emits the metrics. Plain function: the handler and the CLI both call it.
 */
export async function runAudit(request: AuditRequest, deps: RunDeps, trigger: AuditResponse['trigger'] = request.trigger): Promise<AuditResponse> {
  const t = deps.telemetry ?? silentTelemetry;
  const window = windowIso(request.window);
  const failures: string[] = [];
  const stateFailures: string[] = [];
  const lifecycleDeps = request.trigger === 'scheduled' ? deps.lifecycle : undefined;


  const results = await mapLimit(request.clusters, deps.concurrency, async (target): Promise<ClusterResult> => {
    const opened: OpenedState | undefined = lifecycleDeps ? await openState(lifecycleDeps, target.name, window) : undefined;
    const known = await knownAwsAuth(deps.lifecycle, opened, target.name);
    const { report, scan } = await auditCluster(target, request.window, request.minSeverity, {
      ...deps,
      ...(known ? { knownAwsAuth: () => known } : {}),
      onQueryStart: (cluster, q) => t.info('query started', { cluster, window, stream: q.stream, queryId: q.queryId, logGroup: target.logGroup }),
    });
    for (const s of report.statistics) {
      t.metric(METRICS.BYTES_SCANNED, 'Bytes', s.bytesScanned);
      t.metric(METRICS.QUERY_DURATION, 'Milliseconds', s.durationMs);
      t.info('query finished', { cluster: target.name, window, ...s });
    }
    reportProblems(t, target.name, window, report, scan);
    if (!report.complete) {
      t.metric(METRICS.INCOMPLETE_AUDITS, 'Count', 1);
      t.warn('audit incomplete', { cluster: target.name, window, reason: report.incompleteReason });
    }
    const decision = opened && lifecycleDeps ? decide(opened, report, scan, lifecycleDeps.settings) : { lifecycle: oneOff(report) };
    const { lifecycle } = decision;
    if (lifecycle.mode === 'skipped') t.warn('life cycle skipped', { cluster: target.name, window, reason: lifecycle.skippedReason });
    let published: PublishOutcome | null = null;
    let delivered = true;
    if (!request.dryRun && deps.publish) {
      try {
        published = await deps.publish(report, request.minSeverity, lifecycle);
        t.info('report delivered', { cluster: target.name, window, ...published });
      } catch (err) {
        const why = describeError(err);
        failures.push(why);
        delivered = false;
        published = { published: false, reason: why, findingsIncluded: 0, bytes: 0 };
        t.error('report not delivered', { cluster: target.name, window, error: why });
      }
    }
    let exported: ClusterExports | undefined;
    if (!request.dryRun && deps.exports && lifecycle.mode === 'scheduled') {
      exported = await deps.exports(target, report, lifecycle);
      // An import or event that did not go out for a reason a retry can mend: the state is released and the run
      // fails, so its retry exports again (and may repeat the email) rather than lose them.
      if (exported.retry) {
        failures.push(`${target.name}: ${exported.retry}`);
        delivered = false;
      }
    }
    if (opened) {
      const stateError = await closeState(opened, decision, delivered);
      if (stateError) {
        stateFailures.push(`${target.name}: ${stateError}`);
        t.error('life-cycle state not updated', { cluster: target.name, window, error: stateError });
      }
    }
    const incidents = lifecycle.mode === 'scheduled' ? lifecycle.incidents : (report.incidents ?? []);
    return {
      ...report, incidents, stats: scan.stats, malformedSamples: scan.malformedSamples, ruleErrors: scan.ruleErrors, published, lifecycle,
      ...(scan.timelines ? { timelines: scan.timelines } : {}),
      ...(exported ? { exports: exported } : {}),
    };
  });

  for (const severity of SEVERITIES) {
    const n = results.reduce((sum, r) => sum + r.findings.filter((f) => f.severity === severity).length, 0);
    if (n > 0) t.metric(METRICS.FINDINGS, 'Count', n, { severity });
  }
  const complete = results.filter((r) => r.complete).length;
  const response: AuditResponse = {
    trigger,
    window,
    minSeverity: request.minSeverity,
    dryRun: request.dryRun,
    clusters: results,
    summary: {
      clusters: results.length,
      complete,
      incomplete: results.length - complete,
      findings: results.reduce((sum, r) => sum + r.findings.length, 0),
      incidents: results.reduce((sum, r) => sum + (r.incidents?.length ?? 0), 0),
      published: results.filter((r) => r.published?.published).length,
      ...runCost(results),
    },
  };
  if (results.length > 0 && complete === 0 && results.every((r) => r.statistics.every((s) => s.status !== 'Complete'))) {
    const why = results.map((r) => `${r.cluster}: ${r.incompleteReason ?? 'incomplete'}`).join(' | ');
    throw new AuditFailedError(`No cluster could be audited for ${window.start}..${window.end}: ${why}`);
  }
  if (failures.length > 0) {
    throw new DeliveryFailedError(`${failures.length} report(s) could not be published: ${failures.join(' | ')}`, response);
  }
  if (stateFailures.length > 0) {
    throw new StateFailedError(`the life-cycle state of ${stateFailures.length} cluster(s) failed: ${stateFailures.join(' | ')}`, response);
  }
  // The heartbeat: missing for two schedule periods means the schedule or the function stopped.
  if (trigger === 'scheduled') t.metric(METRICS.SCHEDULED_RUNS, 'Count', 1);
  return response;
}

/** Rule errors, unreadable rows and unverified coverage: logged and counted, so a scheduled run does not hide them. */
function reportProblems(t: Telemetry, cluster: string, window: { start: string; end: string }, report: ClusterReport, scan: { ruleErrors: RuleError[]; malformedSamples: MalformedLine[]; stats: ScanStats }): void {
  const ruleErrors = scan.ruleErrors.reduce((n, e) => n + e.count, 0);
  t.metric(METRICS.RULE_ERRORS, 'Count', ruleErrors);
  t.metric(METRICS.MALFORMED_ROWS, 'Count', scan.stats.malformed);
  for (const e of scan.ruleErrors) t.error('rule failed', { cluster, window, ruleId: e.ruleId, error: e.error, count: e.count });
  if (scan.stats.malformed > 0) t.warn('rows not readable', { cluster, window, count: scan.stats.malformed, samples: scan.malformedSamples });
  if (report.coverage && !report.coverage.verified) {
    t.metric(METRICS.COVERAGE_NOT_VERIFIED, 'Count', 1);
    t.warn('coverage not verified', { cluster, window, reason: report.coverage.reason });
  }
}

function runCost(results: readonly ClusterResult[]): { bytesScanned: number; estimatedCostUsd: number } {
  const { bytesScanned, estimatedCostUsd } = estimateCost(results.reduce((sum, r) => sum + r.statistics.reduce((s, q) => s + q.bytesScanned, 0), 0));
  return { bytesScanned, estimatedCostUsd };
}

/** Promise.all with at most `limit` tasks in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
