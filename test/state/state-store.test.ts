import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../../lambda/runtime/backoff';
import { advance } from '../../lambda/runtime/lifecycle';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../lambda/runtime/state';
import {
  fitAwsAuth, isAlreadyHandled, LeaseLostError, MAX_ITEM_DATA_BYTES, StateBusyError, StateStore, type StateSession,
} from '../../lambda/runtime/state-store';
import { quarter, roleIncident, singleIncident } from './fixtures';
import { startDynalite, type LocalDynamo } from './local-dynamodb';

/** The state store against dynalite: the real DynamoDB client, a real (local) DynamoDB server. */
let db: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

async function freshStore(o: { maxWaitMs?: number; pollMs?: number } = {}): Promise<{ store: StateStore; table: string }> {
  const table = `eks-authz-audit-state-${++tables}`;
  await db.createTable(table);
  return { store: new StateStore(db.client, { tableName: table, clock: systemClock, pollMs: 5, maxWaitMs: 2_000, ...o }), table };
}

async function session(store: StateStore, n: number, leaseMs = 60_000): Promise<StateSession> {
  const s = await store.begin('prod', quarter(n, []).window, leaseMs);
  if (isAlreadyHandled(s)) throw new Error(`window ${n}: ${s.handled}`);
  return s;
}

async function items(table: string): Promise<string[]> {
  const out = await db.client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'cluster#prod' } }));
  return (out.Items ?? []).map((i) => String(i['sk'])).sort();
}

describe('StateStore on DynamoDB (dynalite)', () => {
  it('starts empty, keeps what a run committed, and loads it for the next window', async () => {
    // Prepare
    const { store } = await freshStore();
    const role = roleIncident(3);
    const first = await session(store, 0);
    expect(first.state).toEqual({ cluster: 'prod', completeSince: null, incidents: [] });
    const decided = advance(first.state, quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS);
    // Act
    await first.commit({ ...decided.state, awsAuth: { writes: [{ verb: 'update', mapRoles: '- rolearn: x' }] } });
    const second = await session(store, 1);
    // Assess
    expect(second.state).toEqual({ ...decided.state, awsAuth: { writes: [{ verb: 'update', mapRoles: '- rolearn: x' }] } });
    await second.release();
  });

  it('refuses a window it already applied (a retry), and one older than it', async () => {
    const { store } = await freshStore();
    const s = await session(store, 1);
    await s.commit(advance(s.state, quarter(1, [roleIncident(1)]), DEFAULT_LIFECYCLE_SETTINGS).state);
    const retry = await store.begin('prod', quarter(1, []).window, 60_000);
    const older = await store.begin('prod', quarter(0, []).window, 60_000);
    expect(isAlreadyHandled(retry) && retry.handled).toMatch(/state of cluster prod is at 2026-03-02T09:30:00.000Z/);
    expect(isAlreadyHandled(older)).toBe(true);
  });

  it('lets a released window be run again, with the state as it was', async () => {
    const { store } = await freshStore();
    const s = await session(store, 0);
    await s.release();
    const again = await session(store, 0);
    expect(again.state.incidents).toEqual([]);
    await again.release();
  });

  it('makes an overlapping run of the same window wait for the lease, then see it was handled', async () => {
    // Prepare: run A holds the lease while it "publishes".
    const { store } = await freshStore();
    const a = await session(store, 0);
    // Act: run B (a duplicate delivery of the same event) starts meanwhile.
    const b = store.begin('prod', quarter(0, []).window, 60_000);
    await new Promise((r) => setTimeout(r, 50));
    await a.commit(advance(a.state, quarter(0, [roleIncident(2)]), DEFAULT_LIFECYCLE_SETTINGS).state);
    // Assess
    const got = await b;
    expect(isAlreadyHandled(got)).toBe(true);
  });

  it('serializes two overlapping runs of successive windows: the second decides on the first one\'s commit', async () => {
    const { store } = await freshStore();
    const role = roleIncident(2);
    const a = await session(store, 0);
    const bStarted = store.begin('prod', quarter(1, []).window, 60_000);
    await new Promise((r) => setTimeout(r, 50));
    const aDecided = advance(a.state, quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS);
    await a.commit(aDecided.state);
    const b = await bStarted;
    if (isAlreadyHandled(b)) throw new Error(b.handled);
    const bDecided = advance(b.state, quarter(1, [role]), DEFAULT_LIFECYCLE_SETTINGS);
    await b.commit(bDecided.state);
    // A alerted the incident as new; B, which waited, saw it open and stayed quiet.
    expect(aDecided.lifecycle.transitions.map((t) => t.status)).toEqual(['new']);
    expect(bDecided.lifecycle.transitions).toEqual([]);
    const c = await session(store, 2);
    expect(c.state.incidents[0]!.history.windowsSeen).toBe(2);
    await c.release();
  });

  it('gives up with StateBusyError when the lease is not let go in time', async () => {
    const { store } = await freshStore({ maxWaitMs: 30 });
    const a = await session(store, 0);
    await expect(store.begin('prod', quarter(0, []).window, 60_000)).rejects.toThrow(StateBusyError);
    await a.release();
  });

  it('drops the commit of a run whose lease expired and was taken over, keeping the other run\'s', async () => {
    const { store } = await freshStore();
    const stale = await session(store, 0, 1);
    await new Promise((r) => setTimeout(r, 10));
    const taker = await session(store, 0);
    await taker.commit(advance(taker.state, quarter(0, [singleIncident('taker')]), DEFAULT_LIFECYCLE_SETTINGS).state);
    await expect(stale.commit(advance(stale.state, quarter(0, [singleIncident('stale')]), DEFAULT_LIFECYCLE_SETTINGS).state)).rejects.toThrow(LeaseLostError);
    const next = await session(store, 1);
    expect(next.state.incidents.map((r) => r.incident.title)).toEqual(['Burst of 403s from taker']);
    await next.release();
  });

  it('stores and reloads a 1,000-node incident, and deletes the items a commit superseded', async () => {
    const { store, table } = await freshStore();
    const role = roleIncident(1000);
    let s = await session(store, 0);
    await s.commit(advance(s.state, quarter(0, [role]), DEFAULT_LIFECYCLE_SETTINGS).state);
    s = await session(store, 1);
    const decided = advance(s.state, quarter(1, [role]), DEFAULT_LIFECYCLE_SETTINGS);
    await s.commit(decided.state);
    s = await session(store, 2);
    expect(s.state.incidents[0]!.findingsTotal).toBe(1000);
    expect(s.state.incidents[0]!.history.windowsSeen).toBe(2);
    expect(s.state.incidents[0]!.incident.nodes).toEqual(role.incident.nodes);
    await s.release();
    // One record per incident is left: the one the last commit points at.
    expect((await items(table)).filter((sk) => sk.startsWith('incident#'))).toHaveLength(1);
  });

  it('keeps aws-auth memory under the item limit by dropping the oldest writes, and lets a manual run read it', async () => {
    // Prepare: twenty writes of a 50 KB mapRoles (1 MB in all).
    const big = 'x'.repeat(50_000);
    const memory = { content: { mapRoles: big }, writes: Array.from({ length: 20 }, (_, i) => ({ verb: 'update', auditID: `w${i}`, mapRoles: big })) };
    // Act
    const kept = JSON.parse(fitAwsAuth(memory)) as typeof memory;
    const { store } = await freshStore();
    const s = await session(store, 0);
    await s.commit({ ...s.state, lastWindow: quarter(0, []).window, awsAuth: memory });
    const peeked = (await store.peekAwsAuth('prod')) as typeof memory;
    // Assess
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(MAX_ITEM_DATA_BYTES);
    expect(kept.writes.length).toBeGreaterThan(0);
    expect(kept.writes.at(-1)!.auditID).toBe('w19');
    expect(kept.content.mapRoles).toBe(big);
    expect(peeked.writes.map((w) => w.auditID)).toEqual(kept.writes.map((w) => w.auditID));
    expect(await store.peekAwsAuth('staging')).toBeUndefined();
  });
});
