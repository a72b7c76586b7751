import { describe, expect, it } from 'vitest';
import type { AwsAuthMemory } from '../../lambda/model/aws-auth-memory';
import type { ScanResult } from '../../lambda/model/findings';
import { MINUTE, SECOND } from '../../tools/time';
import { Logs, NODE_GROUPS, T0, arnOf, mapping, nodeGroup } from './incident-fixtures';

/**
 * A wrong node-role mapping is judged where aws-auth still holds it, not only in the window of its write: with
 * no write of mapRoles in the input, the mapping rules judge the content earlier runs remembered
 * (EngineOptions.knownAwsAuth), so the finding, its fingerprint and its incident stay the same across runs.
 */
const ROLE = 'batch-node-role';
const OTHER_ROLE = 'system-node-role';
const GOOD = mapping(ROLE);
const BAD = mapping(ROLE, 'WorkerNodeRole', NODE_GROUPS);
const OTHER = mapping(OTHER_ROLE);
const LATER = T0 + 2 * 60 * MINUTE;

/** What the rules and the grouping said, without the words. */
function shape(result: ScanResult) {
  return {
    findings: result.findings.map((f) => ({ ruleId: f.ruleId, subject: f.subject, fingerprint: f.fingerprint })),
    incidents: result.incidents.map((i) => ({ id: i.id, findings: i.findings })),
  };
}

/** The window of the write: the bad mapping written at T0, the other role's nodes healthy. */
async function writeWindow(): Promise<ScanResult> {
  const logs = new Logs('remembered-write');
  logs.awsAuth(T0, [OTHER, BAD]);
  nodeGroup(logs, OTHER_ROLE, OTHER, { nodes: 1, from: T0 + 10 * SECOND });
  return logs.scan();
}

/** A later window with no aws-auth write: only the other role's healthy nodes (the batch nodes still hold their credentials). */
function quietWindow(seed: string): Logs {
  const logs = new Logs(seed);
  nodeGroup(logs, OTHER_ROLE, OTHER, { nodes: 1, from: LATER });
  return logs;
}

describe('the mapping rules judge remembered aws-auth content', () => {
  it('keeps the write\'s rule ids, subjects, fingerprints and incident in a window without a write, saying where the content comes from', async () => {
    // Prepare
    const written = await writeWindow();
    expect(written.awsAuth?.content?.mapRoles).toContain('WorkerNodeRole');

    // Act
    const quiet = await quietWindow('remembered-quiet').scan({ knownAwsAuth: written.awsAuth });
    const withoutMemory = await quietWindow('remembered-quiet').scan();

    // Assess
    expect(shape(written).findings.map((f) => f.ruleId)).toContain('aws-auth-node-username');
    expect(shape(quiet)).toEqual(shape(written));
    const finding = quiet.findings.find((f) => f.ruleId === 'aws-auth-node-username')!;
    expect(finding.subject).toEqual({ arn: arnOf(ROLE) });
    expect(finding.message).toContain('written by kubernetes-admin via kubectl at 2026-11-27T10:00:00');
    expect(finding.message).toContain('still in aws-auth as remembered from an earlier run: no write in this window changed mapRoles');
    expect(finding.evidence[0]).toMatchObject({ source: 'aws-auth as remembered from an earlier run', verb: 'update' });
    // The incident still names the write that caused it.
    const incident = quiet.incidents.find((i) => i.cause.kind === 'node-role')!;
    expect(incident.cause.change).toMatchObject({ verb: 'update', username: 'kubernetes-admin' });
    // Without a memory (the CLI), the same window judges no mapping.
    expect(withoutMemory.findings.filter((f) => f.ruleId.startsWith('aws-auth'))).toEqual([]);
  });

  it('says when the content was last seen when the memory no longer holds its write', async () => {
    // Prepare: content remembered, its write aged out of the memory.
    const written = await writeWindow();
    const known: AwsAuthMemory = { content: written.awsAuth!.content!, writes: [] };

    // Act
    const quiet = await quietWindow('remembered-no-write').scan({ knownAwsAuth: known });

    // Assess
    expect(shape(quiet).findings).toEqual(shape(written).findings);
    const finding = quiet.findings.find((f) => f.ruleId === 'aws-auth-node-username')!;
    expect(finding.message).toContain(`as last seen at ${known.content!.time!}`);
    expect(finding.message).not.toContain('written by');
  });

  it('finds nothing in remembered content that is fine, where the same window finds the bad content', async () => {
    // Prepare
    const logs = new Logs('remembered-fine');
    logs.awsAuth(T0, [OTHER, GOOD]);
    const fine = (await logs.scan()).awsAuth;
    const bad = (await writeWindow()).awsAuth;

    // Act
    const withFine = await quietWindow('remembered-fine-quiet').scan({ knownAwsAuth: fine });
    const withBad = await quietWindow('remembered-fine-quiet').scan({ knownAwsAuth: bad });

    // Assess
    expect(withFine.findings.filter((f) => f.ruleId.startsWith('aws-auth'))).toEqual([]);
    expect(withFine.incidents).toEqual([]);
    expect(withBad.findings.map((f) => f.ruleId)).toContain('aws-auth-node-username');
  });

  it('judges a write of mapRoles in the input instead of the memory, and the memory when a write sets only mapUsers', async () => {
    // Prepare: the bad mapping remembered; one window fixes it, another only adds an IAM user.
    const known = (await writeWindow()).awsAuth;
    const fixing = quietWindow('remembered-fixed');
    fixing.awsAuth(LATER + 5 * MINUTE, [OTHER, GOOD]);
    const addingUser = quietWindow('remembered-map-users');
    const patch = addingUser.awsAuth(LATER + 5 * MINUTE, [OTHER, BAD], 'merge');
    patch['requestObject'] = { data: { mapUsers: `- userarn: arn:aws:iam::111122223333:user/ops\n  username: ops\n  groups: [ops]\n` } };

    // Act
    const fixed = await fixing.scan({ knownAwsAuth: known });
    const usersOnly = await addingUser.scan({ knownAwsAuth: known });

    // Assess: nothing left once fixed, and the memory moves on to the fixed content.
    expect(fixed.findings.filter((f) => f.ruleId.startsWith('aws-auth'))).toEqual([]);
    expect(fixed.incidents).toEqual([]);
    expect(fixed.awsAuth?.content?.mapRoles).not.toContain('WorkerNodeRole');
    // A write that leaves mapRoles alone leaves the remembered mapping to judge.
    const remembered = usersOnly.findings.find((f) => f.ruleId === 'aws-auth-node-username');
    expect(remembered?.message).toContain('remembered from an earlier run');
  });

  it('recognises a node role mapped into system:masters under a non-node name only through its kubelets in the window', async () => {
    // Prepare: misconfiguration 2 written with its nodes running; later windows hold no write.
    const masters = mapping(ROLE, 'WorkerNodeRole', ['system:masters']);
    const logs = new Logs('remembered-masters');
    logs.awsAuth(T0, [OTHER, masters]);
    nodeGroup(logs, ROLE, masters, { nodes: 2, from: T0 + 41 * SECOND });
    const written = await logs.scan();
    const running = quietWindow('remembered-masters-running');
    nodeGroup(running, ROLE, masters, { nodes: 2, from: LATER });
    const scaledToZero = quietWindow('remembered-masters-none');

    // Act
    const withNodes = await running.scan({ knownAwsAuth: written.awsAuth });
    const withoutNodes = await scaledToZero.scan({ knownAwsAuth: written.awsAuth });

    // Assess: with its kubelets in the window, the same mapping findings as the write's; without them the
    // mapping alone does not say it is a node role's (neither system:nodes, system:bootstrappers nor system:node:).
    const mappingFindings = (r: ScanResult) => shape(r).findings.filter((f) => f.ruleId.startsWith('aws-auth'));
    expect(mappingFindings(written).map((f) => f.ruleId)).toEqual(expect.arrayContaining(['aws-auth-node-system-masters', 'aws-auth-node-username']));
    expect(mappingFindings(withNodes)).toEqual(mappingFindings(written));
    expect(mappingFindings(withoutNodes).map((f) => f.ruleId)).toEqual(['aws-auth-system-masters']);
  });
});
