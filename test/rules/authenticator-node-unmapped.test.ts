import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticatorNodeUnmapped as rule } from '../../lambda/rules/authenticator/authenticator-node-unmapped';
import type { AuthenticatorRecord } from '../../lambda/model/records';
import { ACCOUNT, INSTANCE, at, KARPENTER_ROLE, PLAIN_ROLE, ROLE, denied, granted, scanWith, stsResponse } from './authenticator-helpers';
import { hasReal, iamUser, leaseEvent, NODE, NODE_GROUPS, REAL_DIR } from './helpers';

const APPS_ROLE = ROLE('eks-ng-apps');

describe('authenticator-node-unmapped', () => {
  it('rests on kubelet traffic when kubelet requests in the same input were signed by the role, even when they come later', () => {
    // Prepare: denials first, then a kubelet lease renewal signed by the same role (read later, as from a second file).
    const kubelet = leaseEvent(iamUser(`system:node:${NODE}`, [...NODE_GROUPS], { role: 'eks-ng-apps' }), 'update', NODE, 200);
    const input = [denied(APPS_ROLE, undefined, at(1)), denied(APPS_ROLE, undefined, at(3)), denied(APPS_ROLE, undefined, at(2)), kubelet];

    // Act
    const { findings, ruleErrors } = scanWith([rule], input);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'authenticator-node-unmapped', severity: 'high', subject: { arn: APPS_ROLE }, count: 3 });
    expect(f.firstSeen).toBe('2026-11-27T10:00:01.000Z');
    expect(f.lastSeen).toBe('2026-11-27T10:00:03.000Z');
    expect(f.message).toContain(`refused IAM role ${APPS_ROLE} 3 time(s) between 2026-11-27T10:00:01.000Z and 2026-11-27T10:00:03.000Z with "ARN is not mapped"`);
    expect(f.message).toContain('Certain it is a node role: kubelet requests in this same input were signed by it');
    expect(f.remediation).toContain(`aws eks create-access-entry --cluster-name prod --principal-arn ${APPS_ROLE} --type EC2_LINUX`);
    expect(f.remediation).toContain(`rolearn: ${APPS_ROLE}, username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]`);
    expect(f.evidence).toHaveLength(3);
    expect(f.evidence[0]).toMatchObject({ reason: 'ARN is not mapped', source: 'authenticator.log:1', time: '2026-11-27T10:00:01.000Z' });
  });

  it('matches the kubelet role whatever its case, as IAM and the authenticator do', () => {
    // Prepare
    const kubelet = leaseEvent(iamUser(`system:node:${NODE}`, [...NODE_GROUPS], { role: 'EKS-NG-Apps' }), 'update', NODE, 200);

    // Act
    const { findings } = scanWith([rule], [kubelet, denied(APPS_ROLE)]);

    // Assess
    expect(findings.map((f) => f.message.includes('Certain it is a node role'))).toEqual([true]);
  });

  it('rests on the session name when the STS response shows an EC2 instance session', () => {
    // Prepare: a role whose name says nothing, but whose session is an instance id.
    const role = ROLE('prod-compute');
    const input = [stsResponse(role, INSTANCE), denied(role), stsResponse(role, 'i-0fedcba9876543210'), denied(role)];

    // Act
    const { findings } = scanWith([rule], input);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(2);
    expect(findings[0]!.message).toContain(`Very likely a node role: its sessions are named like an EC2 instance (${INSTANCE})`);
  });

  it('falls back, worded as a guess, on a role name that reads like a node role', () => {
    // Act
    const { findings } = scanWith([rule], [denied(KARPENTER_ROLE)]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('Likely a node role from its name alone (KarpenterNodeRole-prod)');
  });

  it.each([
    ['a role nothing marks as a node role', [denied(PLAIN_ROLE)]],
    ['a person whose session is their name', [stsResponse(ROLE('developer'), 'alice@example.com'), denied(ROLE('developer'))]],
    ['EKS\'s node manager role (it manages nodes, it is not one)', [denied(ROLE('AWSWesleyClusterManagerLambda-NodeManagerRole-1Q2W3E4R5T6Y'))]],
    ['an IAM user', [denied(`arn:aws:iam::${ACCOUNT}:user/NodeInstanceRole-bot`)]],
    ['a node role refused for another reason', [denied(KARPENTER_ROLE, 'sts getCallerIdentity failed: error from AWS (expected 200, got 403)')]],
    ['a refused token with no identity', [denied(undefined, 'input token was not properly formatted')]],
    ['a node role that was granted', [granted(KARPENTER_ROLE, 'system:node:ip-10-1-2-3.eu-west-1.compute.internal', ['system:bootstrappers', 'system:nodes'])]],
  ])('reports nothing for %s', (_name, input) => {
    // Act
    const { findings, ruleErrors } = scanWith([rule], input);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toEqual([]);
  });

  it('counts an aggregated Logs Insights row as all the refusals it stands for, with its time range', () => {
    // Prepare: a row as the runtime reads it (stats count(*), min/max(@timestamp) by @message).
    const row: AuthenticatorRecord = {
      kind: 'authenticator',
      fields: { level: 'warning', msg: 'access denied', arn: KARPENTER_ROLE, error: 'ARN is not mapped' },
      origin: { file: 'cloudwatch:/aws/eks/prod/cluster', line: 1, logStream: 'authenticator-0123' },
      aggregate: { count: 40, firstSeen: '2026-11-27T10:00:00.000Z', lastSeen: '2026-11-27T10:59:00.000Z' },
    };

    // Act
    const { findings } = scanWith([rule], [row]);

    // Assess
    expect(findings[0]).toMatchObject({ count: 40, firstSeen: '2026-11-27T10:00:00.000Z', lastSeen: '2026-11-27T10:59:00.000Z' });
    expect(findings[0]!.evidence[0]!.source).toBe('authenticator-0123 (cloudwatch:/aws/eks/prod/cluster:1)');
  });

  it('prints a placeholder cluster name for the CLI default cluster', () => {
    // Act
    const { findings } = scanWith([rule], [denied(KARPENTER_ROLE)], {}, 'local');

    // Assess
    expect(findings[0]!.remediation).toContain('aws eks create-access-entry --cluster-name <cluster-name> --principal-arn');
  });

  it('prints no ARN into the command that is not a plain IAM ARN', () => {
    // Prepare: a crafted line whose role name carries shell syntax, judged a node role by kubelet traffic.
    const crafted = `${ROLE('NodeInstanceRole')} --type STANDARD; rm -rf ~`;
    const user = iamUser(`system:node:${NODE}`, [...NODE_GROUPS]);
    user.extra = { ...user.extra, canonicalArn: [crafted] };

    // Act
    const { findings } = scanWith([rule], [denied(crafted), leaseEvent(user, 'update', NODE, 200)]);

    // Assess
    expect(findings[0]!.remediation).toMatch(/^aws eks create-access-entry --cluster-name prod --principal-arn <principal ARN> --type EC2_LINUX /);
  });

  it('filters refusals of unmapped ARNs on the raw logrus line in Logs Insights', () => {
    expect(rule.needs).toEqual({
      stream: 'authenticator',
      filter: '@message like /msg="access denied"/ and @message like /error="ARN is not mapped"/',
      keys: ['@message'],
    });
  });

  describe.skipIf(!hasReal)('on the real AWS-published authenticator lines', () => {
    const lines = (): string[] =>
      hasReal ? readFileSync(join(REAL_DIR, 'eks-authenticator-access-granted-denied-aws-kc.log'), 'utf8').split('\n').filter((l) => l.trim() !== '') : [];

    it('leaves a refused admin role alone: nothing says it is a node role', () => {
      expect(scanWith([rule], lines()).findings).toEqual([]);
    });

    it('reports the same refused role once kubelet requests were signed by it', () => {
      // Prepare: the real denial names arn:aws:iam::XXXXXXXXXX:role/admin-test-role (account masked by AWS).
      const role = lines().map((l) => /arn="(arn:aws:iam::[^"]+:role\/admin-test-role)"/.exec(l)?.[1]).find((x) => x)!;
      const user = iamUser(`system:node:${NODE}`, [...NODE_GROUPS]);
      user.extra = { ...user.extra, canonicalArn: [role] };

      // Act
      const { findings } = scanWith([rule], [...lines(), leaseEvent(user, 'update', NODE, 200)]);

      // Assess
      expect(findings.map((f) => [f.subject, f.count, f.firstSeen])).toEqual([[{ arn: role }, 1, '2022-12-28T15:37:19.000Z']]);
    });
  });
});
