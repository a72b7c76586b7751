import type { Origin } from '../../model/records';
import { knownProgram, programOf } from '../../model/program';

/**
 * Which program printed a FLAG dump. kube-apiserver and the kubelet both print `FLAG: --authorization-mode=...`
 * at start-up (klog's flag dump, every flag with its value, defaults included), but the kubelet's flag governs
 * its own API on port 10250, not the cluster's. A dump is attributed, in this order, by:
 * 1. the line's framing: the CloudWatch stream, the journald identifier, the tailer's container or static pod
 *    (a name that runs several components, such as hyperkube or k3s, says nothing);
 * 2. the flags printed with it: flags that only kube-apiserver has, or only the kubelet has. A dump that holds
 *    both kinds (two programs' lines mixed in one file without framing) or neither is not attributed.
 */
export interface StartProgram {
  /** `kube-apiserver`, `kubelet`, another KnownProgram, or undefined when it cannot be told. */
  readonly name?: string;
  /** How it was told: a framing, or `flags`; `unknown` with no name. */
  readonly from: 'stream' | 'journald' | 'container' | 'prefix' | 'flags' | 'unknown';
  /** The name the framing gave when it named no single component (`hyperkube`), for the wording. */
  readonly printedAs?: string;
}

/** Flags kube-apiserver has and neither the kubelet nor the other control-plane components have. */
export const APISERVER_ONLY_FLAGS: readonly string[] = [
  'etcd-servers', 'etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile', 'storage-backend',
  'service-account-issuer', 'service-account-signing-key-file', 'service-account-key-file', 'api-audiences',
  'enable-admission-plugins', 'disable-admission-plugins', 'admission-control', 'admission-control-config-file',
  'authorization-config', 'audit-policy-file', 'audit-log-path', 'kubelet-client-certificate', 'kubelet-client-key',
  'kubelet-preferred-address-types', 'enable-bootstrap-token-auth', 'max-requests-inflight',
  'max-mutating-requests-inflight', 'advertise-address', 'endpoint-reconciler-type',
];

/** Flags only the kubelet has. `--kubeconfig` alone is not one (controllers have it too): with `--node-ip` it is. */
export const KUBELET_ONLY_FLAGS: readonly string[] = [
  'cgroup-driver', 'container-runtime-endpoint', 'container-runtime', 'pod-manifest-path', 'pod-infra-container-image',
  'cgroups-per-qos', 'fail-swap-on', 'register-node', 'register-with-taints', 'bootstrap-kubeconfig', 'node-labels',
  'max-pods', 'eviction-hard', 'rotate-certificates', 'kubelet-cgroups', 'runtime-cgroups', 'cluster-dns',
  'hairpin-mode', 'read-only-port', 'protect-kernel-defaults', 'streaming-connection-idle-timeout',
  'image-gc-high-threshold', 'serialize-image-pulls', 'node-status-update-frequency', 'provider-id',
];

/** Who printed the dump whose first line has `origin` and whose flags are `names` (without dashes). */
export function startProgram(origin: Origin, names: ReadonlySet<string>): StartProgram {
  const framed = programOf(origin);
  if (framed && knownProgram(framed.name)) return { name: framed.name, from: framed.from };
  const apiserver = APISERVER_ONLY_FLAGS.some((f) => names.has(f));
  const kubelet = KUBELET_ONLY_FLAGS.some((f) => names.has(f)) || (names.has('kubeconfig') && names.has('node-ip'));
  const printedAs = framed ? { printedAs: framed.name } : {};
  if (apiserver && !kubelet) return { name: 'kube-apiserver', from: 'flags', ...printedAs };
  if (kubelet && !apiserver) return { name: 'kubelet', from: 'flags', ...printedAs };
  return { from: 'unknown', ...printedAs };
}

/** "the kubelet (journald identifier)" for a finding's message. */
export function programPhrase(p: StartProgram): string {
  if (!p.name) return p.printedAs ? `a program printed as ${p.printedAs}` : 'a program that could not be told';
  const how: Record<StartProgram['from'], string> = {
    stream: 'its CloudWatch log stream', journald: 'its journald identifier', container: 'its container name',
    prefix: 'the program name in front of the lines', flags: 'the flags printed with it', unknown: 'nothing',
  };
  return `${p.name} (told by ${how[p.from]})`;
}
