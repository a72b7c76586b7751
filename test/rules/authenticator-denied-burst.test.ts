import { describe, expect, it } from 'vitest';
import { authenticatorDeniedBurst as rule } from '../../lambda/rules/authenticator/authenticator-denied-burst';
import { authenticatorNodeUnmapped } from '../../lambda/rules/authenticator/authenticator-node-unmapped';
import type { AuthenticatorRecord } from '../../lambda/model/records';
import { ACCOUNT, INSTANCE, KARPENTER_ROLE, PLAIN_ROLE, ROLE, at, denied, scanWith, stsResponse, times } from './authenticator-helpers';

const STOLEN_USER = `arn:aws:iam::${ACCOUNT}:user/ci-deployer`;
const RENDER_ERROR = 'mapper EKSConfigMap renderTemplates error: SessionName did not contain an instance id';

describe('authenticator-denied-burst', () => {
  it('reports one identity refused as often as the threshold, counted within the input', () => {
    // Prepare: 20 refusals of an IAM user nobody mapped, between 10:00:01 and 10:00:20.
    const input = Array.from({ length: 20 }, (_, i) => denied(STOLEN_USER, undefined, at(i + 1)));

    // Act
    const { findings, ruleErrors } = scanWith([rule], input);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      ruleId: 'authenticator-denied-burst', severity: 'medium', subject: { arn: STOLEN_USER }, count: 20,
      firstSeen: '2026-11-27T10:00:01.000Z', lastSeen: '2026-11-27T10:00:20.000Z',
    });
    expect(f.message).toContain(`refused IAM user ${STOLEN_USER} 20 time(s) in this input between 2026-11-27T10:00:01.000Z and 2026-11-27T10:00:20.000Z`);
    expect(f.message).toContain('(threshold 20 per window; the window is the input scanned: all files for the CLI, one run for the Lambda)');
    expect(f.message).toContain('Errors: ARN is not mapped x20.');
    expect(f.message).toContain('does not map');
    expect(f.remediation).toContain(`aws eks create-access-entry --cluster-name prod --principal-arn ${STOLEN_USER},`);
    expect(f.remediation).toContain('treat the credentials as stolen');
    expect(f.evidence).toHaveLength(5);
  });

  it('stays quiet one refusal below the threshold (a client that retried a few times)', () => {
    expect(scanWith([rule], times(19, () => denied(STOLEN_USER))).findings).toEqual([]);
  });

  it('takes the threshold from the settings', () => {
    // Act
    const low = scanWith([rule], times(5, () => denied(PLAIN_ROLE)), { deniedBurst: 5 });
    const high = scanWith([rule], times(25, () => denied(PLAIN_ROLE)), { deniedBurst: 26 });

    // Assess
    expect(low.findings.map((f) => [f.subject['arn'], f.count])).toEqual([[PLAIN_ROLE, 5]]);
    expect(low.findings[0]!.message).toContain('(threshold 5 per window');
    expect(high.findings).toEqual([]);
  });

  it('leaves an unmapped node role to authenticator-node-unmapped, but still counts its other refusals', () => {
    // Prepare: Karpenter nodes refused 30 times as unmapped (sessions named after instances) ...
    const unmapped = [stsResponse(KARPENTER_ROLE, INSTANCE), ...times(30, () => denied(KARPENTER_ROLE))];
    // ... and another node role refused 21 times for a different reason, plus 10 as unmapped.
    const other = ROLE('eks-ng-web-NodeInstanceRole');
    const mixed = [...times(21, () => denied(other, RENDER_ERROR)), ...times(10, () => denied(other))];

    // Act
    const { findings } = scanWith([rule, authenticatorNodeUnmapped], [...unmapped, ...mixed]);

    // Assess
    const burst = findings.filter((f) => f.ruleId === 'authenticator-denied-burst');
    expect(burst.map((f) => [f.subject['arn'], f.count])).toEqual([[other, 21]]);
    expect(burst[0]!.message).toContain(`Errors: ${RENDER_ERROR} x21.`);
    expect(burst[0]!.message).not.toContain('ARN is not mapped');
    expect(burst[0]!.evidence.every((e) => e.reason === RENDER_ERROR)).toBe(true);
    const unmappedFindings = findings.filter((f) => f.ruleId === 'authenticator-node-unmapped');
    expect(unmappedFindings.map((f) => [f.subject['arn'], f.count]).sort()).toEqual([[KARPENTER_ROLE, 30], [other, 10]]);
  });

  it('never counts refusals that name no identity (bad or expired tokens)', () => {
    const input = times(50, () => denied(undefined, 'sts getCallerIdentity failed: error from AWS (expected 200, got 403)'));
    expect(scanWith([rule], input).findings).toEqual([]);
  });

  it('counts an aggregated Logs Insights row as all the refusals it stands for', () => {
    // Prepare
    const row: AuthenticatorRecord = {
      kind: 'authenticator',
      fields: { level: 'warning', msg: 'access denied', arn: STOLEN_USER, error: 'ARN is not mapped' },
      origin: { file: 'cloudwatch:/aws/eks/prod/cluster', line: 3 },
      aggregate: { count: 400, firstSeen: '2026-11-27T10:00:00.000Z', lastSeen: '2026-11-27T10:05:00.000Z' },
    };

    // Act
    const { findings } = scanWith([rule], [row]);

    // Assess
    expect(findings.map((f) => [f.count, f.firstSeen, f.lastSeen])).toEqual([[400, '2026-11-27T10:00:00.000Z', '2026-11-27T10:05:00.000Z']]);
  });

  it('counts an ARN whatever its case as one identity', () => {
    const input = [...times(10, () => denied(STOLEN_USER)), ...times(10, () => denied(STOLEN_USER.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam')))];
    expect(scanWith([rule], input).findings.map((f) => f.count)).toEqual([20]);
  });
});
