/**
 * kube-apiserver start-up logs: the flag dump (every flag, defaults included, sorted by name, as
 * PrintFlags writes it) and a few ordinary klog lines around it.
 */
import type { Micros } from '../time';
import { SECOND } from '../time';
import { flagLine, journaldLine, klogLine } from '../text-logs';
import type { Rng } from '../prng';

/** The flags of an EKS API server: the authorization and admission values are the ones EKS prints. */
function eksFlags(oidcId: string): Record<string, string> {
  return {
    'admission-control': '[]',
    'admission-control-config-file': '',
    'allow-privileged': 'true',
    'api-audiences': '[https://kubernetes.default.svc]',
    'authentication-token-webhook-cache-ttl': '7m0s',
    'authentication-token-webhook-config-file': '/etc/kubernetes/authenticator/apiserver-webhook-kubeconfig.yaml',
    'authentication-token-webhook-version': 'v1beta1',
    'authorization-config': '',
    'authorization-mode': '[Node,RBAC,Webhook]',
    'authorization-webhook-cache-authorized-ttl': '5m0s',
    'authorization-webhook-cache-unauthorized-ttl': '30s',
    'authorization-webhook-version': 'v1beta1',
    'bind-address': '0.0.0.0',
    'client-ca-file': '/etc/kubernetes/pki/ca.crt',
    'disable-admission-plugins': '[]',
    'enable-admission-plugins': '[NodeRestriction,ExtendedResourceToleration]',
    'endpoint-reconciler-type': 'lease',
    'feature-gates': '',
    'kubelet-preferred-address-types': '[Hostname,InternalDNS,InternalIP,ExternalDNS,ExternalIP]',
    profiling: 'true',
    'secure-port': '443',
    'service-account-issuer': `[https://oidc.eks.us-west-2.amazonaws.com/id/${oidcId}]`,
    'service-account-key-file': '[/etc/kubernetes/pki/sa.pub]',
    'service-account-lookup': 'true',
    'service-account-max-token-expiration': '24h0m0s',
    'service-cluster-ip-range': '172.20.0.0/16',
    v: '2',
  };
}

/** A kubeadm-style API server somebody runs themselves, opened wide: AlwaysAllow and no NodeRestriction. */
function selfManagedFlags(): Record<string, string> {
  return {
    'admission-control': '[]',
    'advertise-address': '10.20.0.11',
    'allow-privileged': 'true',
    'anonymous-auth': 'true',
    'authorization-config': '',
    'authorization-mode': '[AlwaysAllow]',
    'bind-address': '0.0.0.0',
    'client-ca-file': '/etc/kubernetes/pki/ca.crt',
    'disable-admission-plugins': '[]',
    'enable-admission-plugins': '[NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota]',
    'enable-bootstrap-token-auth': 'true',
    'etcd-servers': '[https://127.0.0.1:2379]',
    'kubelet-client-certificate': '/etc/kubernetes/pki/apiserver-kubelet-client.crt',
    'kubelet-client-key': '/etc/kubernetes/pki/apiserver-kubelet-client.key',
    'secure-port': '6443',
    'service-account-issuer': '[https://kubernetes.default.svc.cluster.local]',
    'service-account-key-file': '[/etc/kubernetes/pki/sa.pub]',
    'service-account-signing-key-file': '/etc/kubernetes/pki/sa.key',
    'service-cluster-ip-range': '10.96.0.0/12',
    'tls-cert-file': '/etc/kubernetes/pki/apiserver.crt',
    'tls-private-key-file': '/etc/kubernetes/pki/apiserver.key',
    v: '2',
  };
}

function flagDump(rng: Rng, start: Micros, pid: number, flags: Record<string, string>): { lines: string[]; end: Micros } {
  const lines: string[] = [];
  let t = start;
  for (const name of Object.keys(flags).sort()) {
    lines.push(flagLine(t, pid, name, flags[name] as string));
    t += 5 + rng.int(40);
  }
  return { lines, end: t };
}

/** An EKS API server instance starting in the `kube-apiserver-<id>` stream. */
export function eksApiserverStart(rng: Rng, start: Micros, hostIP: string, oidcId: string): string[] {
  const pid = 10;
  const { lines, end } = flagDump(rng, start, pid, eksFlags(oidcId));
  let t = end + 900;
  lines.push(klogLine('I', t, pid, 'options.go:228', `external host was not specified, using ${hostIP}`));
  t += 700;
  lines.push(klogLine('I', t, pid, 'server.go:150', 'Version: v1.31.4-eks-0a1b2c3'));
  t += 1_400_000;
  lines.push(klogLine('I', t, pid, 'secure_serving.go:213', 'Serving securely on [::]:443'));
  t += 2 * SECOND;
  lines.push(klogLine('I', t, pid, 'controller.go:615', 'quota admission added evaluator for: leases.coordination.k8s.io'));
  t += 600_000;
  lines.push(klogLine('W', t, pid, 'lease.go:265', 'Resetting endpoints for master service "kubernetes" to [10.0.91.17 10.0.92.144]'));
  return lines;
}

/** A self-managed API server's start as `journalctl -u kube-apiserver` prints it. */
export function selfManagedApiserverStart(rng: Rng, start: Micros): string[] {
  const pid = 2211;
  const host = 'cp-1';
  const { lines, end } = flagDump(rng, start, pid, selfManagedFlags());
  const klog = [
    ...lines,
    klogLine('I', end + 800, pid, 'options.go:228', 'external host was not specified, using 10.20.0.11'),
    klogLine('I', end + 1500, pid, 'server.go:150', 'Version: v1.31.4'),
  ];
  // journald stamps each line when it reads it; the klog time inside is the process's own.
  return klog.map((line) => journaldLine(start, host, 'kube-apiserver', pid, line));
}
