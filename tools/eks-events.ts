/**
 * Deterministic builders for realistic EKS control-plane logs: audit events (kube-apiserver-audit-*),
 * kube-apiserver klog lines and aws-iam-authenticator lines. One import for the sample generator and
 * the benchmark; each module says where its formats come from.
 */
export * from './prng';
export * from './time';
export * from './audit-event';
export * from './kubelet-events';
export * from './control-plane-events';
export * from './text-logs';
