import { describe, expect, it } from 'vitest';
import { buildQueries } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';

/**
 * Rows stay bounded only if no group key of the audit query takes a new value per node, per object or per
 * event on the requests that succeed: all audit rules' keys are grouped by together, and in a fleet whose node
 * role is in system:masters every kubelet request matches. responseStatus.message is allowed: it exists only
 * on failures.
 */
const PER_NODE_OR_OBJECT = ['objectRef.name', 'sourceIPs.0', 'requestURI', 'auditID', 'user.uid', 'userAgent', '@message', '@ptr'];

describe('the audit query keys', () => {
  it('hold nothing that is distinct per node or object on successful requests', () => {
    const audit = buildQueries(RULES).find((q) => q.stream === 'audit');
    expect(audit).toBeDefined();
    expect(audit!.keys.filter((k) => PER_NODE_OR_OBJECT.includes(k))).toEqual([]);
    expect(audit!.keys).toContain('responseStatus.message');
  });
});
