import { describe, expect, it } from 'vitest';
import { awsAuthNodeMissingGroups } from '../../lambda/rules/audit/aws-auth-node-missing-groups';
import { NODE_ROLE_ARN, awsAuthWrite, configMap, kubeletRequest, scan, yamlList } from './config-helpers';

describe('aws-auth-node-missing-groups', () => {
  it('fires on misconfiguration 3: a node username in system:masters only', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:masters'] }]);

    // Act
    const { findings } = scan(awsAuthNodeMissingGroups, [awsAuthWrite({ requestObject: configMap({ mapRoles }), time: '2024-03-01T10:00:00Z' })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'aws-auth-node-missing-groups', severity: 'high', subject: { arn: NODE_ROLE_ARN }, count: 1 });
    expect(findings[0]!.message).toContain('misconfiguration 3');
    expect(findings[0]!.message).toContain('written by kubernetes-admin via eksctl at 2024-03-01T10:00:00Z');
    expect(findings[0]!.message).toContain('its username starts with system:node:');
    expect(findings[0]!.remediation).toContain('groups: [system:bootstrappers, system:nodes]}');
  });

  it('fires on misconfiguration 2 written by a JSON patch, once kubelet traffic marks the role', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);
    const records = [
      awsAuthWrite({ verb: 'patch', requestObject: [{ op: 'add', path: '/data', value: { mapRoles } }] }),
      kubeletRequest(NODE_ROLE_ARN, 'WorkerNodeRole'),
    ];

    // Act
    const { findings } = scan(awsAuthNodeMissingGroups, records);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ arn: NODE_ROLE_ARN }]);
    expect(findings[0]!.message).toContain('misconfiguration 2');
  });

  it('fires when only system:bootstrappers is given: the Node authorizer needs system:nodes', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers'] }]);

    // Act
    const { findings } = scan(awsAuthNodeMissingGroups, [awsAuthWrite({ verb: 'patch', requestObject: { data: { mapRoles } } })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('RBAC alone decides');
    expect(findings[0]!.message).toContain('its groups include system:bootstrappers');
  });

  it('stays quiet for the correct mapping and for roles that are not node roles', () => {
    // Prepare
    const mapRoles = yamlList([
      { arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { arn: 'arn:aws:iam::111122223333:role/Developers', username: 'dev', groups: ['developers'] },
    ]);

    // Act
    const { findings } = scan(awsAuthNodeMissingGroups, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings).toEqual([]);
  });
});
