import type { Rule } from '../../model/rule';
import type { StartConfig } from '../support/apiserver-flag-starts';
import { APISERVER_FLAG_NEEDS, WATCHED_FLAGS, showList } from '../support/apiserver-flag-starts';
import { flagRuleRun, startsPhrase, APISERVER_CONFIG_INCIDENT } from '../support/apiserver-flag-rule';

const NOT_LOGGED = '(not logged)';
export const MODE_NOT_VISIBLE = 'not visible (--authorization-config)';

function modeShown(c: StartConfig): string {
  if (c.authorizationConfig) return MODE_NOT_VISIBLE;
  return c.modes ? showList(c.modes) : NOT_LOGGED;
}

function listShown(list: string[] | undefined): string {
  return list ? showList(list) : NOT_LOGGED;
}

/**
 * The record of what each kube-apiserver start ran with: one finding per distinct configuration, so a change
 * (an upgrade, a restart with other flags) shows up as a new finding. The only view of these settings a
 * managed control plane gives.
 */
export const apiserverAuthzConfig: Rule = {
  id: 'apiserver-authz-config',
  severity: 'info',
  title: 'kube-apiserver authorization and admission configuration',
  description:
    'The authorization modes and admission plugins kube-apiserver printed at start, one finding per distinct configuration, with how many starts showed it and when. With --authorization-config the mode list is not visible in logs.',
  remediation: 'None needed; compare with the expected configuration (EKS: authorization mode [Node,RBAC,Webhook], NodeRestriction enabled).',
  references: [
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    'https://kubernetes.io/docs/reference/access-authn-authz/authorization/',
  ],
  needs: APISERVER_FLAG_NEEDS,
  incident: APISERVER_CONFIG_INCIDENT,
  create() {
    return flagRuleRun((start, c) => {
      const subject: Record<string, string> = {
        authorizationMode: modeShown(c),
        authorizationConfig: c.authorizationConfig === undefined ? NOT_LOGGED : c.authorizationConfig ? 'used' : 'not used',
        enableAdmissionPlugins: listShown(c.enable),
        disableAdmissionPlugins: listShown(c.disable),
      };
      if (c.admissionControl && c.admissionControl.length > 0) subject['admissionControl'] = showList(c.admissionControl);
      const lines = [...start.flags.values()]
        .filter((r) => (WATCHED_FLAGS as readonly string[]).includes(r.flag))
        .sort((a, b) => a.flag.localeCompare(b.flag));
      return c.authorizationConfig ? { subject, lines, facts: { authorizationConfigFile: c.authorizationConfig } } : { subject, lines };
    });
  },
  describe(g) {
    const s = g.subject;
    const mode = s['authorizationMode'] ?? NOT_LOGGED;
    let modeText: string;
    if (mode === MODE_NOT_VISIBLE) {
      modeText =
        `authorization mode list not visible: authorization is configured by the file --authorization-config=${g.facts['authorizationConfigFile'] ?? '(file)'}, which the logs do not show, ` +
        'so whether the Node and RBAC authorizers are on cannot be checked here';
    } else if (mode === '[]') {
      modeText =
        'authorization mode list empty ([]), which kube-apiserver prints when --authorization-config is used; that line was not in the input, so the mode list is not visible';
    } else if (mode === NOT_LOGGED) {
      modeText = 'authorization mode not in the input';
    } else {
      const modes = mode.slice(1, -1).split(',');
      modeText = `authorization mode ${mode} (Node authorizer ${modes.includes('Node') ? 'on' : 'OFF'}, RBAC ${modes.includes('RBAC') ? 'on' : 'OFF'}${modes.includes('AlwaysAllow') ? ', AlwaysAllow ON' : ''})`;
    }
    const enable = s['enableAdmissionPlugins'] ?? NOT_LOGGED;
    const disable = s['disableAdmissionPlugins'] ?? NOT_LOGGED;
    const legacy = s['admissionControl'];
    const admission = legacy
      ? `admission plugins ${legacy} (deprecated --admission-control)`
      : `admission plugins enabled ${enable}, disabled ${disable}`;
    const plugins = legacy ?? enable;
    const nodeRestriction = disable.includes('NodeRestriction')
      ? 'NodeRestriction OFF'
      : plugins === NOT_LOGGED
        ? 'NodeRestriction unknown'
        : `NodeRestriction ${plugins.slice(1, -1).split(',').includes('NodeRestriction') ? 'on' : 'OFF (not default-on)'}`;
    return {
      message: `${startsPhrase(g)} ran with ${modeText}; ${admission} (${nodeRestriction}).`,
      remediation:
        'Nothing to fix here: this records the configuration. Problems in it are reported by apiserver-authz-always-allow, apiserver-authz-missing-node, apiserver-authz-missing-rbac and apiserver-admission-missing-noderestriction.',
    };
  },
};
