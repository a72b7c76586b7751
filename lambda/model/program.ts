import type { Origin } from './records';

/**
 * Which program printed a log line. kube-apiserver and the kubelet print the same klog lines (a FLAG dump at
 * start-up, `--authorization-mode` among them) but mean different things by them, so rules must know which one
 * spoke. The readers take it from the line's framing (a journald identifier, a log tailer's pod and container
 * names) and keep it in the origin; a CloudWatch stream name says it too.
 */

/** The programs the rules tell apart, by the names they run under. */
export type KnownProgram =
  | 'kube-apiserver'
  | 'kubelet'
  | 'aws-iam-authenticator'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'cloud-controller-manager'
  | 'kube-proxy'
  | 'etcd';

/** How the program of a line was told. */
export type ProgramSource = 'stream' | 'journald' | 'container' | 'prefix';

const KNOWN: ReadonlyMap<string, KnownProgram> = new Map<string, KnownProgram>([
  ['kube-apiserver', 'kube-apiserver'],
  ['apiserver', 'kube-apiserver'],
  ['kubelet', 'kubelet'],
  ['aws-iam-authenticator', 'aws-iam-authenticator'],
  ['authenticator', 'aws-iam-authenticator'],
  ['kube-controller-manager', 'kube-controller-manager'],
  ['kube-scheduler', 'kube-scheduler'],
  ['cloud-controller-manager', 'cloud-controller-manager'],
  ['kube-proxy', 'kube-proxy'],
  ['etcd', 'etcd'],
]);

/**
 * Programs that run several Kubernetes components under one name (`hyperkube kubelet ...`, k3s, OpenShift's
 * `openshift start`): their name does not say which component printed a line.
 */
const MULTI_COMPONENT: ReadonlySet<string> = new Set(['hyperkube', 'k3s', 'k3s-server', 'k3s-agent', 'k0s', 'openshift', 'rke2']);

/** The program a process or container name stands for (`kubelet`, `kube-apiserver.service`), or undefined. */
export function knownProgram(name: string): KnownProgram | undefined {
  const bare = name.endsWith('.service') ? name.slice(0, -8) : name;
  return KNOWN.get(bare.toLowerCase());
}

/** True for a name that runs several components, so the lines' content must tell which one spoke. */
export function isMultiComponent(name: string): boolean {
  return MULTI_COMPONENT.has(name.toLowerCase());
}

/**
 * The program behind a static pod's name (`kube-apiserver-ip-10-0-0-1.ec2.internal`), or undefined. Static pods
 * of the control plane are named after their component and the node.
 */
export function programOfPod(pod: string): KnownProgram | undefined {
  for (const [name, program] of KNOWN) {
    if (name !== 'apiserver' && name !== 'authenticator' && pod.startsWith(`${name}-`)) return program;
  }
  return undefined;
}

/**
 * The program of an EKS control-plane log stream (`kube-apiserver-<id>`, `kube-apiserver-audit-<id>`,
 * `authenticator-<id>`, ...), or undefined for a stream of another name.
 */
export function programOfStream(stream: string): KnownProgram | undefined {
  if (stream.startsWith('kube-apiserver-')) return 'kube-apiserver';
  if (stream.startsWith('authenticator-')) return 'aws-iam-authenticator';
  if (stream.startsWith('kube-controller-manager-')) return 'kube-controller-manager';
  if (stream.startsWith('kube-scheduler-')) return 'kube-scheduler';
  if (stream.startsWith('cloud-controller-manager-')) return 'cloud-controller-manager';
  return undefined;
}

/** True for an EKS audit stream: its lines are audit events, never a component's own log. */
export function isAuditStream(stream: string): boolean {
  return stream.startsWith('kube-apiserver-audit-');
}

/**
 * Who printed the line at `origin`, as its framing says: the program the reader found (journald identifier,
 * container, prefix), else the CloudWatch stream's. `name` is a KnownProgram, or the name as printed when it
 * is none (`hyperkube`, `containerd`); undefined when nothing names a program.
 */
export function programOf(origin: Origin): { readonly name: string; readonly from: ProgramSource } | undefined {
  if (origin.program !== undefined) return { name: origin.program, from: origin.programFrom ?? 'prefix' };
  const stream = origin.logStream;
  const program = stream === undefined ? undefined : programOfStream(stream);
  return program ? { name: program, from: 'stream' } : undefined;
}

/** `kubelet on ip-10-0-1-23` / `kube-apiserver (pod p, container c)` for evidence, or undefined. */
export function framingText(origin: Origin): string | undefined {
  const parts: string[] = [];
  if (origin.program !== undefined) parts.push(origin.program);
  if (origin.host !== undefined) parts.push(`on ${origin.host}`);
  const where = [origin.pod !== undefined ? `pod ${origin.pod}` : '', origin.container !== undefined ? `container ${origin.container}` : '']
    .filter((s) => s !== '')
    .join(', ');
  if (where) parts.push(`(${where})`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}
