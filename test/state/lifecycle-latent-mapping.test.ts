import { describe, expect, it } from 'vitest';
import { DayScenario } from './day-scenario';
import { DAY_CONFIG, publishedMessages, serveScheduledDay } from './harness';

/**
 * A wrong node-role mapping whose nodes fail only hours after the write (their kubelets' credentials were still
 * cached): the windows in between hold neither the write nor a failure. The remembered aws-auth content keeps
 * the incident open through them, so the scheduled runs (real handler, engine and rules; FakeAws for Logs
 * Insights and SNS; dynalite for the state) alert it once when written and once RESOLVED when a write fixes it,
 * never RESOLVED and "recurred" in between.
 */
const day = serveScheduledDay();

const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('a wrong node-role mapping whose nodes fail hours after the write', () => {
  it('alerts it once when written and RESOLVED once when fixed, not RESOLVED and recurred while the nodes still hold their credentials', async () => {
    // Prepare: written at 00:05; the nodes are refused from 02:30 (2 h 25 min later, well past the 60 min that
    // resolve an incident nobody shows); fixed at 05:00.
    const scenario = new DayScenario({ breakAt: '2026-03-02T00:05:00Z', nodesFrom: '2026-03-02T02:30:00Z', fixAt: '2026-03-02T05:00:00Z', nodes: 4 });
    const run = await day.runsOf(scenario, DAY_CONFIG);
    const messages = () => publishedMessages(day.fake);

    // Act: every quarter from 00:00 to 07:00.
    for (let n = 0; n < 28; n++) await run(n);

    // Assess
    const alerts = messages().filter((m) => m.status !== undefined);
    expect(alerts.map((m) => m.status)).toEqual(['["new"]', '["resolved"]']);
    const [opened, resolved] = alerts.map((m) => flat(m.text));
    expect(opened).toContain('Changed by: update of ConfigMap kube-system/aws-auth at 2026-03-02T00:05:00');
    expect(opened).not.toContain('recurred');
    // Open through the quiet hours and the refusals; resolved an hour after the fixing write's window.
    expect(resolved).toContain('Resolved: at 2026-03-02T06:00:00.000Z: no complete window has shown it since 2026-03-02T05:00:00.000Z');
    expect(resolved).toMatch(/it lasted 4 h 5\d min \(2026-03-02T00:05:00/);
    expect(resolved).not.toContain('recurred');
    // The first failure is the first of the incident (02:30, 2 h 25 min after the write), not the last window's.
    expect(resolved).toMatch(/first lease refusal 2 h 2\d min after the change/);
  }, 120_000);
});
