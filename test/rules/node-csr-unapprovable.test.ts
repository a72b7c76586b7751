import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditUser } from '../../lambda/model/records';
import { nodeCsrUnapprovable as rule } from '../../lambda/rules/audit/node-csr-unapprovable';
import { auditEvent, benignEvents, iamUser, NODE_GROUPS, NODE_ROLE_ARN, REAL_DIR, record, scan } from './helpers';

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
