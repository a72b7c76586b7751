import { PublishCommand, type MessageAttributeValue, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Finding } from '../model/findings';
import { MAX_EVIDENCE } from '../model/limits';
import { clean } from '../model/sanitize';
import { atLeast, severityRank, type Severity } from '../model/severity';
import { cleanFinding } from '../report/clean-finding';
import { jsonFinding, jsonHead, jsonTail, runFooter, smsText, textFinding, textFooter, textHead, type MessageHeader } from '../report/email';
import { buildSubject } from '../report/subject';
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
}

export function buildMessage(report: ClusterReport, options: PublishOptions): PublishCommandInput | undefined {
  return composeMessage(report, options)?.input;
}

/**
 * One message per cluster per run, or undefined when there is nothing to say: no finding at or above
 * minSeverity and a complete audit. An incomplete audit is always reported, so that a cluster whose
 * query failed never looks like a clean one.
 */
export function composeMessage(report: ClusterReport, options: PublishOptions): ComposedMessage | undefined {
  const minSeverity = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
  const budget = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const findings = report.findings
    .filter((f) => atLeast(f.severity, minSeverity))
    .map(cleanFinding)
    .sort(mostSevereFirst);
  const complete = report.complete !== false;
  if (findings.length === 0 && complete) return undefined;

  const header: MessageHeader = {
    cluster: clean(report.cluster, 128) || '(unnamed)',
    window: { start: clean(report.window?.start, 40), end: clean(report.window?.end, 40) },
    complete,
    incompleteReason: complete ? undefined : clean(report.incompleteReason, 1000) || undefined,
    minSeverity,
    findings,
    statistics: (report.statistics ?? []).slice(0, 10).map((q) => ({ ...q, status: clean(q.status, 32) })),
    footer: footerLines(report),
  };
  const subject = buildSubject({ highest: findings[0]?.severity, cluster: report.cluster, findings: findings.length, complete });
  const attributes = messageAttributes(header);

  // Sizes add up piece by piece (JSON string escaping works character by character), so the plan is
  // made on per-finding costs and checked once on the real message.
  const cost = (f: Finding, i: number, evidence: number): number =>
    TEXT_COPIES * escapedBytes(textFinding(f, i + 1, findings.length, evidence)) +
    MACHINE_PROTOCOLS.length * (escapedBytes(jsonFinding(f, evidence)) + 1);
  const evidence = findings.map(() => MAX_EVIDENCE);
  const costs = findings.map((f, i) => cost(f, i, MAX_EVIDENCE));
  const render = (shown: number): PublishCommandInput => ({
    TopicArn: options.topicArn,
    Subject: subject,
    MessageStructure: 'json',
    Message: messageBody(header, subject, findings, evidence, shown),
    MessageAttributes: attributes,
  });
  const fixed = snsBytes(render(0)) + FOOTER_ALLOWANCE;
  let total = fixed + sum(costs);

  // 1. Trim evidence, least severe findings first: down to one sample each, then none.
  for (const keep of [1, 0]) {
    for (let i = findings.length - 1; i >= 0 && total > budget; i--) {
      if (evidence[i]! <= keep || findings[i]!.evidence.length <= keep) continue;
      evidence[i] = keep;
      const c = cost(findings[i]!, i, keep);
      total += c - costs[i]!;
      costs[i] = c;
    }
  }
  // 2. Then summarise the least severe findings in one line.
  let shown = findings.length;
  while (shown > 0 && total > budget) total -= costs[--shown]!;
  // 3. The room left is less than one more finding: give evidence back to the most severe ones.
  for (let i = 0; i < shown; i++) {
    for (const keep of [MAX_EVIDENCE, 1]) {
      if (keep <= evidence[i]!) break;
      const c = cost(findings[i]!, i, keep);
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
  // Never fail on size: with every finding summarised the message is a few KB, under any real limit.
  const evidenceTrimmed = findings.slice(0, shown).some((f, i) => f.evidence.length > evidence[i]!);
  return { input, findingsTotal: findings.length, findingsIncluded: shown, evidenceTrimmed, bytes };
}

/** Publishes the report of one cluster (or nothing, see composeMessage). Throws PublishError when SNS refuses. */
export async function publishClusterReport(
  client: SNSClient,
  report: ClusterReport,
  options: PublishOptions,
): Promise<PublishOutcome> {
  const composed = composeMessage(report, options);
  if (!composed) {
    const min = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
    return { published: false, reason: `no finding at or above ${min} and the audit was complete`, findingsIncluded: 0, bytes: 0 };
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

function messageBody(h: MessageHeader, subject: string, findings: readonly Finding[], evidence: readonly number[], shown: number): string {
  const visible = findings.slice(0, shown);
  const omitted = findings.slice(shown);
  const evidenceTrimmed = visible.some((f, i) => f.evidence.length > evidence[i]!);
  const text =
    textHead(h) +
    visible.map((f, i) => textFinding(f, i + 1, findings.length, evidence[i]!)).join('') +
    textFooter(omitted, evidenceTrimmed) +
    runFooter(h);
  const json = jsonHead(h) + visible.map((f, i) => jsonFinding(f, evidence[i]!)).join(',') + jsonTail(omitted.length, evidenceTrimmed);
  const body: Record<string, string> = { default: text, email: text, sms: smsText(h, subject) };
  for (const protocol of MACHINE_PROTOCOLS) body[protocol] = json;
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
function messageAttributes(h: MessageHeader): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    severity: { DataType: 'String', StringValue: h.findings[0]?.severity ?? 'none' },
    cluster: { DataType: 'String', StringValue: h.cluster },
    complete: { DataType: 'String', StringValue: String(h.complete) },
  };
  const ruleIds = [...new Set(h.findings.map((f) => f.ruleId))].sort();
  if (ruleIds.length > 0) attributes['ruleIds'] = { DataType: 'String.Array', StringValue: JSON.stringify(ruleIds) };
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
