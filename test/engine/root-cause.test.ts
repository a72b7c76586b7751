import { describe, expect, it } from 'vitest';
import type { Incident } from '../../lambda/model/incident';
import type { ScanResult } from '../../lambda/model/findings';
import { MINUTE, SECOND } from '../../tools/time';
import { Logs, NODE_GROUPS, T0, admin, arnOf, mapping, nodeGroup } from './incident-fixtures';

const ROLE = 'batch-node-role';
const GOOD = mapping(ROLE);
const BAD = mapping(ROLE, 'WorkerNodeRole', NODE_GROUPS);
const OTHER = mapping('system-node-role');
const GOOD_ENTRY = `- {rolearn: ${arnOf(ROLE)}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}`;
const BAD_ENTRY = `- {rolearn: ${arnOf(ROLE)}, username: WorkerNodeRole, groups: [system:bootstrappers, system:nodes]}`;

function roleIncident(result: ScanResult): Incident {
  const found = result.incidents.filter((i) => i.cause.kind === 'node-role' && i.cause.roleArn === arnOf(ROLE));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The batch nodes start failing 41 s after T0 (their first lease refusal). */
function failingFrom(logs: Logs, at = T0 + 41 * SECOND): void {
  nodeGroup(logs, ROLE, BAD, { nodes: 2, from: at });
}

describe('root cause: the aws-auth write that changed the role', () => {
  it.each([
    ['update', undefined],
    ['merge', 'merge'],
    ['json', 'json'],
    ['apply', 'apply'],
  ] as const)('names a %s: who, from where, the entry before and after, and the delay to the first failure', async (shape, patchType) => {
    // Prepare: a correct mapping written an hour before, then the change at T0.
    const logs = new Logs(`shape-${shape}`);
    logs.awsAuth(T0 - 60 * MINUTE, [OTHER, GOOD]);
    const write = logs.awsAuth(T0, [OTHER, BAD], shape);
    failingFrom(logs);

    // Act
    const change = roleIncident(await logs.scan()).cause.change;

    // Assess
    expect(change).toEqual({
      time: write.requestReceivedTimestamp, verb: shape === 'update' ? 'update' : 'patch', ...(patchType ? { patchType } : {}),
      username: 'kubernetes-admin', arn: arnOf('Admin'), sourceIP: '192.0.2.10', userAgent: admin().userAgent, auditID: write.auditID,
      before: GOOD_ENTRY, after: BAD_ENTRY, firstFailureAfterSeconds: 41, firstFailure: 'lease refusal',
    });
  });

  it('takes the earlier content from the write itself when a JSON patch tests it first', async () => {
    // Prepare: no earlier write in the data; the patch's `test` operation proves what mapRoles held.
    const logs = new Logs('json-test');
    logs.awsAuth(T0, [OTHER, BAD], 'json', { before: [OTHER, GOOD] });
    failingFrom(logs);

    // Act
    const change = roleIncident(await logs.scan()).cause.change;

    // Assess
    expect(change).toMatchObject({ verb: 'patch', patchType: 'json', before: GOOD_ENTRY, after: BAD_ENTRY });
  });

  it('names the write but leaves the entry before unknown when nothing earlier is known', async () => {
    // Prepare
    const logs = new Logs('no-before');
    logs.awsAuth(T0, [OTHER, BAD]);
    failingFrom(logs);

    // Act
    const change = roleIncident(await logs.scan()).cause.change;

    // Assess
    expect(change).toMatchObject({ after: BAD_ENTRY, firstFailureAfterSeconds: 41 });
    expect(change).not.toHaveProperty('before');
  });

  it('says so when no write is known, and blames neither a write that only lacks the role nor one that kept its entry', async () => {
    // Prepare: writes that did not touch the batch role's entry (another role changed, then the same bad entry again).
    const none = new Logs('none');
    failingFrom(none);
    const unrelated = new Logs('unrelated');
    const setBad = unrelated.awsAuth(T0 - 30 * MINUTE, [OTHER, BAD]);
    unrelated.awsAuth(T0 - 20 * MINUTE, [mapping('system-node-role', 'x'), BAD]);
    failingFrom(unrelated);
    const lacking = new Logs('lacking');
    lacking.awsAuth(T0 - 30 * MINUTE, [OTHER]);
    nodeGroup(lacking, ROLE, BAD, { nodes: 1, from: T0 });

    // Act
    const noWrite = roleIncident(await none.scan()).cause;
    const kept = roleIncident(await unrelated.scan()).cause;
    const lack = roleIncident(await lacking.scan()).cause;

    // Assess
    expect(noWrite.change).toBeUndefined();
    expect(noWrite.changeUnknown).toBe('the change that introduced it is older than the data (no aws-auth write before the first failure)');
    // The first write set the bad entry without a known before: it is the change; the second did not touch it.
    expect(kept.change).toMatchObject({ auditID: setBad.auditID, after: BAD_ENTRY });
    expect(lack.change).toBeUndefined();
    expect(lack.changeUnknown).toMatch(/^no aws-auth write in the data changed this role's entry \(1 seen before the first failure\)/);
  });

  it('does not blame a write made after the first failure', async () => {
    // Prepare
    const logs = new Logs('after');
    failingFrom(logs, T0);
    logs.awsAuth(T0 + 5 * MINUTE, [OTHER, BAD]);

    // Act
    const cause = roleIncident(await logs.scan()).cause;

    // Assess
    expect(cause.change).toBeUndefined();
    expect(cause.changeUnknown).toContain('older than the data');
  });

  it('reads the source IP from the connection (the last sourceIPs entry), not from X-Forwarded-For', async () => {
    // Prepare
    const logs = new Logs('xff');
    const write = logs.awsAuth(T0, [OTHER, BAD]);
    write.sourceIPs = ['203.0.113.99', '192.0.2.10'];
    failingFrom(logs);

    // Act
    const change = roleIncident(await logs.scan()).cause.change;

    // Assess
    expect(change?.sourceIP).toBe('192.0.2.10');
  });

  it('ties a failure to a change remembered from an earlier run, and gives back what this input saw', async () => {
    // Prepare: an earlier run saw the healthy content, then the change; this window has only the failures.
    const earlier = new Logs('earlier-run');
    earlier.awsAuth(T0 - 3 * 3600 * SECOND, [OTHER, GOOD]);
    const write = earlier.awsAuth(T0 - 2 * 3600 * SECOND, [OTHER, BAD], 'merge');
    const remembered = (await earlier.scan()).awsAuth!;
    const now = new Logs('this-run');
    failingFrom(now);

    // Act
    const result = await now.scan({ knownAwsAuth: remembered });
    const change = roleIncident(result).cause.change;

    // Assess
    expect(remembered.writes).toHaveLength(2);
    expect(remembered.content?.mapRoles).toContain('WorkerNodeRole');
    expect(change).toMatchObject({ auditID: write.auditID, before: GOOD_ENTRY, after: BAD_ENTRY, firstFailureAfterSeconds: 2 * 3600 + 41 });
    // What to remember next: the same writes (kept once), the same content.
    expect(result.awsAuth?.writes.map((w) => w.auditID)).toEqual(remembered.writes.map((w) => w.auditID));
  });

  it('ties a later failure to the one remembered write whose result is the remembered content', async () => {
    // Prepare: an earlier window saw only the change (no earlier content); this window has only the failures.
    const earlier = new Logs('one-write-run');
    const write = earlier.awsAuth(T0 - 2 * 3600 * SECOND, [OTHER, BAD]);
    const remembered = (await earlier.scan()).awsAuth!;
    const now = new Logs('one-write-now');
    failingFrom(now);

    // Act
    const change = roleIncident(await now.scan({ knownAwsAuth: remembered })).cause.change;

    // Assess: the content is that write's result, not what aws-auth held before it.
    expect(remembered.content?.time).toBe(remembered.writes[0]?.time);
    expect(change).toMatchObject({ auditID: write.auditID, after: BAD_ENTRY, firstFailureAfterSeconds: 2 * 3600 + 41 });
  });

  it('counts a write seen both in the state store and in this window once', async () => {
    // Prepare: overlapping windows.
    const logs = new Logs('overlap');
    logs.awsAuth(T0 - 10 * MINUTE, [OTHER, GOOD]);
    logs.awsAuth(T0, [OTHER, BAD]);
    failingFrom(logs);
    const first = await logs.scan();

    // Act
    const again = await logs.scan({ knownAwsAuth: first.awsAuth! });

    // Assess
    expect(again.awsAuth?.writes).toHaveLength(2);
    expect(roleIncident(again).cause.change).toEqual(roleIncident(first).cause.change);
  });

  it('starts from remembered content older than every write it knows', async () => {
    // Prepare: the state store kept only the content (its writes aged out).
    const logs = new Logs('content');
    logs.awsAuth(T0, [OTHER, BAD], 'merge');
    failingFrom(logs);
    const known = { content: { mapRoles: `- rolearn: ${arnOf(ROLE)}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n`, time: '2026-11-27T08:00:00Z' }, writes: [] };

    // Act
    const change = roleIncident(await logs.scan({ knownAwsAuth: known })).cause.change;

    // Assess
    expect(change?.before).toBe(GOOD_ENTRY);
  });

  it('names the write that removed an unmapped role, and offers to put its entry back', async () => {
    // Prepare: Terraform rewrites aws-auth without the apps role; its kubelets are refused by the authenticator.
    const logs = new Logs('removed');
    logs.awsAuth(T0 - 10 * MINUTE, [OTHER, mapping('apps-node-role')]);
    const write = logs.awsAuth(T0, [OTHER]);
    nodeGroup(logs, 'apps-node-role', mapping('apps-node-role'), { nodes: 1, from: T0 - 10 * MINUTE });
    logs.line(`time="2026-11-27T10:01:22Z" level=warning msg="access denied" arn="${arnOf('apps-node-role')}" client="127.0.0.1:40000" error="ARN is not mapped" method=POST path=/authenticate`, T0 + 82 * SECOND);

    // Act
    const incident = (await logs.scan()).incidents.find((i) => i.cause.roleArn === arnOf('apps-node-role'))!;

    // Assess
    expect(incident.title).toBe('Node role apps-node-role is not mapped: its nodes cannot join');
    expect(incident.cause.change).toMatchObject({ auditID: write.auditID, after: null, firstFailureAfterSeconds: 82 });
    expect(incident.cause.change?.before).toContain('apps-node-role');
    expect(incident.remediation).toMatch(/^Undo the change of .*: put the role's entry in aws-auth \(kube-system\) mapRoles back as it was:\n {4}- \{rolearn: arn:aws:iam::111122223333:role\/apps-node-role/);
  });
});
