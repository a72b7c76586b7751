import { describe, expect, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import type { Incident } from '../../lambda/model/incident';
import { DayScenario } from '../state/day-scenario';
import { DAY_CONFIG, serveScheduledDay } from '../state/harness';

/**
 * The exports through the real handler: scheduled runs over a misconfiguration that starts, lasts and is fixed,
 * with the life cycle on dynalite, and Security Hub and EventBridge reached by the real SDK clients through
 * AWS_ENDPOINT_URL_SECURITYHUB and AWS_ENDPOINT_URL_EVENTBRIDGE (the clients the handler makes itself).
 */
const day = serveScheduledDay();
const fake = day.fake;

async function handlerFor(scenario: DayScenario, exportsOn: Partial<RuntimeConfig>) {
  return { run: await day.runsOf(scenario, { ...DAY_CONFIG, ...exportsOn }) };
}

const held = () => [...fake.exports.findings.values()];
const detail = (e: Record<string, unknown>) => JSON.parse(String(e['Detail'])) as Incident;

describe('exports of scheduled runs', () => {
  it('imports each finding once and updates it run after run, archives them when the incident resolves, and puts one event per status change', async () => {
    // Prepare: 120 nodes refused from 00:05:41 until the fix at 02:00; resolved an hour of quiet later.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 120 });
    const { run } = await handlerFor(scenario, { securityHub: true, eventBus: 'ops' });
    // Act
    const responses = [];
    for (let n = 0; n < 14; n++) responses.push(await run(n));
    // Assess: no duplicates, more imports than findings (each run updated them), in requests of at most 100.
    const findings = held();
    const ids = new Set(findings.map((f) => f['Id']));
    expect(ids.size).toBe(findings.length);
    expect(findings.length).toBeGreaterThan(100);
    expect(fake.exports.imports.flat().length).toBeGreaterThan(findings.length * 3);
    expect(Math.max(...fake.exports.importCalls)).toBe(100);
    // The last run that saw the refusals set UpdatedAt and LastObservedAt; the resolving run archived them all.
    expect(findings.every((f) => f['RecordState'] === 'ARCHIVED')).toBe(true);
    const lease = findings.find((f) => f['GeneratorId'] === 'node-lease-forbidden')!;
    expect(String(lease['LastObservedAt']) < '2026-03-02T02:00:01Z').toBe(true);
    expect(lease['Resources']).toContainEqual(expect.objectContaining({ Type: 'AwsEksCluster', Id: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' }));
    // One event when it opened, one when it resolved.
    expect(fake.exports.events.map((e) => [e['Source'], e['DetailType'], detail(e).status])).toEqual([
      ['eks-authz-audit', 'EKS Authz Audit Incident', 'new'],
      ['eks-authz-audit', 'EKS Authz Audit Incident', 'resolved'],
    ]);
    expect(responses.at(-1)!.clusters[0]!.exports).toMatchObject({ securityHub: { failedCount: 0 } });
  });

  it('reports findings Security Hub refused in the response, and fails the run when a request failed outright so its retry imports again', async () => {
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 3 });
    const { run } = await handlerFor(scenario, { securityHub: true });
    fake.exports.reset({ rejectFinding: (f) => (f['GeneratorId'] === 'node-lease-forbidden' ? { code: 'InvalidInput', message: 'refused for the test' } : undefined) });
    const refused = await run(0);
    expect(refused.clusters[0]!.exports!.securityHub).toMatchObject({ failedCount: 3, failed: expect.arrayContaining([expect.objectContaining({ code: 'InvalidInput' })]) });

    fake.exports.reset({ importFindings: () => ({ status: 503, errorType: 'ServiceUnavailableException', body: { Message: 'down' } }) });
    await expect(run(1)).rejects.toThrow(/Security Hub: ServiceUnavailableException/);
    // The retry of the same window, with Security Hub back: the findings arrive.
    fake.exports.reset();
    await run(1);
    expect(held().length).toBeGreaterThan(0);
  });

  it('exports nothing when neither is turned on', async () => {
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T02:00:00Z', nodes: 3 });
    const { run } = await handlerFor(scenario, {});
    const response = await run(0);
    expect(fake.exports.importCalls).toEqual([]);
    expect(fake.exports.putEvents).toEqual([]);
    expect(response.clusters[0]!.exports).toBeUndefined();
  });
});
