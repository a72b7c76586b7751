import type { Rule } from './rule';
import { nodeLeaseForbidden } from './node-lease-forbidden';

/**
 * Every rule, in catalogue order. Ids are a contract: never rename or reuse one (deprecate instead).
 * test/rules/registry.test.ts pins the ids and severities.
 */
export const RULES: readonly Rule[] = [nodeLeaseForbidden];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
