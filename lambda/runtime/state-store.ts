import { randomUUID } from 'node:crypto';
import {
  DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AwsAuthMemory } from '../model/aws-auth-memory';
import { clean } from '../model/sanitize';
import type { Clock } from './backoff';
import type { ClusterState, IncidentRecord } from './state';
import { emptyClusterState } from './state';

/**
 * The life-cycle state in DynamoDB, one partition per cluster:
 *   `#cluster`             the commit point: version, last window, lease, and which items below are current;
 *   `incident#<id>#<run>`  one incident record, written once and never changed (a run that changes an incident
 *                          writes a new item);
 *   `aws-auth#<run>`       aws-auth as last known and its recent writes.
 * A run takes the cluster's lease (a conditional update that also refuses a window already applied), writes
 * its new items, then commits with one conditional update of `#cluster` (lease still its own, version
 * unchanged) that points at them. Items a run wrote are invisible until that commit, so two runs can never
 * interleave their changes, and a run that dies half-way leaves the last commit intact. Superseded items
 * are deleted after the commit; resolved incidents carry the TTL attribute.
 * DynamoDB has no multi-item transaction that dynalite (the tests' server) speaks; this needs none.
 */

/** The table's TTL attribute (the construct enables TTL on it). */
export const TTL_ATTRIBUTE = 'expiresAt';
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';

const CLUSTER_SK = '#cluster';
/** Well under DynamoDB's 400 KB item limit, with room for the key and attribute names. */
export const MAX_ITEM_DATA_BYTES = 350_000;
/** Superseded items deleted per commit; the rest go in the next runs. */
const MAX_DELETES_PER_COMMIT = 200;
const WRITE_CONCURRENCY = 8;

type DocumentClient = Pick<DynamoDBDocumentClient, 'send'>;

export interface StateStoreOptions {
  readonly tableName: string;
  readonly clock: Clock;
  /** How long to wait for another run's lease before giving up; default 60 s. */
  readonly maxWaitMs?: number;
  /** Pause between looks at a held lease; default 2 s. */
  readonly pollMs?: number;
}

/** Another run holds the cluster's lease and did not let go in time: the run fails and its retry tries again. */
export class StateBusyError extends Error {
  override readonly name = 'StateBusyError';
}

/** The lease was lost before the commit (it expired and another run took it): nothing of this run is kept. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** The window was applied already: a retry, or a run that came too late. */
export interface AlreadyHandled {
  readonly handled: string;
}

export class StateStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly options: StateStoreOptions,
  ) {}

  /**
   * Takes the cluster's lease for a window ending at `windowEnd` (ISO 8601) and loads the state, or says the
   * window was applied already. `leaseMs` must outlast the run (the function's remaining time and a margin),
   * so that a lease only ever expires when its run has died.
   */
  async begin(cluster: string, window: { start: string; end: string }, leaseMs: number): Promise<StateSession | AlreadyHandled> {
    const { clock } = this.options;
    const owner = randomUUID();
    const endMs = Date.parse(window.end);
    const deadline = clock.now() + (this.options.maxWaitMs ?? 60_000);
    for (;;) {
      const now = clock.now();
      try {
        const out = await this.client.send(
          new UpdateCommand({
            TableName: this.options.tableName,
            Key: this.clusterKey(cluster),
            UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, version = if_not_exists(version, :zero)',
            ConditionExpression:
              '(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(lastWindowEndMs) OR lastWindowEndMs < :end)',
            ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':zero': 0, ':now': now, ':end': endMs },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return await this.load(cluster, owner, out.Attributes ?? {});
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const item = (await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: this.clusterKey(cluster), ConsistentRead: true }))).Item;
      const applied = typeof item?.['lastWindowEndMs'] === 'number' ? item['lastWindowEndMs'] : -Infinity;
      if (applied >= endMs) {
        return { handled: `the state of cluster ${clean(cluster, 100)} is at ${clean(item?.['lastWindowEnd'], 40)}, at or after the end of this window` };
      }
      const until = typeof item?.['leaseUntil'] === 'number' ? item['leaseUntil'] : -Infinity;
      if (until < clock.now()) continue; // released or expired meanwhile: try again at once
      const pause = this.options.pollMs ?? 2_000;
      if (clock.now() + pause > deadline) {
        throw new StateBusyError(`another run holds the state of cluster ${clean(cluster, 100)} until ${new Date(until).toISOString()}: this run changes nothing`);
      }
      await clock.sleep(pause);
    }
  }

  /**
   * The aws-auth memory of a cluster, read without a lease and changing nothing: what a manual run's root
   * cause may use. Undefined when the cluster has none yet.
   */
  async peekAwsAuth(cluster: string): Promise<AwsAuthMemory | undefined> {
    const head = (await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: this.clusterKey(cluster), ConsistentRead: true }))).Item;
    const sk = head?.['awsAuthSk'];
    if (typeof sk !== 'string') return undefined;
    const item = (await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { [PARTITION_KEY]: partitionOf(cluster), [SORT_KEY]: sk } }))).Item;
    return typeof item?.['data'] === 'string' ? (JSON.parse(item['data']) as AwsAuthMemory) : undefined;
  }

  private async load(cluster: string, owner: string, head: Record<string, unknown>): Promise<StateSession> {
    const items = await this.partition(cluster);
    const refs = parseRefs(head['incidentRefs']);
    const state = emptyClusterState(cluster);
    if (typeof head['lastWindowStart'] === 'string' && typeof head['lastWindowEnd'] === 'string') {
      state.lastWindow = { start: head['lastWindowStart'], end: head['lastWindowEnd'] };
    }
    state.completeSince = typeof head['completeSince'] === 'string' ? head['completeSince'] : null;
    const current = new Map<string, string>();
    for (const [id, sk] of Object.entries(refs)) {
      const item = items.get(sk);
      // An item the TTL has removed is simply forgotten.
      if (typeof item?.['data'] !== 'string') continue;
      state.incidents.push(JSON.parse(item['data']) as IncidentRecord);
      current.set(id, sk);
    }
    const awsAuthSk = typeof head['awsAuthSk'] === 'string' ? head['awsAuthSk'] : undefined;
    const awsAuthItem = awsAuthSk ? items.get(awsAuthSk) : undefined;
    if (typeof awsAuthItem?.['data'] === 'string') state.awsAuth = JSON.parse(awsAuthItem['data']) as AwsAuthMemory;
    const version = typeof head['version'] === 'number' ? head['version'] : 0;
    return new StateSession(this.client, this.options.tableName, cluster, owner, version, state, current, awsAuthSk, [...items.keys()]);
  }

  /** Every item of the cluster's partition but `#cluster`, by sort key. */
  private async partition(cluster: string): Promise<Map<string, Record<string, unknown>>> {
    const items = new Map<string, Record<string, unknown>>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          ExpressionAttributeValues: { ':pk': partitionOf(cluster) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = item[SORT_KEY];
        if (typeof sk === 'string' && sk !== CLUSTER_SK) items.set(sk, item);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private clusterKey(cluster: string): Record<string, string> {
    return { [PARTITION_KEY]: partitionOf(cluster), [SORT_KEY]: CLUSTER_SK };
  }
}

/** One run's hold on one cluster's state: commit what the run decided, or release without a change. */
export class StateSession {
  private done = false;

  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
    readonly cluster: string,
    private readonly owner: string,
    private readonly version: number,
    /** The state as the last commit left it. */
    readonly state: ClusterState,
    private readonly current: ReadonlyMap<string, string>,
    private readonly awsAuthSk: string | undefined,
    private readonly stored: readonly string[],
  ) {}

  /** Writes the changed records, then makes them current in one conditional update. Throws LeaseLostError. */
  async commit(next: ClusterState): Promise<void> {
    if (this.done) throw new Error('this state session is already finished');
    const run = randomUUID().slice(0, 8);
    const before = new Map(this.state.incidents.map((r) => [r.id, JSON.stringify(r)]));
    const refs: Record<string, string> = {};
    const puts: Record<string, unknown>[] = [];
    for (const record of next.incidents) {
      const data = JSON.stringify(record);
      const sk = this.current.get(record.id);
      if (sk && before.get(record.id) === data) {
        refs[record.id] = sk;
        continue;
      }
      refs[record.id] = `incident#${record.id}#${run}`;
      const item: Record<string, unknown> = { [PARTITION_KEY]: partitionOf(this.cluster), [SORT_KEY]: refs[record.id], data: fit(data, `incident ${record.id}`) };
      if (record.expiresAt !== undefined) item[TTL_ATTRIBUTE] = record.expiresAt;
      puts.push(item);
    }
    let awsAuthSk = this.awsAuthSk;
    if (next.awsAuth !== undefined && JSON.stringify(next.awsAuth) !== JSON.stringify(this.state.awsAuth)) {
      awsAuthSk = `aws-auth#${run}`;
      puts.push({ [PARTITION_KEY]: partitionOf(this.cluster), [SORT_KEY]: awsAuthSk, data: fitAwsAuth(next.awsAuth) });
    }
    await inParallel(puts, (item) =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(sk)' })),
    );

    const values: Record<string, unknown> = {
      ':owner': this.owner, ':version': this.version, ':next': this.version + 1,
      ':refs': JSON.stringify(refs), ':updated': new Date().toISOString(),
    };
    const set = ['version = :next', 'incidentRefs = :refs', 'updatedAt = :updated'];
    const remove = ['leaseOwner', 'leaseUntil'];
    if (next.lastWindow) {
      set.push('lastWindowStart = :start', 'lastWindowEnd = :end', 'lastWindowEndMs = :endMs');
      Object.assign(values, { ':start': next.lastWindow.start, ':end': next.lastWindow.end, ':endMs': Date.parse(next.lastWindow.end) });
    }
    if (next.completeSince !== null) {
      set.push('completeSince = :since');
      values[':since'] = next.completeSince;
    } else remove.push('completeSince');
    if (awsAuthSk) {
      set.push('awsAuthSk = :awsAuth');
      values[':awsAuth'] = awsAuthSk;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: partitionOf(this.cluster), [SORT_KEY]: CLUSTER_SK },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ConditionExpression: 'leaseOwner = :owner AND version = :version',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        throw new LeaseLostError(`the lease on the state of cluster ${clean(this.cluster, 100)} was lost before the commit: this run's changes are dropped`);
      }
      throw err;
    }
    this.done = true;
    await this.sweep(new Set([...Object.values(refs), ...(awsAuthSk ? [awsAuthSk] : [])]));
  }

  /** Lets go of the lease without a change (the run could not deliver its alerts: its retry decides again). */
  async release(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: partitionOf(this.cluster), [SORT_KEY]: CLUSTER_SK },
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': this.owner },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** Deletes items no commit points at any more (superseded, or left by a run that died). Best effort. */
  private async sweep(keep: ReadonlySet<string>): Promise<void> {
    const gone = this.stored.filter((sk) => !keep.has(sk)).slice(0, MAX_DELETES_PER_COMMIT);
    await inParallel(gone, (sk) =>
      this.client
        .send(new DeleteCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: partitionOf(this.cluster), [SORT_KEY]: sk } }))
        .catch(() => undefined),
    );
  }
}

export function isAlreadyHandled(x: StateSession | AlreadyHandled): x is AlreadyHandled {
  return 'handled' in x;
}

function partitionOf(cluster: string): string {
  return `cluster#${cluster}`;
}

function parseRefs(value: unknown): Record<string, string> {
  if (typeof value !== 'string') return {};
  const parsed = JSON.parse(value) as unknown;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
}

/** The records are capped before they get here; this is the last guard, naming what did not fit. */
function fit(data: string, what: string): string {
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > MAX_ITEM_DATA_BYTES) throw new Error(`the state of ${what} is ${bytes} bytes, more than the ${MAX_ITEM_DATA_BYTES} an item may hold`);
  return data;
}

/**
 * aws-auth memory holds whole mapRoles texts, one per remembered write: a big ConfigMap written often could
 * outgrow an item. The oldest writes go first; the last content known stays as long as it fits alone.
 */
export function fitAwsAuth(memory: unknown): string {
  let data = JSON.stringify(memory);
  if (Buffer.byteLength(data, 'utf8') <= MAX_ITEM_DATA_BYTES || !memory || typeof memory !== 'object') return fit(data, 'aws-auth memory');
  const m = { ...(memory as { writes?: unknown[]; content?: unknown }) };
  const writes = Array.isArray(m.writes) ? [...m.writes] : [];
  while (writes.length > 0 && Buffer.byteLength(data, 'utf8') > MAX_ITEM_DATA_BYTES) {
    writes.shift();
    data = JSON.stringify({ ...m, writes });
  }
  if (Buffer.byteLength(data, 'utf8') > MAX_ITEM_DATA_BYTES) data = JSON.stringify({ writes: [] });
  return data;
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

async function inParallel<T>(items: readonly T[], task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}
