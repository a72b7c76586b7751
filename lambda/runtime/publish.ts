import { PublishCommand, type MessageAttributeValue, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Finding } from '../model/findings';
import { MAX_EVIDENCE } from '../model/limits';
import { clean } from '../model/sanitize';
import { atLeast, severityRank, type Severity } from '../model/severity';
import { cleanFinding } from '../report/clean-finding';
import {
  jsonFinding, jsonHead, jsonIncident, jsonTail, MAX_INCIDENT_LINES, runFooter, smsText, textFooter, textHead, textIncidentPieces, textIncidents, type MessageHeader,
} from '../report/email';
import type { AlertedStatus, ClusterLifecycle } from '../model/lifecycle';
import { messageView } from './publish-view';
import { buildSubject } from '../report/subject';
import { suppressionNotes } from '../report/suppression-notes';
import type { ClusterReport, PublishOutcome } from '../model/report';

/**
 * SNS counts the message body and every attribute's name, type and value against the topic's
 * MaximumMessageSize, 256 KiB (262,144 bytes) unless raised (Publish API reference). We count the
 * subject too and keep 1 KiB spare, so what we measure is never less than what SNS measures.
 */
export const SNS_MAX_BYTES = 262_144;
export const DEFAULT_MAX_BYTES = SNS_MAX_BYTES - 1024;
export const DEFAULT_MIN_SEVERITY: Severity = 'medium';

/** Protocols that get the findings JSON; the others (email, email-json, application) get the readable text of `default`. */
export const MACHINE_PROTOCOLS = ['sqs', 'lambda', 'https', 'firehose'] as const;

export interface PublishOptions {
  readonly topicArn: string;
  /** Findings below this are left out, and alone never cause a message. Default medium. */
  readonly minSeverity?: Severity;
  /** Size budget in UTF-8 bytes (body + subject + attributes). Default: 256 KiB less 1 KiB. */
  readonly maxBytes?: number;
}

/** Publish failed after the SDK's own retries. The handler decides whether the run fails. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly cluster: string,
    readonly topicArn: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`SNS Publish of the report for cluster ${clean(cluster, 128)} to ${clean(topicArn, 256)} failed: ${clean(why, 500)}`, { cause });
  }
}

/** What buildMessage decided, with the numbers the handler reports. */
export interface ComposedMessage {
  readonly input: PublishCommandInput;
  /** Findings at or above minSeverity. */
  readonly findingsTotal: number;
  /** Findings written out in full; the rest are summarised in one line. */
  readonly findingsIncluded: number;
  readonly evidenceTrimmed: boolean;
  /** As SNS counts it: UTF-8 bytes of body, subject and attributes. */
  readonly bytes: number;
  /** Incidents the text tells (alerted ones in a scheduled run), and how many of them in full. */
  readonly incidentsTotal: number;
  readonly incidentsInFull: number;
}

export function buildMessage(report: ClusterReport, options: PublishOptions, lifecycle?: ClusterLifecycle): PublishCommandInput | undefined {
  return composeMessage(report, options, lifecycle)?.input;
}

/**
 * One message per cluster per run, or undefined when there is nothing to say. A scheduled run that went
 * through the life cycle speaks when an incident is new, escalated, due a reminder or resolved; a one-off
 * report (manual run, CLI, or no life cycle) when a finding reaches minSeverity. An incomplete audit is
 * always reported, so that a cluster whose query failed never looks like a clean one; a retried window the
 * state store had already handled never is.
 */
export function composeMessage(report: ClusterReport, options: PublishOptions, lifecycle?: ClusterLifecycle): ComposedMessage | undefined {
  if (lifecycle?.mode === 'skipped') return undefined;
  const minSeverity = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
  const budget = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const findings = report.findings
    .filter((f) => atLeast(f.severity, minSeverity))
    .map(cleanFinding)
    .sort(mostSevereFirst);
  const complete = report.complete !== false;
  const view = messageView(report, findings, minSeverity, lifecycle);
  const news = view.mode === 'scheduled' ? view.incidents.length : findings.length;
  if (news === 0 && complete) return undefined;

  const header: MessageHeader = {
    cluster: clean(report.cluster, 128) || '(unnamed)',
    window: { start: clean(report.window?.start, 40), end: clean(report.window?.end, 40) },
    complete,
    incompleteReason: complete ? undefined : clean(report.incompleteReason, 1000) || undefined,
    minSeverity,
    findings,
    statistics: (report.statistics ?? []).slice(0, 10).map((q) => ({ ...q, status: clean(q.status, 32) })),
    mode: view.mode,
    incidents: view.incidents,
    quiet: view.quiet,
    ...(report.incidents ? {} : { ungrouped: true }),
    footer: footerLines(report),
  };
  const subject = buildSubject({
    highest: findings[0]?.severity, cluster: report.cluster, findings: findings.length, complete,
    ...(view.changes ? { changes: view.changes } : report.incidents ? { incidents: view.incidents.length } : {}),
  });
  const attributes = messageAttributes(header, view.statuses);

  // The text tells every incident in full unless that would take more than its share: then the last ones
  // shrink to one line each. The JSON carries the incidents as far as they fit their share, and every
  // finding in what is left. Sizes add up piece by piece (JSON string escaping works character by
  // character), so plans are made on piece sizes and checked once on the real message.
  const pieces = textIncidentPieces(header);
  const head = textHead(header);
  const n = view.incidents.length;
  const textCost = (s: string): number => TEXT_COPIES * escapedBytes(s);
  let textTotal = textCost(head + pieces.quiet) + sum(pieces.blocks.map(textCost));
  let full = n;
  while (full > 0 && textTotal + textCost(pieces.restHeading(n - full) + pieces.moreLines(n - full)) > budget * TEXT_SHARE) {
    full--;
    // Incident `full` becomes the first one-line entry; past MAX_INCIDENT_LINES the last one drops to the count.
    textTotal += textCost(pieces.lines[full]!) - textCost(pieces.blocks[full]!);
    if (full + MAX_INCIDENT_LINES < n) textTotal -= textCost(pieces.lines[full + MAX_INCIDENT_LINES]!);
  }
  const text = head + textIncidents(header, full);
  const incidentPieces = view.json.map(jsonIncident);
  let kept = 0;
  for (let used = 0; kept < incidentPieces.length; kept++) {
    used += MACHINE_PROTOCOLS.length * (escapedBytes(incidentPieces[kept]!) + 1);
    if (used > budget * JSON_INCIDENTS_SHARE) break;
  }
  const json = jsonHead(header, incidentPieces.slice(0, kept), incidentPieces.length - kept);
  const cost = (f: Finding, evidence: number): number => MACHINE_PROTOCOLS.length * (escapedBytes(jsonFinding(f, evidence)) + 1);
  const evidence = findings.map(() => MAX_EVIDENCE);
  const costs = findings.map((f) => cost(f, MAX_EVIDENCE));
  const render = (shown: number): PublishCommandInput => ({
    TopicArn: options.topicArn,
    Subject: subject,
    MessageStructure: 'json',
    Message: messageBody(header, subject, text, json, findings, evidence, shown),
    MessageAttributes: attributes,
  });
  const fixed = snsBytes(render(0)) + FOOTER_ALLOWANCE;
  let total = fixed + sum(costs);

  // 1. Trim evidence, least severe findings first: down to one sample each, then none.
  for (const keep of [1, 0]) {
    for (let i = findings.length - 1; i >= 0 && total > budget; i--) {
      if (evidence[i]! <= keep || findings[i]!.evidence.length <= keep) continue;
      evidence[i] = keep;
      const c = cost(findings[i]!, keep);
      total += c - costs[i]!;
      costs[i] = c;
    }
  }
  // 2. Then leave out the least severe findings (the text says how many).
  let shown = findings.length;
  while (shown > 0 && total > budget) total -= costs[--shown]!;
  // 3. The room left is less than one more finding: give evidence back to the most severe ones.
  for (let i = 0; i < shown; i++) {
    for (const keep of [MAX_EVIDENCE, 1]) {
      if (keep <= evidence[i]!) break;
      const c = cost(findings[i]!, keep);
      if (total + c - costs[i]! > budget) continue;
      total += c - costs[i]!;
      costs[i] = c;
      evidence[i] = keep;
      break;
    }
  }
  let input = render(shown);
  let bytes = snsBytes(input);
  while (bytes > budget && shown > 0) {
    input = render(--shown);
    bytes = snsBytes(input);
  }
  const evidenceTrimmed = findings.slice(0, shown).some((f, i) => f.evidence.length > evidence[i]!);
  return {
    input, findingsTotal: findings.length, findingsIncluded: shown, evidenceTrimmed, bytes,
    incidentsTotal: view.incidents.length, incidentsInFull: full,
  };
}

/** Publishes the report of one cluster (or nothing, see composeMessage). Throws PublishError when SNS refuses. */
export async function publishClusterReport(
  client: SNSClient,
  report: ClusterReport,
  options: PublishOptions,
  lifecycle?: ClusterLifecycle,
): Promise<PublishOutcome> {
  const composed = composeMessage(report, options, lifecycle);
  if (!composed) {
    const min = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
    const reason =
      lifecycle?.mode === 'skipped' ? `nothing alerted again: ${lifecycle.skippedReason ?? 'the window was already handled'}`
      : lifecycle?.mode === 'scheduled' ? 'no incident is new, escalated, due a reminder or resolved, and the audit was complete'
      : `no finding at or above ${min} and the audit was complete`;
    return { published: false, reason, findingsIncluded: 0, bytes: 0 };
  }
  let messageId: string | undefined;
  try {
    messageId = (await client.send(new PublishCommand(composed.input))).MessageId;
  } catch (err) {
    throw new PublishError(report.cluster, options.topicArn, err);
  }
  const outcome: PublishOutcome = { published: true, findingsIncluded: composed.findingsIncluded, bytes: composed.bytes };
  if (messageId !== undefined) outcome.messageId = messageId;
  const trimmed = trimReason(composed);
  if (trimmed) outcome.reason = trimmed;
  return outcome;
}

/** The run's own facts for the alert's footer: what it cost, what broke, what it could not check. */
export function footerLines(report: ClusterReport): string[] {
  const lines: string[] = [];
  if (report.cost) {
    const gb = report.cost.bytesScanned / 1024 ** 3;
    lines.push(`Scanned: ${gb.toFixed(3)} GB by Logs Insights, about USD ${report.cost.estimatedCostUsd.toFixed(4)} (at USD ${report.cost.usdPerGb} per GB).`);
  }
  const p = report.problems;
  if (p && p.ruleErrors > 0) lines.push(`Rule errors: ${p.ruleErrors} (${clean((p.ruleErrorIds ?? []).join(', '), 300)}): those rules saw nothing after failing; the audit is incomplete.`);
  if (p && p.malformedRows > 0) lines.push(`Unreadable rows: ${p.malformedRows} result row(s) could not be read and were not judged.`);
  const c = report.coverage;
  if (c && !c.verified) lines.push(`Coverage not verified: ${clean(c.reason, 300)}. Whether audit, api and authenticator logging are on is unknown.`);
  for (const note of (c?.notes ?? []).slice(0, 5)) lines.push(`EKS API: ${clean(note, 300)}.`);
  // What suppressions silenced, and which expired: the alert that reopens a suppressed cause says why it is back.
  for (const note of suppressionNotes(report)) if (note !== '') lines.push(clean(note, 500));
  return lines;
}

/** UTF-8 bytes of everything SNS counts against the size limit (and the subject, to be safe). */
export function snsBytes(input: PublishCommandInput): number {
  let bytes = utf8(input.Message ?? '') + utf8(input.Subject ?? '');
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
    bytes += utf8(name) + utf8(value.DataType ?? '') + utf8(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

/** `default` and `email` carry the same text. */
const TEXT_COPIES = 2;
/** Room for the evidence note, which render(0) does not contain (its "and N more" lines it does). */
const FOOTER_ALLOWANCE = 512;
/** Shares of the budget: the text (both copies), the incidents in the JSON (all machine copies); findings get the rest. */
const TEXT_SHARE = 0.4;
const JSON_INCIDENTS_SHARE = 0.35;

function messageBody(
  h: MessageHeader, subject: string, text: string, json: string, findings: readonly Finding[], evidence: readonly number[], shown: number,
): string {
  const visible = findings.slice(0, shown);
  const omitted = findings.slice(shown);
  const evidenceTrimmed = visible.some((f, i) => f.evidence.length > evidence[i]!);
  const email = text + textFooter(omitted, evidenceTrimmed) + runFooter(h);
  const machine = json + visible.map((f, i) => jsonFinding(f, evidence[i]!)).join(',') + jsonTail(omitted.length, evidenceTrimmed);
  const body: Record<string, string> = { default: email, email, sms: smsText(h, subject) };
  for (const protocol of MACHINE_PROTOCOLS) body[protocol] = machine;
  return JSON.stringify(body);
}

/**
 * For subscription filter policies. String.Array is a JSON array in a string. Values must not be
 * empty, so an audit without findings says severity `none` and carries no ruleIds.
 * Unverified here: the SNS Developer Guide (message attributes page) notes that attributes "are sent
 * only when the message structure is String, not JSON". Whether filter policies see them and
 * subscribers receive them with MessageStructure json needs a check in a real account; the JSON
 * body carries the same facts either way.
 */
function messageAttributes(h: MessageHeader, statuses: readonly AlertedStatus[]): Record<string, MessageAttributeValue> {
  const severity = h.mode === 'scheduled' ? (h.incidents.find((e) => e.status !== 'resolved') ?? h.incidents[0])?.incident.severity : h.findings[0]?.severity;
  const attributes: Record<string, MessageAttributeValue> = {
    severity: { DataType: 'String', StringValue: severity ?? 'none' },
    cluster: { DataType: 'String', StringValue: h.cluster },
    complete: { DataType: 'String', StringValue: String(h.complete) },
  };
  const ruleIds = [...new Set(h.findings.map((f) => f.ruleId))].sort();
  if (ruleIds.length > 0) attributes['ruleIds'] = { DataType: 'String.Array', StringValue: JSON.stringify(ruleIds) };
  if (statuses.length > 0) attributes['status'] = { DataType: 'String.Array', StringValue: JSON.stringify(statuses) };
  return attributes;
}

function trimReason(c: ComposedMessage): string | undefined {
  const parts: string[] = [];
  if (c.evidenceTrimmed) parts.push('evidence trimmed');
  if (c.findingsIncluded < c.findingsTotal) {
    parts.push(`${c.findingsTotal - c.findingsIncluded} of ${c.findingsTotal} findings summarised`);
  }
  return parts.length > 0 ? `${parts.join(', ')} to fit the SNS size limit` : undefined;
}

function mostSevereFirst(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.count - a.count ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

/** Bytes a string takes inside the JSON Message once escaped (without its quotes). */
function escapedBytes(s: string): number {
  return utf8(JSON.stringify(s)) - 2;
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
