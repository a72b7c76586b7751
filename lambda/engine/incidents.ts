import { createHash } from 'node:crypto';
import type { Incident } from '../model/incident';
import type { FindingEntry } from './incident-join';
import { lookup } from './incident-join';
import { severityRank } from '../model/severity';
import type { AwsAuthHistory, RoleFailure } from './root-cause';
import { roleKey } from './role-key';
import type { RoleGroup } from './incident-words';
import type { SharedCause } from './incident-words';
import { apiserverIncident, findingIncident, nodeRoleIncident, sharedIncident } from './incident-words';

/**
 * Findings that share one cause become one incident (issue "Incidents, not findings"): everything caused by one
 * node IAM role, the flag findings of one kube-apiserver configuration, and any other finding on its own. Which
 * findings join, and through which subject or fact, each rule declares (Rule.incident): a new rule is one line.
 */

export interface IncidentOptions {
  readonly cluster: string;
  /** aws-auth writes known (this input, and in the Lambda earlier runs), for the root cause. */
  readonly history: AwsAuthHistory;
}

/** Incidents most severe first, then the widest, then by title (stable across runs). */
export function buildIncidents(entries: readonly FindingEntry[], options: IncidentOptions): Incident[] {
  const roles = new Map<string, RoleGroup>();
  const shared = new Map<string, { cause: SharedCause; key: string; entries: FindingEntry[] }>();
  const alone: FindingEntry[] = [];
  const usernameRoles = roleOfUsername(entries);
  for (const e of entries) {
    const join = e.rule.incident;
    if (!join || (join.joins && !join.joins(e))) {
      alone.push(e);
      continue;
    }
    if (join.cause !== 'node-role') {
      const key = lookup(e, join.by);
      if (!key) {
        alone.push(e);
        continue;
      }
      const id = `${join.cause}:${key}`;
      let group = shared.get(id);
      if (!group) shared.set(id, (group = { cause: join.cause, key, entries: [] }));
      group.entries.push(e);
      continue;
    }
    const arn = lookup(e, join.by);
    const user = join.username ? lookup(e, join.username) : undefined;
    const key = arn ? roleKey(arn) : user ? (usernameRoles.get(user) ?? `user:${user}`) : undefined;
    if (!key) {
      alone.push(e);
      continue;
    }
    let group = roles.get(key);
    if (!group) roles.set(key, (group = emptyRoleGroup(key)));
    addToRole(group, e, arn, user);
  }
  const incidents: Incident[] = [];
  for (const group of roles.values()) {
    const cause = group.arn ? options.history.causeOf(group.arn, firstFailure(group)) : undefined;
    incidents.push(nodeRoleIncident(group, cause, { ...options, id: incidentId(options.cluster, `node-role:${group.key}`) }));
  }
  for (const [id, group] of shared) {
    const words = { ...options, id: incidentId(options.cluster, id) };
    incidents.push(group.cause === 'apiserver-config' ? apiserverIncident(group.key, group.entries, words) : sharedIncident(group.cause, group.key, group.entries, words));
  }
  for (const e of alone) {
    incidents.push(findingIncident(e, { ...options, id: incidentId(options.cluster, `finding:${e.finding.fingerprint}`) }));
  }
  return incidents.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.findings.length - a.findings.length ||
      a.title.localeCompare(b.title) ||
      a.id.localeCompare(b.id),
  );
}

/** 32 hex digits from cluster and cause, so the same cause keeps its id across runs. */
export function incidentId(cluster: string, causeKey: string): string {
  return createHash('sha256').update(JSON.stringify(['incident', cluster, causeKey])).digest('hex').slice(0, 32);
}

/**
 * The role a username stands for, when the findings tie it to exactly one: a finding that names only a
 * username (a CSR under "WorkerNodeRole") joins that role. Two roles mapped to the same username stay apart.
 */
function roleOfUsername(entries: readonly FindingEntry[]): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const e of entries) {
    const join = e.rule.incident;
    if (join?.cause !== 'node-role' || !join.username || (join.joins && !join.joins(e))) continue;
    const arn = lookup(e, join.by);
    const user = lookup(e, join.username);
    // A template ({{EC2PrivateDNSName}}) is not a name anyone acts under.
    if (!arn || !user || user.includes('{{')) continue;
    let set = seen.get(user);
    if (!set) seen.set(user, (set = new Set()));
    set.add(roleKey(arn));
  }
  const out = new Map<string, string>();
  for (const [user, keys] of seen) if (keys.size === 1) out.set(user, [...keys][0]!);
  return out;
}

function emptyRoleGroup(key: string): RoleGroup {
  return { key, entries: [], nodes: new Set(), effects: new Map() };
}

const NODE_USER = 'system:node:';
const NODE_TALLY = 'node:';

function addToRole(group: RoleGroup, e: FindingEntry, arn: string | undefined, user: string | undefined): void {
  const join = e.rule.incident!;
  group.entries.push(e);
  // The ARN as the mapping writes it wins over the authenticator's: the fix quotes it.
  if (arn && (!group.arn || !join.failure)) group.arn = arn;
  const nodes = new Set<string>();
  const named = join.node ? lookup(e, join.node) : undefined;
  if (named) nodes.add(named);
  if (user?.startsWith(NODE_USER) && user.length > NODE_USER.length && !user.includes('{{')) nodes.add(user.slice(NODE_USER.length));
  for (const [k, n] of Object.entries(e.tally)) if (k.startsWith(NODE_TALLY) && n > 0) nodes.add(k.slice(NODE_TALLY.length));
  for (const n of nodes) group.nodes.add(n);
  const effects = typeof join.effects === 'function' ? join.effects(e) : (join.effects ?? []);
  for (const effect of effects) {
    let set = group.effects.get(effect);
    if (!set) group.effects.set(effect, (set = new Set()));
    for (const n of nodes) set.add(n);
  }
}

/**
 * The earliest finding that is a failure (not the mapping itself), and what it was. One request can start
 * several findings (a refused lease is also an unrecognized identity): the narrowest of them, the one with
 * the fewest events, says best what failed.
 */
function firstFailure(group: RoleGroup): RoleFailure | undefined {
  let best: { failure: RoleFailure; ms: number; count: number } | undefined;
  for (const e of group.entries) {
    const what = e.rule.incident?.failure;
    const time = e.finding.firstSeen;
    if (!what || !time) continue;
    const ms = Date.parse(time);
    if (Number.isNaN(ms)) continue;
    if (!best || ms < best.ms || (ms === best.ms && e.finding.count < best.count)) best = { failure: { time, what }, ms, count: e.finding.count };
  }
  return best?.failure;
}

export type { FindingEntry };
