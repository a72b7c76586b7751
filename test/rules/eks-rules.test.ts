import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { clusterLoggingDisabled } from '../../lambda/rules/eks/cluster-logging-disabled';
import { accessEntryNodeStandard } from '../../lambda/rules/eks/access-entry-node-standard';
import { accessEntryNodeAdmin } from '../../lambda/rules/eks/access-entry-node-admin';
import { accessEntryNodeMissing } from '../../lambda/rules/eks/access-entry-node-missing';
import { shellWord } from '../../lambda/rules/support/shell-quote';
import { applyAuthenticationMode, IGNORED_IN_API_MODE } from '../../lambda/runtime/authentication-mode';
import type { Finding } from '../../lambda/model/findings';
import { entry, facts, HUMAN_ROLE, NODE_ROLE, nodeRole, scanEks } from './eks-helpers';

describe('cluster-logging-disabled', () => {
  it('names the missing log types, what goes unseen without each, and the exact command', () => {
    // Act
    const { findings } = scanEks([clusterLoggingDisabled], facts({ enabledLogTypes: ['api', 'scheduler'] }));

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'cluster-logging-disabled', severity: 'high', subject: { cluster: 'prod' } });
    expect(f.message).toContain('audit, authenticator control-plane log types');
    expect(f.message).toMatch(/audit: every request and its authorization decision/);
    expect(f.message).toMatch(/authenticator: which IAM role each kubelet authenticated as/);
    expect(f.remediation).toContain(
      `aws eks update-cluster-config --region eu-west-1 --name prod --logging '{"clusterLogging":[{"types":["audit","authenticator"],"enabled":true}]}'`,
    );
  });

  it('is quiet when the three types are on (others may be off) and when logging was not reported', () => {
    // Assess
    expect(scanEks([clusterLoggingDisabled], facts({ enabledLogTypes: ['api', 'audit', 'authenticator'] })).findings).toEqual([]);
    expect(scanEks([clusterLoggingDisabled], facts({ enabledLogTypes: undefined })).findings).toEqual([]);
  });

  it('quotes the command so a shell reads the --logging value as one word', () => {
    // Prepare
    const { findings } = scanEks([clusterLoggingDisabled], facts({ enabledLogTypes: [] }));
    const command = findings[0]!.remediation.split(' (then')[0]!;

    // Act: let a real shell split it.
    const words = execFileSync('sh', ['-c', `for w in ${command.replace(/^aws /, '')}; do printf '%s\\n' "$w"; done`], { encoding: 'utf8' }).trim().split('\n');

    // Assess
    expect(words.at(-1)).toBe('{"clusterLogging":[{"types":["audit","api","authenticator"],"enabled":true}]}');
    expect(shellWord("it's; rm -rf /")).toBe(`'it'\\''s; rm -rf /'`);
  });
});

describe('access-entry-node-standard', () => {
  it('fires on a node role with a STANDARD entry, with the delete-and-create fix', () => {
    // Act
    const { findings } = scanEks([accessEntryNodeStandard], facts({ nodeRoles: [nodeRole(entry('STANDARD'))] }));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'access-entry-node-standard', severity: 'high', subject: { arn: NODE_ROLE } });
    expect(findings[0]!.message).toContain('managed node group workers');
    expect(findings[0]!.remediation).toContain(`aws eks delete-access-entry --region eu-west-1 --cluster-name prod --principal-arn ${NODE_ROLE}`);
    expect(findings[0]!.remediation).toContain('--type EC2_LINUX');
  });

  it('stays quiet for node entry types and for a STANDARD entry of a role that does not act as nodes', () => {
    // Prepare: a human role never reaches the record's nodeRoles; its STANDARD entry is fine.
    const lookAlikes = ['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX'].map((t) => nodeRole(entry(t)));

    // Assess
    expect(scanEks([accessEntryNodeStandard], facts({ nodeRoles: lookAlikes })).findings).toEqual([]);
    expect(scanEks([accessEntryNodeStandard], facts({ nodeRoles: [nodeRole(entry('EC2_LINUX'))] })).findings).toEqual([]);
    expect(HUMAN_ROLE).not.toBe(NODE_ROLE);
  });
});

describe('access-entry-node-admin', () => {
  it('fires on a node role associated with AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy', () => {
    // Act
    const { findings } = scanEks(
      [accessEntryNodeAdmin],
      facts({ nodeRoles: [nodeRole(entry('EC2_LINUX', ['AmazonEKSClusterAdminPolicy', 'AmazonEKSViewPolicy']), { seenOnKubelets: true })] }),
    );

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('AmazonEKSClusterAdminPolicy');
    expect(findings[0]!.message).not.toContain('AmazonEKSViewPolicy');
    expect(findings[0]!.message).toContain('kubelets authenticated with it');
    expect(findings[0]!.remediation).toContain('aws eks disassociate-access-policy --region eu-west-1 --cluster-name prod');
  });

  it('stays quiet for a node role with only view policies or none', () => {
    // Assess
    expect(scanEks([accessEntryNodeAdmin], facts({ nodeRoles: [nodeRole(entry('EC2_LINUX', ['AmazonEKSViewPolicy'])), nodeRole(null)] })).findings).toEqual([]);
  });
});

describe('access-entry-node-missing', () => {
  it('fires in mode API for a node group role without an entry', () => {
    // Act
    const { findings } = scanEks([accessEntryNodeMissing], facts({ authenticationMode: 'API', nodeRoles: [nodeRole(null)] }));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.remediation).toContain(`aws eks create-access-entry --region eu-west-1 --cluster-name prod --principal-arn ${NODE_ROLE} --type EC2_LINUX`);
  });

  it('stays quiet outside mode API, when entries were not read, and for kubelet-only roles', () => {
    // Assess
    expect(scanEks([accessEntryNodeMissing], facts({ authenticationMode: 'API_AND_CONFIG_MAP', nodeRoles: [nodeRole(null)] })).findings).toEqual([]);
    expect(scanEks([accessEntryNodeMissing], facts({ authenticationMode: 'API', accessEntriesRead: false, nodeRoles: [nodeRole(undefined)] })).findings).toEqual([]);
    expect(scanEks([accessEntryNodeMissing], facts({ authenticationMode: 'API', nodeRoles: [nodeRole(null, { nodegroups: [], seenOnKubelets: true })] })).findings).toEqual([]);
    expect(scanEks([accessEntryNodeMissing], facts({ authenticationMode: 'API', nodeRoles: [nodeRole(entry('EC2_LINUX'))] })).findings).toEqual([]);
  });
});

describe('aws-auth findings in authentication mode API', () => {
  const finding = (ruleId: string, severity: Finding['severity']): Finding => ({
    ruleId, severity, title: 't', cluster: 'prod', subject: {}, count: 1, firstSeen: null, lastSeen: null, message: 'm', remediation: 'r', fingerprint: 'f', evidence: [],
  });

  it('become info and say that the cluster ignores aws-auth', () => {
    // Act
    const out = applyAuthenticationMode([finding('aws-auth-node-username', 'high'), finding('node-lease-forbidden', 'high')], 'API', 'info');

    // Assess
    expect(out.map((f) => [f.ruleId, f.severity])).toEqual([['aws-auth-node-username', 'info'], ['node-lease-forbidden', 'high']]);
    expect(out[0]!.message).toMatch(/^Ignored by this cluster: authentication mode API: /);
    expect(IGNORED_IN_API_MODE).toBe('ignored by this cluster: authentication mode API');
    expect(applyAuthenticationMode([finding('aws-auth-node-username', 'high')], 'API', 'medium')).toEqual([]);
    expect(applyAuthenticationMode([finding('aws-auth-node-username', 'high')], 'API_AND_CONFIG_MAP', 'medium')[0]!.severity).toBe('high');
  });
});
