import type { Rule } from '../../model/rule';
import { APISERVER_FLAG_NEEDS, judgeableModes, showList } from '../support/apiserver-flag-starts';
import { MANAGED_FIX, flagRuleRun, recommendedModes, startsPhrase, APISERVER_CONFIG_INCIDENT } from '../support/apiserver-flag-rule';

/** CIS 1.2.7: without the Node authorizer nothing confines a kubelet to the objects of its own pods. */
export const apiserverAuthzMissingNode: Rule = {
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
  needs: APISERVER_FLAG_NEEDS,
  incident: APISERVER_CONFIG_INCIDENT,
  create() {
    return flagRuleRun((start, config) => {
      const modes = judgeableModes(config);
      const line = start.flags.get('authorization-mode');
      if (!modes || !line || modes.includes('Node')) return undefined;
      return { subject: { flag: 'authorization-mode', value: showList(modes) }, lines: [line] };
    });
  },
  describe(g) {
    const value = g.subject['value'] ?? '[]';
    return {
      message:
        `${startsPhrase(g)} printed --authorization-mode="${value}", without Node. Every kubelet is then judged only by ${value}: ` +
        'with RBAC as on EKS a node identity gets nothing but CSR creation, so kubelets cannot renew their leases or report status and nodes go NotReady; ' +
        'if instead broad grants (or AlwaysAllow) keep nodes working, nothing confines a node to the Secrets, ConfigMaps and volumes of its own pods, so one compromised node reads every Secret. ' +
        'This is what the API server printed at start, so it held for these starts.',
      remediation: `${MANAGED_FIX}restart kube-apiserver with --authorization-mode=${recommendedModes(value)}.`,
    };
  },
};
