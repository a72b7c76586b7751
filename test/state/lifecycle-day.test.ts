import { describe, expect, it } from 'vitest';
import { DayScenario } from './day-scenario';
import { DAY_CONFIG, publishedMessages, quarter, serveScheduledDay } from './harness';

/**
 * The acceptance test: a misconfiguration that lasts most of a day, audited every 15 minutes (96
 * scheduled runs) by the real handler, engine and rules, with the real SDK clients talking to a local
 * CloudWatch Logs and SNS (FakeAws) and to DynamoDB (dynalite). One alert when it starts, naming the aws-auth
 * write that caused it; no reminder within the day (24 h default); one RESOLVED alert when it ends.
 */
const day = serveScheduledDay();

async function handlerFor(scenario: DayScenario, failWindows: ReadonlySet<number> = new Set()) {
  const scheduled = await day.runsOf(scenario, DAY_CONFIG, failWindows);
  const run = async (n: number): Promise<void> => {
    await scheduled(n).catch((err: Error) => {
      // A window whose every query failed fails the run (so the alarm fires); the message went out before.
      if (!failWindows.has(quarter(n))) throw err;
    });
  };
  return { run, messages: () => publishedMessages(day.fake) };
}

const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('a day of misconfiguration, 96 scheduled runs', () => {
  it('alerts once when it starts naming the aws-auth write, never reminds within the day, and alerts RESOLVED once', async () => {
    // Prepare: broken at 00:05, fixed at 20:00; the 10:00 window's query fails; the 12:30 run is retried.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', fixAt: '2026-03-02T20:00:00Z', nodes: 12 });
    const { run, messages } = await handlerFor(scenario, new Set([quarter(40)]));

    // Act
    for (let n = 0; n < 96; n++) {
      await run(n);
      if (n === 50) await run(50);
    }

    // Assess
    const all = messages();
    const alerts = all.filter((m) => m.status !== undefined);
    expect(alerts.map((m) => [m.subject, m.status])).toEqual([
      ['[HIGH] eks-authz-audit prod: 1 new incident (12 nodes NotReady)', '["new"]'],
      ['[RESOLVED] eks-authz-audit prod: 1 incident resolved', '["resolved"]'],
    ]);
    const [opened, resolved] = alerts.map((m) => flat(m.text));
    expect(opened).toContain('Changed by: update of ConfigMap kube-system/aws-auth at 2026-03-02T00:05:00');
    expect(opened).toContain('by kubernetes-admin');
    expect(opened).toContain('from 192.0.2.10 with kubectl/v1.31.2');
    expect(opened).toContain('41 s after the change');
    // Resolved by the first run an hour after the last refusal (the window ending 20:00), once.
    expect(resolved).toContain('Resolved: at 2026-03-02T21:00:00.000Z: no complete window has shown it since 2026-03-02T20:00:00.000Z');
    expect(resolved).toMatch(/it lasted 19 h 5\d min/);
    // The failed window says so (it is no incident alert), and resolves nothing.
    expect(all.filter((m) => m.status === undefined).map((m) => m.subject)).toEqual(['[INCOMPLETE] eks-authz-audit prod: audit incomplete, nothing new']);
  }, 240_000);
});
