import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { readInputs } from '../../lambda/scan/index';
import type { ScanResult } from '../../lambda/model/findings';
import { startProgram } from '../../lambda/rules/support/flag-program';

/**
 * FLAG dumps attributed to the program that printed them (issue: a kubelet's dump raised the kube-apiserver
 * rules). Fixtures in test/fixtures/framing, written for these tests: a kubelet through hyperkube with and without
 * a config file, a healthy kubelet journal, a fine kube-apiserver dump, kube-apiserver seen through stern, a dump
 * nothing attributes, and minikube's problem summary.
 */
const dir = fileURLToPath(new URL('../fixtures/framing/', import.meta.url));

async function scanFile(name: string): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'lab' });
  await readInputs([join(dir, name)], engine);
  return engine.finish();
}

const ids = (r: ScanResult): string[] => r.findings.map((f) => f.ruleId);

describe('FLAG dumps, judged only for the program that printed them', () => {
  it('raises no kube-apiserver finding for a kubelet dump through hyperkube, and the kubelet rule instead', async () => {
    // Act
    const result = await scanFile('kubelet-hyperkube-no-config.journal.log');

    // Assess
    expect(ids(result)).toEqual(['kubelet-authz-always-allow']);
    const [finding] = result.findings;
    expect(finding!.subject).toEqual({ node: 'worker-3' });
    expect(finding!.message).toContain('without any credential (--anonymous-auth="true")');
    expect(finding!.evidence[0]!.message).toContain('FLAG: --authorization-mode="AlwaysAllow" FLAG: --config=""');
    expect(finding!.evidence[0]!.source).toContain('hyperkube on worker-3');
  });

  it('tells a kubelet dump pasted without framing by its flags', async () => {
    // Act
    const result = await scanFile('kubelet-no-config.klog.log');

    // Assess
    expect(ids(result)).toEqual(['kubelet-authz-always-allow']);
  });

  it('does not raise the kubelet rule when a config file decides, and says why', async () => {
    // Act
    const result = await scanFile('kubelet-with-config.journal.log');

    // Assess
    expect(ids(result)).toEqual(['flag-dump-not-judged']);
    const [note] = result.findings;
    expect(note!.severity).toBe('info');
    expect(note!.subject).toEqual({ reason: 'kubelet-config-file', node: 'ip-10-0-3-17.ec2.internal' });
    expect(note!.message).toContain('--config=/etc/kubernetes/kubelet/kubelet-config.json');
    expect(note!.remediation).toContain('check authorization.mode in /etc/kubernetes/kubelet/kubelet-config.json');
  });

  it('finds nothing wrong in a healthy kubelet journal in a localized locale', async () => {
    // Act
    const result = await scanFile('kubelet-healthy.journal.log');

    // Assess
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.stats.apiserverLines).toBeGreaterThan(20);
    // Two lines are not klog (systemd's, and the kubelet's deprecation notice on stderr): counted, never hidden.
    expect(result.stats.malformed).toBe(2);
  });

  it('reports a fine kube-apiserver dump as its configuration only', async () => {
    // Act
    const result = await scanFile('apiserver-fine.journal.log');

    // Assess
    expect(ids(result)).toEqual(['apiserver-authz-config']);
    expect(result.findings[0]!.subject['authorizationMode']).toBe('[Node,RBAC]');
  });

  it('judges kube-apiserver seen through stern, the container naming it', async () => {
    // Act
    const result = await scanFile('apiserver-always-allow.stern.log');

    // Assess
    expect(ids(result)).toContain('apiserver-authz-always-allow');
    expect(ids(result)).not.toContain('flag-dump-not-judged');
  });

  it('does not judge kube-apiserver rules on a dump nothing attributes, and says so', async () => {
    // Act
    const result = await scanFile('flags-unattributed.log');

    // Assess
    expect(ids(result)).toEqual(['flag-dump-not-judged']);
    expect(result.findings[0]!.subject['reason']).toBe('program-unknown');
    expect(result.findings[0]!.message).toContain('The kube-apiserver rules did not judge them');
  });

  it('reads minikube\'s problem summary as kubelet lines', async () => {
    // Act
    const result = await scanFile('minikube-problems.log');

    // Assess
    expect(result.stats.apiserverLines).toBe(2);
    expect(result.stats.malformed).toBe(1);
  });
});

describe('startProgram', () => {
  const origin = { file: 'f', line: 1 };
  it.each([
    ['the stream', { ...origin, logStream: 'kube-apiserver-1' }, ['cgroup-driver'], { name: 'kube-apiserver', from: 'stream' }],
    ['the journald identifier', { ...origin, program: 'kubelet', programFrom: 'journald' as const }, ['etcd-servers'], { name: 'kubelet', from: 'journald' }],
    ['kube-apiserver-only flags', origin, ['authorization-mode', 'etcd-servers'], { name: 'kube-apiserver', from: 'flags' }],
    ['kubelet-only flags', origin, ['authorization-mode', 'cgroup-driver'], { name: 'kubelet', from: 'flags' }],
    ['--kubeconfig with --node-ip', origin, ['kubeconfig', 'node-ip'], { name: 'kubelet', from: 'flags' }],
    ['hyperkube, by its flags', { ...origin, program: 'hyperkube', programFrom: 'journald' as const }, ['service-account-issuer'], { name: 'kube-apiserver', from: 'flags', printedAs: 'hyperkube' }],
  ])('tells the program by %s', (_name, o, names, expected) => {
    // Assess
    expect(startProgram(o, new Set(names))).toEqual(expected);
  });

  it.each([
    ['--kubeconfig alone (controllers have it too)', ['kubeconfig', 'authorization-mode']],
    ['both programs\' flags mixed', ['etcd-servers', 'cgroup-driver']],
    ['no telling flag', ['authorization-mode', 'v']],
  ])('cannot tell with %s', (_name, names) => {
    // Assess
    expect(startProgram(origin, new Set(names))).toEqual({ from: 'unknown' });
  });
});
