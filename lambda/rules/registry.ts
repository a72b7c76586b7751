import type { Rule } from '../model/rule';
import { nodeIdentityUnrecognized } from './audit/node-identity-unrecognized';
import { nodeLeaseForbidden } from './audit/node-lease-forbidden';
import { nodeSystemMasters } from './audit/node-system-masters';
import { nodeCsrUnapprovable } from './audit/node-csr-unapprovable';
import { nodeUnrelatedObjectAccess } from './audit/node-unrelated-object-access';
import { nodeNameMismatch } from './audit/node-name-mismatch';
import { nodeRestrictionDenied } from './audit/node-restriction-denied';
import { nodeForbiddenOther } from './audit/node-forbidden-other';
import { nodeKubeletAnonymous } from './audit/node-kubelet-anonymous';
import { nodeAuthorizerStartupRace } from './audit/node-authorizer-startup-race';
import { apiserverAuthzAlwaysAllow } from './apiserver/apiserver-authz-always-allow';
import { apiserverAuthzMissingNode } from './apiserver/apiserver-authz-missing-node';
import { apiserverAuthzMissingRbac } from './apiserver/apiserver-authz-missing-rbac';
import { apiserverAdmissionMissingNoderestriction } from './apiserver/apiserver-admission-missing-noderestriction';
import { apiserverAuthzConfig } from './apiserver/apiserver-authz-config';
import { flagDumpNotJudged } from './apiserver/flag-dump-not-judged';
import { kubeletAuthzAlwaysAllow } from './kubelet/kubelet-authz-always-allow';
import { awsAuthNodeUsername } from './audit/aws-auth-node-username';
import { awsAuthNodeMissingGroups } from './audit/aws-auth-node-missing-groups';
import { awsAuthNodeSystemMasters } from './audit/aws-auth-node-system-masters';
import { awsAuthSystemMasters } from './audit/aws-auth-system-masters';
import { awsAuthInvalid } from './audit/aws-auth-invalid';
import { awsAuthRolearnPath } from './audit/aws-auth-rolearn-path';
import { authenticatorNodeUnmapped } from './authenticator/authenticator-node-unmapped';
import { authenticatorNodeWrongUsername } from './authenticator/authenticator-node-wrong-username';
import { authenticatorDeniedBurst } from './authenticator/authenticator-denied-burst';
import { anonymousRequestAllowed } from './audit/anonymous-request-allowed';
import { forbiddenBurst } from './audit/forbidden-burst';
import { clusterLoggingDisabled } from './eks/cluster-logging-disabled';
import { accessEntryNodeStandard } from './eks/access-entry-node-standard';
import { accessEntryNodeAdmin } from './eks/access-entry-node-admin';
import { accessEntryNodeMissing } from './eks/access-entry-node-missing';

/**
 * Every rule, in catalogue order. Ids are a contract: never rename or reuse one (deprecate instead).
 * test/rules/registry.test.ts pins the ids and severities.
 */
export const RULES: readonly Rule[] = [
  nodeIdentityUnrecognized,
  nodeLeaseForbidden,
  nodeSystemMasters,
  nodeCsrUnapprovable,
  nodeUnrelatedObjectAccess,
  nodeNameMismatch,
  nodeRestrictionDenied,
  nodeForbiddenOther,
  nodeKubeletAnonymous,
  nodeAuthorizerStartupRace,
  apiserverAuthzAlwaysAllow,
  apiserverAuthzMissingNode,
  apiserverAuthzMissingRbac,
  apiserverAdmissionMissingNoderestriction,
  apiserverAuthzConfig,
  flagDumpNotJudged,
  awsAuthNodeUsername,
  awsAuthNodeMissingGroups,
  awsAuthNodeSystemMasters,
  awsAuthSystemMasters,
  awsAuthInvalid,
  awsAuthRolearnPath,
  authenticatorNodeUnmapped,
  authenticatorNodeWrongUsername,
  authenticatorDeniedBurst,
  anonymousRequestAllowed,
  forbiddenBurst,
  kubeletAuthzAlwaysAllow,
  clusterLoggingDisabled,
  accessEntryNodeStandard,
  accessEntryNodeAdmin,
  accessEntryNodeMissing,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
