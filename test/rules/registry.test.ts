import { describe, expect, it } from 'vitest';
import { RULES, ruleById } from '../../lambda/rules/registry';

describe('rule registry', () => {
  it('pins every rule id and severity (ids are a contract: never rename or reuse one)', () => {
    expect(RULES.map((r) => [r.id, r.severity])).toEqual([
      ['node-identity-unrecognized', 'high'],
      ['node-lease-forbidden', 'high'],
      ['node-system-masters', 'high'],
      ['node-csr-unapprovable', 'medium'],
      ['node-unrelated-object-access', 'high'],
      ['node-name-mismatch', 'high'],
      ['node-restriction-denied', 'medium'],
      ['node-forbidden-other', 'low'],
      ['node-kubelet-anonymous', 'high'],
      ['node-authorizer-startup-race', 'low'],
      ['apiserver-authz-always-allow', 'critical'],
      ['apiserver-authz-missing-node', 'high'],
      ['apiserver-authz-missing-rbac', 'high'],
      ['apiserver-admission-missing-noderestriction', 'high'],
      ['apiserver-authz-config', 'info'],
      ['flag-dump-not-judged', 'info'],
      ['aws-auth-node-username', 'high'],
      ['aws-auth-node-missing-groups', 'high'],
      ['aws-auth-node-system-masters', 'high'],
      ['aws-auth-system-masters', 'medium'],
      ['aws-auth-invalid', 'high'],
      ['aws-auth-rolearn-path', 'high'],
      ['authenticator-node-unmapped', 'high'],
      ['authenticator-node-wrong-username', 'high'],
      ['authenticator-denied-burst', 'medium'],
      ['anonymous-request-allowed', 'high'],
      ['forbidden-burst', 'medium'],
      ['kubelet-authz-always-allow', 'critical'],
      ['cluster-logging-disabled', 'high'],
      ['access-entry-node-standard', 'high'],
      ['access-entry-node-admin', 'high'],
      ['access-entry-node-missing', 'high'],
    ]);
  });

  it('gives every rule a title, description, remediation, reference and a server-side filter', () => {
    for (const r of RULES) {
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.description.length, r.id).toBeGreaterThan(30);
      expect(r.remediation.length, r.id).toBeGreaterThan(20);
      expect(r.references.length, r.id).toBeGreaterThan(0);
      expect(r.needs.filter.trim().length, r.id).toBeGreaterThan(0);
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it('finds a rule by id', () => {
    expect(ruleById('node-lease-forbidden')?.severity).toBe('high');
    expect(ruleById('nope')).toBeUndefined();
  });
});
