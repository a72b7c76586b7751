import { describe, expect, it } from 'vitest';
import { apiserverAuthzMissingNode } from '../../lambda/rules/apiserver/apiserver-authz-missing-node';
import { APISERVER_STREAM, eksStart, flag, scan } from './config-helpers';

describe('apiserver-authz-missing-node', () => {
  it('fires when the mode list has no Node', () => {
    // Prepare
    const records = eksStart({ mode: '[RBAC,Webhook]' });

    // Act
    const { findings } = scan(apiserverAuthzMissingNode, records);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.subject, f.count, f.firstSeen])).toEqual([
      ['apiserver-authz-missing-node', 'high', { flag: 'authorization-mode', value: '[RBAC,Webhook]' }, 1, null],
    ]);
    expect(findings[0]!.message).toContain('1 kube-apiserver start (times unknown: klog headers carry no year) printed --authorization-mode="[RBAC,Webhook]", without Node');
    expect(findings[0]!.remediation).toContain('--authorization-mode=Node,RBAC,Webhook.');
  });

  it('never recommends keeping AlwaysAllow', () => {
    // Prepare
    const records = [flag('authorization-mode', '[AlwaysAllow]', APISERVER_STREAM)];

    // Act
    const { findings } = scan(apiserverAuthzMissingNode, records);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ flag: 'authorization-mode', value: '[AlwaysAllow]' }]);
    expect(findings[0]!.remediation).toContain('restart kube-apiserver with --authorization-mode=Node,RBAC.');
  });

  it('reads a list printed without brackets', () => {
    // Prepare
    const records = [flag('authorization-mode', 'RBAC', APISERVER_STREAM)];

    // Act
    const { findings } = scan(apiserverAuthzMissingNode, records);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ flag: 'authorization-mode', value: '[RBAC]' }]);
  });

  it.each([
    ['the EKS configuration', eksStart()],
    ['an empty mode list alone', [flag('authorization-mode', '[]')]],
    ['--authorization-config, which empties the mode list', [flag('authorization-config', '/etc/kubernetes/authz.yaml'), flag('authorization-mode', '[]')]],
  ])('stays quiet on %s', (_name, records) => {
    // Prepare / Act
    const { findings } = scan(apiserverAuthzMissingNode, records);

    // Assess
    expect(findings).toEqual([]);
  });
});
