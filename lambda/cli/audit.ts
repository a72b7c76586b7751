import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { EKSClient } from '@aws-sdk/client-eks';
import { atLeast, parseSeverity, type Severity } from '../model/severity';
import { clean } from '../model/sanitize';
import { RULES } from '../rules/registry';
import { publishClusterReport } from '../runtime/publish';
import { isTopicArn } from '../runtime/config';
import type { RuleSettings } from '../model/rule-settings';
import { ConfigError } from '../settings/errors';
import { settingFlagHelp, settingFlagOptions } from '../settings/flags';
import { SDK_SINGLE_ATTEMPT, systemClock, type Clock } from '../runtime/backoff';
import type { QueryProgress, RunnerOptions } from '../runtime/insights';
import { buildQueries } from '../runtime/queries';
import { AuditFailedError, DeliveryFailedError, runAudit, type AuditResponse, type ClusterResult } from '../runtime/run';
import { parseDuration, parseIsoTime, toWholeSeconds, type TimeWindow } from '../runtime/window';
import { renderText } from '../report/text';
import { EXIT, UsageError, parseFlags, type CliIO } from './io';
import { useColor } from './color';
import { checkHtmlTarget, renderHtmlPage, scanNotes } from './html-output';
import { noteNodeVersion } from './node-version';
import { flagMessage, targetLogGroup } from './queries';
import { thresholdFlags } from './scan';
import { readSuppressionsFile } from './suppressions-file';
import type { Suppression } from '../model/suppression';

export const AUDIT_USAGE = `Usage: eks-authz-audit audit --cluster NAME (--since 24h | --start ISO --end ISO) [options]

Run the audit against CloudWatch Logs Insights from this machine, with the same queries and rules as
the scheduled Lambda. Uses the AWS SDK's usual credentials and region (environment, profile, SSO).

Options:
  --cluster NAME            EKS cluster name (log group /aws/eks/NAME/cluster)
  --log-group NAME_OR_ARN   another log group name, or an ARN for a group in a linked account
  --region R                region of the log group (default: from the environment or profile)
  --profile P               AWS profile to use
  --since DURATION          audit the last DURATION: 90m, 24h, 7d
  --start ISO --end ISO     audit [start, end), e.g. 2024-05-19T06:00:00Z
  --format text|json|html   output format (default: text); json is the Lambda's response shape;
                            html is one self-contained page (incidents, timelines, findings table):
                            redirect it to a file
  --min-severity S          leave out findings below S (default: info)
  --fail-on S               exit 1 when a finding reaches severity S (default: never)
  --publish TOPIC_ARN       also publish the report to this SNS topic, as the Lambda does
  --suppressions FILE       known exceptions (YAML or JSON list of {ruleId, subject: {key: glob},
                            reason, expires}), as the Lambda's suppressions setting
${settingFlagHelp(28)}
  -h, --help                show this help

Rule thresholds count within the audited window, as in one scheduled run.

Exit codes: 0 audited, 1 a finding reached --fail-on, 2 usage error or an incomplete audit (a query
failed, was cancelled or hit the row limit; the report says which and is still printed).
`;

export interface AuditCliOptions {
  readonly cluster: string;
  readonly logGroup: string;
  readonly region?: string;
  readonly profile?: string;
  readonly window: TimeWindow;
  readonly format: 'text' | 'json' | 'html';
  readonly minSeverity: Severity;
  readonly failOn?: Severity;
  readonly publish?: string;
  /** Rule thresholds given as flags; the rest take their defaults, as in the Lambda. */
  readonly settings: Partial<RuleSettings>;
  /** From --suppressions FILE, checked. */
  readonly suppressions: readonly Suppression[];
}

/** Injected in tests: a clock (so polls do not wait) and the current time. */
export interface AuditCliDeps {
  readonly clock?: Clock;
  /** The Node.js version the SDK will see (default: this process's). */
  readonly nodeVersion?: string;
  readonly runnerOptions?: RunnerOptions;
}

export function parseAuditArgs(argv: readonly string[], nowMs: number): AuditCliOptions | 'help' {
  const parsed = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      cluster: { type: 'string' },
      'log-group': { type: 'string' },
      region: { type: 'string' },
      profile: { type: 'string' },
      since: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      format: { type: 'string', default: 'text' },
      'min-severity': { type: 'string', default: 'info' },
      'fail-on': { type: 'string' },
      publish: { type: 'string' },
      suppressions: { type: 'string' },
      ...settingFlagOptions(),
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.cluster === undefined) throw new UsageError('--cluster NAME is required');
  if (v.format !== 'text' && v.format !== 'json' && v.format !== 'html') {
    throw new UsageError(`--format: "${v.format}" is not a format (expected text, json or html)`);
  }
  if (v.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v.region)) throw new UsageError(`--region: "${v.region}" is not a region like eu-west-1`);
  if (v.publish !== undefined && !isTopicArn(v.publish)) throw new UsageError(`--publish: "${v.publish}" is not an SNS topic ARN`);
  const severity = (value: string, flag: string): Severity => {
    try {
      return parseSeverity(value, flag);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  let logGroup: string;
  try {
    logGroup = targetLogGroup(v.cluster, v['log-group']);
  } catch (err) {
    throw err instanceof UsageError ? err : err instanceof ConfigError ? new UsageError(flagMessage(err)) : err;
  }
  const settings = thresholdFlags(v);
  return {
    cluster: v.cluster,
    logGroup,
    ...(v.region !== undefined ? { region: v.region } : logGroup.startsWith('arn:') ? { region: logGroup.split(':')[3]! } : {}),
    ...(v.profile !== undefined ? { profile: v.profile } : {}),
    window: parseWindow(v.since, v.start, v.end, nowMs),
    format: v.format,
    minSeverity: severity(v['min-severity'] ?? 'info', '--min-severity'),
    ...(v['fail-on'] !== undefined ? { failOn: severity(v['fail-on'], '--fail-on') } : {}),
    ...(v.publish !== undefined ? { publish: v.publish } : {}),
    settings,
    suppressions: readSuppressionsFile(v.suppressions),
  };
}

function parseWindow(since: string | undefined, start: string | undefined, end: string | undefined, nowMs: number): TimeWindow {
  if (since !== undefined) {
    if (start !== undefined || end !== undefined) throw new UsageError('give --since or --start/--end, not both');
    const ms = parseDuration(since);
    if (ms === undefined) throw new UsageError(`--since: "${since}" is not a duration like 90m, 24h or 7d`);
    const endMs = Math.floor(nowMs / 1000) * 1000;
    return { startMs: endMs - ms, endMs };
  }
  if (start === undefined || end === undefined) throw new UsageError('give --since DURATION, or both --start and --end');
  const s = parseIsoTime(start);
  if (s === undefined) throw new UsageError(`--start: "${start}" is not an ISO 8601 time with a zone, like 2024-05-19T06:00:00Z`);
  const e = parseIsoTime(end);
  if (e === undefined) throw new UsageError(`--end: "${end}" is not an ISO 8601 time with a zone, like 2024-05-19T07:00:00Z`);
  if (e <= s) throw new UsageError('--end must be after --start');
  return toWholeSeconds({ startMs: s, endMs: e });
}

export async function auditCommand(argv: readonly string[], io: CliIO, deps: AuditCliDeps = {}): Promise<number> {
  const clock = deps.clock ?? systemClock;
  const options = parseAuditArgs(argv, clock.now());
  if (options === 'help') {
    io.stdout.write(AUDIT_USAGE);
    return EXIT.OK;
  }
  if (options.format === 'html') checkHtmlTarget(io.stdout);
  // The SDK reads its switch from process.env, so this does too.
  noteNodeVersion((s) => io.stderr.write(s), deps.nodeVersion ?? process.version, process.env);
  const clientConfig = { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
  // One attempt per call: the runner's retry (runtime/backoff.ts) is the only retry layer.
  const logs = new CloudWatchLogsClient({ ...clientConfig, ...SDK_SINGLE_ATTEMPT });
  const eks = new EKSClient({ ...clientConfig, ...SDK_SINGLE_ATTEMPT });
  const topic = options.publish;
  const sns = topic ? new SNSClient({ ...clientConfig, region: topic.split(':')[3]! }) : undefined;
  const progress = io.stderr.isTTY ? progressLine(io) : undefined;
  let response: AuditResponse;
  try {
    response = await runAudit(
      {
        trigger: 'manual',
        window: options.window,
        clusters: [{ name: options.cluster, logGroup: options.logGroup, ...(options.region ? { region: options.region } : {}) }],
        minSeverity: options.minSeverity,
        dryRun: topic === undefined,
      },
      {
        rules: RULES,
        queries: buildQueries(RULES),
        logsClient: () => logs,
        eksClient: () => eks,
        clock,
        timeLeft: () => Infinity,
        concurrency: 1,
        timelines: options.format === 'html',
        suppressions: options.suppressions,
        settings: options.settings,
        ...(deps.runnerOptions ? { runnerOptions: deps.runnerOptions } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
        ...(sns && topic ? { publish: (report, minSeverity) => publishClusterReport(sns, report, { topicArn: topic, minSeverity }) } : {}),
      },
      'cli',
    );
  } catch (err) {
    progress?.done();
    if (err instanceof DeliveryFailedError) {
      write(io, options, err.response);
      io.stderr.write(`eks-authz-audit: ${clean(err.message, 2000)}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof AuditFailedError) {
      io.stderr.write(`eks-authz-audit: ${clean(err.message, 2000)}\n`);
      return EXIT.USAGE;
    }
    throw err;
  } finally {
    logs.destroy();
    eks.destroy();
    sns?.destroy();
  }
  progress?.done();
  write(io, options, response);
  const failOn = options.failOn;
  const hit = failOn !== undefined && response.clusters.some((c) => c.findings.some((f) => atLeast(f.severity, failOn)));
  if (hit) return EXIT.FINDINGS;
  // A partial audit must not pass a script's check as a clean one.
  return response.clusters.every((c) => c.complete) ? EXIT.OK : EXIT.USAGE;
}

function write(io: CliIO, options: AuditCliOptions, response: AuditResponse): void {
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  } else if (options.format === 'html') {
    // One cluster per audit command: its page.
    for (const c of response.clusters) {
      const notes = scanNotes(c);
      if (!c.complete) notes.unshift(`The audit is INCOMPLETE: ${clean(c.incompleteReason, 1000)}`);
      const { timelines, ...rest } = c;
      io.stdout.write(renderHtmlPage({
        cluster: c.cluster,
        source: `CloudWatch Logs Insights, ${response.window.start} to ${response.window.end}`,
        generatedAt: new Date().toISOString(),
        findings: rest.findings,
        incidents: c.incidents ?? [],
        ...(timelines ? { timelines } : {}),
        stats: c.stats,
        notes,
      }));
    }
  } else {
    for (const c of response.clusters) io.stdout.write(renderCluster(c, response, useColor(io.stdout, io.env)));
  }
  for (const c of response.clusters) {
    if (!c.complete) io.stderr.write(`eks-authz-audit: the audit of ${c.cluster} is INCOMPLETE: ${clean(c.incompleteReason, 1000)}\n`);
  }
}

function renderCluster(c: ClusterResult, response: AuditResponse, color: boolean): string {
  const lines = [`Cluster ${c.cluster}, ${response.window.start} .. ${response.window.end}`, ''];
  const body = renderText(
    {
      findings: c.findings, incidents: c.incidents ?? [], stats: c.stats, malformedSamples: c.malformedSamples, ruleErrors: c.ruleErrors,
      ...(c.suppressed ? { suppressed: c.suppressed } : {}), ...(c.expiredSuppressions ? { expiredSuppressions: c.expiredSuppressions } : {}),
    },
    { color, width: 100 },
  );
  lines.push(body.trimEnd(), '');
  for (const s of c.statistics) {
    const splits = s.windowSplits ? `, window split ${s.windowSplits}x` : '';
    const streams =
      s.streamFilter === 'streams' ? `, ${s.streams ?? 0} stream(s) named`
      : s.streamFilter === 'none' ? ', no stream holds events of the window: not queried'
      : s.streamFilter === 'prefix' ? `, whole log group scanned (${clean(s.fallbackReason, 200)})` : '';
    lines.push(
      `Query ${s.stream}: ${s.status}, ${s.recordsMatched.toLocaleString('en-US')} matched of ${s.recordsScanned.toLocaleString('en-US')} records, ` +
        `${formatBytes(s.bytesScanned)} scanned in ${(s.durationMs / 1000).toFixed(1)} s${splits}${streams}`,
    );
  }
  if (c.cost) lines.push(`Scanned ${formatBytes(c.cost.bytesScanned)}, about USD ${c.cost.estimatedCostUsd.toFixed(4)} at USD ${c.cost.usdPerGb} per GB (Logs Insights list price)`);
  if (c.coverage && !c.coverage.verified) lines.push(`Coverage not verified: ${clean(c.coverage.reason, 300)}`);
  for (const note of c.coverage?.notes ?? []) lines.push(`EKS API: ${clean(note, 300)}`);
  if (!c.complete) lines.push(`INCOMPLETE: ${clean(c.incompleteReason, 1000)}`);
  if (c.published) lines.push(c.published.published ? `Published to SNS (message ${c.published.messageId ?? '?'})` : `Not published: ${clean(c.published.reason, 300)}`);
  return `${lines.join('\n')}\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One self-overwriting status line on a terminal's stderr while queries run. */
function progressLine(io: CliIO): { update: (cluster: string, p: QueryProgress) => void; done: () => void } {
  let shown = false;
  return {
    update: (cluster, p) => {
      shown = true;
      io.stderr.write(
        `\r\u001b[K${clean(cluster, 100)} ${p.stream}: ${p.status}, ${p.recordsScanned.toLocaleString('en-US')} records / ${formatBytes(p.bytesScanned)} scanned`,
      );
    },
    done: () => {
      if (shown) io.stderr.write('\r\u001b[K');
      shown = false;
    },
  };
}
