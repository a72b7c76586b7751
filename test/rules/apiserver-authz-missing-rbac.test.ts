import { describe, expect, it } from 'vitest';
import { apiserverAuthzMissingRbac } from '../../lambda/rules/apiserver/apiserver-authz-missing-rbac';
import { eksStart, flag, scan } from './config-helpers';

describe('apiserver-authz-missing-rbac', () => {
  it('fires when the mode list has no RBAC', () => {
    // Prepare
    const records = eksStart({ mode: '[Node,Webhook]', timestamp: '2024-03-01T10:00:00.000Z' });

    // Act
    const { findings } = scan(apiserverAuthzMissingRbac, records);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.subject, f.count, f.firstSeen])).toEqual([
      ['apiserver-authz-missing-rbac', 'high', { flag: 'authorization-mode', value: '[Node,Webhook]' }, 1, '2024-03-01T10:00:00.000Z'],
    ]);
    expect(findings[0]!.message).toContain('without RBAC. Every Role, ClusterRole and binding is ignored');
    expect(findings[0]!.remediation).toContain('--authorization-mode=Node,RBAC,Webhook.');
  });

  it.each([
    ['the EKS configuration', eksStart()],
    ['an empty mode list', [flag('authorization-mode', '[]')]],
  ])('stays quiet on %s', (_name, records) => {
    // Prepare / Act
    const { findings } = scan(apiserverAuthzMissingRbac, records);

    // Assess
    expect(findings).toEqual([]);
  });
});
