import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambda/model/findings';
import { SEVERITIES } from '../../lambda/model/severity';
import {
  buildMessage, composeMessage, DEFAULT_MAX_BYTES, MACHINE_PROTOCOLS, publishClusterReport, PublishError, SNS_MAX_BYTES,
} from '../../lambda/runtime/publish';
import type { ClusterReport } from '../../lambda/model/report';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:audit';
const WINDOW = { start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z' };

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 'Node cannot renew its lease (node going NotReady)', cluster: 'prod',
    subject: { node: 'ip-10-0-1-23', username: 'WorkerNodeRole' }, count: 514,
    firstSeen: '2026-03-02T09:00:03Z', lastSeen: '2026-03-02T09:59:58Z',
    message: 'The kubelet of node ip-10-0-1-23 was refused access to its Lease.',
    remediation: 'Map the node role with username system:node:{{EC2PrivateDNSName}}.',
    fingerprint: 'a'.repeat(32),
    evidence: [{ time: '2026-03-02T09:59:58Z', verb: 'get', requestURI: '/apis/coordination.k8s.io/v1/x', code: 403, decision: 'forbid', source: 'stream-1', truncated: false }],
    ...over,
  };
}

function report(over: Partial<ClusterReport> = {}): ClusterReport {
  return { cluster: 'prod', window: WINDOW, findings: [finding()], complete: true, ...over };
}

interface Body { default: string; email: string; sms: string; sqs: string; lambda: string; https: string; firehose: string }
interface Machine {
  cluster: string; window: { start: string; end: string }; complete: boolean; incompleteReason?: string;
  findings: Finding[]; omittedFindings: number; evidenceTrimmed: boolean;
}

function body(input: PublishCommandInput | undefined): Body {
  return JSON.parse(input!.Message!) as Body;
}
function machine(input: PublishCommandInput | undefined): Machine {
  return JSON.parse(body(input).sqs) as Machine;
}
/** Independent of the code under test: every byte SNS counts, plus the subject. */
function measured(input: PublishCommandInput): number {
  let n = Buffer.byteLength(input.Message!, 'utf8') + Buffer.byteLength(input.Subject ?? '', 'utf8');
  for (const [k, v] of Object.entries(input.MessageAttributes ?? {})) n += Buffer.byteLength(k + v.DataType + (v.StringValue ?? ''), 'utf8');
  return n;
}

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'eu-west-1' });

beforeEach(() => {
  sns.reset();
});

describe('what is published', () => {
  it('publishes nothing when no finding reaches minSeverity and the audit is complete', async () => {
    // Prepare
    const r = report({ findings: [finding({ severity: 'low' }), finding({ severity: 'info' })] });
    // Act
    const outcome = await publishClusterReport(client, r, { topicArn: TOPIC, minSeverity: 'medium' });
    // Assess
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(outcome).toEqual({ published: false, reason: 'no finding at or above medium and the audit was complete', findingsIncluded: 0, bytes: 0 });
    expect(buildMessage(r, { topicArn: TOPIC })).toBeUndefined();
  });

  it('uses medium when no minSeverity is given, and honours a higher one', () => {
    const r = report({ findings: [finding({ severity: 'medium' })] });
    expect(buildMessage(r, { topicArn: TOPIC })).toBeDefined();
    expect(buildMessage(r, { topicArn: TOPIC, minSeverity: 'high' })).toBeUndefined();
  });

  it('always publishes an incomplete audit, even without findings, saying why', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const r = report({ findings: [], complete: false, incompleteReason: 'audit query Timeout after 840 s' });
    // Act
    const outcome = await publishClusterReport(client, r, { topicArn: TOPIC, minSeverity: 'medium' });
    // Assess
    expect(outcome).toMatchObject({ published: true, messageId: 'm-1', findingsIncluded: 0 });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[INCOMPLETE] eks-authz-audit prod: audit incomplete, no findings',
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'none' },
        cluster: { DataType: 'String', StringValue: 'prod' },
        complete: { DataType: 'String', StringValue: 'false' },
      },
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    const text = body(input).email;
    expect(text).toContain('eks-authz-audit: no findings at or above MEDIUM in cluster prod, but the audit was INCOMPLETE.');
    expect(text).toContain('AUDIT INCOMPLETE: audit query Timeout after 840 s');
    expect(machine(input)).toEqual({
      cluster: 'prod', window: WINDOW, complete: false, incompleteReason: 'audit query Timeout after 840 s',
      incidents: [], findings: [], omittedFindings: 0, evidenceTrimmed: false,
    });
  });

  it('publishes an incomplete audit with findings below minSeverity, without them', () => {
    const input = buildMessage(report({ findings: [finding({ severity: 'low' })], complete: false, incompleteReason: 'x' }), { topicArn: TOPIC });
    expect(input?.Subject).toBe('[INCOMPLETE] eks-authz-audit prod: audit incomplete, no findings');
    expect(machine(input).findings).toEqual([]);
  });

  it('says in the subject when findings come from an incomplete audit', () => {
    const input = buildMessage(report({ findings: [finding(), finding({ fingerprint: 'b' })], complete: false, incompleteReason: 'Failed' }), { topicArn: TOPIC });
    expect(input?.Subject).toBe('[HIGH] eks-authz-audit prod: 2 findings, audit incomplete');
  });

  it('publishes one message with subject, attributes and message id, findings at or above minSeverity, most severe first', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'msg-42' });
    const r = report({
      findings: [
        finding({ severity: 'low', ruleId: 'low-rule' }),
        finding({ severity: 'medium', ruleId: 'z-rule', fingerprint: 'm' }),
        finding({ severity: 'critical', ruleId: 'b-rule', fingerprint: 'c' }),
        finding({ severity: 'high', ruleId: 'a-rule', fingerprint: 'h1' }),
        finding({ severity: 'high', ruleId: 'b-rule', fingerprint: 'h2' }),
      ],
    });
    // Act
    const outcome = await publishClusterReport(client, r, { topicArn: TOPIC, minSeverity: 'medium' });
    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[CRITICAL] eks-authz-audit prod: 4 findings',
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        cluster: { DataType: 'String', StringValue: 'prod' },
        complete: { DataType: 'String', StringValue: 'true' },
        ruleIds: { DataType: 'String.Array', StringValue: '["a-rule","b-rule","z-rule"]' },
      },
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(machine(input).findings.map((f) => [f.severity, f.ruleId])).toEqual([
      ['critical', 'b-rule'], ['high', 'a-rule'], ['high', 'b-rule'], ['medium', 'z-rule'],
    ]);
    expect(outcome).toEqual({ published: true, messageId: 'msg-42', findingsIncluded: 4, bytes: measured(input) });
  });
});

describe('message bodies', () => {
  it('carries readable text for default and email, and the findings JSON for every machine protocol', () => {
    // Prepare
    const f = finding();
    // Act
    const input = buildMessage(report({ findings: [f] }), { topicArn: TOPIC });
    // Assess
    const b = body(input);
    expect(Object.keys(b)).toEqual(['default', 'email', 'sms', ...MACHINE_PROTOCOLS]);
    expect(b.default).toBe(b.email);
    for (const p of MACHINE_PROTOCOLS) expect(b[p]).toBe(b.sqs);
    expect(b.sms).toBe(`[HIGH] eks-authz-audit prod: 1 finding; window ${WINDOW.start} to ${WINDOW.end}`);
    // A report built without incidents has none to carry; the runtime always groups (test/sns/incidents.test.ts).
    expect(machine(input)).toEqual({ cluster: 'prod', window: WINDOW, complete: true, incidents: [], findings: [f], omittedFindings: 0, evidenceTrimmed: false });
  });

  it('gives the reader severity, title, cause, what happened, the fix, the finding in one line and evidence', () => {
    const text = body(buildMessage(report(), { topicArn: TOPIC })).email;
    const lines = text.split('\n');
    expect(lines[0]).toBe('eks-authz-audit: 1 finding at or above MEDIUM in cluster prod (1 high).');
    expect(lines[1]).toBe(`Window: ${WINDOW.start} to ${WINDOW.end} (start inclusive, end exclusive)`);
    expect(lines).toContain('[HIGH] Node cannot renew its lease (node going NotReady)');
    expect(lines).toContain('Cause:       node-lease-forbidden node=ip-10-0-1-23 username=WorkerNodeRole');
    expect(lines).toContain('Impact:      The kubelet of node ip-10-0-1-23 was refused access to its Lease.');
    expect(lines).toContain('  Map the node role with username system:node:{{EC2PrivateDNSName}}.');
    expect(lines).toContain('Findings (1):');
    expect(text).toContain('  - [HIGH] node-lease-forbidden node=ip-10-0-1-23, username=WorkerNodeRole: 514 times,\n    2026-03-02T09:00:03Z to 2026-03-02T09:59:58Z\n');
    expect(lines).toContain('Incident:    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, 2026-03-02T09:00:03Z to 2026-03-02T09:59:58Z');
    expect(lines).toContain('Evidence (1 sample):');
    expect(lines).toContain('  - 2026-03-02T09:59:58Z get /apis/coordination.k8s.io/v1/x 403 forbid @ stream-1');
    expect(text).not.toContain('leaves out');
  });

  it('prints one line per query with what it scanned', () => {
    const text = body(buildMessage(report({
      statistics: [{ stream: 'audit', recordsMatched: 12, recordsScanned: 3_000_000, bytesScanned: 4_500_000_000, durationMs: 14_250, status: 'Complete', windowSplits: 2 }],
    }), { topicArn: TOPIC })).email;
    expect(text.split('\n')[2]).toBe(
      'Query (audit): Complete, 12 records matched of 3,000,000 scanned, 4,500,000,000 bytes scanned, 14.3 s, window split 2 times',
    );
  });

  it('strips control characters from everything it writes, whatever the findings hold', () => {
    // Prepare
    const nasty = 'a\u0000b\u001b[31mc\r\nd\u2028e\u202ef\u0085g\u007f';
    const r = report({
      cluster: `prod${nasty}`,
      incompleteReason: nasty,
      complete: false,
      window: { start: `2026${nasty}`, end: WINDOW.end },
      findings: [finding({
        title: nasty, message: nasty, remediation: nasty, ruleId: `r${nasty}`, subject: { [`k${nasty}`]: nasty }, firstSeen: nasty,
        evidence: [{ truncated: false, message: nasty, requestURI: nasty, reason: nasty, source: nasty, auditID: nasty }],
      })],
      statistics: [{ stream: 'audit', recordsMatched: 1, recordsScanned: 1, bytesScanned: 1, durationMs: 1, status: nasty }],
    });
    // Act
    const input = buildMessage(r, { topicArn: TOPIC })!;
    // Assess
    // eslint-disable-next-line no-control-regex
    const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    const b = body(input);
    for (const text of [b.default, b.email, b.sms]) expect(text).not.toMatch(unsafe);
    // Newlines are ours (layout), never the attacker's: the nasty text stays on one line.
    // The bidi override shows escaped (model/sanitize.ts), so it cannot reorder what follows.
    expect(b.email).toContain('\nAUDIT INCOMPLETE: a b [31mc  d e\\u202ef g \n');
    const strings: [string, string][] = [];
    JSON.parse(b.sqs, (k, v: unknown) => (typeof v === 'string' && strings.push([k, v]), v));
    expect(strings.length).toBeGreaterThan(10);
    // message and remediation are written by the rules and keep their line feeds (YAML fixes); the engine has
    // already cleaned every log value a rule can interpolate. Nothing else may hold any control character.
    for (const [k, s] of strings) {
      expect(s).not.toMatch(k === 'message' || k === 'remediation' ? unsafe : /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    }
    expect(Object.keys(machine(input).findings[0]!.subject)).toEqual(['ka b [31mc  d e\\u202ef g ']);
    for (const v of Object.values(input.MessageAttributes!)) expect(v.StringValue).not.toMatch(unsafe);
    expect(input.Subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('size', () => {
  /** 500 findings, each with 5 evidence samples of ~1.6 KB in two- and four-byte UTF-8. */
  function huge(multibyte: string): ClusterReport {
    const findings = Array.from({ length: 500 }, (_, i) => finding({
      severity: i % 5 === 0 ? 'critical' : 'high',
      ruleId: i % 2 ? 'node-lease-forbidden' : 'node-identity-unrecognized',
      fingerprint: String(i).padStart(32, '0'),
      subject: { node: `ip-10-0-${i}-1.${multibyte.repeat(20)}` },
      message: `${multibyte.repeat(600)} ${i}`,
      remediation: 'r'.repeat(1500),
      evidence: Array.from({ length: 5 }, () => ({
        truncated: false, message: multibyte.repeat(400), requestURI: `/api/${multibyte.repeat(300)}`, reason: 'x'.repeat(300),
      })),
    }));
    return report({ findings });
  }

  it.each([
    ['two-byte', 'é'],
    ['three-byte', '集'],
    ['four-byte', '😀'],
  ])('keeps 500 findings with big %s evidence under 256 KB and says how many more there are', async (_name, char) => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'big' });
    // Act
    const outcome = await publishClusterReport(client, huge(char), { topicArn: TOPIC, minSeverity: 'medium' });
    // Assess
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    const bytes = measured(input);
    expect(bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(bytes).toBeLessThan(SNS_MAX_BYTES);
    expect(outcome.bytes).toBe(bytes);
    const shown = outcome.findingsIncluded;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(500);
    // Nearly full: trimming stopped when it fit, it did not throw away more than it had to.
    expect(bytes).toBeGreaterThan(DEFAULT_MAX_BYTES * 0.8);
    expect(outcome.reason).toBe(`evidence trimmed, ${500 - shown} of 500 findings summarised to fit the SNS size limit`);
    const b = body(input);
    expect(b.email).toContain(`The machine-readable copy of this message leaves out ${500 - shown} findings`);
    expect(b.email).toContain('Note: evidence samples were left out of some findings');
    const m = machine(input);
    expect(m.findings).toHaveLength(shown);
    expect(m.omittedFindings).toBe(500 - shown);
    expect(m.evidenceTrimmed).toBe(true);
    // The most severe are the ones kept.
    expect(m.findings.every((f) => f.severity === 'critical')).toBe(true);
    expect(input.Subject).toBe('[CRITICAL] eks-authz-audit prod: 500 findings');
    // Attributes describe all findings, shown or summarised.
    expect(input.MessageAttributes!['ruleIds']!.StringValue).toBe('["node-identity-unrecognized","node-lease-forbidden"]');
  });

  it('trims evidence of the least severe findings first, and only as much as needed', () => {
    // Prepare: 14 findings of about 16 KB each in the message (four JSON copies): all fit once some evidence goes.
    const findings = Array.from({ length: 14 }, (_, i) => finding({
      severity: i < 2 ? 'critical' : 'high',
      fingerprint: String(i),
      evidence: Array.from({ length: 5 }, () => ({ truncated: false, message: 'e'.repeat(400), requestURI: '/'.repeat(300) })),
    }));
    // Act
    const composed = composeMessage(report({ findings }), { topicArn: TOPIC })!;
    // Assess
    const m = machine(composed.input);
    expect(composed.findingsIncluded).toBe(14);
    expect(m.omittedFindings).toBe(0);
    expect(m.evidenceTrimmed).toBe(true);
    expect(m.findings[0]!.evidence).toHaveLength(5);
    expect(m.findings[13]!.evidence.length).toBeLessThan(5);
    expect(body(composed.input).email).not.toContain('leaves out');
    expect(measured(composed.input)).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
  });

  it('once findings had to be summarised, gives the room left back as evidence to the most severe', () => {
    // Prepare: 40 findings of about 14 KB without evidence; each has 5 small samples.
    const findings = Array.from({ length: 40 }, (_, i) => finding({
      remediation: 'r'.repeat(2000), fingerprint: String(i).padStart(2, '0'),
      evidence: Array.from({ length: 5 }, () => ({ truncated: false, verb: 'get' })),
    }));
    // Act
    const roomy = composeMessage(report({ findings }), { topicArn: TOPIC, maxBytes: 50 * 1024 })!;
    const tight = composeMessage(report({ findings }), { topicArn: TOPIC, maxBytes: 64 * 1024 })!;
    // Assess
    expect(machine(roomy.input).findings.map((f) => f.evidence.length)).toEqual([5, 5, 5]);
    expect(machine(roomy.input).omittedFindings).toBe(37);
    expect(roomy.evidenceTrimmed).toBe(false);
    expect(machine(tight.input).findings.map((f) => f.evidence.length)).toEqual([5, 5, 5, 1]);
    expect(tight.evidenceTrimmed).toBe(true);
    expect(tight.bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('fits a smaller budget when asked (a topic with a lower MaximumMessageSize)', () => {
    const composed = composeMessage(huge('é'), { topicArn: TOPIC, maxBytes: 64 * 1024 })!;
    expect(measured(composed.input)).toBeLessThanOrEqual(64 * 1024);
    expect(composed.bytes).toBe(measured(composed.input));
    expect(composed.findingsIncluded).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it('throws PublishError naming cluster and topic, keeping the SDK error as cause', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sns.on(PublishCommand).rejects(throttled);
    // Act
    const error = await publishClusterReport(client, report(), { topicArn: TOPIC, minSeverity: 'medium' }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(PublishError);
    const e = error as PublishError;
    expect(e.name).toBe('PublishError');
    expect(e.cluster).toBe('prod');
    expect(e.topicArn).toBe(TOPIC);
    expect(e.cause).toBe(throttled);
    expect(e.message).toBe(`SNS Publish of the report for cluster prod to ${TOPIC} failed: ThrottlingException: Rate exceeded`);
  });

  it('does not call SNS, and does not fail, when there is nothing to publish', async () => {
    sns.on(PublishCommand).rejects(new Error('must not be called'));
    const outcome = await publishClusterReport(client, report({ findings: [] }), { topicArn: TOPIC, minSeverity: 'medium' });
    expect(outcome.published).toBe(false);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('any input (property)', () => {
  const text = fc.string({ unit: 'binary', maxLength: 3000 });
  const arbFinding = fc.record({
    severity: fc.constantFrom(...SEVERITIES),
    ruleId: fc.string({ maxLength: 80 }),
    title: text, message: text, remediation: text, fingerprint: fc.string({ maxLength: 80 }),
    node: text,
    count: fc.integer(),
    evidence: fc.array(fc.record({ message: text, requestURI: text, reason: text }), { maxLength: 8 }),
  });

  it('always yields a parseable message within budget, valid subject, well-formed UTF-8, no control characters', () => {
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 120 }), text, fc.boolean(), fc.constantFrom(32 * 1024, DEFAULT_MAX_BYTES), (fs, cluster, complete, maxBytes) => {
        const r = report({
          cluster, complete, incompleteReason: cluster,
          findings: fs.map((x) => finding({
            ...x, subject: { node: x.node }, evidence: x.evidence.map((e) => ({ ...e, truncated: false })),
          })),
        });
        const composed = composeMessage(r, { topicArn: TOPIC, minSeverity: 'low', maxBytes });
        if (!composed) {
          expect(complete && fs.every((x) => x.severity === 'info')).toBe(true);
          return;
        }
        const { input } = composed;
        expect(composed.bytes).toBe(measured(input));
        expect(composed.bytes).toBeLessThanOrEqual(maxBytes);
        expect(input.Subject).toMatch(/^\[[\x20-\x7e]{1,98}$/);
        const b = body(input);
        const m = machine(input);
        expect(m.findings.length + m.omittedFindings).toBe(fs.filter((x) => x.severity !== 'info').length);
        const all = [b.email, b.sms, ...Object.values(input.MessageAttributes!).map((v) => v.StringValue!)];
        JSON.parse(b.sqs, (_k, v: unknown) => (typeof v === 'string' && all.push(v), v));
        for (const s of all) {
          expect(s).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
          expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        }
      }),
      { numRuns: 60 },
    );
  });
});
