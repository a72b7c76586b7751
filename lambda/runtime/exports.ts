import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Finding } from '../model/findings';
import type { Incident, IncidentStatus } from '../model/incident';
import type { RetryDeps } from './backoff';
import { putIncidentEvents, type EventBridgeOutcome } from './eventbridge';
import { importToSecurityHub, type SecurityHubBatch, type SecurityHubOutcome } from './securityhub';
import type { AsffSource, SecurityHubTarget } from './securityhub-asff';
import type { Telemetry } from './run';

/**
 * The opt-in exports of a scheduled run, per cluster, after the life cycle decided: the findings into Security
 * Hub (`securityHub`), one EventBridge event per incident status change (`eventBus`). Manual runs export nothing:
 * they report, they change nothing.
 */

/** What the life cycle decided for the cluster, as far as the exports read it (ClusterLifecycle). */
export interface LifecycleView {
  readonly mode: 'scheduled' | 'one-off' | 'skipped';
  readonly incidents: readonly Incident[];
  readonly transitions: readonly {
    readonly incident: Incident;
    readonly status: Exclude<IncidentStatus, 'open'>;
    readonly findings: readonly AsffSource[];
    readonly findingsTotal: number;
  }[];
}

/** Where the function runs: from the Lambda context's invokedFunctionArn (no STS call, no extra permission). */
export interface FunctionArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;

export function parseFunctionArn(arn: string | undefined): FunctionArn | undefined {
  const m = arn ? FUNCTION_ARN.exec(arn) : null;
  return m ? { partition: m[1]!, region: m[2]!, accountId: m[3]! } : undefined;
}

/** The cluster's ARN: in the log group's account and region when the log group is given by ARN (a linked account). */
export function clusterArn(cluster: { name: string; region?: string; logGroup: string }, fn: FunctionArn): string {
  const [, partition, , lgRegion, lgAccount] = cluster.logGroup.startsWith('arn:') ? cluster.logGroup.split(':') : [];
  const region = cluster.region ?? lgRegion ?? fn.region;
  return `arn:${partition ?? fn.partition}:eks:${region}:${lgAccount ?? fn.accountId}:cluster/${cluster.name}`;
}

export interface ExportDeps extends RetryDeps {
  readonly function: FunctionArn;
  readonly securityHub?: Pick<SecurityHubClient, 'send'>;
  /** The bus (name or ARN) and its client. */
  readonly eventBridge?: { readonly client: Pick<EventBridgeClient, 'send'>; readonly eventBus: string };
  /** The rule's first reference (Remediation.Recommendation.Url), by rule id. */
  readonly reference: (ruleId: string) => string | undefined;
  readonly telemetry: Telemetry;
}

/** What the exports did for one cluster (in the Lambda response, beside `published`). */
export interface ClusterExports {
  securityHub?: SecurityHubOutcome;
  eventBridge?: EventBridgeOutcome;
  /** Set when an export failed in a way a retry of the run can mend (a request that failed outright). */
  retry?: string;
  /** Why nothing was exported (no function ARN to import under). */
  skipped?: string;
}

export const EXPORT_METRICS = {
  SECURITY_HUB_FAILED: 'SecurityHubImportFailures',
  EVENTS_FAILED: 'EventBridgeEventFailures',
} as const;

export async function exportCluster(
  target: { name: string; region?: string; logGroup: string },
  run: { readonly findings: readonly Finding[]; readonly window: { readonly end: string } },
  lifecycle: LifecycleView,
  now: string,
  deps: ExportDeps,
): Promise<ClusterExports> {
  const out: ClusterExports = {};
  if (lifecycle.mode !== 'scheduled') return out;
  const arn = clusterArn(target, deps.function);
  const t = deps.telemetry;
  const retry: string[] = [];
  if (deps.securityHub) {
    const shTarget: SecurityHubTarget = { accountId: deps.function.accountId, region: deps.function.region, partition: deps.function.partition };
    const batch = securityHubBatch(run.findings, lifecycle);
    for (const tr of lifecycle.transitions) {
      if (tr.status === 'resolved' && tr.findingsTotal > tr.findings.length) {
        t.warn('resolved incident has more findings than the state keeps: the rest stay active in Security Hub', {
          cluster: target.name, incident: tr.incident.id, kept: tr.findings.length, total: tr.findingsTotal,
        });
      }
    }
    const outcome = await importToSecurityHub(batch, { target: shTarget, cluster: target.name, clusterArn: arn, now, reference: deps.reference }, {
      client: deps.securityHub, clock: deps.clock, timeLeft: deps.timeLeft,
    });
    out.securityHub = outcome;
    if (outcome.failedCount > 0) {
      t.metric(EXPORT_METRICS.SECURITY_HUB_FAILED, 'Count', outcome.failedCount);
      t.error('Security Hub did not take every finding', { cluster: target.name, failed: outcome.failedCount, first: outcome.failed.slice(0, 5), error: outcome.error });
    } else {
      t.info('findings imported into Security Hub', { cluster: target.name, imported: outcome.imported, archived: outcome.archived });
    }
    if (outcome.error) retry.push(`Security Hub: ${outcome.error}`);
  }
  if (deps.eventBridge) {
    const changes = lifecycle.transitions.map((tr) => ({ ...tr.incident, status: tr.status }));
    if (changes.length > 0) {
      const outcome = await putIncidentEvents(changes, { eventBus: deps.eventBridge.eventBus, clusterArn: arn, time: run.window.end }, {
        client: deps.eventBridge.client, clock: deps.clock, timeLeft: deps.timeLeft,
      });
      out.eventBridge = outcome;
      if (outcome.failedCount > 0) {
        t.metric(EXPORT_METRICS.EVENTS_FAILED, 'Count', outcome.failedCount);
        t.error('EventBridge did not take every event', { cluster: target.name, failed: outcome.failedCount, first: outcome.failed.slice(0, 5), error: outcome.error });
      } else {
        t.info('incident events put', { cluster: target.name, events: outcome.put, bus: deps.eventBridge.eventBus });
      }
      // An event refused for good would be refused again; an unsent one is sent by the run's retry.
      if (outcome.error) retry.push(`EventBridge: ${outcome.error}`);
    }
  }
  if (retry.length > 0) out.retry = retry.join('; ');
  return out;
}

/**
 * This run's findings, each with the open incident it belongs to (ACTIVE), and the remembered findings of the
 * incidents this run resolved (ARCHIVED). A finding in no incident (suppressed) is not exported.
 */
export function securityHubBatch(findings: readonly Finding[], lifecycle: LifecycleView): SecurityHubBatch {
  const incidentOf = new Map<string, Incident>();
  for (const incident of lifecycle.incidents) {
    if (incident.status === 'resolved') continue;
    for (const fp of incident.findings) if (!incidentOf.has(fp)) incidentOf.set(fp, incident);
  }
  const active = findings.filter((f) => incidentOf.has(f.fingerprint)).map((f) => ({ finding: f, incident: incidentOf.get(f.fingerprint)! }));
  const archived = lifecycle.transitions
    .filter((tr) => tr.status === 'resolved')
    .flatMap((tr) => tr.findings.map((f) => ({ finding: f, incident: { ...tr.incident, status: 'resolved' as const } })));
  return { active, archived };
}
