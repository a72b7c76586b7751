import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { memoryIO, type MemoryIO } from './memory-io';

const io = (stdin = ''): MemoryIO => memoryIO({ stdin });

/** A kubelet whose IAM role is mapped with username WorkerNodeRole: lease renewals are forbidden (domain.md 2.1). */
function leaseDenied(i: number): string {
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `id-${i}`, stage: 'ResponseComplete',
    requestURI: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/ip-10-0-1-2.us-west-2.compute.internal?timeout=10s',
    verb: 'get',
    user: { username: 'WorkerNodeRole', uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLE', groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
      extra: { canonicalArn: ['arn:aws:iam::111122223333:role/eks-ng-batch-NodeInstanceRole'] } },
    sourceIPs: ['10.0.1.2'], userAgent: 'kubelet/v1.31.2 (linux/amd64) kubernetes/abcdef0',
    objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: 'ip-10-0-1-2.us-west-2.compute.internal', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
    responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'leases.coordination.k8s.io "ip-10-0-1-2.us-west-2.compute.internal" is forbidden: User "WorkerNodeRole" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease"' },
    requestReceivedTimestamp: `2026-11-27T10:00:${String(i).padStart(2, '0')}.000000Z`,
    stageTimestamp: `2026-11-27T10:00:${String(i).padStart(2, '0')}.001000Z`,
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  });
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-cli-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('eks-authz-audit scan', () => {
  it('prints findings as JSON following the contract and exits 0', async () => {
    // Prepare
    const file = tempFile('audit.jsonl', `${[1, 2, 3].map(leaseDenied).join('\n')}\nnot a log line\n`);
    const cli = io();
    // Act
    const code = await main(['scan', '--format', 'json', '--cluster', 'prod', file], cli);
    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(cli.out());
    const lease = report.findings.find((f: { ruleId: string }) => f.ruleId === 'node-lease-forbidden');
    expect(lease).toMatchObject({
      severity: 'high', cluster: 'prod', count: 3,
      subject: { node: 'ip-10-0-1-2.us-west-2.compute.internal', username: 'WorkerNodeRole' },
      firstSeen: '2026-11-27T10:00:01.000000Z', lastSeen: '2026-11-27T10:00:03.000000Z',
    });
    expect(report.stats).toMatchObject({ files: 1, auditEvents: 3, malformed: 1 });
    expect(report.malformedSamples[0]).toMatchObject({ file, line: 4 });
    expect(cli.err()).toContain(`${file}:4`);
  });

  it('exits 1 when a finding reaches --fail-on, 0 when none does', async () => {
    const file = tempFile('audit.jsonl', leaseDenied(1));
    expect(await main(['scan', '--fail-on', 'high', file], io())).toBe(1);
    expect(await main(['scan', '--fail-on', 'critical', file], io())).toBe(0);
  });

  it('leaves out findings below --min-severity', async () => {
    const file = tempFile('audit.jsonl', leaseDenied(1));
    const cli = io();
    await main(['scan', '--format', 'json', '--min-severity', 'critical', file], cli);
    expect(JSON.parse(cli.out()).findings.filter((f: { severity: string }) => f.severity !== 'critical')).toEqual([]);
  });

  it('reads stdin with -', async () => {
    const cli = io(`${leaseDenied(5)}\n`);
    expect(await main(['scan', '--format', 'json', '-'], cli)).toBe(0);
    expect(JSON.parse(cli.out()).stats.auditEvents).toBe(1);
  });

  it('exits 2 and names the path when it cannot be read, printing no report', async () => {
    const cli = io();
    expect(await main(['scan', '/nonexistent/audit.log'], cli)).toBe(2);
    expect(cli.err()).toContain('/nonexistent/audit.log');
    expect(cli.out()).toBe('');
  });

  it.each([
    [['scan'], 'at least one PATH'],
    [['scan', '--format', 'xml', 'x'], '--format'],
    [['scan', '--fail-on', 'urgent', 'x'], '--fail-on'],
    [['scan', '--bogus', 'x'], 'bogus'],
    [['scan', '--denied-burst', '0', 'x'], '--denied-burst: "0" is not a whole number from 1 to 1000000000'],
    [['scan', '--forbidden-burst', 'many', 'x'], '--forbidden-burst: "many" is not a whole number from 1 to 1000000000'],
    [['scan', '--forbidden-burst-resources=-1', 'x'], '--forbidden-burst-resources: "-1" is not a whole number from 1 to 1000000000'],
    [['scan', '--forbidden-burst-resources', '2.5', 'x'], '--forbidden-burst-resources: "2.5"'],
    [['scan', 'x', '--denied-burst'], '--denied-burst needs a value'],
    [['nope'], 'unknown command "nope"'],
  ])('exits 2 on the usage error %j', async (argv, text) => {
    const cli = io();
    expect(await main(argv, cli)).toBe(2);
    expect(cli.err()).toContain(text);
  });

  it('prints a text report with a closing summary line', async () => {
    const file = tempFile('audit.jsonl', leaseDenied(1));
    const cli = io();
    await main(['scan', file], cli);
    expect(cli.out()).toContain('node-lease-forbidden');
    expect(cli.out().trimEnd().split('\n').at(-1)).toMatch(/^1 incident \(1 high\) from 2 findings; read 1 file\(s\), 1 records/);
  });
});

describe('eks-authz-audit scan burst thresholds', () => {
  /** n refusals of one unmapped IAM user, as aws-iam-authenticator logs them. */
  function refusals(n: number): string {
    return Array.from({ length: n }, (_, i) =>
      `time="2026-11-27T10:00:${String(i).padStart(2, '0')}Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:user/ci-deployer" client="127.0.0.1:4${i}110" error="ARN is not mapped" method=POST path=/authenticate`,
    ).join('\n');
  }

  async function deniedBursts(argv: string[], file: string): Promise<number[]> {
    const cli = io();
    expect(await main(['scan', '--format', 'json', ...argv, file], cli)).toBe(0);
    return JSON.parse(cli.out()).findings.filter((f: { ruleId: string }) => f.ruleId === 'authenticator-denied-burst').map((f: { count: number }) => f.count);
  }

  it('applies --denied-burst, and the default of 20 without it', async () => {
    // Prepare
    const file = tempFile('authenticator.log', `${refusals(6)}\n`);

    // Act
    const withFlag = await deniedBursts(['--denied-burst', '6'], file);
    const above = await deniedBursts(['--denied-burst=7'], file);
    const byDefault = await deniedBursts([], file);

    // Assess
    expect(withFlag).toEqual([6]);
    expect(above).toEqual([]);
    expect(byDefault).toEqual([]);
  });

  it('applies --forbidden-burst and --forbidden-burst-resources', async () => {
    // Prepare: 6 refusals of one service account from one address, over 3 resources.
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `f-${i}`, stage: 'ResponseComplete',
      requestURI: `/api/v1/${['secrets', 'pods', 'nodes'][i % 3]}`, verb: 'list',
      user: { username: 'system:serviceaccount:shop:checkout', groups: ['system:serviceaccounts', 'system:authenticated'] },
      sourceIPs: ['203.0.113.45'], objectRef: { resource: ['secrets', 'pods', 'nodes'][i % 3], apiVersion: 'v1' },
      responseStatus: { code: 403 }, requestReceivedTimestamp: `2026-11-27T10:01:0${i}.000000Z`,
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    }));
    const file = tempFile('audit.jsonl', `${lines.join('\n')}\n`);
    const bursts = async (argv: string[]): Promise<string[]> => {
      const cli = io();
      await main(['scan', '--format', 'json', ...argv, file], cli);
      return JSON.parse(cli.out()).findings.filter((f: { ruleId: string }) => f.ruleId === 'forbidden-burst').map((f: { message: string }) => f.message);
    };

    // Act
    const both = await bursts(['--forbidden-burst', '6', '--forbidden-burst-resources', '3']);
    const tooFewResources = await bursts(['--forbidden-burst', '6', '--forbidden-burst-resources', '4']);
    const byDefault = await bursts([]);

    // Assess
    expect(both).toHaveLength(1);
    expect(both[0]).toContain('got 403 Forbidden 6 times on 3 distinct resources in this input');
    expect(tooFewResources).toEqual([]);
    expect(byDefault).toEqual([]);
  });

  it('documents the flags, their defaults and the window in --help', async () => {
    const cli = io();
    expect(await main(['scan', '--help'], cli)).toBe(0);
    expect(cli.out()).toContain('--denied-burst N');
    expect(cli.out()).toContain('(default: 20)');
    expect(cli.out()).toContain('--forbidden-burst N');
    expect(cli.out()).toContain('(default: 50)');
    expect(cli.out()).toContain('--forbidden-burst-resources N');
    expect(cli.out()).toContain('(default: 5)');
    expect(cli.out()).toContain('Burst thresholds count within the input: all the files of one scan are one window.');
  });
});

describe('eks-authz-audit rules', () => {
  it('lists every rule with id, severity and title', async () => {
    const cli = io();
    expect(await main(['rules'], cli)).toBe(0);
    expect(cli.out()).toMatch(/^node-lease-forbidden\s+high\s+Node cannot renew its lease/m);
  });
  it('lists them as JSON', async () => {
    const cli = io();
    await main(['rules', '--format', 'json'], cli);
    expect(JSON.parse(cli.out()).rules.find((r: { id: string }) => r.id === 'node-lease-forbidden').severity).toBe('high');
  });
});
