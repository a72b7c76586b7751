import type { Rule } from './rule';
import { nodeIdentityUnrecognized } from './node-identity-unrecognized';
import { nodeLeaseForbidden } from './node-lease-forbidden';
import { nodeSystemMasters } from './node-system-masters';
import { nodeCsrUnapprovable } from './node-csr-unapprovable';
import { nodeUnrelatedObjectAccess } from './node-unrelated-object-access';
import { nodeNameMismatch } from './node-name-mismatch';
import { nodeRestrictionDenied } from './node-restriction-denied';
import { nodeForbiddenOther } from './node-forbidden-other';

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
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
