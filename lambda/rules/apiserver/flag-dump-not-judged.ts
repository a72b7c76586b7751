import type { Rule } from '../../model/rule';
import type { FlagStart } from '../support/apiserver-flag-starts';
import { APISERVER_FLAG_NEEDS } from '../support/apiserver-flag-starts';
import { flagRuleRun } from '../support/apiserver-flag-rule';
import { programPhrase } from '../support/flag-program';
import { kubeletAlwaysAllow, kubeletNode } from '../support/kubelet-flags';

const PROGRAM_UNKNOWN = 'program-unknown';
const KUBELET_CONFIG_FILE = 'kubelet-config-file';
const KUBELET_CONFIG_NOT_PRINTED = 'kubelet-config-not-printed';

function source(start: FlagStart): string {
  const first = start.flags.values().next().value;
  if (!first) return 'unknown';
  const o = first.origin;
  return o.logStream ? `${o.file} (${o.logStream})` : o.file;
}

/**
 * Says when a flag dump was left unjudged, rather than staying silent: a dump whose program cannot be told (no
 * stream, journald identifier or container named it, and its flags are not one program's), on which the
 * kube-apiserver rules must not judge; and a kubelet whose --authorization-mode="AlwaysAllow" may not have
 * applied (a config file was given, or --config was not in the input).
 */
export const flagDumpNotJudged: Rule = {
  id: 'flag-dump-not-judged',
  severity: 'info',
  title: 'Flag dump not judged: the program or the setting that applied could not be told',
  description:
    'FLAG lines were read that no rule could judge with confidence: the program that printed them could not be told (kube-apiserver and the kubelet print flags of the same name that mean different things), or a kubelet printed --authorization-mode="AlwaysAllow" while a config file, which usually decides, was given or not shown.',
  remediation:
    'Scan the lines with their framing (the CloudWatch stream, the journald prefix, the container name), or check the setting on the node itself.',
  references: [
    'https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/',
    'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
  ],
  needs: APISERVER_FLAG_NEEDS,
  create() {
    return flagRuleRun((start) => {
      const lines = [...start.flags.values()];
      if (!start.program.name) {
        return { subject: { reason: PROGRAM_UNKNOWN, source: source(start) }, lines, facts: { printedBy: programPhrase(start.program) } };
      }
      if (start.program.name !== 'kubelet') return undefined;
      const verdict = kubeletAlwaysAllow(start);
      if (!verdict || verdict.applied === true) return undefined;
      const subject = { reason: verdict.applied === false ? KUBELET_CONFIG_FILE : KUBELET_CONFIG_NOT_PRINTED, node: kubeletNode(start) };
      const facts: Record<string, string> = { printedBy: programPhrase(start.program) };
      if (verdict.configFile) facts['configFile'] = verdict.configFile;
      return { subject, lines: [verdict.mode, ...(verdict.config ? [verdict.config] : [])], facts };
    }, 'any');
  },
  describe(g) {
    const s = g.subject;
    const times = g.count === 1 ? 'one start' : `${g.count} starts`;
    if (s['reason'] === PROGRAM_UNKNOWN) {
      return {
        message:
          `FLAG lines in ${s['source'] ?? 'the input'} (${times}) were printed by ${g.facts['printedBy'] ?? 'a program that could not be told'}: ` +
          'no log stream, journald identifier or container name says which, and the flags printed with them are not only kube-apiserver\'s or only the kubelet\'s. ' +
          'The kube-apiserver rules did not judge them: the kubelet prints --authorization-mode too, and there it means something else.',
        remediation:
          'If these are kube-apiserver\'s lines, scan them with their framing (the CloudWatch export with @logStream, the journal with its `host kube-apiserver[pid]:` prefix, `kubectl logs --prefix`) or with the whole flag dump.',
      };
    }
    const node = s['node'] ?? 'a node';
    if (s['reason'] === KUBELET_CONFIG_FILE) {
      const file = g.facts['configFile'] ?? 'its config file';
      return {
        message:
          `The kubelet on ${node} printed --authorization-mode="AlwaysAllow" (${times}), but it was started with --config=${file}. ` +
          'The flag dump prints every flag, set or not, and AlwaysAllow is the flag\'s default: unless the flag was also set on the command line, the config file\'s authorization.mode applies. Not raised as kubelet-authz-always-allow.',
        remediation: `On ${node}, check authorization.mode in ${file} (expected Webhook) and that the kubelet's command line does not set --authorization-mode.`,
      };
    }
    return {
      message:
        `The kubelet on ${node} printed --authorization-mode="AlwaysAllow" (${times}), but its --config line was not in the input, so whether a config file overrode it cannot be told. Not raised as kubelet-authz-always-allow.`,
      remediation: `Scan the kubelet's whole start-up flag dump from ${node}, or check its --config file's authorization.mode (expected Webhook).`,
    };
  },
};
