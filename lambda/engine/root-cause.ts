import type { AwsAuthChange } from '../model/incident';
import type { AwsAuthMemory, AwsAuthWriteRecord } from '../model/aws-auth-memory';
import { MAX_REMEMBERED_AWS_AUTH_WRITES } from '../model/aws-auth-memory';
import { clean, cleanOpt } from '../model/sanitize';
import { parseMappingList } from '../rules/support/aws-auth-mappings';
import { yamlScalar } from '../rules/support/aws-auth-mapping-rule';
import { roleKey } from './role-key';

/**
 * The root cause of a node-role incident: the aws-auth write that changed the role's mapRoles entry to what it
 * was when the failures began. Writes come from the input and, in the Lambda, from the state store (earlier
 * runs), so the change may be older than this window.
 */

export interface RoleFailure {
  /** ISO 8601 of the incident's first failure. */
  readonly time: string;
  /** What it was, a noun phrase ("lease refusal"). */
  readonly what: string;
}

export interface RootCause {
  readonly change?: AwsAuthChange;
  readonly changeUnknown?: string;
}

/** The timeline the root cause reads: what earlier runs knew, then what this input saw. */
export class AwsAuthHistory {
  private readonly writes: AwsAuthWriteRecord[];
  private readonly start: string | null | undefined;

  constructor(known: AwsAuthMemory | undefined, seen: readonly AwsAuthWriteRecord[]) {
    const byId = new Map<string, AwsAuthWriteRecord>();
    const all: AwsAuthWriteRecord[] = [];
    // A window that overlaps the last one sees some writes again: keep each auditID once.
    for (const w of [...(known?.writes ?? []), ...seen]) {
      if (w.auditID) {
        if (byId.has(w.auditID)) continue;
        byId.set(w.auditID, w);
      }
      all.push(w);
    }
    this.writes = all.sort((a, b) => ms(a.time) - ms(b.time));
    // The remembered content stands before the writes only when it is older than all of them. Content as old as
    // the first write and equal to its result is that write's result (memory() dates content by its last write).
    const first = this.writes[0];
    const content = known?.content;
    const before = (c: NonNullable<typeof content>, w: AwsAuthWriteRecord): boolean =>
      c.time !== undefined && (ms(c.time) < ms(w.time) || (ms(c.time) === ms(w.time) && c.mapRoles !== w.mapRoles));
    this.start = content && (!first || before(content, first)) ? content.mapRoles : undefined;
  }

  /** What to remember for the next run: the last content known and the most recent writes. */
  memory(): AwsAuthMemory {
    const last = this.writes[this.writes.length - 1];
    const memory: AwsAuthMemory = { writes: this.writes.slice(-MAX_REMEMBERED_AWS_AUTH_WRITES) };
    if (last) memory.content = last.time ? { mapRoles: last.mapRoles, time: last.time } : { mapRoles: last.mapRoles };
    else if (this.start !== undefined) memory.content = { mapRoles: this.start };
    return memory;
  }

  /**
   * The write that set the role's entry in effect at its first failure (or now, when no failure has a time):
   * the latest write before it whose entry differs from the one before. A write whose earlier content is
   * unknown counts only when it wrote an entry for the role (a write that merely lacks the role proves nothing).
   */
  causeOf(roleArn: string, failure: RoleFailure | undefined): RootCause {
    const key = roleKey(roleArn);
    const until = failure ? ms(failure.time) : Infinity;
    let before: string | undefined = this.start === undefined ? undefined : entryOf(this.start, key);
    let found: { write: AwsAuthWriteRecord; before: string | undefined; after: string } | undefined;
    let considered = 0;
    for (const w of this.writes) {
      if (ms(w.time) > until) break;
      considered++;
      const was = w.mapRolesBefore !== undefined ? entryOf(w.mapRolesBefore, key) : before;
      const after = entryOf(w.mapRoles, key);
      if (was === undefined ? after !== ABSENT : was !== after) found = { write: w, before: was, after };
      before = after;
    }
    if (!found) {
      return {
        changeUnknown:
          considered === 0
            ? 'the change that introduced it is older than the data (no aws-auth write before the first failure)'
            : `no aws-auth write in the data changed this role's entry (${considered} seen before the first failure): the change is older than the data, or was made outside aws-auth (an access entry)`,
      };
    }
    return { change: describeChange(found.write, found.before, found.after, failure) };
  }
}

const ABSENT = '(no entry for this role)';

/** The role's mapRoles entries in flow YAML, one per line; ABSENT when there is none. */
function entryOf(mapRoles: string | null, key: string): string {
  if (mapRoles === null) return ABSENT;
  const parsed = parseMappingList('mapRoles', mapRoles);
  const mine = parsed.mappings.filter((m) => roleKey(m.arn) === key);
  if (mine.length === 0) {
    const broken = parsed.problems.find((p) => p.kind === 'unparsable');
    return broken ? `(mapRoles could not be read: ${broken.reason})` : ABSENT;
  }
  return mine
    .map((m) => {
      const user = m.username === undefined ? '' : `, username: ${yamlScalar(m.username)}`;
      return `- {rolearn: ${yamlScalar(m.arn)}${user}, groups: [${m.groups.map(yamlScalar).join(', ')}]}`;
    })
    .join('\n');
}

function describeChange(w: AwsAuthWriteRecord, before: string | undefined, after: string, failure: RoleFailure | undefined): AwsAuthChange {
  const change: AwsAuthChange = { time: clean(w.time ?? 'an unknown time', 40), verb: clean(w.verb, 40) };
  if (w.patchType) change.patchType = w.patchType;
  const set = (k: 'username' | 'arn' | 'sourceIP' | 'userAgent' | 'auditID', v: string | undefined, max: number): void => {
    const c = cleanOpt(v, max);
    if (c) change[k] = c;
  };
  set('username', w.username, 256);
  set('arn', w.arn, 256);
  set('sourceIP', w.sourceIP, 64);
  set('userAgent', w.userAgent, 200);
  set('auditID', w.auditID, 64);
  // Entries are YAML the rules' own parser re-wrote from parsed values: clean each line, keep the line feeds.
  const entry = (s: string): string | null => (s === ABSENT ? null : s.split('\n').map((l) => clean(l, 600)).join('\n'));
  if (before !== undefined) change.before = entry(before);
  change.after = entry(after);
  if (failure && w.time) {
    const seconds = Math.round((ms(failure.time) - ms(w.time)) / 1000);
    if (Number.isFinite(seconds) && seconds >= 0) {
      change.firstFailureAfterSeconds = seconds;
      change.firstFailure = clean(failure.what, 100);
    }
  }
  return change;
}

function ms(time: string | undefined): number {
  const t = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(t) ? -Infinity : t;
}
