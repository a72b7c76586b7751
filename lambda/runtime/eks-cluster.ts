import {
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListNodegroupsCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { sameRole, type AccessEntryFacts, type AccessPolicyFacts, type EksClusterFacts, type NodeRoleFacts } from '../model/eks';
import type { CoverageReport } from '../model/report';
import { clean } from '../model/sanitize';
import { DEFAULT_RETRY, describeError, retrying, type RetryDeps, type RetryPolicy } from './backoff';

export type EksSend = Pick<EKSClient, 'send'>;

export interface EksReadDeps extends RetryDeps {
  readonly client: EksSend;
  readonly retry?: RetryPolicy;
}

/** Bounds on what one run reads, so a cluster with thousands of node groups or entries cannot stall it. */
export const MAX_NODEGROUPS = 100;
export const MAX_ACCESS_ENTRY_PAGES = 20;
export const MAX_NODE_ROLES = 50;

/** What DescribeCluster and the node groups said, read while the queries run. */
export interface ClusterDescription {
  readonly name: string;
  readonly region?: string;
  readonly arn?: string;
  readonly authenticationMode?: string;
  readonly enabledLogTypes?: string[];
  readonly nodegroups: { name: string; nodeRole?: string }[];
  readonly nodegroupsRead: boolean;
  readonly notes: string[];
}

export type DescribeOutcome = { readonly ok: true; readonly cluster: ClusterDescription } | { readonly ok: false; readonly reason: string };

/**
 * DescribeCluster and the managed node groups. A cluster that cannot be described (another account,
 * denied, deleted) is "coverage not verified" with the reason: the log audit still runs.
 */
export async function describeCluster(name: string, region: string | undefined, deps: EksReadDeps): Promise<DescribeOutcome> {
  const send = <T>(call: () => Promise<T>): Promise<T> => retrying(deps.retry ?? DEFAULT_RETRY, deps, call);
  let cluster;
  try {
    cluster = (await send(() => deps.client.send(new DescribeClusterCommand({ name })))).cluster;
  } catch (err) {
    return { ok: false, reason: `DescribeCluster failed: ${clean(describeError(err), 300)}` };
  }
  if (!cluster) return { ok: false, reason: 'DescribeCluster returned no cluster' };
  const enabled = cluster.logging?.clusterLogging;
  const notes: string[] = [];
  const description: ClusterDescription = {
    name,
    ...(region ? { region } : {}),
    ...(cluster.arn ? { arn: cluster.arn } : {}),
    ...(cluster.accessConfig?.authenticationMode ? { authenticationMode: cluster.accessConfig.authenticationMode } : {}),
    ...(enabled ? { enabledLogTypes: [...new Set(enabled.filter((s) => s.enabled === true).flatMap((s) => s.types ?? []))].sort() } : {}),
    nodegroups: [],
    nodegroupsRead: false,
    notes,
  };
  try {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await send(() => deps.client.send(new ListNodegroupsCommand({ clusterName: name, ...(nextToken ? { nextToken } : {}) })));
      names.push(...(page.nodegroups ?? []));
      nextToken = page.nextToken;
    } while (nextToken && names.length < MAX_NODEGROUPS);
    if (nextToken) notes.push(`only the first ${names.length} managed node groups were read`);
    for (const nodegroupName of names.slice(0, MAX_NODEGROUPS)) {
      const ng = (await send(() => deps.client.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName })))).nodegroup;
      description.nodegroups.push({ name: nodegroupName, ...(ng?.nodeRole ? { nodeRole: ng.nodeRole } : {}) });
    }
    (description as { nodegroupsRead: boolean }).nodegroupsRead = true;
  } catch (err) {
    notes.push(`managed node groups not read: ${clean(describeError(err), 300)}`);
  }
  return { ok: true, cluster: description };
}

/**
 * The access entries of every role acting as nodes: node groups' roles and the roles kubelets
 * authenticated with in the window. In CONFIG_MAP mode the cluster has no access entries to read.
 */
export async function readClusterFacts(description: ClusterDescription, kubeletRoles: Iterable<string>, deps: EksReadDeps): Promise<EksClusterFacts> {
  const send = <T>(call: () => Promise<T>): Promise<T> => retrying(deps.retry ?? DEFAULT_RETRY, deps, call);
  const roles: { roleArn: string; nodegroups: string[]; seenOnKubelets: boolean }[] = [];
  const roleOf = (arn: string) => roles.find((r) => r.roleArn === arn || sameRole(r.roleArn, arn));
  for (const ng of description.nodegroups) {
    if (!ng.nodeRole) continue;
    const r = roleOf(ng.nodeRole);
    if (r) r.nodegroups.push(ng.name);
    else roles.push({ roleArn: ng.nodeRole, nodegroups: [ng.name], seenOnKubelets: false });
  }
  for (const arn of kubeletRoles) {
    const r = roleOf(arn);
    if (r) r.seenOnKubelets = true;
    else roles.push({ roleArn: arn, nodegroups: [], seenOnKubelets: true });
  }
  if (roles.length > MAX_NODE_ROLES) {
    description.notes.push(`access entries read for the first ${MAX_NODE_ROLES} of ${roles.length} node roles`);
    roles.length = MAX_NODE_ROLES;
  }

  let entries: Map<string, AccessEntryFacts | null> | undefined;
  const mode = description.authenticationMode;
  if (mode !== undefined && mode !== 'CONFIG_MAP' && roles.length > 0) {
    try {
      const principals: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await send(() => deps.client.send(new ListAccessEntriesCommand({ clusterName: description.name, ...(nextToken ? { nextToken } : {}) })));
        principals.push(...(page.accessEntries ?? []));
        nextToken = page.nextToken;
      } while (nextToken && ++pages < MAX_ACCESS_ENTRY_PAGES);
      entries = new Map();
      for (const role of roles) {
        const principalArn = principals.find((p) => p === role.roleArn || sameRole(p, role.roleArn));
        entries.set(role.roleArn, principalArn ? await readEntry(description.name, principalArn, send, deps.client) : null);
      }
      if (nextToken) {
        description.notes.push(`only the first ${principals.length} access entries were listed`);
        // A role not among the first pages may still have an entry: say nothing rather than "missing".
        for (const [arn, entry] of entries) if (entry === null) entries.delete(arn);
      }
    } catch (err) {
      entries = undefined;
      description.notes.push(`access entries not read: ${clean(describeError(err), 300)}`);
    }
  }
  const nodeRoles: NodeRoleFacts[] = roles.map((r) => ({ ...r, accessEntry: entries ? entries.get(r.roleArn) : undefined }));
  return {
    name: description.name,
    ...(description.region ? { region: description.region } : {}),
    ...(description.arn ? { arn: description.arn } : {}),
    ...(mode ? { authenticationMode: mode } : {}),
    ...(description.enabledLogTypes ? { enabledLogTypes: description.enabledLogTypes } : {}),
    nodeRoles,
    nodegroupsRead: description.nodegroupsRead,
    accessEntriesRead: entries !== undefined,
  };
}

async function readEntry(
  clusterName: string,
  principalArn: string,
  send: <T>(call: () => Promise<T>) => Promise<T>,
  client: EksSend,
): Promise<AccessEntryFacts> {
  const entry = (await send(() => client.send(new DescribeAccessEntryCommand({ clusterName, principalArn })))).accessEntry;
  const policies: AccessPolicyFacts[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await send(() => client.send(new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, ...(nextToken ? { nextToken } : {}) })));
    for (const p of page.associatedAccessPolicies ?? []) {
      if (!p.policyArn) continue;
      policies.push({
        policyArn: p.policyArn,
        ...(p.accessScope?.type ? { scopeType: p.accessScope.type } : {}),
        ...(p.accessScope?.namespaces ? { namespaces: p.accessScope.namespaces } : {}),
      });
    }
    nextToken = page.nextToken;
  } while (nextToken && ++pages < MAX_ACCESS_ENTRY_PAGES);
  return {
    principalArn: entry?.principalArn ?? principalArn,
    ...(entry?.type ? { type: entry.type } : {}),
    ...(entry?.username ? { username: entry.username } : {}),
    kubernetesGroups: entry?.kubernetesGroups ?? [],
    policies,
  };
}

/** The coverage part of a cluster's report. */
export function coverageOf(outcome: DescribeOutcome, facts: EksClusterFacts | undefined): CoverageReport {
  if (!outcome.ok) return { verified: false, reason: outcome.reason };
  const c = outcome.cluster;
  const report: CoverageReport = { verified: true };
  if (c.enabledLogTypes) report.enabledLogTypes = [...c.enabledLogTypes];
  if (c.authenticationMode) report.authenticationMode = c.authenticationMode;
  if (facts) report.nodeRoles = facts.nodeRoles.length;
  if (c.notes.length > 0) report.notes = [...c.notes];
  return report;
}

export type EksClusterFactsOrNone = EksClusterFacts | undefined;
