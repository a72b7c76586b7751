import type { Rule } from '../../model/rule';
import { APISERVER_FLAG_NEEDS, judgeableModes, showList } from '../support/apiserver-flag-starts';
import { MANAGED_FIX, flagRuleRun, recommendedModes, startsPhrase, APISERVER_CONFIG_INCIDENT } from '../support/apiserver-flag-rule';

/** CIS 1.2.6: AlwaysAllow in the mode list allows whatever the authorizers before it did not decide. */
export const apiserverAuthzAlwaysAllow: Rule = {
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
  needs: APISERVER_FLAG_NEEDS,
  incident: APISERVER_CONFIG_INCIDENT,
  create() {
    return flagRuleRun((start, config) => {
      const modes = judgeableModes(config);
      const line = start.flags.get('authorization-mode');
      if (!modes || !line || !modes.includes('AlwaysAllow')) return undefined;
      return { subject: { flag: 'authorization-mode', value: showList(modes) }, lines: [line] };
    });
  },
  describe(g) {
    const value = g.subject['value'] ?? '[AlwaysAllow]';
    return {
      message:
        `${startsPhrase(g)} printed --authorization-mode="${value}". Authorizers are asked in order and the Node and RBAC authorizers only allow or abstain, ` +
        'so AlwaysAllow allows every request they did not: every identity that authenticates (and anonymous requests, if anonymous auth is on) can read every Secret and change anything, ' +
        'and confining nodes with the Node authorizer and NodeRestriction no longer matters. This is what the API server printed at start, so it held for these starts.',
      remediation: `${MANAGED_FIX}restart kube-apiserver with --authorization-mode=${recommendedModes(value)} (no AlwaysAllow).`,
    };
  },
};
