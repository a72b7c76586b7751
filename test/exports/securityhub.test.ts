/**
 * Security Hub import through the real @aws-sdk/client-securityhub against the in-process fake (REST JSON,
 * POST /findings/import), found through AWS_ENDPOINT_URL_SECURITYHUB as in the deployed function.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { fakeClock } from '../aws/helpers';
import { FakeAws } from '../integration/fake-aws';
import { serveFakeAws } from '../integration/sdk-environment';
import { importToSecurityHub, MAX_FINDINGS_PER_IMPORT, type SecurityHubBatch } from '../../lambda/runtime/securityhub';
import { asffId, asffTypes, defaultProductArn, MAX_RECOMMENDATION_TEXT, recommendation, type AsffContext } from '../../lambda/runtime/securityhub-asff';

const fake = new FakeAws();
let client: SecurityHubClient;
const TARGET = { accountId: '123456789012', region: 'eu-west-1', partition: 'aws' };
const ROLE = 'arn:aws:iam::123456789012:role/eks-ng-batch-NodeInstanceRole';

function ctx(now: string): AsffContext {
  return {
    target: TARGET, cluster: 'prod', clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', now,
    reference: (id) => `https://example.com/rules/${id}`,
  };
}

function finding(i: number, over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 'Node cannot renew its lease', cluster: 'prod',
    subject: { node: `ip-10-0-1-${i}.eu-west-1.compute.internal`, username: 'WorkerNodeRole' }, count: 10 + i,
    firstSeen: '2026-11-27T10:11:00Z', lastSeen: '2026-11-27T10:20:00Z', message: 'm', remediation: 'Map the node role as a node.',
    fingerprint: `fp${String(i).padStart(30, '0')}`, evidence: [], ...over,
  };
}

const incident: Incident = {
  id: 'i'.repeat(32), cluster: 'prod', severity: 'high', title: 'Node role eks-ng-batch-NodeInstanceRole is not mapped as a node',
  cause: { kind: 'node-role', summary: 'the role is mapped with username WorkerNodeRole', roleArn: ROLE }, impact: '3 nodes NotReady',
  remediation: 'fix', findings: [], firstSeen: '2026-11-27T10:10:41Z', lastSeen: null, status: 'new',
};

const deps = () => ({ client, clock: fakeClock(), timeLeft: () => Infinity });
const held = () => [...fake.exports.findings.values()];

serveFakeAws(fake, ['SECURITYHUB']);
beforeAll(() => {
  client = new SecurityHubClient({ region: TARGET.region, maxAttempts: 1 });
});
afterAll(() => {
  client.destroy();
});
beforeEach(() => fake.exports.reset());

describe('importToSecurityHub', () => {
  it('updates each finding in place across runs: same Id, UpdatedAt, LastObservedAt and count refreshed, no duplicate', async () => {
    // Prepare
    const first: SecurityHubBatch = { active: [0, 1, 2].map((i) => ({ finding: finding(i), incident })), archived: [] };
    const second: SecurityHubBatch = {
      active: [0, 1, 2].map((i) => ({ finding: finding(i, { count: 99, lastSeen: '2026-11-27T10:35:00Z' }), incident: { ...incident, status: 'open' as const } })),
      archived: [],
    };
    // Act
    const a = await importToSecurityHub(first, ctx('2026-11-27T10:30:00.000Z'), deps());
    const b = await importToSecurityHub(second, ctx('2026-11-27T10:45:00.000Z'), deps());
    // Assess
    expect([a.imported, b.imported, a.failedCount, b.failedCount]).toEqual([3, 3, 0, 0]);
    expect(fake.exports.imports).toHaveLength(2);
    expect(held()).toHaveLength(3);
    const f = fake.exports.findings.get(`${defaultProductArn(TARGET)}|${asffId(TARGET, finding(0).fingerprint)}`)!;
    expect(f).toMatchObject({
      SchemaVersion: '2018-10-08', GeneratorId: 'node-lease-forbidden', AwsAccountId: '123456789012',
      ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      UpdatedAt: '2026-11-27T10:45:00.000Z', CreatedAt: '2026-11-27T10:10:41Z', LastObservedAt: '2026-11-27T10:35:00Z',
      RecordState: 'ACTIVE', Severity: { Label: 'HIGH', Original: 'high' },
      FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'high' }, Types: ['Software and Configuration Checks/AWS Security Best Practices'] },
      Remediation: { Recommendation: { Text: 'Map the node role as a node.', Url: 'https://example.com/rules/node-lease-forbidden' } },
    });
    expect((f['ProductFields'] as Record<string, string>)['eks-authz-audit/Count']).toBe('99');
    expect((f['ProductFields'] as Record<string, string>)['eks-authz-audit/IncidentStatus']).toBe('open');
    expect(f['Resources']).toEqual([
      { Type: 'AwsEksCluster', Id: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', Partition: 'aws', Region: 'eu-west-1', Details: { AwsEksCluster: { Name: 'prod' } } },
      { Type: 'AwsIamRole', Id: ROLE, Partition: 'aws', Region: 'eu-west-1' },
    ]);
  });

  it('archives the findings of a resolved incident, resolved in its workflow when first imported that way', async () => {
    // Prepare: one finding already in Security Hub, one seen only before the import was turned on.
    await importToSecurityHub({ active: [{ finding: finding(0), incident }], archived: [] }, ctx('2026-11-27T10:30:00Z'), deps());
    const resolved = { ...incident, status: 'resolved' as const };
    const { message: _m, remediation: _r, evidence: _e, cluster: _c, ...compact0 } = finding(0);
    const { message: _m1, remediation: _r1, evidence: _e1, cluster: _c1, ...compact1 } = finding(1);
    // Act
    const out = await importToSecurityHub({ active: [], archived: [{ finding: compact0, incident: resolved }, { finding: compact1, incident: resolved }] }, ctx('2026-11-27T12:00:00Z'), deps());
    // Assess
    expect(out).toMatchObject({ sent: 2, imported: 2, archived: 2, failedCount: 0 });
    expect(held().map((f) => f['RecordState'])).toEqual(['ARCHIVED', 'ARCHIVED']);
    const fresh = fake.exports.findings.get(`${defaultProductArn(TARGET)}|${asffId(TARGET, finding(1).fingerprint)}`)!;
    expect(fresh['Workflow']).toEqual({ Status: 'RESOLVED' });
    expect(fresh['Description']).toBe('3 nodes NotReady');
  });

  it(`sends at most ${MAX_FINDINGS_PER_IMPORT} findings per request`, async () => {
    const batch: SecurityHubBatch = { active: Array.from({ length: 250 }, (_, i) => ({ finding: finding(i), incident })), archived: [] };
    const out = await importToSecurityHub(batch, ctx('2026-11-27T10:30:00Z'), deps());
    expect(fake.exports.importCalls).toEqual([100, 100, 50]);
    expect(out).toMatchObject({ sent: 250, imported: 250, requests: 3, failedCount: 0 });
    expect(held()).toHaveLength(250);
  });

  it('reports every finding Security Hub refused (FailedFindings), with its Id and why, and imports the rest', async () => {
    fake.exports.reset({ rejectFinding: (f) => (String(f['Id']).endsWith('1') ? { code: 'InvalidInput', message: 'data.Title is too long' } : undefined) });
    const out = await importToSecurityHub({ active: [0, 1, 2].map((i) => ({ finding: finding(i), incident })), archived: [] }, ctx('2026-11-27T10:30:00Z'), deps());
    expect(out).toMatchObject({ imported: 2, failedCount: 1, failed: [{ id: asffId(TARGET, finding(1).fingerprint), code: 'InvalidInput', message: 'data.Title is too long' }] });
    expect(out.error).toBeUndefined();
  });

  it('retries a throttled request, and reports the findings of a request that keeps failing, with the error', async () => {
    // Throttled once, then taken.
    fake.exports.reset({ importFindings: (call) => (call === 1 ? { status: 429, errorType: 'TooManyRequestsException', body: { Message: 'Rate exceeded' } } : undefined) });
    const ok = await importToSecurityHub({ active: [{ finding: finding(0), incident }], archived: [] }, ctx('2026-11-27T10:30:00Z'), deps());
    expect(fake.exports.importCalls).toEqual([1, 1]);
    expect(ok).toMatchObject({ imported: 1, failedCount: 0 });
    // Refused for good: nothing is taken, and the outcome says which findings and why.
    fake.exports.reset({ importFindings: () => ({ status: 403, errorType: 'AccessDeniedException', body: { Message: 'not subscribed to Security Hub' } }) });
    const denied = await importToSecurityHub({ active: [0, 1].map((i) => ({ finding: finding(i), incident })), archived: [] }, ctx('2026-11-27T10:30:00Z'), deps());
    expect(denied).toMatchObject({ imported: 0, failedCount: 2, error: expect.stringContaining('AccessDeniedException') });
    expect(denied.failed.map((f) => f.code)).toEqual(['AccessDeniedException', 'AccessDeniedException']);
  });

  it('keeps the recommendation within 512 characters (a longer one fails the import), cut at a word', async () => {
    const long = `${'Map the node role as a node in aws-auth. '.repeat(30)}\n  username: system:node:{{EC2PrivateDNSName}}`;
    const out = await importToSecurityHub({ active: [{ finding: finding(0, { remediation: long }), incident }], archived: [] }, ctx('2026-11-27T10:30:00Z'), deps());
    expect(out.failedCount).toBe(0);
    const text = recommendation(long)!;
    expect(text.length).toBeLessThanOrEqual(MAX_RECOMMENDATION_TEXT);
    // A prefix of the folded text that ends where a word ends, then an ellipsis.
    const flat = long.replace(/\s+/g, ' ');
    expect(text.endsWith('…')).toBe(true);
    const kept = text.slice(0, -1);
    expect(flat.startsWith(kept)).toBe(true);
    expect(flat[kept.length]).toBe(' ');
  });

  it('classifies in the ASFF namespaces', () => {
    const namespaces = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
    for (const id of ['node-lease-forbidden', 'node-unrelated-object-access', 'forbidden-burst', 'anonymous-request-allowed', 'aws-auth-node-system-masters', 'a-rule-added-later']) {
      for (const t of asffTypes(id)) expect(namespaces).toContain(t.split('/')[0]);
    }
  });
});
