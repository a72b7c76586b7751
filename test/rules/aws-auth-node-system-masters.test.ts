import { describe, expect, it } from 'vitest';
import { awsAuthNodeSystemMasters } from '../../lambda/rules/audit/aws-auth-node-system-masters';
import { NODE_ROLE_ARN, awsAuthWrite, configMap, kubeletRequest, scan, yamlList } from './config-helpers';

describe('aws-auth-node-system-masters', () => {
  it('fires on a node role kept in system:nodes but also put in system:masters', () => {
    // Prepare
    const mapRoles = yamlList([
      { arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes', 'system:masters'] },
    ]);

    // Act
    const { findings } = scan(awsAuthNodeSystemMasters, [awsAuthWrite({ requestObject: configMap({ mapRoles }), time: '2024-03-01T10:00:00Z' })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'aws-auth-node-system-masters', severity: 'high', subject: { arn: NODE_ROLE_ARN }, count: 1 });
    expect(findings[0]!.message).toContain('is a cluster admin');
    expect(findings[0]!.message).toContain('misconfiguration 3');
    expect(findings[0]!.remediation).toContain(`- {rolearn: ${NODE_ROLE_ARN}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}`);
  });

  it('fires on misconfiguration 2 when kubelet requests come from the role', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);
    const records = [kubeletRequest(NODE_ROLE_ARN, 'WorkerNodeRole'), awsAuthWrite({ verb: 'patch', requestObject: { data: { mapRoles } } })];

    // Act
    const { findings } = scan(awsAuthNodeSystemMasters, records);

    // Assess
    expect(findings.map((f) => [f.subject['arn'], f.count])).toEqual([[NODE_ROLE_ARN, 1]]);
    expect(findings[0]!.message).toContain('misconfiguration 2');
  });

  it('leaves a system:masters role with no node evidence to aws-auth-system-masters', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);

    // Act
    const { findings } = scan(awsAuthNodeSystemMasters, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings).toEqual([]);
  });
});
