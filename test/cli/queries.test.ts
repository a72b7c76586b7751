import { describe, expect, it } from 'vitest';
import { queriesCommand } from '../../lambda/cli/queries';
import { main } from '../../lambda/cli/main';
import { UsageError } from '../../lambda/cli/io';
import { buildQueries } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';
import { memoryIO, type MemoryIO } from './memory-io';

const io = (): MemoryIO => memoryIO();

describe('eks-authz-audit queries', () => {
  it('prints each query the audit runs, with the log group to select, ready to paste', async () => {
    // Prepare
    const cli = io();

    // Act
    const code = await queriesCommand(['--cluster', 'prod'], cli);

    // Assess
    expect(code).toBe(0);
    const expected = buildQueries(RULES).map((q) => `# Log group: /aws/eks/prod/cluster\n${q.queryString}\n`).join('\n');
    expect(cli.out()).toBe(expected);
    expect(cli.out()).toContain('filter @logStream like /^kube-apiserver-audit-/');
    expect(cli.err()).toBe('');
  });

  it('names another log group or a cross-account ARN', async () => {
    // Prepare
    const byName = io();
    const byArn = io();
    const arn = 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster';

    // Act
    await queriesCommand(['--cluster', 'prod', '--log-group', '/custom/group'], byName);
    await queriesCommand(['--cluster', 'shared', '--log-group', `${arn}:*`], byArn);

    // Assess
    expect(byName.out().split('\n')[0]).toBe('# Log group: /custom/group');
    expect(byArn.out().split('\n')[0]).toBe(`# Log group: ${arn}`);
  });

  it('rejects a missing or invalid cluster, an invalid log group and unknown flags', async () => {
    await expect(queriesCommand([], io())).rejects.toThrow(new UsageError('--cluster NAME is required'));
    await expect(queriesCommand(['--cluster', 'a b'], io())).rejects.toThrow(/^--cluster: "a b" is not an EKS cluster name/);
    await expect(queriesCommand(['--cluster', 'p', '--log-group', 'arn:aws:s3:::x'], io())).rejects.toThrow(/^--log-group: "arn:aws:s3:::x" is not a log group ARN/);
    await expect(queriesCommand(['--cluster', 'p', '--limit', '3'], io())).rejects.toBeInstanceOf(UsageError);
  });

  it('is reachable through the main dispatcher, with exit code 2 on a usage error', async () => {
    // Prepare
    const ok = io();
    const bad = io();

    // Act
    const okCode = await main(['queries', '--cluster', 'prod'], ok);
    const badCode = await main(['queries'], bad);

    // Assess
    expect(okCode).toBe(0);
    expect(ok.out()).toContain('| stats count(*) as n');
    expect(badCode).toBe(2);
    expect(bad.err()).toContain('--cluster NAME is required');
  });

  it('prints help', async () => {
    // Prepare
    const cli = io();

    // Act
    const code = await queriesCommand(['--help'], cli);

    // Assess
    expect(code).toBe(0);
    expect(cli.out()).toMatch(/^Usage: eks-authz-audit queries --cluster NAME/);
  });
});
