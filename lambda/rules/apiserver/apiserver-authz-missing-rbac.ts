import { authorizationModeRule } from '../support/authorization-mode-rule';

/** CIS 1.2.8: without RBAC, Roles and bindings (EKS's own included) have no effect. */
export const apiserverAuthzMissingRbac = authorizationModeRule({
  id: 'apiserver-authz-missing-rbac',
  severity: 'high',
  title: 'kube-apiserver authorization mode lacks RBAC',
  description:
    'kube-apiserver started with an --authorization-mode list that does not include RBAC. Roles, ClusterRoles and their bindings are then ignored: identities lose what they were granted, or another mode grants far more.',
  remediation: 'Run kube-apiserver with --authorization-mode=Node,RBAC (plus Webhook if used).',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
  ],
  mode: 'RBAC',
  when: 'missing',
  fallbackValue: '[]',
  consequences: () =>
    "Every Role, ClusterRole and binding is ignored, EKS's own included " +
    '(eks:node-bootstrapper, which lets nodes request their serving certificates): service accounts, users and bootstrapping nodes get only what the other modes decide, ' +
    'which is either too little (workloads and node joins fail with 403) or, with AlwaysAllow, everything.',
});
