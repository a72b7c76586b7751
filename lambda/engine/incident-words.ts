import type { Incident, IncidentCause } from '../model/incident';
import { MAX_INCIDENT_NODE_NAMES } from '../model/incident';
import type { NodeEffect } from '../model/rule';
import { severityRank } from '../model/severity';
import { cleanMultiline } from '../model/sanitize';
import { BOOTSTRAPPERS_GROUP, MASTERS_GROUP, NODES_GROUP } from '../model/identity';
import { MANAGED_FIX, recommendedModes } from '../rules/support/apiserver-flag-rule';
import { yamlScalar } from '../rules/support/aws-auth-mapping-rule';
import type { FindingEntry } from './incident-join';
import { lookup } from './incident-join';
import type { RootCause } from './root-cause';
import { roleDisplayName } from './role-key';

/** The words of an incident, in the order the issue asks: cause, impact with numbers, the one fix. */

/** The findings of one node role, as the grouping gathered them. */
export interface RoleGroup {
  readonly key: string;
  /** The role's ARN, as the mapping writes it when a mapping finding names it. */
  arn?: string;
  readonly entries: FindingEntry[];
  /** Every node named by a finding of the group. */
  readonly nodes: Set<string>;
  /** The nodes behind each effect (empty when the findings name none). */
  readonly effects: Map<NodeEffect, Set<string>>;
}

export interface WordOptions {
  readonly cluster: string;
  readonly id: string;
}

const AUTHENTICATED = 'system:authenticated';

function base(entries: readonly FindingEntry[], options: WordOptions): Pick<Incident, 'id' | 'cluster' | 'severity' | 'findings' | 'firstSeen' | 'lastSeen'> {
  let severity = entries[0]!.finding.severity;
  let first: string | null = null;
  let last: string | null = null;
  for (const { finding: f } of entries) {
    if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
    if (f.firstSeen && (first === null || Date.parse(f.firstSeen) < Date.parse(first))) first = f.firstSeen;
    if (f.lastSeen && (last === null || Date.parse(f.lastSeen) > Date.parse(last))) last = f.lastSeen;
  }
  const findings = [...entries]
    .sort((a, b) => severityRank(b.finding.severity) - severityRank(a.finding.severity))
    .map((e) => e.finding.fingerprint);
  return { id: options.id, cluster: options.cluster, severity, findings, firstSeen: first, lastSeen: last };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `a, b` or `[a, b]` -> ['a', 'b'], without system:authenticated (the API server adds it to everyone). */
function groupList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g && g !== AUTHENTICATED && g !== '(none)');
}

/** The username and groups the role was given: from the mapping itself first, else from what its requests carried. */
function mappingOf(group: RoleGroup): { username?: string; groups?: string[] } {
  const ordered = [...group.entries].sort((a, b) => Number(Boolean(a.rule.incident?.failure)) - Number(Boolean(b.rule.incident?.failure)));
  for (const e of ordered) {
    const join = e.rule.incident!;
    const username = join.username ? lookup(e, join.username) : undefined;
    const groups = join.groups ? lookup(e, join.groups) : undefined;
    if (username && groups) return { username, groups: groupList(groups) };
  }
  for (const e of ordered) {
    const join = e.rule.incident!;
    const username = join.username ? lookup(e, join.username) : undefined;
    if (username) return { username };
  }
  return {};
}

function has(group: RoleGroup, effect: NodeEffect): boolean {
  return group.effects.has(effect);
}

function count(group: RoleGroup, effect: NodeEffect): number {
  return group.effects.get(effect)?.size ?? 0;
}

export function nodeRoleIncident(group: RoleGroup, rootCause: RootCause | undefined, options: WordOptions): Incident {
  const arn = group.arn;
  const name = arn ? roleDisplayName(arn) : `acting as "${group.key.replace(/^user:/, '')}"`;
  const mapping = mappingOf(group);
  const cause: IncidentCause = { kind: 'node-role', summary: causeSummary(group, arn, mapping) };
  if (arn) cause.roleArn = arn;
  if (mapping.username) cause.username = mapping.username;
  if (rootCause?.change) cause.change = rootCause.change;
  else cause.changeUnknown = rootCause?.changeUnknown ?? "the role's IAM ARN is not in the data, so its aws-auth entry cannot be looked up";
  const names = [...group.nodes].sort();
  const incident: Incident = {
    ...base(group.entries, options),
    title: `Node role ${name} ${headline(group)}`,
    cause,
    impact: impact(group),
    remediation: cleanMultiline(roleFix(group, arn, mapping, rootCause, options.cluster), 2000),
  };
  if (names.length > 0) incident.nodes = { count: names.length, names: names.slice(0, MAX_INCIDENT_NODE_NAMES) };
  return incident;
}

function causeSummary(group: RoleGroup, arn: string | undefined, mapping: { username?: string; groups?: string[] }): string {
  const role = arn ? `Node IAM role ${arn}` : `A node role (IAM ARN not in the data) acting as "${mapping.username ?? group.key}"`;
  if (has(group, 'cannot-join')) return `${role} is in neither aws-auth nor an access entry: aws-iam-authenticator refuses it ("ARN is not mapped").`;
  const user = mapping.username ? `username "${mapping.username}"` : 'a username not known';
  const groups = mapping.groups ? `groups [${mapping.groups.join(', ')}]` : 'groups not known';
  const wrong: string[] = [];
  if (mapping.username && !mapping.username.startsWith('system:node:')) wrong.push('the username is not system:node:<node name>');
  if (mapping.groups && !mapping.groups.includes(NODES_GROUP)) wrong.push(`the groups lack ${NODES_GROUP}`);
  if (mapping.groups?.includes(MASTERS_GROUP)) wrong.push(`the groups include ${MASTERS_GROUP}`);
  return `${role} is mapped with ${user} and ${groups}${wrong.length ? `: ${wrong.join(', ')}` : ''}.`;
}

function headline(group: RoleGroup): string {
  const nodes = group.nodes.size;
  if (has(group, 'cannot-join')) return 'is not mapped: its nodes cannot join';
  if (has(group, 'not-ready')) {
    const n = count(group, 'not-ready');
    return `is not mapped as a node: ${n > 0 ? plural(n, 'node') : 'its nodes'} NotReady`;
  }
  if (has(group, 'cluster-admin')) {
    if (has(group, 'no-logs-exec')) return `is cluster admin and kubectl logs/exec fail on ${nodes > 0 ? plural(nodes, 'node') : 'its nodes'}`;
    return `is cluster admin (system:masters)${nodes > 0 ? `: ${plural(nodes, 'node')}` : ''}`;
  }
  if (has(group, 'no-logs-exec')) return `is not mapped as a node: kubectl logs/exec fail on ${nodes > 0 ? plural(nodes, 'node') : 'its nodes'}`;
  if (has(group, 'unconfined')) return 'is not confined by the Node authorizer';
  return 'is mapped wrongly in aws-auth';
}

function impact(group: RoleGroup): string {
  const parts: string[] = [];
  const nodes = group.nodes.size;
  if (has(group, 'cannot-join')) {
    parts.push('nodes with this role cannot authenticate: new nodes never join, running ones go NotReady once their cached token expires');
  }
  if (has(group, 'not-ready')) {
    const n = count(group, 'not-ready');
    parts.push(n > 0 ? `${plural(n, 'node')} cannot renew ${n === 1 ? 'its' : 'their'} lease: NotReady, pods evicted` : 'its nodes cannot renew their lease: NotReady, pods evicted');
  }
  if (has(group, 'no-logs-exec')) {
    const n = count(group, 'no-logs-exec') || nodes;
    parts.push(`kubectl logs/exec fail on ${n > 0 ? plural(n, 'node') : 'its nodes'} (kubelet-serving certificates never approved)`);
  }
  if (has(group, 'cluster-admin')) {
    parts.push(`every node of this role is cluster admin${nodes > 0 ? ` (${plural(nodes, 'node')} seen)` : ''}: one pod that escapes to a node owns the cluster`);
  } else if (has(group, 'unconfined')) {
    parts.push('neither the Node authorizer nor NodeRestriction confines its kubelets');
  }
  if (parts.length === 0) parts.push('every node launched with this role gets the wrong identity (no kubelet of it in the data yet)');
  const text = parts.join('; ');
  return `${text.startsWith('kubectl') ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}`}.`;
}

/** The correct entry (EKS user guide, auth-configmap.html), or the one before the change when that was correct. */
function roleFix(group: RoleGroup, arn: string | undefined, mapping: { username?: string; groups?: string[] }, rootCause: RootCause | undefined, cluster: string): string {
  const role = arn ?? '<node role ARN>';
  // aws-auth takes the role ARN without its IAM path; an access entry takes the ARN as IAM shows it.
  const mapped = arn ? arn.replace(/^(arn:[a-z-]+:iam::\d{12}:role\/)(?:.*\/)/, '$1') : role;
  const fargate = (mapping.username ?? '').includes('{{SessionName}}');
  const username = fargate ? 'system:node:{{SessionName}}' : 'system:node:{{EC2PrivateDNSName}}';
  const type = fargate ? 'FARGATE_LINUX' : 'EC2_LINUX';
  const accessEntry =
    `Or replace the aws-auth entry with an access entry (authentication mode API_AND_CONFIG_MAP or API):\n` +
    `    aws eks create-access-entry --cluster-name ${cluster} --principal-arn ${role} --type ${type}${fargate ? '' : '   (EC2_WINDOWS for Windows nodes)'}`;
  const before = rootCause?.change?.before;
  if (before && isNodeMapping(before)) {
    return `Undo the change of ${rootCause!.change!.time}: put the role's entry in aws-auth (kube-system) mapRoles back as it was:\n    ${before.split('\n').join('\n    ')}\n${accessEntry}`;
  }
  const extra = (mapping.groups ?? []).filter((g) => g !== MASTERS_GROUP && g !== BOOTSTRAPPERS_GROUP && g !== NODES_GROUP);
  const groups = [BOOTSTRAPPERS_GROUP, NODES_GROUP, ...extra].map((g) => `        - ${yamlScalar(g)}`).join('\n');
  const verb = has(group, 'cannot-join') ? 'Add' : 'Map the role as a node: replace';
  return (
    `${verb} its entry in aws-auth (kube-system) mapRoles${has(group, 'cannot-join') ? ' for this role' : ''}:\n` +
    `    - rolearn: ${yamlScalar(mapped)}\n      username: ${JSON.stringify(username)}\n      groups:\n${groups}\n${accessEntry}`
  );
}

/** A flow-YAML entry (root-cause.ts) with the node username template and system:nodes, and no system:masters. */
function isNodeMapping(entry: string): boolean {
  return /username: "?system:node:\{\{/.test(entry) && entry.includes(NODES_GROUP) && !entry.includes(MASTERS_GROUP);
}

/** The flag findings of one kube-apiserver configuration. */
export function apiserverIncident(config: string, entries: readonly FindingEntry[], options: WordOptions): Incident {
  const problems = entries.filter((e) => e.finding.severity !== 'info');
  const sorted = [...problems].sort((a, b) => severityRank(b.finding.severity) - severityRank(a.finding.severity));
  const starts = Math.max(...entries.map((e) => e.finding.count));
  const title =
    sorted.length === 0
      ? `kube-apiserver configuration recorded: ${config}`
      : `${sorted[0]!.finding.title}${sorted.length > 1 ? ` (and ${plural(sorted.length - 1, 'more problem')} of this configuration)` : ''}`;
  const impact =
    sorted.length === 0
      ? 'Nothing breaks: Node and RBAC authorization and NodeRestriction are in place. Recorded for reference.'
      : `${sorted.map((e) => e.finding.title).join('; ')}. Seen on ${plural(starts, 'kube-apiserver start')}.`;
  return {
    ...base(entries, options),
    title,
    cause: { kind: 'apiserver-config', summary: `kube-apiserver started with ${config}.` },
    impact,
    remediation: sorted.length === 0 ? 'Nothing to do.' : cleanMultiline(apiserverFix(entries), 2000),
  };
}

/** One restart with every flag right, built from the configuration the flag rules saw. */
function apiserverFix(entries: readonly FindingEntry[]): string {
  const facts = (key: string): string | undefined => entries.map((e) => e.facts[key]).find((v) => v !== undefined);
  const modes = facts('authorizationMode');
  const plugins = facts('admissionPlugins');
  const flags: string[] = [];
  const ids = new Set(entries.filter((e) => e.finding.severity !== 'info').map((e) => e.rule.id));
  if (modes !== undefined && [...ids].some((id) => id.startsWith('apiserver-authz-'))) flags.push(`--authorization-mode=${recommendedModes(modes)}`);
  if (ids.has('apiserver-admission-missing-noderestriction')) {
    const list = (plugins ?? '').replace(/^\[|\]$/g, '').split(',').filter((p) => p && p !== 'NodeRestriction');
    flags.push(`--enable-admission-plugins=${['NodeRestriction', ...list].join(',')}`);
  }
  if (flags.length === 0) return entries.find((e) => e.finding.severity !== 'info')!.finding.remediation;
  return `${MANAGED_FIX}restart kube-apiserver with ${flags.join(' ')}.`;
}

export type SharedCause = 'apiserver-config' | 'node-credential' | 'rbac-grant';

/**
 * Findings of one recognized node's credential, or of one RBAC grant: the top finding's fix (they share it),
 * and each finding in a few words.
 */
export function sharedIncident(kind: Exclude<SharedCause, 'apiserver-config'>, key: string, entries: readonly FindingEntry[], options: WordOptions): Incident {
  const sorted = [...entries].sort((a, b) => severityRank(b.finding.severity) - severityRank(a.finding.severity) || b.finding.count - a.finding.count);
  const top = sorted[0]!.finding;
  const more = sorted.length > 1 ? ` (and ${plural(sorted.length - 1, 'related finding')})` : '';
  const what = (f: FindingEntry): string => {
    const rest = Object.entries(f.finding.subject).filter(([k, v]) => !(kind === 'node-credential' && k === 'node') && !v.startsWith('system:anonymous'));
    return `${f.finding.title}${rest.length ? ` (${rest.map(([, v]) => v).join(', ')})` : ''}: ${plural(f.finding.count, 'time')}`;
  };
  const incident: Incident = {
    ...base(entries, options),
    title: kind === 'node-credential' ? `Credential of node ${key}: ${top.title}${more}` : `${top.title}${grantName(key)}${more}`,
    cause:
      kind === 'node-credential'
        ? { kind, summary: `The credential of node ${key} (system:node:${key}) made requests the Node authorizer or NodeRestriction refused.`, username: `system:node:${key}` }
        : { kind, summary: `${key}.` },
    impact: `${sorted.map(what).join('; ')}.`,
    remediation: top.remediation,
  };
  if (kind === 'node-credential') incident.nodes = { count: 1, names: [key] };
  return incident;
}

/** ` through ClusterRoleBinding "x"` from an RBAC allow reason, else nothing. */
function grantName(reason: string): string {
  const m = /allowed by (\w+ "[^"]*")/.exec(reason);
  return m ? ` through ${m[1]}` : '';
}

/** Any other finding: an incident of its own, in the finding's own words. */
export function findingIncident(e: FindingEntry, options: WordOptions): Incident {
  const f = e.finding;
  const subject = Object.entries(f.subject).map(([k, v]) => `${k}=${v}`).join(' ');
  const incident: Incident = {
    ...base([e], options),
    title: subject ? `${f.title}: ${Object.values(f.subject).join(' ')}` : f.title,
    cause: { kind: 'finding', summary: `${f.ruleId}${subject ? ` ${subject}` : ''}` },
    impact: f.message,
    remediation: f.remediation,
  };
  const node = f.subject['node'];
  if (node) incident.nodes = { count: 1, names: [node] };
  return incident;
}
