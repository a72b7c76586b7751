import { describe, expect, it } from 'vitest';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { Incident } from '../../lambda/model/incident';
import type { ClusterReport } from '../../lambda/model/report';
import { advance, type WindowObservation } from '../../lambda/runtime/lifecycle';
import { buildMessage, composeMessage, DEFAULT_MAX_BYTES, snsBytes } from '../../lambda/runtime/publish';
import { DEFAULT_LIFECYCLE_SETTINGS, emptyClusterState, type ClusterState } from '../../lambda/runtime/state';
import { quarter, roleIncident, singleIncident } from '../state/fixtures';

/** The message of a run that went through the life cycle, and of a one-off report: incidents first. */
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:audit';

const CHANGE = {
  time: '2026-03-02T08:59:22.000Z', verb: 'update', username: 'kubernetes-admin', arn: 'arn:aws:iam::111122223333:user/alice',
  sourceIP: '192.0.2.10', userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625', auditID: 'c0ffee00-0000-4000-8000-000000000001',
  before: '- {rolearn: arn:aws:iam::111122223333:role/WorkerNodeRole, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}',
  after: '- {rolearn: arn:aws:iam::111122223333:role/WorkerNodeRole, username: WorkerNodeRole, groups: [system:bootstrappers, system:nodes]}',
  firstFailureAfterSeconds: 41, firstFailure: 'lease refusal',
};

function withChange(i: Incident): Incident {
  return { ...i, cause: { ...i.cause, change: CHANGE } };
}

function report(w: WindowObservation): ClusterReport {
  return { cluster: 'prod', window: w.window, findings: [...w.findings], incidents: [...w.incidents], complete: w.complete };
}

function runs(windows: WindowObservation[], state: ClusterState = emptyClusterState('prod')) {
  return windows.map((w) => {
    const out = advance(state, w, DEFAULT_LIFECYCLE_SETTINGS);
    state = out.state;
    return { w, lifecycle: out.lifecycle, input: buildMessage(report(w), { topicArn: TOPIC }, out.lifecycle) };
  });
}

const email = (input: PublishCommandInput | undefined): string => (JSON.parse(input!.Message!) as { email: string }).email;
const machine = (input: PublishCommandInput | undefined) => JSON.parse((JSON.parse(input!.Message!) as { sqs: string }).sqs) as { incidents: Incident[]; findings: unknown[] };
const count = (text: string, part: string): number => text.split(part).length - 1;
/** The text with its line wrapping undone, for phrases that may span lines. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('a scheduled run\'s message: what changed', () => {
  it('alerts a new incident with its cause, the aws-auth write behind it, the impact and the fix once', () => {
    // Prepare
    const role = roleIncident(12);
    role.incident = withChange(role.incident);
    // Act
    const [first] = runs([quarter(0, [role])]);
    // Assess
    const input = first!.input!;
    expect(input.Subject).toBe('[HIGH] eks-authz-audit prod: 1 new incident (12 nodes NotReady)');
    expect(input.MessageAttributes!['status']).toEqual({ DataType: 'String.Array', StringValue: '["new"]' });
    const text = email(input);
    expect(text.split('\n')[0]).toBe('eks-authz-audit: cluster prod: 1 new incident; 1 incident open; 12 findings at or above MEDIUM in this window.');
    expect(text).toContain('=== 1 of 1: NEW ===');
    expect(flat(text)).toContain(
      'Changed by: update of ConfigMap kube-system/aws-auth at 2026-03-02T08:59:22.000Z by kubernetes-admin (arn:aws:iam::111122223333:user/alice) ' +
        'from 192.0.2.10 with kubectl/v1.29.3 (linux/amd64) kubernetes/6813625; first lease refusal 41 s after the change (auditID c0ffee00-0000-4000-8000-000000000001)',
    );
    expect(text).toContain('  Before:    - {rolearn: arn:aws:iam::111122223333:role/WorkerNodeRole, username: "system:node:{{EC2PrivateDNSName}}"');
    expect(text).toContain('  After:     - {rolearn: arn:aws:iam::111122223333:role/WorkerNodeRole, username: WorkerNodeRole,');
    expect(text).toContain('Impact:      12 nodes cannot renew their lease: NotReady');
    expect(flat(text)).toContain('ip-10-0-0-9.eu-west-1.compute.internal, and 2 more');
    // The one fix, once; ten findings listed, then a count.
    expect(count(text, 'Map the node role as a node')).toBe(1);
    expect(text).toContain('Findings (12, 10 listed):');
    expect(count(text, '  - [HIGH] node-lease-forbidden')).toBe(10);
    expect(text).toContain('  ... and 2 more findings (node-lease-forbidden 2)');
    const m = machine(input);
    expect(m.incidents.map((i) => [i.id, i.status])).toEqual([[role.incident.id, 'new']]);
    expect(m.findings).toHaveLength(12);
  });

  it('sends nothing while the incident is seen again with nothing new', () => {
    const role = roleIncident(3);
    const out = runs([quarter(0, [role]), quarter(1, [role]), quarter(2, [role])]);
    expect(out.map((o) => o.input === undefined)).toEqual([false, true, true]);
  });

  it('says an escalation, a reminder and a resolution, and which statuses it carries', () => {
    const high = roleIncident(2);
    const critical = roleIncident(2, { severity: 'critical' });
    const burst = singleIncident('ci-deployer', 'medium');
    const out = runs([quarter(0, [high, burst]), quarter(1, [critical]), ...[2, 3, 4, 5].map((n) => quarter(n, [critical]))]);
    expect(out[1]!.input!.Subject).toBe('[CRITICAL] eks-authz-audit prod: 1 incident escalated (2 nodes NotReady)');
    expect(flat(email(out[1]!.input))).toContain('Escalated: severity rose to CRITICAL since the last alert at 2026-03-02T09:15:00.000Z');
    // 09:15-10:15 without the burst: resolved by the run of window 4, while the role's incident stays quiet.
    const resolved = out[4]!.input!;
    expect(resolved.Subject).toBe('[RESOLVED] eks-authz-audit prod: 1 incident resolved');
    expect(resolved.MessageAttributes!['status']!.StringValue).toBe('["resolved"]');
    const text = email(resolved);
    expect(text).toContain('=== 1 of 1: RESOLVED ===');
    expect(text.split('\n')[0]).toBe('eks-authz-audit: cluster prod: 1 incident resolved; 1 incident open; 2 findings at or above MEDIUM in this window.');
    expect(flat(text)).toContain('Resolved: at 2026-03-02T10:15:00.000Z: no complete window has shown it since 2026-03-02T09:15:00.000Z; it lasted 0 s');
    expect(text).not.toContain('Fix:');
    expect(text).toContain('Still open, nothing new (1):');
    expect(machine(resolved).incidents.map((i) => i.status)).toEqual(['open', 'resolved']);
  });

  it('reminds with how long the incident has been open and how often it was seen', () => {
    const role = roleIncident(2);
    let state = emptyClusterState('prod');
    const settings = { ...DEFAULT_LIFECYCLE_SETTINGS, reminderHours: 1 };
    const outs = [0, 1, 2, 3, 4].map((n) => {
      const o = advance(state, quarter(n, [role]), settings);
      state = o.state;
      return o;
    });
    const input = buildMessage(report(quarter(4, [role])), { topicArn: TOPIC }, outs[4]!.lifecycle)!;
    expect(input.Subject).toBe('[HIGH] eks-authz-audit prod: 1 incident still open (2 nodes NotReady)');
    expect(flat(email(input))).toContain('Still open: since 2026-03-02T09:00:03.000Z, seen in 5 windows, 300 events; the last alert was at 2026-03-02T09:15:00.000Z');
    expect(input.MessageAttributes!['status']!.StringValue).toBe('["reminder"]');
  });

  it('says an incident recurred', () => {
    const role = roleIncident(1);
    const out = runs([quarter(0, [role]), ...[1, 2, 3, 4].map((n) => quarter(n, [])), quarter(5, [role])]);
    expect(flat(email(out[5]!.input))).toContain('Recurred: it was resolved at 2026-03-02T10:15:00.000Z and came back (occurrence 2)');
  });

  it('sends nothing for a retried window, and reports an incomplete window with nothing new', () => {
    const role = roleIncident(1);
    const [first] = runs([quarter(0, [role])]);
    const skipped = advance(advance(emptyClusterState('prod'), quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS).state, quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS);
    expect(first!.input).toBeDefined();
    expect(buildMessage(report(quarter(0, [role])), { topicArn: TOPIC }, skipped.lifecycle)).toBeUndefined();
    const quietIncomplete = advance(advance(emptyClusterState('prod'), quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS).state, quarter(1, [role], { complete: false }), DEFAULT_LIFECYCLE_SETTINGS);
    const input = buildMessage({ ...report(quarter(1, [role], { complete: false })), incompleteReason: 'audit query Timeout' }, { topicArn: TOPIC }, quietIncomplete.lifecycle)!;
    expect(input.Subject).toBe('[INCOMPLETE] eks-authz-audit prod: audit incomplete, nothing new');
    expect(email(input).split('\n')[0]).toBe('eks-authz-audit: nothing new in cluster prod (1 incident open), but the audit was INCOMPLETE.');
    expect(input.MessageAttributes!['status']).toBeUndefined();
  });

  it('keeps a 1,000-node incident to one screen of text and the message under the SNS limit', () => {
    const role = roleIncident(1000);
    role.incident = withChange(role.incident);
    const [first] = runs([quarter(0, [role])]);
    const composed = composeMessage(report(quarter(0, [role])), { topicArn: TOPIC }, first!.lifecycle)!;
    expect(composed.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(snsBytes(composed.input)).toBe(composed.bytes);
    expect(email(composed.input).split('\n').length).toBeLessThan(60);
    expect(email(composed.input)).toContain('  ... and 990 more findings (node-lease-forbidden 990)');
    expect(composed.input.Subject).toBe('[HIGH] eks-authz-audit prod: 1 new incident (1000 nodes NotReady)');
    const incident = machine(composed.input).incidents[0] as Incident & { findingsTotal?: number };
    expect(incident.findings).toHaveLength(100);
    expect(incident.findingsTotal).toBe(1000);
  });
});

describe('a one-off report\'s message (manual run, CLI)', () => {
  it('tells every incident of the window, without status, and counts incidents and findings', () => {
    const role = roleIncident(3);
    const burst = singleIncident('ci-deployer', 'medium');
    const w = quarter(0, [burst, role]);
    const input = buildMessage(report(w), { topicArn: TOPIC })!;
    expect(input.Subject).toBe('[HIGH] eks-authz-audit prod: 2 incidents (4 findings)');
    const text = email(input);
    expect(text.split('\n')[0]).toBe('eks-authz-audit: 2 incidents (4 findings) at or above MEDIUM in cluster prod (1 high, 1 medium).');
    expect(text.indexOf('=== 1 of 2 ===')).toBeLessThan(text.indexOf('Node role WorkerNodeRole'));
    expect(text.indexOf('Node role WorkerNodeRole')).toBeLessThan(text.indexOf('=== 2 of 2 ==='));
    expect(input.MessageAttributes!['status']).toBeUndefined();
    expect(machine(input).incidents.map((i) => i.status)).toEqual([undefined, undefined]);
  });
});
