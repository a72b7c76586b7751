import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambda/runtime/config';
import { ENV } from '../../lambda/settings/names';
import { DayScenario } from './day-scenario';
import { serveScheduledDay } from './harness';

/**
 * Suppression and its expiry across scheduled runs (real handler, FakeAws, dynalite): while an entry matching
 * the misconfiguration's findings applies, no incident opens and nothing is published, but each response counts
 * the suppressed findings with the entry's reason; the first run after it expires opens a new incident, alerts
 * it, and says the entry expired.
 */
const EXPIRES = '2026-03-02T06:10:00Z';
const RULES = ['node-identity-unrecognized', 'node-lease-forbidden', 'aws-auth-node-username'];
const day = serveScheduledDay();
const fake = day.fake;

/** The handler as deployed: its settings read from the Lambda environment, AUDIT_SUPPRESSIONS included. */
async function handlerWith(scenario: DayScenario, suppressions: unknown[]) {
  const config = {
    ...loadConfig({
      [ENV.CLUSTERS]: '[{"name":"prod"}]',
      [ENV.TOPIC_ARN]: 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit',
      [ENV.SUPPRESSIONS]: JSON.stringify(suppressions),
    }),
    scheduleMinutes: 15, ingestionLagMinutes: 0, concurrency: 1,
  };
  return day.runsOf(scenario, config);
}

describe('a suppression across scheduled runs, then its expiry', () => {
  it('opens and publishes nothing while it applies, counting the suppressed findings with the reason; the first run after it expires opens a new incident and says it expired', async () => {
    // Prepare: broken from 00:05 all day; three entries cover the node role's findings (the aws-auth write, the
    // credential, each node's Lease) and end at 06:10, between two scheduled runs.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-03T00:00:00Z', nodes: 12 });
    const reason = 'node group migration, ticket OPS-1234';
    const run = await handlerWith(scenario, [
      { ruleId: RULES[0], subject: { username: 'WorkerNodeRole' }, reason, expires: EXPIRES },
      { ruleId: RULES[1], subject: { username: 'WorkerNodeRole', node: 'ip-10-0-1-*' }, reason, expires: EXPIRES },
      { ruleId: RULES[2], subject: { arn: '*:role/WorkerNodeRole' }, reason, expires: EXPIRES },
    ]);

    // Act: the runs ending 00:15 .. 06:00 (the suppression applies), then the one ending 06:15, the first after it expires.
    const during = [];
    for (let n = 0; n < 24; n++) during.push(await run(n));
    const published = fake.published.length;
    const after = await run(24);

    // Assess: while it applies, no incident and nothing published, but every run counts the findings it silenced.
    expect(published).toBe(0);
    for (const response of during) {
      const cluster = response.clusters[0]!;
      expect(cluster.incidents ?? []).toEqual([]);
      expect(cluster.expiredSuppressions ?? []).toEqual([]);
    }
    for (const response of during) {
      const suppressed = response.clusters[0]!.suppressed ?? [];
      expect(response.clusters[0]!.findings).toEqual([]);
      expect(suppressed.filter((s) => s.ruleId === RULES[1])).toHaveLength(12);
      expect(new Set(suppressed.map((s) => `${s.ruleId} ${s.suppression} ${s.reason} ${s.expires}`))).toEqual(
        // The aws-auth mapping is judged in every window: written in the first, remembered in the others.
        new Set([`${RULES[0]} 0 ${reason} ${EXPIRES}`, `${RULES[1]} 1 ${reason} ${EXPIRES}`, `${RULES[2]} 2 ${reason} ${EXPIRES}`]),
      );
      expect(suppressed.every((s) => s.count > 0)).toBe(true);
    }
    // The first run after 06:10: a new incident, alerted once, and the response says the entries expired.
    const cluster = after.clusters[0]!;
    expect(cluster.suppressed ?? []).toEqual([]);
    expect(cluster.expiredSuppressions).toEqual([
      expect.objectContaining({ suppression: 0, ruleId: RULES[0], reason, expires: EXPIRES, findings: 1 }),
      expect.objectContaining({ suppression: 1, ruleId: RULES[1], reason, expires: EXPIRES, findings: 12 }),
      expect.objectContaining({ suppression: 2, ruleId: RULES[2], reason, expires: EXPIRES, findings: 1 }),
    ]);
    expect(cluster.incidents?.map((i) => i.status)).toEqual(['new']);
    expect(fake.published.map((p) => p.get('Subject'))).toEqual(['[HIGH] eks-authz-audit prod: 1 new incident (12 nodes NotReady)']);
    // The alert itself says why the cause is back: the suppression that silenced it expired.
    expect(fake.published[0]!.get('Message')).toContain(`Suppression suppressions[1] (${RULES[1]}: ${reason}) expired on ${EXPIRES}`);
  }, 120_000);
});
