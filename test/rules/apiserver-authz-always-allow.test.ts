import { describe, expect, it } from 'vitest';
import { apiserverAuthzAlwaysAllow } from '../../lambda/rules/apiserver/apiserver-authz-always-allow';
import { eksStart, scan } from './config-helpers';

describe('apiserver-authz-always-allow', () => {
  it('fires (critical) when the mode list includes AlwaysAllow', () => {
    // Prepare
    const records = eksStart({ mode: '[Node,RBAC,AlwaysAllow]', logStream: 'kube-apiserver-a', timestamp: '2024-03-01T10:00:00.000Z' });

    // Act
    const { findings, ruleErrors } = scan(apiserverAuthzAlwaysAllow, records);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'apiserver-authz-always-allow', severity: 'critical', subject: { flag: 'authorization-mode', value: '[Node,RBAC,AlwaysAllow]' },
      count: 1, firstSeen: '2024-03-01T10:00:00.000Z',
    });
    expect(findings[0]!.evidence[0]).toMatchObject({ message: 'FLAG: --authorization-mode="[Node,RBAC,AlwaysAllow]"', time: '2024-03-01T10:00:00.000Z' });
    expect(findings[0]!.evidence[0]!.source).toMatch(/^kube-apiserver-a \(apiserver\.log:\d+\)$/);
    expect(findings[0]!.message).toContain('1 kube-apiserver start at 2024-03-01T10:00:00.000Z printed --authorization-mode="[Node,RBAC,AlwaysAllow]"');
    expect(findings[0]!.remediation).toContain('restart kube-apiserver with --authorization-mode=Node,RBAC (no AlwaysAllow)');
  });

  it('stays quiet on the EKS configuration', () => {
    // Prepare
    const records = eksStart();

    // Act
    const { findings } = scan(apiserverAuthzAlwaysAllow, records);

    // Assess
    expect(findings).toEqual([]);
  });
});
