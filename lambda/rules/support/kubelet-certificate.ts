import type { KubeletCertificateRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import type { Observation } from '../../model/rule';
import { clean, cleanOpt } from '../../model/sanitize';
import { originText } from '../../model/audit';
import { textOf } from './node-denial';

const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

/**
 * What node-csr-unapprovable reports of a kubelet's own certificate lines: a kubelet-serving CSR never signed, or a
 * TLS client turned away for want of a serving certificate. One observation per line; the engine counts them per
 * node (the kubelet retries every few minutes). A CSR of another signer (the client certificate,
 * kube-apiserver-client-kubelet) has another cause and is not this rule's; a line that does not name its signer is
 * taken as the serving one, said so in the finding.
 */
export function servingCertificateObservation(r: KubeletCertificateRecord): Observation | undefined {
  const signer = textOf(r.signer);
  if (signer !== '' && signer !== KUBELET_SERVING) return undefined;
  // Tallies, not facts: a later line may name the signer an earlier one left out.
  const failure =
    r.failure === 'no-serving-certificate' ? 'tlsRefused'
    : r.failure !== 'not-signed' ? undefined
    : signer === '' ? 'notSignedSignerUnnamed'
    : 'notSigned';
  if (!failure) return undefined;
  return {
    subject: { node: textOf(r.node) || '(unknown)' },
    evidence: certificateEvidence(r),
    tally: { [failure]: r.aggregate?.count ?? 1 },
    facts: { source: 'kubelet log' },
  };
}

/** Evidence for a kubelet certificate line. */
export function certificateEvidence(r: KubeletCertificateRecord): Evidence {
  const ev: Evidence = { truncated: false, source: clean(originText(r), 300) };
  const time = cleanOpt(r.time ?? r.origin.timestamp, 40);
  if (time) ev.time = time;
  const reason = cleanOpt(textOf(r.reason), 300);
  if (reason) ev.reason = reason;
  const message = cleanOpt(textOf(r.text), 400);
  if (message) ev.message = message;
  return ev;
}
