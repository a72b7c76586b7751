import { describe, expect, it } from 'vitest';
import { awsAuthNodeUsername } from '../../lambda/rules/audit/aws-auth-node-username';
import { AWS_AUTH_RULES, NODE_ROLE_ARN, awsAuthWrite, configMap, kubeletRequest, only, scan, yamlList } from './config-helpers';

const MISCONFIG_1 = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:bootstrappers', 'system:nodes'] }]);

describe('aws-auth-node-username', () => {
  it('fires on misconfiguration 1 written by an update of the whole ConfigMap', () => {
    // Prepare
    const write = awsAuthWrite({ verb: 'update', requestObject: configMap({ mapRoles: MISCONFIG_1 }), time: '2024-03-01T10:00:00Z' });

    // Act
    const { findings, ruleErrors } = scan(awsAuthNodeUsername, [write]);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      ruleId: 'aws-auth-node-username', severity: 'high', subject: { arn: NODE_ROLE_ARN }, count: 1,
      firstSeen: '2024-03-01T10:00:00Z', lastSeen: '2024-03-01T10:00:00Z',
    });
    expect(f.evidence[0]).toMatchObject({ verb: 'update', code: 200, requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth' });
    expect(f.message).toContain('written by kubernetes-admin via eksctl at 2024-03-01T10:00:00Z');
    expect(f.message).toContain('misconfiguration 1');
    expect(f.message).toContain('403 Forbidden on its Lease');
    expect(f.message).toContain('its groups include system:nodes');
    expect(f.remediation).toContain(
      `replace the entry with: - {rolearn: ${NODE_ROLE_ARN}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}`,
    );
    expect(f.remediation).toContain(`aws eks create-access-entry --cluster-name prod --principal-arn ${NODE_ROLE_ARN} --type EC2_LINUX`);
  });

  it('suggests an entry that is itself accepted', () => {
    // Prepare
    const first = scan(awsAuthNodeUsername, [awsAuthWrite({ requestObject: configMap({ mapRoles: MISCONFIG_1 }) })]).findings[0]!;
    const suggested = /replace the entry with: (- \{.*?\}) or create/.exec(first.remediation)?.[1];

    // Act
    const again = scan(AWS_AUTH_RULES, [awsAuthWrite({ requestObject: configMap({ mapRoles: `${suggested}\n` }) })]);

    // Assess
    expect(suggested).toBeDefined();
    expect(again.findings).toEqual([]);
  });

  it('fires on the same mapping written by a merge patch, naming the patching client', () => {
    // Prepare
    const write = awsAuthWrite({
      verb: 'patch', username: 'eks:node-manager', userAgent: 'vpcLambda/v0.0.0 (linux/amd64) kubernetes/$Format',
      requestObject: { data: { mapRoles: MISCONFIG_1 } },
    });

    // Act
    const findings = only(scan(awsAuthNodeUsername, [write]), 'aws-auth-node-username');

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ arn: NODE_ROLE_ARN }]);
    expect(findings[0]!.message).toContain('written by eks:node-manager via vpcLambda at 2024-03-01T10:00:00.000000Z');
  });

  it('fires on the same mapping written by a JSON patch', () => {
    // Prepare
    const write = awsAuthWrite({ verb: 'patch', requestObject: [{ op: 'replace', path: '/data/mapRoles', value: MISCONFIG_1 }] });

    // Act
    const findings = scan(awsAuthNodeUsername, [write]).findings;

    // Assess
    expect(findings.map((f) => [f.ruleId, f.subject['arn'], f.count])).toEqual([['aws-auth-node-username', NODE_ROLE_ARN, 1]]);
  });

  it('accepts the EC2 and the Fargate username templates', () => {
    // Prepare
    const mapRoles = yamlList([
      { arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { arn: 'arn:aws:iam::111122223333:role/PodExecution', username: 'system:node:{{SessionName}}', groups: ['system:bootstrappers', 'system:nodes', 'system:node-proxier'] },
    ]);

    // Act
    const result = scan(AWS_AUTH_RULES, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(result.findings).toEqual([]);
  });

  it('fires on misconfiguration 2 once kubelet requests show the role is a node role, even after the write', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);
    const records = [awsAuthWrite({ requestObject: configMap({ mapRoles }) }), kubeletRequest(NODE_ROLE_ARN, 'WorkerNodeRole')];

    // Act
    const findings = scan(awsAuthNodeUsername, records).findings;

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.subject).toEqual({ arn: NODE_ROLE_ARN });
    expect(findings[0]!.message).toContain('misconfiguration 2');
    expect(findings[0]!.message).toContain('CSRs stay Pending');
    expect(findings[0]!.message).toContain('kubelet requests in this input were signed by this role');
    expect(findings[0]!.remediation).not.toContain('system:masters');
  });

  it('does not treat a system:masters role as a node role without evidence', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:masters'] }]);

    // Act
    const findings = scan(awsAuthNodeUsername, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]).findings;

    // Assess
    expect(findings).toEqual([]);
  });

  it('warns that a fixed system:node name collides across nodes', () => {
    // Prepare
    const mapRoles = yamlList([{ arn: NODE_ROLE_ARN, username: 'system:node:ip-10-1-2-3.ec2.internal', groups: ['system:bootstrappers', 'system:nodes'] }]);

    // Act
    const findings = scan(awsAuthNodeUsername, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]).findings;

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('the same fixed name "system:node:ip-10-1-2-3.ec2.internal"');
  });

  it('counts each write that carried the bad mapping and lists who wrote it', () => {
    // Prepare
    const records = [
      awsAuthWrite({ requestObject: configMap({ mapRoles: MISCONFIG_1 }), time: '2024-03-01T10:00:00Z' }),
      awsAuthWrite({ verb: 'patch', username: 'alice', userAgent: 'kubectl/v1.29.0', requestObject: { data: { mapRoles: MISCONFIG_1 } }, time: '2024-03-02T09:00:00Z' }),
    ];

    // Act
    const findings = scan(awsAuthNodeUsername, records).findings;

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ count: 2, firstSeen: '2024-03-01T10:00:00Z', lastSeen: '2024-03-02T09:00:00Z' });
    expect(findings[0]!.message).toContain('carried by 2 writes (kubernetes-admin x1, alice x1), first written by kubernetes-admin via eksctl at 2024-03-01T10:00:00Z');
    expect(findings[0]!.evidence).toHaveLength(2);
  });
});
