import type { ObservationGroup, Rule } from '../../model/rule';
import { auditEvidence, statusCode } from '../../model/audit';
import { canonicalArn, isNodeCredential, nodeName, str, username } from '../../model/identity';
import { nodeMappingFix, timeSpan } from '../support/node-mapping';
import { servingCertificateObservation } from '../support/kubelet-certificate';

const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

/**
 * A kubelet asks for its serving certificate with a CSR for the kubelet-serving signer; EKS approves only
 * those requested by a real node identity (system:node:<name>). Under any other username the CSR stays
 * Pending for ever, the kubelet has no serving certificate, and kubectl logs/exec to that node fail with
 * `remote error: tls: internal error`. Bootstrap tokens are not node credentials: their client CSRs are normal.
 * The kubelet's own journal shows the same failure from the node's side (`kubernetes.io/kubelet-serving:
 * certificate request was not signed`, `no serving certificate available for the kubelet`): reported per node.
 */
export const nodeCsrUnapprovable: Rule = {
  id: 'node-csr-unapprovable',
  severity: 'medium',
  title: 'Kubelet serving certificate can never be approved',
  description:
    'A node credential created a kubelet-serving CertificateSigningRequest under a username that is not system:node:<name>, or a kubelet logged that its serving certificate was never signed. The CSR is never approved, so kubectl logs, exec and port-forward to that node fail.',
  remediation:
    'Map the node IAM role with username system:node:{{EC2PrivateDNSName}} (aws-auth) or use an EC2_LINUX / EC2_WINDOWS access entry, then check that new kubelet-serving CSRs are approved.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers',
    'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  needs: {
    stream: 'audit',
    filter:
      "objectRef.resource = 'certificatesigningrequests' and verb = 'create'" +
      ' and user.username not like /^system:(node|bootstrap|serviceaccount):/',
    keys: ['user.username', 'user.extra.canonicalArn.0', 'responseStatus.code', 'requestObject.spec.signerName'],
  },
  incident: { cause: 'node-role', by: 'arn', username: 'username', failure: 'kubelet-serving CSR under a non-node name', effects: ['no-logs-exec'] },
  create() {
    return {
      wantsAudit: (head) => head.objectRef?.resource === 'certificatesigningrequests',
      onAudit(record, emit) {
        const e = record.event;
        const ref = e.objectRef;
        if (ref?.resource !== 'certificatesigningrequests' || e.verb !== 'create' || ref.subresource) return;
        if (ref.apiGroup !== undefined && ref.apiGroup !== 'certificates.k8s.io') return;
        const user = username(e);
        if (user === undefined || nodeName(e) !== undefined || !isNodeCredential(e)) return;
        const signer = signerName(e.requestObject);
        if (signer !== undefined && signer !== KUBELET_SERVING) return;
        const code = statusCode(e);
        // A refused create made no CSR (node-identity-unrecognized reports the refusal).
        if (code !== undefined && (code < 200 || code > 299)) return;
        const n = record.aggregate?.count ?? 1;
        const facts: Record<string, string> = {};
        const arn = canonicalArn(e);
        if (arn) facts['arn'] = arn;
        if (signer) facts['signer'] = signer;
        emit({
          subject: { username: user },
          evidence: auditEvidence(record),
          tally: { created: code === undefined ? 0 : n, unconfirmed: code === undefined ? n : 0 },
          facts,
        });
      },
      onKubeletCertificate(record, emit) {
        const o = servingCertificateObservation(record);
        if (o) emit(o);
      },
    };
  },
  describe(g) {
    if (g.subject['username'] === undefined && g.subject['node'] !== undefined) return describeKubelet(g);
    const user = g.subject['username'];
    const unconfirmed = g.tally['unconfirmed'] ?? 0;
    const signer = g.facts['signer'] ? `for signer ${g.facts['signer']}` : '(signer not in the log; kubelets ask for kubelet-serving)';
    const sure =
      unconfirmed === 0
        ? 'Certain: the API server accepted each CSR under this username.'
        : `Likely: ${unconfirmed} of them were truncated in the log, so their acceptance is not confirmed.`;
    return {
      message:
        `Node credential "${user}" created ${g.count} CertificateSigningRequest(s) ${signer}${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        `Only CSRs requested by system:node:<node name> are approved, so these stay Pending: the kubelet has no serving certificate ` +
        `and kubectl logs/exec/port-forward to its node fail (remote error: tls: internal error). ${sure}`,
      remediation: `${nodeMappingFix(g.facts['arn'])} Then check with kubectl get csr that new kubelet-serving CSRs come from system:node:<node name> and are approved; delete the Pending ones from "${user}".`,
    };
  },
};

/** A finding from a kubelet's journal: the node is known, the username its CSRs were created under is not. */
function describeKubelet(g: ObservationGroup): { message: string; remediation: string } {
  const node = g.subject['node'];
  const named = g.tally['notSigned'] ?? 0;
  const unnamed = g.tally['notSignedSignerUnnamed'] ?? 0;
  const tls = g.tally['tlsRefused'] ?? 0;
  const seen = [
    named > 0 ? `${named} kubelet-serving certificate request(s) not signed` : '',
    unnamed > 0 ? `${unnamed} certificate request(s) not signed whose line does not name the signer` : '',
    tls > 0 ? `${tls} TLS handshake(s) refused for want of a serving certificate` : '',
  ].filter((s) => s !== '').join(', ');
  const sure =
    named > 0 || tls > 0
      ? 'Certain that the serving certificate is missing; the cause is likely the mapping (this log does not show the username the CSRs were created under).'
      : 'Likely: those lines do not say which certificate (serving or client) was not signed; a kubelet-serving CSR is the usual one left Pending.';
  return {
    message:
      `The kubelet of node ${node ?? '(unknown)'} logged ${seen}${timeSpan(g.firstSeen, g.lastSeen)} (seen in the kubelet log): its serving certificate was never signed. ` +
      `On EKS a kubelet-serving CSR is approved only when requested by system:node:<node name> in system:nodes, so this is what happens when the node role is mapped ` +
      `with a username other than system:node:{{EC2PrivateDNSName}}. kubectl logs, exec and port-forward to this node fail. ${sure}`,
    remediation: `${nodeMappingFix(undefined)} Then check with kubectl get csr that the Pending kubelet-serving CSRs of this node come from system:node:<node name>; once they do, new ones are approved.`,
  };
}

function signerName(requestObject: unknown): string | undefined {
  if (!requestObject || typeof requestObject !== 'object') return undefined;
  const spec = (requestObject as Record<string, unknown>)['spec'];
  if (!spec || typeof spec !== 'object') return undefined;
  return str((spec as Record<string, unknown>)['signerName']);
}
