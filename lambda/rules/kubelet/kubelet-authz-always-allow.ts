import type { Rule } from '../../model/rule';
import { flagList } from '../support/apiserver-flag-starts';
import { flagRuleRun } from '../support/apiserver-flag-rule';
import { KUBELET_FLAG_NEEDS, kubeletAlwaysAllow, kubeletNode } from '../support/kubelet-flags';

/**
 * CIS 4.2.2: a kubelet that authorizes every request to its own API (port 10250: exec, attach, port-forward,
 * logs, pod listing). Judged from the kubelet's start-up flag dump, and only when the dump shows the flag
 * applied: `--config=""` printed empty. With a config file, the dump's `--authorization-mode` is most likely
 * the flag's default (the dump prints every flag, set or not) and the file's `authorization.mode` decides;
 * that case is reported by flag-dump-not-judged instead, never here.
 */
export const kubeletAuthzAlwaysAllow: Rule = {
  id: 'kubelet-authz-always-allow',
  severity: 'critical',
  title: 'kubelet authorizes every request to its API (AlwaysAllow)',
  description:
    'A kubelet started with --authorization-mode=AlwaysAllow and no config file: every client that authenticates to its API on port 10250 (and every anonymous one while --anonymous-auth is true, its default without a config file) can run commands in its pods, read their logs and list them.',
  remediation:
    'Run the kubelet with a config file (--config) that sets authorization.mode: Webhook and authentication.anonymous.enabled: false, or with --authorization-mode=Webhook --anonymous-auth=false.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/',
    'https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/',
  ],
  needs: KUBELET_FLAG_NEEDS,
  create() {
    return flagRuleRun((start) => {
      const verdict = kubeletAlwaysAllow(start);
      if (verdict?.applied !== true) return undefined;
      const anonymous = start.flags.get('anonymous-auth');
      const lines = [verdict.mode, ...(verdict.config ? [verdict.config] : []), ...(anonymous ? [anonymous] : [])];
      const anonymousValue = anonymous ? flagList(anonymous.value).join(',') : 'not printed';
      return { subject: { node: kubeletNode(start) }, lines, facts: { anonymousAuth: anonymousValue } };
    }, 'kubelet');
  },
  describe(g) {
    const node = g.subject['node'] ?? 'a node';
    const anonymous = g.facts['anonymousAuth'];
    const who =
      anonymous === 'true'
        ? 'anyone who can reach port 10250 on the node, without any credential (--anonymous-auth="true")'
        : anonymous === 'false'
          ? 'every client that authenticates to the kubelet (any client certificate the cluster CA signed, any token the API server accepts)'
          : 'every client the kubelet lets in (its --anonymous-auth line was not in the input)';
    return {
      message:
        `The kubelet on ${node} started ${g.count === 1 ? 'once' : `${g.count} times`} with --authorization-mode="AlwaysAllow" and no config file (--config=""), so the flag applied: ` +
        `${who} can run commands in its pods (exec), attach to them, read their logs and list them. ` +
        'A pod that reaches the node can take over every workload on it. This is the kubelet\'s own API, not the API server\'s authorization.',
      remediation:
        `On ${node}: start the kubelet with a config file (--config) that sets authorization.mode: Webhook and authentication.anonymous.enabled: false and authentication.webhook.enabled: true ` +
        '(or pass --authorization-mode=Webhook --anonymous-auth=false --authentication-token-webhook), then restart it and check that the API server can still reach it (kubectl logs, kubectl exec).',
    };
  },
};
