import type { KubeletCertificateRecord } from '../model/records';
import { isMultiComponent } from '../model/program';
import { quotedValue, type LineContext } from './node-denial-lines';

/**
 * A kubelet saying it has no certificate, out of one klog message (the part after the `] ` of its header). The
 * kubelet's strings (client-go util/certificate/certificate_manager.go, pkg/kubelet/kubelet.go):
 * - `kubernetes.io/kubelet-serving: certificate request was not signed: timed out waiting for the condition`
 *   (utilruntime.HandleError with the manager's name; `kubernetes.io/kube-apiserver-client-kubelet` for the
 *   client certificate; older releases print `Certificate request was not signed: ...` without a name);
 * - `"Certificate request was not signed" err="timed out waiting for the condition" logger="kubernetes.io/kubelet-serving"`
 *   (structured, utilruntime.HandleErrorWithContext; the logger key may be absent);
 * - `http: TLS handshake error from 10.244.0.44:45274: no serving certificate available for the kubelet`
 *   (the kubelet's HTTPS server, when kubectl logs/exec/port-forward reach a kubelet without a serving certificate).
 * API refusals of a CSR create (`... is forbidden: ...`) are node-denial lines, read before these.
 */

export type KubeletCertificateFields = Omit<KubeletCertificateRecord, 'kind' | 'origin' | 'aggregate' | 'time'>;

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

// A signer name is `<domain>/<name>`; anything else before the colon is not the manager's name.
const NOT_SIGNED = /^(?:([a-z0-9.-]+\/[a-z0-9.-]+): )?[Cc]ertificate request was not signed: (.+)$/s;
const NOT_SIGNED_STRUCTURED = '"Certificate request was not signed"';
const SIGNER = /^[a-z0-9.-]+\/[a-z0-9.-]+$/;
const NO_SERVING_CERT = /^http: TLS handshake error from (\S+): no serving certificate available for the kubelet$/;

/** Reads `message` (a klog message, header removed); undefined when it is no kubelet certificate failure. */
export function parseKubeletCertificate(message: string, context: LineContext = {}): KubeletCertificateFields | undefined {
  // Cheap first test: most klog lines are about something else.
  if (!message.includes('ertificate') || !mayBeKubelet(context)) return undefined;
  const fields = notSigned(message) ?? noServingCertificate(message);
  if (!fields) return undefined;
  // Other programs print "Certificate request was not signed" about their own certificates (webhooks that get
  // theirs through a CSR): a line no prefix attributes counts only when it names a kubelet's signer.
  if (!context.program && fields.signer !== KUBELET_SERVING_SIGNER && fields.signer !== KUBELET_CLIENT_SIGNER) return undefined;
  const host = context.host;
  return host ? { ...fields, node: host } : fields;
}

function notSigned(message: string): KubeletCertificateFields | undefined {
  if (message.startsWith(NOT_SIGNED_STRUCTURED)) {
    const logger = quotedValue(message, 'logger');
    const signer = logger !== undefined && SIGNER.test(logger) ? logger : undefined;
    return {
      source: 'kubelet', failure: 'not-signed', text: message,
      reason: quotedValue(message, 'err') ?? 'not given',
      ...(signer ? { signer } : {}),
    };
  }
  const m = NOT_SIGNED.exec(message);
  if (!m) return undefined;
  const [, signer, reason = ''] = m;
  return { source: 'kubelet', failure: 'not-signed', text: message, reason, ...(signer ? { signer } : {}) };
}

function noServingCertificate(message: string): KubeletCertificateFields | undefined {
  const m = NO_SERVING_CERT.exec(message);
  if (!m) return undefined;
  return {
    source: 'kubelet', failure: 'no-serving-certificate', signer: KUBELET_SERVING_SIGNER, text: message,
    reason: `TLS client ${m[1] ?? ''} turned away: no serving certificate`,
  };
}

/**
 * Printed by a kubelet, or by a program the framing does not name (a bare klog line, taken only when it names a
 * kubelet's signer). A program the framing names that is no kubelet (and no multi-component binary) is not one.
 */
function mayBeKubelet(context: LineContext): boolean {
  const program = context.program?.toLowerCase();
  return program === undefined || program === '' || program === 'kubelet' || isMultiComponent(program);
}
