import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditUser } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import { Engine } from '../../lambda/engine/engine';
import { readMessage } from '../../lambda/readers/message';
import { RULES } from '../../lambda/rules/registry';
import { nodeCsrUnapprovable as rule } from '../../lambda/rules/audit/node-csr-unapprovable';
import { auditEvent, benignEvents, iamUser, NODE, NODE_GROUPS, NODE_ROLE_ARN, REAL_DIR, record, scan } from './helpers';

function csr(user: AuditUser, opts: { signer?: string; code?: number } = {}): AuditEvent {
  return auditEvent({
    user,
    verb: 'create',
    uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
    code: opts.code ?? 201,
    level: opts.signer ? 'RequestResponse' : 'Metadata',
    ...(opts.signer
      ? { requestObject: { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', spec: { signerName: opts.signer, usages: ['digital signature', 'server auth'] } } }
      : {}),
  });
}

const workerNode = () => iamUser('WorkerNodeRole', [...NODE_GROUPS]);

describe('node-csr-unapprovable', () => {
  it('reports kubelet-serving CSRs created under a plain username', () => {
    // Prepare
    const events = [csr(workerNode(), { signer: 'kubernetes.io/kubelet-serving' }), csr(workerNode(), { signer: 'kubernetes.io/kubelet-serving' })];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ username: 'WorkerNodeRole' });
    expect(f.severity).toBe('medium');
    expect(f.count).toBe(2);
    expect(f.message).toContain('created 2 CertificateSigningRequest(s) for signer kubernetes.io/kubelet-serving');
    expect(f.message).toContain('kubectl logs/exec/port-forward');
    expect(f.message).toContain('Certain:');
    expect(f.remediation).toContain(`rolearn: ${NODE_ROLE_ARN}, username: system:node:{{EC2PrivateDNSName}}`);
    expect(f.remediation).toContain('delete the Pending ones from "WorkerNodeRole"');
    expect(f.message.length).toBeLessThan(650);
  });

  it('reports the system:masters variant, where everything else works', () => {
    // Act
    const { findings } = scan([rule], [csr(iamUser('WorkerNodeRole', ['system:masters', 'system:authenticated']), { signer: 'kubernetes.io/kubelet-serving' })]);

    // Assess
    expect(findings.map((f) => f.subject.username)).toEqual(['WorkerNodeRole']);
  });

  it('reports when the log does not show the signer (Metadata level)', () => {
    // Act
    const { findings } = scan([rule], [csr(workerNode())]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('signer not in the log');
  });

  it('ignores other signers, refused creates, real node identities, bootstrap tokens and approvals', () => {
    // Prepare
    const events = [
      csr(workerNode(), { signer: 'kubernetes.io/kube-apiserver-client-kubelet' }),
      csr(workerNode(), { signer: 'kubernetes.io/kubelet-serving', code: 403 }),
      ...benignEvents(),
    ];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toEqual([]);
  });

  it('reports a truncated create whose status was cut off, as likely', () => {
    // Prepare
    const e = csr(workerNode());
    delete e.responseStatus;
    delete e.annotations;

    // Act
    const { findings } = scan([rule], [record(e, { truncated: true })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('Likely: 1 of them were truncated');
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });

  it.skipIf(!existsSync(REAL_DIR))('finds nothing in the real kubelet CSR and approval export', () => {
    // Prepare: a Logs Insights JSON export, [{"@message": {...}}, ...].
    const rows = JSON.parse(readFileSync(resolve(REAL_DIR, 'eks-insights-export-csr-node-bootstrap.json'), 'utf8')) as { '@message': AuditEvent }[];
    const records = rows.map((r, i) => record(r['@message'], { file: 'eks-insights-export-csr-node-bootstrap.json', line: i + 1 }));

    // Act
    const { findings } = scan([rule], records);

    // Assess
    expect(records.filter((r) => r.event.objectRef?.resource === 'certificatesigningrequests' && r.event.verb === 'create')).toHaveLength(2);
    expect(findings).toEqual([]);
  });

  it('declares a Logs Insights filter for CSR creates by non-node usernames', () => {
    // Assess
    expect(rule.needs.filter).toBe(
      "objectRef.resource = 'certificatesigningrequests' and verb = 'create' and user.username not like /^system:(node|bootstrap|serviceaccount):/",
    );
    expect(rule.needs.keys).toContain('requestObject.spec.signerName');
  });
});

/**
 * The kubelet's side of the same failure, from its journal (`journalctl -u kubelet`): lines written from the
 * kubelet's formats (client-go certificate_manager.go, the kubelet's TLS server); names are made up.
 */
describe('node-csr-unapprovable on kubelet journal lines', () => {
  const OTHER = 'ip-10-1-9-9.eu-west-1.compute.internal';
  const journal = (node: string, time: string): string => `Mar 23 ${time} ${node} kubelet[6055]: `;
  const notSigned = (node: string, time: string, signer = 'kubernetes.io/kubelet-serving'): string =>
    `${journal(node, time)}E0323 ${time}.493069    6055 certificate_manager.go:488] ${signer}: certificate request was not signed: timed out waiting for the condition`;
  const structured = (node: string, time: string, logger?: string): string =>
    `${journal(node, time)}E0323 ${time}.100000    6055 certificate_manager.go:596] "Certificate request was not signed" err="timed out waiting for the condition"${logger ? ` logger="${logger}"` : ''}`;
  const tlsRefused = (node: string, time: string): string =>
    `${journal(node, time)}I0323 ${time}.036164    6055 log.go:245] http: TLS handshake error from 10.244.0.44:45274: no serving certificate available for the kubelet`;

  function scanJournal(lines: readonly string[]): ScanResult {
    const engine = new Engine(RULES, { cluster: 'test-cluster' });
    engine.file('journal.txt');
    lines.forEach((l, i) => readMessage(l, { file: 'journal.txt', line: i + 1, timestamp: '2025-03-23T12:00:00Z' }, engine));
    return engine.finish();
  }

  it('reports a serving certificate never signed once per node, with a count, from the kubelet', () => {
    // Act: the kubelet retries every few minutes; a second node fails once.
    const result = scanJournal([
      notSigned(NODE, '11:36:57'),
      tlsRefused(NODE, '11:46:36'),
      notSigned(NODE, '11:51:57'),
      structured(NODE, '12:06:57', 'kubernetes.io/kubelet-serving'),
      notSigned(OTHER, '11:52:01'),
    ]);

    // Assess
    expect(result.findings.map((f) => f.ruleId)).toEqual(['node-csr-unapprovable', 'node-csr-unapprovable']);
    const f = result.findings.find((x) => x.subject['node'] === NODE)!;
    expect(f.subject).toEqual({ node: NODE });
    expect(f.count).toBe(4);
    expect(f.message).toContain(`The kubelet of node ${NODE} logged 3 kubelet-serving certificate request(s) not signed, 1 TLS handshake(s) refused`);
    expect(f.message).toContain('seen in the kubelet log');
    expect(f.message).toContain('its serving certificate was never signed');
    expect(f.message).toContain('system:node:{{EC2PrivateDNSName}}');
    expect(f.message).toContain('kubectl logs, exec and port-forward to this node fail');
    expect(f.evidence[0]!.message).toContain('certificate request was not signed');
    expect(f.evidence[0]!.code).toBeUndefined();
    expect(result.findings.find((x) => x.subject['node'] === OTHER)!.count).toBe(1);
    expect(result.stats.kubeletLines).toBe(5);
  });

  it('takes a line that does not name its signer as the serving one, and says it is not sure', () => {
    // Act
    const f = scanJournal([structured(NODE, '11:51:57')]).findings;

    // Assess
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('1 certificate request(s) not signed whose line does not name the signer');
    expect(f[0]!.message).toContain('Likely:');
  });

  it('does not report a client certificate not signed as a serving CSR never approved', () => {
    // Act
    const result = scanJournal([
      notSigned(NODE, '11:51:57', 'kubernetes.io/kube-apiserver-client-kubelet'),
      structured(NODE, '11:56:57', 'kubernetes.io/kube-apiserver-client-kubelet'),
    ]);

    // Assess: read as kubelet lines, judged by no rule (none is about the client credential).
    expect(result.stats.kubeletLines).toBe(2);
    expect(result.findings).toEqual([]);
  });

  it("gives nothing for a controller's certificate lines or hostile look-alikes beside a real failure", () => {
    // Act
    const result = scanJournal([
      notSigned(NODE, '11:51:56'),
      `Mar 23 11:51:57 cp-1 kube-controller-manager[77]: E0323 11:51:57.100000      77 certificate_controller.go:151] Sync csr-8fj2k failed with : recognized signer was not found`,
      `Mar 23 11:51:58 cp-1 kube-controller-manager[77]: E0323 11:51:58.100000      77 certificate_manager.go:488] kubernetes.io/kubelet-serving: certificate request was not signed: timed out waiting for the condition`,
      `${journal(NODE, '11:51:59')}E0323 11:51:59.100000    6055 x.go:1] <b>kubernetes.io/kubelet-serving</b>: certificate request was not signed`,
      `${journal(NODE, '11:52:00')}I0323 11:52:00.100000    6055 log.go:245] http: TLS handshake error from 10.0.0.9:5555: EOF`,
    ]);

    // Assess: only the kubelet's own line counts.
    expect(result.findings.map((f) => [f.ruleId, f.subject, f.count])).toEqual([['node-csr-unapprovable', { node: NODE }, 1]]);
  });
});
