import { authorizationModeRule } from '../support/authorization-mode-rule';

/** CIS 1.2.6: AlwaysAllow in the mode list allows whatever the authorizers before it did not decide. */
export const apiserverAuthzAlwaysAllow = authorizationModeRule({
  id: 'apiserver-authz-always-allow',
  severity: 'critical',
  title: 'kube-apiserver authorization mode includes AlwaysAllow',
  description:
    'kube-apiserver started with AlwaysAllow in --authorization-mode. Node and RBAC only allow or abstain, so AlwaysAllow allows every request they do not: any authenticated identity can do anything.',
  remediation: 'Run kube-apiserver with --authorization-mode=Node,RBAC (plus Webhook if used) and without AlwaysAllow.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/authorization/',
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
  ],
  mode: 'AlwaysAllow',
  when: 'present',
  fallbackValue: '[AlwaysAllow]',
  consequences: () =>
    'Authorizers are asked in order and the Node and RBAC authorizers only allow or abstain, ' +
    'so AlwaysAllow allows every request they did not: every identity that authenticates (and anonymous requests, if anonymous auth is on) can read every Secret and change anything, ' +
    'and confining nodes with the Node authorizer and NodeRestriction no longer matters.',
  fixSuffix: ' (no AlwaysAllow)',
});
