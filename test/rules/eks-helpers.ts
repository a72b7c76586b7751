import { Engine } from '../../lambda/engine/engine';
import type { AccessEntryFacts, EksClusterFacts, NodeRoleFacts } from '../../lambda/model/eks';
import type { ScanResult } from '../../lambda/model/findings';
import type { Rule } from '../../lambda/model/rule';

export const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-nodes';
export const HUMAN_ROLE = 'arn:aws:iam::111122223333:role/platform-admins';

export function entry(type: string, policies: string[] = [], principalArn = NODE_ROLE): AccessEntryFacts {
  return { principalArn, type, kubernetesGroups: [], policies: policies.map((p) => ({ policyArn: `arn:aws:eks::aws:cluster-access-policy/${p}`, scopeType: 'cluster' })) };
}

export function nodeRole(accessEntry: AccessEntryFacts | null | undefined, o: Partial<NodeRoleFacts> = {}): NodeRoleFacts {
  return { roleArn: NODE_ROLE, nodegroups: ['workers'], seenOnKubelets: false, accessEntry, ...o };
}

export function facts(o: Partial<EksClusterFacts> = {}): EksClusterFacts {
  return {
    name: 'prod', region: 'eu-west-1', authenticationMode: 'API_AND_CONFIG_MAP', enabledLogTypes: ['api', 'audit', 'authenticator'],
    nodeRoles: [], nodegroupsRead: true, accessEntriesRead: true, ...o,
  };
}

/** The engine over one EKS API record, as auditCluster feeds it. */
export function scanEks(rules: readonly Rule[], cluster: EksClusterFacts): ScanResult {
  const engine = new Engine(rules, { cluster: cluster.name });
  engine.record({ kind: 'eks-cluster', cluster, origin: { file: 'eks-api:prod', line: 1, timestamp: '2024-05-19T07:00:00.000Z' } });
  return engine.finish();
}
