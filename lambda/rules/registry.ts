import type { Rule } from './rule';
import { nodeIdentityUnrecognized } from './node-identity-unrecognized';
import { nodeLeaseForbidden } from './node-lease-forbidden';
import { nodeSystemMasters } from './node-system-masters';
import { nodeCsrUnapprovable } from './node-csr-unapprovable';
import { nodeUnrelatedObjectAccess } from './node-unrelated-object-access';
import { nodeNameMismatch } from './node-name-mismatch';
import { nodeRestrictionDenied } from './node-restriction-denied';
import { nodeForbiddenOther } from './node-forbidden-other';
import { apiserverAuthzAlwaysAllow } from './apiserver-authz-always-allow';
import { apiserverAuthzMissingNode } from './apiserver-authz-missing-node';
import { apiserverAuthzMissingRbac } from './apiserver-authz-missing-rbac';
import { apiserverAdmissionMissingNoderestriction } from './apiserver-admission-missing-noderestriction';
import { apiserverAuthzConfig } from './apiserver-authz-config';
import { awsAuthNodeUsername } from './aws-auth-node-username';
import { awsAuthNodeMissingGroups } from './aws-auth-node-missing-groups';
import { awsAuthNodeSystemMasters } from './aws-auth-node-system-masters';
import { awsAuthSystemMasters } from './aws-auth-system-masters';
import { awsAuthInvalid } from './aws-auth-invalid';
import { authenticatorNodeUnmapped } from './authenticator-node-unmapped';
import { authenticatorNodeWrongUsername } from './authenticator-node-wrong-username';
import { authenticatorDeniedBurst } from './authenticator-denied-burst';
import { anonymousRequestAllowed } from './anonymous-request-allowed';
import { forbiddenBurst } from './forbidden-burst';

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
  apiserverAuthzAlwaysAllow,
  apiserverAuthzMissingNode,
  apiserverAuthzMissingRbac,
  apiserverAdmissionMissingNoderestriction,
  apiserverAuthzConfig,
  awsAuthNodeUsername,
  awsAuthNodeMissingGroups,
  awsAuthNodeSystemMasters,
  awsAuthSystemMasters,
  awsAuthInvalid,
  authenticatorNodeUnmapped,
  authenticatorNodeWrongUsername,
  authenticatorDeniedBurst,
  anonymousRequestAllowed,
  forbiddenBurst,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
