import { describe, expect, it } from 'vitest';
import { awsAuthSystemMasters } from '../../lambda/rules/audit/aws-auth-system-masters';
import { ACCOUNT, ADMIN_ROLE_ARN, AWS_AUTH_RULES, NODE_ROLE_ARN, awsAuthWrite, configMap, kubeletRequest, only, scan, yamlList } from './config-helpers';

const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;

describe('aws-auth-system-masters', () => {
  it('fires (medium) on a mapUsers entry in system:masters, and only that rule does', () => {
    // Prepare
    const mapUsers = yamlList([{ key: 'userarn', arn: USER_ARN, username: 'alice', groups: ['system:masters'] }]);

    // Act
    const result = scan(AWS_AUTH_RULES, [awsAuthWrite({ requestObject: configMap({ mapUsers }), time: '2024-03-01T10:00:00Z' })]);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.subject])).toEqual([['aws-auth-system-masters', 'medium', { arn: USER_ARN }]]);
    const f = result.findings[0]!;
    expect(f.message).toContain('aws-auth mapUsers maps arn:aws:iam::111122223333:user/alice (username "alice") into system:masters, written by kubernetes-admin via eksctl at 2024-03-01T10:00:00Z');
    expect(f.message).toContain("Whoever holds this IAM user's keys is a cluster admin");
    expect(f.remediation).toContain(`aws eks create-access-entry --cluster-name prod --principal-arn ${USER_ARN} --type STANDARD`);
    expect(f.remediation).toContain('--access-scope type=cluster');
  });

  it('fires on an admin role in mapRoles, without a node-role hint', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: ADMIN_ROLE_ARN, username: 'admin', groups: ['system:masters'] }]);

    // Act
    const findings = only(scan(awsAuthSystemMasters, [awsAuthWrite({ verb: 'patch', requestObject: { data: { mapRoles } } })]), 'aws-auth-system-masters');

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ arn: ADMIN_ROLE_ARN }]);
    expect(findings[0]!.message).not.toContain('looks like a node instance role');
  });

  it('hints that a masters role named like a node role may be misconfiguration 2', () => {
    // Prepare
    const arn = `arn:aws:iam::${ACCOUNT}:role/eksctl-prod-nodegroup-ng1-NodeInstanceRole-ABC123`;
    const mapRoles = yamlList([{ arn, username: 'worker', groups: ['system:masters'] }]);

    // Act
    const { findings } = scan(awsAuthSystemMasters, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('The role name looks like a node instance role');
  });

  it('hands a masters role over to the node rules once kubelet traffic proves it is a node role', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);
    const records = [awsAuthWrite({ requestObject: configMap({ mapRoles }) }), kubeletRequest(NODE_ROLE_ARN, 'WorkerNodeRole')];

    // Act
    const result = scan(AWS_AUTH_RULES, records);

    // Assess
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['aws-auth-node-missing-groups', 'aws-auth-node-system-masters', 'aws-auth-node-username']);
  });

  it('stays quiet when no entry grants system:masters', () => {
    // Prepare
    const mapUsers = yamlList([{ key: 'userarn', arn: USER_ARN, username: 'alice', groups: ['viewers'] }]);

    // Act
    const { findings } = scan(awsAuthSystemMasters, [awsAuthWrite({ requestObject: configMap({ mapUsers }) })]);

    // Assess
    expect(findings).toEqual([]);
  });
});
