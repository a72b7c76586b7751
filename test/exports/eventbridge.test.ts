/**
 * EventBridge events through the real @aws-sdk/client-eventbridge against the in-process fake (JSON 1.1,
 * AWSEvents.PutEvents), found through AWS_ENDPOINT_URL_EVENTBRIDGE as in the deployed function.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, IncidentStatus } from '../../lambda/model/incident';
import { fakeClock } from '../aws/helpers';
import { FakeAws } from '../integration/fake-aws';
import { serveFakeAws } from '../integration/sdk-environment';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, MAX_ENTRY_BYTES, entrySize, incidentEntry, putIncidentEvents } from '../../lambda/runtime/eventbridge';

const fake = new FakeAws();
let client: EventBridgeClient;
const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/ops';
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

function incident(n: number, status: IncidentStatus, over: Partial<Incident> = {}): Incident {
  return {
    id: n.toString(16).padStart(32, '0'), cluster: 'prod', severity: 'high', title: `incident ${n}`,
    cause: { kind: 'node-role', summary: 's' }, impact: 'i', remediation: 'r', findings: [`f${n}`], firstSeen: null, lastSeen: null,
    status, ...over,
  };
}

const deps = () => ({ client, clock: fakeClock(), timeLeft: () => Infinity });

serveFakeAws(fake, ['EVENTBRIDGE']);
beforeAll(() => {
  client = new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1 });
});
afterAll(() => {
  client.destroy();
});
beforeEach(() => fake.exports.reset());

describe('putIncidentEvents', () => {
  it('puts one event per status change: source, detail-type, the incident JSON as detail, the bus and the cluster', async () => {
    // Prepare
    const changes = [incident(1, 'new'), incident(2, 'escalated'), incident(3, 'reminder'), incident(4, 'resolved')];
    // Act
    const out = await putIncidentEvents(changes, { eventBus: BUS, clusterArn: CLUSTER_ARN, time: '2026-11-27T11:00:00Z' }, deps());
    // Assess
    expect(out).toMatchObject({ sent: 4, put: 4, requests: 1, failedCount: 0 });
    expect(fake.exports.events).toHaveLength(4);
    const first = fake.exports.events[0]!;
    expect(first).toMatchObject({ Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, EventBusName: BUS, Resources: [CLUSTER_ARN] });
    expect(JSON.parse(String(first['Detail']))).toEqual(changes[0]);
    expect(fake.exports.events.map((e) => (JSON.parse(String(e['Detail'])) as Incident).status)).toEqual(['new', 'escalated', 'reminder', 'resolved']);
  });

  it('sends at most 10 entries per request', async () => {
    const out = await putIncidentEvents(Array.from({ length: 23 }, (_, i) => incident(i + 1, 'new')), { eventBus: 'ops' }, deps());
    expect(fake.exports.putEvents.map((e) => e.length)).toEqual([10, 10, 3]);
    expect(out).toMatchObject({ sent: 23, put: 23, requests: 3, failedCount: 0 });
  });

  it('sends again the entries EventBridge refused for a transient reason, and reports the others (FailedEntryCount)', async () => {
    // Prepare: incident 2 is refused once with InternalFailure, incident 3 for good.
    let refusedOnce = false;
    fake.exports.reset({
      rejectEvent: (e) => {
        const id = (JSON.parse(String(e['Detail'])) as Incident).id;
        if (id.endsWith('2') && !refusedOnce) {
          refusedOnce = true;
          return { code: 'InternalFailure', message: 'try again' };
        }
        return id.endsWith('3') ? { code: 'AccessDeniedException', message: 'not allowed on this bus' } : undefined;
      },
    });
    // Act
    const out = await putIncidentEvents([incident(1, 'new'), incident(2, 'new'), incident(3, 'resolved')], { eventBus: 'ops' }, deps());
    // Assess
    expect(fake.exports.putEvents.map((e) => e.length)).toEqual([3, 1]);
    expect(out).toMatchObject({ put: 2, failedCount: 1, failed: [{ incidentId: incident(3, 'resolved').id, status: 'resolved', code: 'AccessDeniedException' }] });
  });

  it('reports every event of a request that failed for good, with the error', async () => {
    fake.exports.reset({ rejectEvent: () => undefined });
    const broken = new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1, endpoint: 'http://127.0.0.1:9' });
    const out = await putIncidentEvents([incident(1, 'new'), incident(2, 'resolved')], { eventBus: 'ops' }, { ...deps(), client: broken });
    broken.destroy();
    expect(out.put).toBe(0);
    expect(out.failedCount).toBe(2);
    expect(out.error).toBeDefined();
  });

  it('keeps an incident with thousands of findings within 256 KB, saying how many fingerprints it left out', () => {
    const big = incident(1, 'new', { findings: Array.from({ length: 9000 }, (_, i) => i.toString(16).padStart(32, '0')) });
    const entry = incidentEntry(big, { eventBus: 'ops', clusterArn: CLUSTER_ARN, time: '2026-11-27T11:00:00Z' });
    expect(entrySize(entry)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    const detail = JSON.parse(entry.Detail!) as Incident & { findingsOmitted: number };
    expect(detail.findings.length + detail.findingsOmitted).toBe(9000);
    expect(detail.findings).toEqual(big.findings.slice(0, detail.findings.length));
  });
});
