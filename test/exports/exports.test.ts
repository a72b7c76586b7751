/**
 * The exports of one cluster's scheduled run, after the life cycle decided, through the real SDK clients
 * against the in-process fake: what goes to Security Hub and to EventBridge, and what a failure does.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { clusterArn, exportCluster, parseFunctionArn, type ExportDeps, type LifecycleView } from '../../lambda/runtime/exports';
import { silentTelemetry, type Telemetry } from '../../lambda/runtime/run';
import { fakeClock } from '../aws/helpers';
import { FakeAws } from '../integration/fake-aws';
import { serveFakeAws } from '../integration/sdk-environment';

const fake = new FakeAws();
let shub: SecurityHubClient;
let events: EventBridgeClient;
const FN = parseFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:eks-authz-audit')!;
const TARGET = { name: 'prod', logGroup: '/aws/eks/prod/cluster' };

function finding(i: number): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 't', cluster: 'prod', subject: { node: `n${i}` }, count: 1,
    firstSeen: '2026-11-27T10:11:00Z', lastSeen: '2026-11-27T10:12:00Z', message: 'm', remediation: 'r', fingerprint: `f${i}`, evidence: [],
  };
}

function incident(id: string, fingerprints: string[], status: Incident['status']): Incident {
  return {
    id: id.padStart(32, '0'), cluster: 'prod', severity: 'high', title: `incident ${id}`, cause: { kind: 'node-role', summary: 's' },
    impact: 'i', remediation: 'r', findings: fingerprints, firstSeen: null, lastSeen: null, status,
  };
}

function deps(over: Partial<ExportDeps> = {}, telemetry: Telemetry = silentTelemetry): ExportDeps {
  return {
    function: FN, securityHub: shub, eventBridge: { client: events, eventBus: 'ops' }, reference: () => 'https://example.com/rule',
    telemetry, clock: fakeClock(), timeLeft: () => Infinity, ...over,
  };
}

const opened = incident('a', ['f1', 'f2'], 'new');
const quiet = incident('b', ['f3'], 'open');
const gone = incident('c', ['f9'], 'resolved');
const scheduled: LifecycleView = {
  mode: 'scheduled',
  incidents: [opened, quiet, gone],
  transitions: [
    { incident: opened, status: 'new', findings: [], findingsTotal: 2 },
    { incident: gone, status: 'resolved', findings: [{ ...finding(9) }], findingsTotal: 1 },
  ],
};
const run = { findings: [finding(1), finding(2), finding(3), finding(4)], window: { end: '2026-11-27T11:00:00Z' } };

serveFakeAws(fake, ['SECURITYHUB', 'EVENTBRIDGE']);
beforeAll(() => {
  shub = new SecurityHubClient({ region: 'eu-west-1', maxAttempts: 1 });
  events = new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1 });
});
afterAll(() => {
  shub.destroy();
  events.destroy();
});
beforeEach(() => fake.exports.reset());

describe('exportCluster', () => {
  it('imports the findings of open incidents as active and those of resolved ones as archived, and puts one event per change', async () => {
    const out = await exportCluster(TARGET, run, scheduled, '2026-11-27T11:00:05Z', deps());
    // f4 belongs to no incident (suppressed): not exported.
    const held = [...fake.exports.findings.values()].map((f) => [(f['ProductFields'] as Record<string, string>)['eks-authz-audit/Fingerprint'], f['RecordState']]);
    expect(held.sort()).toEqual([['f1', 'ACTIVE'], ['f2', 'ACTIVE'], ['f3', 'ACTIVE'], ['f9', 'ARCHIVED']]);
    expect(fake.exports.events.map((e) => JSON.parse(String(e['Detail'])) as Incident).map((i) => [i.id, i.status])).toEqual([
      [opened.id, 'new'], [gone.id, 'resolved'],
    ]);
    expect(out.retry).toBeUndefined();
    expect(out.securityHub).toMatchObject({ imported: 4, archived: 1 });
    expect(out.eventBridge).toMatchObject({ put: 2 });
  });

  it('exports nothing for a one-off (manual) or skipped run', async () => {
    for (const mode of ['one-off', 'skipped'] as const) {
      expect(await exportCluster(TARGET, run, { ...scheduled, mode }, '2026-11-27T11:00:05Z', deps())).toEqual({});
    }
    expect(fake.exports.importCalls).toEqual([]);
    expect(fake.exports.putEvents).toEqual([]);
  });

  it('logs and counts refused findings without asking for a retry, and asks for one when a request failed outright', async () => {
    const metrics: [string, number][] = [];
    const telemetry: Telemetry = { ...silentTelemetry, metric: (name, _u, v) => metrics.push([name, v]) };
    fake.exports.reset({ rejectFinding: (f) => (String(f['Id']).endsWith('/f1') ? { code: 'InvalidInput', message: 'bad' } : undefined) });
    const refused = await exportCluster(TARGET, run, scheduled, '2026-11-27T11:00:05Z', deps({}, telemetry));
    expect(refused.retry).toBeUndefined();
    expect(metrics).toEqual([['SecurityHubImportFailures', 1]]);

    fake.exports.reset({ importFindings: () => ({ status: 500, errorType: 'InternalException', body: { Message: 'down' } }) });
    const down = await exportCluster(TARGET, run, scheduled, '2026-11-27T11:00:05Z', deps({ eventBridge: undefined }));
    expect(down.retry).toMatch(/^Security Hub: InternalException/);
  });

  it('knows the account from the function ARN, and the cluster ARN from a linked account\'s log group', () => {
    expect(FN).toEqual({ partition: 'aws', region: 'eu-west-1', accountId: '123456789012' });
    expect(parseFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:f:live')).toBeDefined();
    expect(parseFunctionArn('not an arn')).toBeUndefined();
    expect(clusterArn(TARGET, FN)).toBe('arn:aws:eks:eu-west-1:123456789012:cluster/prod');
    expect(clusterArn({ name: 's', logGroup: 'arn:aws:logs:ap-south-1:210987654321:log-group:/aws/eks/s/cluster' }, FN)).toBe('arn:aws:eks:ap-south-1:210987654321:cluster/s');
  });
});
