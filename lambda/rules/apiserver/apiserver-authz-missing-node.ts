import { authorizationModeRule } from '../support/authorization-mode-rule';

/** CIS 1.2.7: without the Node authorizer nothing confines a kubelet to the objects of its own pods. */
export const apiserverAuthzMissingNode = authorizationModeRule({
  id: 'apiserver-authz-missing-node',
  severity: 'high',
  title: 'kube-apiserver authorization mode lacks Node',
  description:
    'kube-apiserver started with an --authorization-mode list that does not include Node. Kubelet requests are then judged by the other authorizers alone: either nodes lack what they need (NotReady) or they were granted broadly and each node can read every Secret.',
  remediation: 'Run kube-apiserver with --authorization-mode=Node,RBAC (Node first), with NodeRestriction in --enable-admission-plugins.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
  ],
  mode: 'Node',
  when: 'missing',
  fallbackValue: '[]',
  consequences: (value) =>
    `Every kubelet is then judged only by ${value}: ` +
    'with RBAC as on EKS a node identity gets nothing but CSR creation, so kubelets cannot renew their leases or report status and nodes go NotReady; ' +
    'if instead broad grants (or AlwaysAllow) keep nodes working, nothing confines a node to the Secrets, ConfigMaps and volumes of its own pods, so one compromised node reads every Secret.',
});
