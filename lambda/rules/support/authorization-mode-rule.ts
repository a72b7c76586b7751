import type { ObservationGroup, Rule } from '../../model/rule';
import type { Severity } from '../../model/severity';
import { APISERVER_FLAG_NEEDS, judgeableModes, showList } from './apiserver-flag-starts';
import { APISERVER_CONFIG_INCIDENT, MANAGED_FIX, flagRuleRun, recommendedModes, startsPhrase } from './apiserver-flag-rule';

/**
 * The --authorization-mode rules differ by one value: the mode whose presence (AlwaysAllow) or absence
 * (Node, RBAC) is the finding. They share how the flag is read from the API server's start lines, the subject
 * (the mode list as printed), and the shape of the words; each gives its own consequences.
 */
export interface AuthorizationModeRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly description: string;
  readonly remediation: string;
  readonly references: readonly string[];
  /** The mode the rule is about, as kube-apiserver spells it. */
  readonly mode: 'AlwaysAllow' | 'Node' | 'RBAC';
  /** `present`: the finding is the mode being in the list; `missing`: its absence. */
  readonly when: 'present' | 'missing';
  /** The value shown when a finding somehow lacks one (never in practice: the subject always has it). */
  readonly fallbackValue: string;
  /** What the mode list means for the cluster, after "<starts> printed --authorization-mode=...". */
  readonly consequences: (value: string) => string;
  /** The end of the fix, after the recommended mode list. */
  readonly fixSuffix?: string;
}

export function authorizationModeRule(spec: AuthorizationModeRuleSpec): Rule {
  return {
    id: spec.id,
    severity: spec.severity,
    title: spec.title,
    description: spec.description,
    remediation: spec.remediation,
    references: spec.references,
    needs: APISERVER_FLAG_NEEDS,
    // One start-up configuration, one incident, with the other flag rules.
    incident: APISERVER_CONFIG_INCIDENT,
    create() {
      return flagRuleRun((start, config) => {
        const modes = judgeableModes(config);
        const line = start.flags.get('authorization-mode');
        if (!modes || !line || modes.includes(spec.mode) !== (spec.when === 'present')) return undefined;
        return { subject: { flag: 'authorization-mode', value: showList(modes) }, lines: [line] };
      });
    },
    describe(g: ObservationGroup) {
      const value = g.subject['value'] ?? spec.fallbackValue;
      const without = spec.when === 'missing' ? `, without ${spec.mode}` : '';
      return {
        message:
          `${startsPhrase(g)} printed --authorization-mode="${value}"${without}. ${spec.consequences(value)} ` +
          'This is what the API server printed at start, so it held for these starts.',
        remediation: `${MANAGED_FIX}restart kube-apiserver with --authorization-mode=${recommendedModes(value)}${spec.fixSuffix ?? ''}.`,
      };
    },
  };
}
