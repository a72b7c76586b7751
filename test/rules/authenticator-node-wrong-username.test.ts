import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticatorNodeWrongUsername as rule } from '../../lambda/rules/authenticator/authenticator-node-wrong-username';
import { ROLE, granted, logrus, scanWith, times } from './authenticator-helpers';
import { hasReal, REAL_DIR } from './helpers';

const NODE_ROLE = ROLE('eks-ng-batch-NodeInstanceRole');
const NODE_NAME = 'system:node:ip-10-0-1-140.us-west-2.compute.internal';

describe('authenticator-node-wrong-username', () => {
  it('reports a node role granted the node groups under a plain username, with the mapping fix', () => {
    // Prepare: misconfiguration 1 as the authenticator logs it, three token reviews.
    const input = times(3, () => granted(NODE_ROLE, 'WorkerNodeRole', ['system:bootstrappers', 'system:nodes']));

    // Act
    const { findings, ruleErrors } = scanWith([rule], input);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ severity: 'high', subject: { arn: NODE_ROLE, username: 'WorkerNodeRole' }, count: 3 });
    expect(f.message).toContain(`mapped IAM role ${NODE_ROLE} to username "WorkerNodeRole" with groups [system:bootstrappers, system:nodes] 3 time(s)`);
    expect(f.message).toContain('lease renewals get 403 (the node goes NotReady)');
    expect(f.message).toContain('Certain: this is the mapping the authenticator applied');
    expect(f.remediation).toContain(`rolearn: ${NODE_ROLE}, username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]`);
    expect(f.evidence[0]!.message).toBe(`access granted arn=${NODE_ROLE} username=WorkerNodeRole groups=[system:bootstrappers system:nodes]`);
  });

  it('says what only system:bootstrappers costs, and what system:masters adds', () => {
    // Act
    const { findings } = scanWith([rule], [
      granted(ROLE('boot-only'), 'bootstrap-node', ['system:bootstrappers']),
      granted(ROLE('masters-too'), 'WorkerNodeRole', ['system:bootstrappers', 'system:masters']),
    ]);

    // Assess
    const bySubject = new Map(findings.map((f) => [f.subject['arn'], f]));
    expect(bySubject.get(ROLE('boot-only'))!.message).toContain('With only system:bootstrappers the kubelet may create CSRs and nothing else');
    expect(bySubject.get(ROLE('masters-too'))!.message).toContain('Through system:masters it may do anything');
    expect(bySubject.get(ROLE('masters-too'))!.remediation).toMatch(/^Remove system:masters from this mapping\. Map the node role as a node/);
  });

  it('reports `system:node:` with no node name after it', () => {
    const { findings } = scanWith([rule], [granted(NODE_ROLE, 'system:node:', ['system:bootstrappers', 'system:nodes'])]);
    expect(findings.map((f) => f.subject)).toEqual([{ arn: NODE_ROLE, username: 'system:node:' }]);
  });

  it.each([
    ['a correctly mapped EC2 node', granted(NODE_ROLE, NODE_NAME, ['system:bootstrappers', 'system:nodes'])],
    ['a Fargate pod execution role (system:node:{{SessionName}})', granted(ROLE('eks-fargate-pods'), 'system:node:fargate-ip-10-0-9-9.us-west-2.compute.internal', ['system:bootstrappers', 'system:nodes', 'system:node-proxier'])],
    ['EKS\'s node manager (no groups)', granted(ROLE('AWSWesleyClusterManagerLambda-NodeManagerRole-1Q2W'), 'eks:node-manager', [])],
    ['EKS\'s addon manager', granted(ROLE('AWSWesleyClusterManagerLambda-Add-AddonManagerRole-7U8I'), 'eks:addon-manager', [])],
    ['an admin in system:masters', granted(ROLE('Admin'), 'kubernetes-admin', ['system:masters'])],
    ['a refusal', logrus('warning', 'access denied', { arn: NODE_ROLE, error: 'ARN is not mapped', groups: '[system:nodes]', username: 'x' })],
    ['a grant that logged no username', logrus('info', 'access granted', { arn: NODE_ROLE, groups: '[system:nodes]' })],
  ])('reports nothing for %s', (_name, line) => {
    const { findings, stats } = scanWith([rule], [line]);
    expect(stats.authenticatorLines).toBe(1);
    expect(findings).toEqual([]);
  });

  it('keeps the Logs Insights filter in step with the local test', () => {
    // The filter is a regular expression over the raw line: check it against lines the rule does and does not report.
    const filter = rule.needs.filter;
    expect(filter).toBe(
      '@message like /msg="access granted"/ and @message like /groups="\\[[^"]*system:(nodes|bootstrappers)/ and @message not like /username="?system:node:[^" ]/',
    );
    const [, groupsRe, nodeRe] = /like \/(groups=.*?)\/ and @message not like \/(.*)\/$/.exec(filter)!;
    const selected = (line: string): boolean => new RegExp(groupsRe!).test(line) && !new RegExp(nodeRe!).test(line);
    expect(selected(granted(NODE_ROLE, 'WorkerNodeRole', ['system:bootstrappers', 'system:nodes']))).toBe(true);
    expect(selected(granted(NODE_ROLE, 'system:node:', ['system:nodes']))).toBe(true);
    expect(selected(granted(NODE_ROLE, NODE_NAME, ['system:bootstrappers', 'system:nodes']))).toBe(false);
    expect(selected(granted(ROLE('Admin'), 'kubernetes-admin', ['system:masters']))).toBe(false);
  });

  it.skipIf(!hasReal)('finds nothing in the real published authenticator lines (admins, developers, the addon manager)', () => {
    // Prepare
    const lines = readdirSync(REAL_DIR)
      .filter((f) => /^eks-authenticator-.*\.log$/.test(f))
      .flatMap((f) => readFileSync(join(REAL_DIR, f), 'utf8').split('\n').filter((l) => l.trim() !== ''));

    // Act
    const { findings, stats } = scanWith([rule], lines);

    // Assess
    expect(stats.authenticatorLines).toBe(lines.length);
    expect(stats.malformed).toBe(0);
    expect(findings).toEqual([]);
  });
});
