import type { Rule } from '../../model/rule';
import type { FlagRecord } from '../../model/records';
import type { StartVerdict } from '../support/apiserver-flag-rule';
import { APISERVER_FLAG_NEEDS, showList } from '../support/apiserver-flag-starts';
import { MANAGED_FIX, flagRuleRun, startsPhrase, APISERVER_CONFIG_INCIDENT } from '../support/apiserver-flag-rule';

const PLUGIN = 'NodeRestriction';

/**
 * CIS 1.2.14. NodeRestriction is not in kube-apiserver's default-on admission set
 * (pkg/kubeapiserver/options/plugins.go, DefaultOffAdmissionPlugins), so an enable list without it, even
 * the empty `[]` that means "defaults only", leaves it off. `--disable-admission-plugins="[]"` is the normal
 * default and says nothing.
 */
export const apiserverAdmissionMissingNoderestriction: Rule = {
  id: 'apiserver-admission-missing-noderestriction',
  severity: 'high',
  title: 'kube-apiserver runs without the NodeRestriction admission plugin',
  description:
    'kube-apiserver started without NodeRestriction: it is not enabled by default, and the enable list lacked it (or the disable list named it). Kubelets can then modify other Node objects and set labels and taints that steer workloads onto them.',
  remediation: 'Run kube-apiserver with NodeRestriction in --enable-admission-plugins and not in --disable-admission-plugins.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction',
    'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
  ],
  needs: APISERVER_FLAG_NEEDS,
  incident: APISERVER_CONFIG_INCIDENT,
  create() {
    return flagRuleRun((start, config) => {
      const verdict = (flag: string, line: FlagRecord, list: string[]): StartVerdict => ({ subject: { flag, value: showList(list) }, lines: [line] });
      const disable = start.flags.get('disable-admission-plugins');
      if (disable && config.disable?.includes(PLUGIN)) return verdict('disable-admission-plugins', disable, config.disable);
      // The deprecated --admission-control replaces the enable/disable pair when it is set.
      const legacy = start.flags.get('admission-control');
      if (legacy && config.admissionControl && config.admissionControl.length > 0) {
        return config.admissionControl.includes(PLUGIN) ? undefined : verdict('admission-control', legacy, config.admissionControl);
      }
      const enable = start.flags.get('enable-admission-plugins');
      if (enable && config.enable && !config.enable.includes(PLUGIN)) return verdict('enable-admission-plugins', enable, config.enable);
      return undefined;
    });
  },
  describe(g) {
    const flag = g.subject['flag'] ?? 'enable-admission-plugins';
    const value = g.subject['value'] ?? '[]';
    const why =
      flag === 'disable-admission-plugins'
        ? `it was disabled explicitly (--disable-admission-plugins="${value}")`
        : `--${flag}="${value}" does not list it${value === '[]' ? ', and an empty list means only the default-on plugins, which do not include NodeRestriction' : ''}`;
    return {
      message:
        `${startsPhrase(g)} ran without the NodeRestriction admission plugin: ${why}. ` +
        'The Node authorizer lets a kubelet update Node objects and create pods; only NodeRestriction limits that to its own Node and to mirror pods bound to itself, and stops it changing its taints ' +
        'and restricted labels (node-restriction.kubernetes.io/, used to steer sensitive workloads). Without it a compromised node can relabel or taint nodes to pull other workloads, and their Secrets, onto itself. ' +
        'This is what the API server printed at start, so it held for these starts.',
      remediation:
        `${MANAGED_FIX}add NodeRestriction to --enable-admission-plugins` +
        (flag === 'disable-admission-plugins' ? ' and remove it from --disable-admission-plugins' : '') +
        ', and restart kube-apiserver.',
    };
  },
};
