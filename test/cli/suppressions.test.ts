import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { MINUTE } from '../../tools/time';
import { Logs, NODE_USERNAME, T0, mapping, nodeGroup } from '../engine/incident-fixtures';
import { memoryIO, type MemoryIO } from './memory-io';

const io = (): MemoryIO => memoryIO();

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Web nodes in system:masters (a break-glass group) and batch nodes that cannot renew their lease. */
function logsDir(): string {
  const logs = new Logs('cli-suppressions');
  nodeGroup(logs, 'web-node-role', mapping('web-node-role', NODE_USERNAME, ['system:masters']), { nodes: 2, from: T0 });
  nodeGroup(logs, 'batch-node-role', mapping('batch-node-role', 'WorkerNodeRole'), { nodes: 1, from: T0 + MINUTE, first: 50 });
  const dir = logs.write();
  dirs.push(dir);
  return dir;
}

function file(dir: string, name: string, text: string): string {
  const path = join(dir, '..', `${dir.split('/').at(-1)}-${name}`);
  writeFileSync(path, text);
  dirs.push(path);
  return path;
}

describe('scan --suppressions FILE', () => {
  it('leaves the suppressed findings out of incidents, JSON findings and --fail-on, and counts them with the reason', async () => {
    // Prepare
    const dir = logsDir();
    const rules = file(dir, 'suppressions.yaml', [
      '- ruleId: node-system-masters',
      '  subject: {arn: "*:role/web-node-role"}',
      '  reason: break-glass group',
      '  expires: 2099-01-01',
      '- ruleId: node-identity-unrecognized',
      '  subject: {arn: "*:role/web-node-role"}',
      '  reason: break-glass group',
      '  expires: 2099-01-01',
    ].join('\n'));
    const text = io();
    const json = io();

    // Act
    const code = await main(['scan', '--suppressions', rules, '--fail-on', 'high', dir], text);
    await main(['scan', '--suppressions', rules, '--format', 'json', dir], json);

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(json.out());
    expect(report.suppressed).toHaveLength(4);
    expect(report.findings.some((f: { subject: { arn?: string } }) => f.subject.arn?.endsWith('web-node-role'))).toBe(false);
    expect(report.incidents.map((i: { cause: { roleArn: string } }) => i.cause.roleArn)).toEqual(['arn:aws:iam::111122223333:role/batch-node-role']);
    expect(text.out()).toContain('4 findings suppressed:\n  2 node-system-masters by suppressions[0] until 2099-01-01: break-glass group\n  2 node-identity-unrecognized by suppressions[1]');
    expect(text.out().trimEnd().split('\n').at(-1)).toMatch(/^1 incident \(1 high\) from \d+ findings \(and 4 suppressed\);/);
  });

  it('exits 1 only for findings that are not suppressed', async () => {
    // Prepare
    const dir = logsDir();
    const all = file(dir, 'all.json', JSON.stringify(['node-system-masters', 'node-identity-unrecognized', 'node-lease-forbidden'].map((ruleId) => ({ ruleId, reason: 'known', expires: '2099-01-01' }))));

    // Act
    const code = await main(['scan', '--suppressions', all, '--fail-on', 'high', dir], io());

    // Assess
    expect(code).toBe(0);
  });

  it('exits 2 naming the bad entry, before reading any log', async () => {
    // Prepare
    const dir = logsDir();
    const bad = file(dir, 'bad.yaml', '- ruleId: node-system-masters\n  expires: 2099-01-01\n');
    const cli = io();

    // Act
    const code = await main(['scan', '--suppressions', bad, dir], cli);

    // Assess
    expect(code).toBe(2);
    expect(cli.err()).toContain(`--suppressions: ${bad}: suppressions[0] (node-system-masters): reason is missing`);
    expect(cli.out()).toBe('');
  });

  it('exits 2 when the file cannot be read', async () => {
    const cli = io();
    expect(await main(['scan', '--suppressions', '/nonexistent/suppressions.yaml', logsDir()], cli)).toBe(2);
    expect(cli.err()).toContain('--suppressions: cannot read /nonexistent/suppressions.yaml (ENOENT)');
  });
});
