import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiserverAuthzConfig } from '../../lambda/rules/apiserver/apiserver-authz-config';
import { APISERVER_RULES, APISERVER_STREAM, REAL_DIR, eksStart, flag, hasReal, klogFlags, scan } from './config-helpers';

const EKS_SUBJECT = {
  authorizationMode: '[Node,RBAC,Webhook]',
  authorizationConfig: 'not used',
  enableAdmissionPlugins: '[NodeRestriction,ExtendedResourceToleration]',
  disableAdmissionPlugins: '[]',
};

describe('apiserver-authz-config', () => {
  it('reports the EKS configuration once, as info, and no problem', () => {
    // Prepare
    const records = eksStart({ logStream: 'kube-apiserver-a', timestamp: '2024-03-01T10:00:00.000Z' });

    // Act
    const { findings, ruleErrors } = scan(APISERVER_RULES, records);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings.map((f) => [f.ruleId, f.severity, f.subject, f.count])).toEqual([['apiserver-authz-config', 'info', EKS_SUBJECT, 1]]);
    expect(findings[0]!.message).toBe(
      '1 kube-apiserver start at 2024-03-01T10:00:00.000Z ran with authorization mode [Node,RBAC,Webhook] (Node authorizer on, RBAC on); ' +
        'admission plugins enabled [NodeRestriction,ExtendedResourceToleration], disabled [] (NodeRestriction on).',
    );
    expect(findings[0]!.evidence[0]!.message).toBe(
      'FLAG: --admission-control="[]" FLAG: --authorization-config="" FLAG: --authorization-mode="[Node,RBAC,Webhook]" ' +
        'FLAG: --disable-admission-plugins="[]" FLAG: --enable-admission-plugins="[NodeRestriction,ExtendedResourceToleration]"',
    );
  });

  it('folds two starts with the same configuration into one finding with count 2', () => {
    // Prepare
    const records = [
      ...eksStart({ logStream: 'kube-apiserver-a', timestamp: '2024-03-01T10:00:00.000Z' }),
      ...eksStart({ logStream: 'kube-apiserver-b', timestamp: '2024-03-02T08:30:00.000Z' }),
    ];

    // Act
    const { findings } = scan(apiserverAuthzConfig, records);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ subject: EKS_SUBJECT, count: 2, firstSeen: '2024-03-01T10:00:00.000Z', lastSeen: '2024-03-02T08:30:00.000Z' });
    expect(findings[0]!.message).toContain('2 kube-apiserver starts between 2024-03-01T10:00:00.000Z and 2024-03-02T08:30:00.000Z ran with');
  });

  it('reports two different configurations as two findings', () => {
    // Prepare
    const records = [...eksStart({ logStream: 'a' }), ...eksStart({ logStream: 'b', mode: '[Node,RBAC]' })];

    // Act
    const { findings } = scan(apiserverAuthzConfig, records);

    // Assess
    expect(findings.map((f) => [f.subject['authorizationMode'], f.count])).toEqual([
      ['[Node,RBAC,Webhook]', 1],
      ['[Node,RBAC]', 1],
    ]);
  });

  it('says the mode list is not visible with --authorization-config, and no rule calls Node missing', () => {
    // Prepare
    const records = [
      flag('authorization-config', '/etc/kubernetes/authz/config.yaml'),
      flag('authorization-mode', '[]'),
      flag('enable-admission-plugins', '[NodeRestriction]'),
    ];

    // Act
    const { findings } = scan(APISERVER_RULES, records);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.subject['authorizationMode'], f.subject['authorizationConfig']])).toEqual([
      ['apiserver-authz-config', 'not visible (--authorization-config)', 'used'],
    ]);
    expect(findings[0]!.message).toContain(
      'authorization mode list not visible: authorization is configured by the file --authorization-config=/etc/kubernetes/authz/config.yaml',
    );
  });

  it('says an empty mode list without its --authorization-config line is not visible either', () => {
    // Prepare
    const records = [flag('authorization-mode', '[]', APISERVER_STREAM)];

    // Act
    const { findings } = scan(APISERVER_RULES, records);

    // Assess
    expect(findings.map((f) => f.ruleId)).toEqual(['apiserver-authz-config']);
    expect(findings[0]!.message).toContain('authorization mode list empty ([]), which kube-apiserver prints when --authorization-config is used');
    expect(findings[0]!.message).toContain('(NodeRestriction unknown)');
  });
});

describe.skipIf(!hasReal)('kube-apiserver flags in real EKS logs', () => {
  it('finds no problem in the 2023 EKS authorization and admission lines, and records them', () => {
    // Prepare
    const records = klogFlags(join(REAL_DIR, 'eks-apiserver-flags-klog-authz-admission.log'));

    // Act
    const { findings, ruleErrors } = scan(APISERVER_RULES, records);

    // Assess
    expect(records).toHaveLength(2);
    expect(ruleErrors).toEqual([]);
    expect(findings.map((f) => [f.ruleId, f.subject, f.count])).toEqual([
      [
        'apiserver-authz-config',
        {
          authorizationMode: '[Node,RBAC,Webhook]', authorizationConfig: '(not logged)',
          enableAdmissionPlugins: '[NodeRestriction,ExtendedResourceToleration]', disableAdmissionPlugins: '(not logged)',
        },
        1,
      ],
    ]);
  });

  it('finds no problem in a partial 2022 flag dump without admission lines', () => {
    // Prepare
    const records = klogFlags(join(REAL_DIR, 'eks-apiserver-flags-klog-partial.log'));

    // Act
    const { findings } = scan(APISERVER_RULES, records);

    // Assess
    expect(records).toHaveLength(12);
    expect(findings.map((f) => [f.ruleId, f.subject, f.count])).toEqual([
      [
        'apiserver-authz-config',
        { authorizationMode: '[Node,RBAC]', authorizationConfig: '(not logged)', enableAdmissionPlugins: '(not logged)', disableAdmissionPlugins: '(not logged)' },
        1,
      ],
    ]);
    expect(findings[0]!.message).toContain('(NodeRestriction unknown)');
  });
});
