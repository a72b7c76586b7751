import { describe, expect, it } from 'vitest';
import { advance } from '../../lambda/runtime/lifecycle';
import { MAX_SUMMARY_BYTES } from '../../lambda/runtime/lifecycle-findings';
import { DEFAULT_LIFECYCLE_SETTINGS, emptyClusterState, type ClusterState, type LifecycleSettings } from '../../lambda/runtime/state';
import type { WindowObservation } from '../../lambda/runtime/lifecycle';
import { quarter, roleIncident, singleIncident } from './fixtures';

/** The decisions of the life cycle, run by run, without a table (test/state/state-store.test.ts has the table). */
function runAll(windows: WindowObservation[], settings: LifecycleSettings = DEFAULT_LIFECYCLE_SETTINGS, start: ClusterState = emptyClusterState('prod')) {
  let state = start;
  return windows.map((w) => {
    const out = advance(state, w, settings);
    state = out.state;
    return out;
  });
}

const statuses = (out: ReturnType<typeof runAll>) => out.map((o) => o.lifecycle.transitions.map((t) => t.status).join(',') || '-');

describe('advance: one scheduled run through the life cycle', () => {
  it('alerts a new incident once, then stays quiet while it is seen again', () => {
    // Prepare
    const role = roleIncident(12);
    // Act
    const out = runAll([0, 1, 2, 3].map((n) => quarter(n, [role])));
    // Assess
    expect(statuses(out)).toEqual(['new', '-', '-', '-']);
    const first = out[0]!.lifecycle;
    expect(first.mode).toBe('scheduled');
    expect(first.incidents.map((i) => i.status)).toEqual(['new']);
    expect(first.transitions[0]!.findings).toHaveLength(12);
    expect(first.transitions[0]!.history.lastAlertAt).toBeUndefined();
    expect(out[3]!.lifecycle.incidents.map((i) => i.status)).toEqual(['open']);
    const record = out[3]!.state.incidents[0]!;
    expect(record.history).toMatchObject({ windowsSeen: 4, events: 4 * 12 * 30, openSince: '2026-03-02T09:00:03.000Z', lastShownAt: '2026-03-02T10:00:00.000Z' });
    expect(record.findings[0]!.count).toBe(4 * 30);
    // The incident keeps its first time across runs.
    expect(out[3]!.lifecycle.incidents[0]!.firstSeen).toBe('2026-03-02T09:00:03.000Z');
  });

  it('alerts an escalation when the severity rises above what was alerted, and only then', () => {
    const high = roleIncident(3);
    const critical = roleIncident(3, { severity: 'critical' });
    const out = runAll([quarter(0, [high]), quarter(1, [critical]), quarter(2, [critical]), quarter(3, [high]), quarter(4, [critical])]);
    expect(statuses(out)).toEqual(['new', 'escalated', '-', '-', '-']);
    expect(out[1]!.lifecycle.transitions[0]!.history).toMatchObject({ alertedSeverity: 'critical', lastAlertAt: '2026-03-02T09:15:00.000Z' });
  });

  it('reminds after reminderHours since the last alert, and never when reminderHours is 0', () => {
    const role = roleIncident(2);
    const day = Array.from({ length: 9 }, (_, n) => quarter(n, [role]));
    expect(statuses(runAll(day, { ...DEFAULT_LIFECYCLE_SETTINGS, reminderHours: 1 }))).toEqual(['new', '-', '-', '-', 'reminder', '-', '-', '-', 'reminder']);
    expect(statuses(runAll(day, { ...DEFAULT_LIFECYCLE_SETTINGS, reminderHours: 0 }))).toEqual(['new', '-', '-', '-', '-', '-', '-', '-', '-']);
    const reminder = runAll(day, { ...DEFAULT_LIFECYCLE_SETTINGS, reminderHours: 1 })[4]!.lifecycle.transitions[0]!;
    expect(reminder.history).toMatchObject({ lastAlertAt: '2026-03-02T09:15:00.000Z', openSince: '2026-03-02T09:00:03.000Z', windowsSeen: 5 });
  });

  it('resolves once after resolveAfterMinutes of complete windows without it, saying how long it lasted', () => {
    const role = roleIncident(2);
    const windows = [quarter(0, [role]), quarter(1, [role]), ...[2, 3, 4, 5, 6, 7].map((n) => quarter(n, []))];
    const out = runAll(windows);
    expect(statuses(out)).toEqual(['new', '-', '-', '-', '-', 'resolved', '-', '-']);
    const t = out[5]!.lifecycle.transitions[0]!;
    expect(t.incident.status).toBe('resolved');
    expect(t.history).toMatchObject({ resolvedAt: '2026-03-02T10:30:00.000Z', durationMs: 15 * 60_000, openSince: '2026-03-02T09:00:03.000Z' });
    expect(t.findings).toHaveLength(2);
    expect(out[5]!.state.incidents[0]!).toMatchObject({ state: 'resolved', expiresAt: Date.parse('2026-03-02T10:30:00.000Z') / 1000 + 30 * 86_400 });
    expect(out[4]!.lifecycle.incidents.map((i) => i.status)).toEqual(['open']);
  });

  it('never resolves on an incomplete window: it waits for resolveAfterMinutes of complete windows', () => {
    const role = roleIncident(2);
    // Shown 09:00-09:15; 09:15-09:30 incomplete; complete 09:30-10:15 (45 min); 10:15-10:30 incomplete; complete from 10:30.
    const windows = [quarter(0, [role]), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => quarter(n, [], { complete: n !== 1 && n !== 5 }))];
    const out = runAll(windows);
    expect(statuses(out)).toEqual(['new', '-', '-', '-', '-', '-', '-', '-', '-', 'resolved', '-']);
    expect(out[8]!.lifecycle.incidents.map((i) => i.status)).toEqual(['open']);
    // An incomplete window at the moment it would resolve does not resolve it either.
    const late = runAll([quarter(0, [role]), quarter(1, []), quarter(2, []), quarter(3, []), quarter(4, [], { complete: false })]);
    expect(statuses(late)).toEqual(['new', '-', '-', '-', '-']);
  });

  it('resolves after an incomplete window once complete windows cover the quiet time', () => {
    const role = roleIncident(1);
    const windows = [quarter(0, [role], { complete: false }), ...[1, 2, 3, 4].map((n) => quarter(n, []))];
    expect(statuses(runAll(windows))).toEqual(['new', '-', '-', '-', 'resolved']);
  });

  it('says an incident recurred when it comes back after it was resolved', () => {
    const role = roleIncident(2);
    const windows = [quarter(0, [role]), ...[1, 2, 3, 4].map((n) => quarter(n, [])), quarter(5, [role]), ...[6, 7, 8, 9].map((n) => quarter(n, [])), quarter(10, [role])];
    const out = runAll(windows);
    expect(statuses(out)).toEqual(['new', '-', '-', '-', 'resolved', 'new', '-', '-', '-', 'resolved', 'new']);
    expect(out[5]!.lifecycle.transitions[0]!.history.recurred).toEqual({ resolvedAt: '2026-03-02T10:15:00.000Z', occurrences: 2 });
    expect(out[10]!.lifecycle.transitions[0]!.history.recurred).toEqual({ resolvedAt: '2026-03-02T11:30:00.000Z', occurrences: 3 });
    expect(out[5]!.lifecycle.transitions[0]!.history).toMatchObject({ windowsSeen: 1, openSince: '2026-03-02T10:15:03.000Z' });
  });

  it('changes nothing for a window at or before the last one applied (a retry)', () => {
    const role = roleIncident(2);
    const [first] = runAll([quarter(0, [role])]);
    const again = advance(first!.state, quarter(0, [role, singleIncident('ci')]), DEFAULT_LIFECYCLE_SETTINGS);
    expect(again.lifecycle.mode).toBe('skipped');
    expect(again.lifecycle.transitions).toEqual([]);
    expect(again.lifecycle.skippedReason).toMatch(/already handled/);
    expect(again.state).toBe(first!.state);
  });

  it('lets a retry of an incomplete window run again without alerting twice', () => {
    const role = roleIncident(2);
    const ci = singleIncident('ci-deployer');
    const [first] = runAll([quarter(0, [role], { complete: false })]);
    const retry = advance(first!.state, quarter(0, [role, ci]), DEFAULT_LIFECYCLE_SETTINGS);
    expect(first!.lifecycle.transitions.map((t) => t.status)).toEqual(['new']);
    expect(first!.state.lastWindow).toBeUndefined();
    expect(retry.lifecycle.mode).toBe('scheduled');
    expect(retry.lifecycle.transitions.map((t) => [t.incident.id, t.status])).toEqual([[ci.incident.id, 'new']]);
    expect(advance(retry.state, quarter(0, [role, ci]), DEFAULT_LIFECYCLE_SETTINGS).lifecycle.mode).toBe('skipped');
  });

  it('does not resolve across a gap between windows (missed runs) until complete windows cover the quiet time', () => {
    const role = roleIncident(1);
    // Runs 1..5 never happened: the window after the gap starts at 10:30.
    const out = runAll([quarter(0, [role]), quarter(6, []), quarter(7, []), quarter(8, []), quarter(9, [])]);
    // Quiet for 90 minutes at 10:45, but only 15 of them seen: resolved once an hour of complete windows has passed.
    expect(statuses(out)).toEqual(['new', '-', '-', '-', 'resolved']);
  });

  it('forgets a resolved incident once its retention has passed', () => {
    const role = roleIncident(1);
    const out = runAll([quarter(0, [role]), ...[1, 2, 3, 4].map((n) => quarter(n, []))], { ...DEFAULT_LIFECYCLE_SETTINGS, retentionDays: 1 });
    const later = advance(out[4]!.state, quarter(4 + 96, []), { ...DEFAULT_LIFECYCLE_SETTINGS, retentionDays: 1 });
    expect(out[4]!.state.incidents).toHaveLength(1);
    expect(later.state.incidents).toEqual([]);
  });

  it('keeps a 1,000-node incident in a record well under the 400 KB item limit', () => {
    const role = roleIncident(1000);
    const out = runAll([quarter(0, [role]), quarter(1, [role])]);
    const record = out[1]!.state.incidents[0]!;
    expect(record.findingsTotal).toBe(1000);
    expect(record.findings.length).toBeLessThan(1000);
    expect(Buffer.byteLength(JSON.stringify(record.findings))).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(200_000);
    expect(out[0]!.lifecycle.transitions[0]!.findings).toHaveLength(1000);
    expect(out[0]!.lifecycle.transitions[0]!.findingsTotal).toBe(1000);
  });

  it('handles several incidents independently, new ones before resolved ones', () => {
    const role = roleIncident(2);
    const ci = singleIncident('ci-deployer', 'medium');
    const out = runAll([quarter(0, [role]), quarter(1, []), quarter(2, []), quarter(3, []), quarter(4, [ci])]);
    expect(statuses(out)).toEqual(['new', '-', '-', '-', 'new,resolved']);
    expect(out[4]!.lifecycle.incidents.map((i) => i.status)).toEqual(['new', 'resolved']);
  });
});
