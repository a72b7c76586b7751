import type { Rule } from '../../model/rule';
import { APISERVER_FLAG_NEEDS, judgeableModes, showList } from '../support/apiserver-flag-starts';
import { MANAGED_FIX, flagRuleRun, recommendedModes, startsPhrase, APISERVER_CONFIG_INCIDENT } from '../support/apiserver-flag-rule';

/** CIS 1.2.8: without RBAC, Roles and bindings (EKS's own included) have no effect. */
export const apiserverAuthzMissingRbac: Rule = {
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
  needs: APISERVER_FLAG_NEEDS,
  incident: APISERVER_CONFIG_INCIDENT,
  create() {
    return flagRuleRun((start, config) => {
      const modes = judgeableModes(config);
      const line = start.flags.get('authorization-mode');
      if (!modes || !line || modes.includes('RBAC')) return undefined;
      return { subject: { flag: 'authorization-mode', value: showList(modes) }, lines: [line] };
    });
  },
  describe(g) {
    const value = g.subject['value'] ?? '[]';
    return {
      message:
        `${startsPhrase(g)} printed --authorization-mode="${value}", without RBAC. Every Role, ClusterRole and binding is ignored, EKS's own included ` +
        '(eks:node-bootstrapper, which lets nodes request their serving certificates): service accounts, users and bootstrapping nodes get only what the other modes decide, ' +
        'which is either too little (workloads and node joins fail with 403) or, with AlwaysAllow, everything. This is what the API server printed at start, so it held for these starts.',
      remediation: `${MANAGED_FIX}restart kube-apiserver with --authorization-mode=${recommendedModes(value)}.`,
    };
  },
};
