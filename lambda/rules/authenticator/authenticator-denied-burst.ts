import type { Rule } from '../../model/rule';
import { declareThreshold, thresholdOf } from '../../model/rule-settings';
import type { Evidence } from '../../model/findings';
import type { Buffered } from '../support/buffered-observation';
import { addRecord, emitBuffered, emptyBuffered, recordCount } from '../support/buffered-observation';
import { ACCESS_DENIED, NOT_MAPPED, authenticatorEvidence, field, isNotMapped, message } from '../support/authenticator-fields';
import { InstanceSessions, judgeNodeRole, lowerSet } from '../support/authenticator-node-role';
import { AUTHENTICATOR_KEYS, accessEntryCommand } from '../support/authenticator-query';
import { timeSpan } from '../support/node-mapping';

/**
 * The authenticator's errors, most frequent first, each cut short: a finding's facts are capped at 256
 * characters, and an STS error can carry a whole response body.
 */
function errorsText(errors: Readonly<Record<string, number>>): string {
  return Object.entries(errors)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([e, n]) => `${e.length > 100 ? `${e.slice(0, 99)}…` : e} x${n}`)
    .join('; ');
}

interface Denials {
  arn: string;
  /** All refusals of this ARN. */
  all: Buffered;
  /** The `ARN is not mapped` ones: authenticator-node-unmapped's, when the ARN turns out to be a node role's. */
  unmapped: number;
  unmappedEvidence: Evidence[];
  otherEvidence: Evidence[];
  errors: Record<string, number>;
}

/**
 * One IAM identity refused again and again: a client retrying with credentials the cluster does not accept,
 * or someone trying credentials they obtained. Counted within the input (the CLI's files, or one Lambda
 * run's window), so the threshold (DENIED_BURST) is per window. Refusals that
 * authenticator-node-unmapped explains (a node role that is not mapped) are not counted again here.
 */
export const DENIED_BURST = declareThreshold({
  name: 'deniedBurst',
  default: 20,
  doc: 'authenticator-denied-burst: refusals of one IAM identity in one window that make a burst',
});

export const authenticatorDeniedBurst: Rule = {
  id: 'authenticator-denied-burst',
  severity: 'medium',
  title: 'Burst of authentication refusals for one IAM identity',
  description:
    'aws-iam-authenticator refused the same IAM role or user at least N times in the scanned window (default 20; --denied-burst in the CLI): a broken client retrying with an identity the cluster does not accept, or someone trying credentials they obtained. ' +
    'Refusals without an ARN (invalid tokens) cannot be attributed and are not counted; unmapped node roles are reported by authenticator-node-unmapped instead.',
  remediation:
    'Find the client that uses the identity; map it if it should have access (access entry), stop it if not, and if nobody should be using it, treat the credentials as stolen: deactivate its access keys or revoke the role\'s sessions.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator',
  ],
  needs: {
    stream: 'authenticator',
    // Logrus text: match the raw line. A refusal without `arn=` has no identity to count.
    filter: '@message like /msg="access denied"/ and @message like /arn=/',
    keys: AUTHENTICATOR_KEYS,
  },
  thresholds: [DENIED_BURST],
  create(context) {
    const threshold = thresholdOf(context.settings, DENIED_BURST);
    const sessions = new InstanceSessions();
    const byArn = new Map<string, Denials>();
    return {
      onAuthenticator(record) {
        sessions.observe(record);
        if (message(record) !== ACCESS_DENIED) return;
        const arn = field(record, 'arn');
        if (!arn) return;
        const key = arn.toLowerCase();
        let d = byArn.get(key);
        if (!d) {
          d = { arn, all: emptyBuffered(), unmapped: 0, unmappedEvidence: [], otherEvidence: [], errors: Object.create(null) as Record<string, number> };
          byArn.set(key, d);
        }
        const evidence = authenticatorEvidence(record);
        const n = recordCount(record);
        addRecord(d.all, record, undefined);
        const error = field(record, 'error') ?? '(no error logged)';
        d.errors[error] = (d.errors[error] ?? 0) + n;
        if (isNotMapped(record)) {
          d.unmapped += n;
          if (d.unmappedEvidence.length < 5) d.unmappedEvidence.push(evidence);
        } else if (d.otherEvidence.length < 5) {
          d.otherEvidence.push(evidence);
        }
      },
      finish(emit) {
        const kubeletRoles = lowerSet(context.nodeRoleArns);
        for (const d of byArn.values()) {
          const nodeRole = d.unmapped > 0 && judgeNodeRole(d.arn, kubeletRoles, sessions) !== undefined;
          const count = nodeRole ? d.all.count - d.unmapped : d.all.count;
          if (count < threshold) continue;
          const errors = { ...d.errors };
          if (nodeRole) delete errors[NOT_MAPPED];
          const evidence = nodeRole ? d.otherEvidence : [...d.otherEvidence, ...d.unmappedEvidence].slice(0, 5);
          const facts = { threshold: String(threshold), errors: errorsText(errors), notMapped: NOT_MAPPED in errors ? 'yes' : 'no' };
          emitBuffered(emit, { arn: d.arn }, d.all, { count, facts, evidence });
        }
      },
    };
  },
  describe(g) {
    const arn = g.subject['arn'] ?? '';
    const kind = /:user\//.test(arn) ? 'IAM user' : /:role\//.test(arn) ? 'IAM role' : 'IAM identity';
    const notMapped = g.facts['notMapped'] === 'yes';
    return {
      message:
        `aws-iam-authenticator refused ${kind} ${arn} ${g.count} time(s) in this input${timeSpan(g.firstSeen, g.lastSeen)} ` +
        `(threshold ${g.facts['threshold'] ?? '?'} per window; the window is the input scanned: all files for the CLI, one run for the Lambda). ` +
        `Errors: ${g.facts['errors'] ?? '(none logged)'}. Something keeps presenting this identity's token: a client (CI job, kubeconfig, controller) retrying with ` +
        `credentials the cluster ${notMapped ? 'does not map' : 'does not accept'}, or someone trying credentials they obtained. ` +
        'Certain of the refusals; the cause is a guess.',
      remediation:
        `Find who uses ${arn} (the workloads and kubeconfigs configured with it; for a user, its access keys' last use in IAM). ` +
        `If it should reach the cluster, give it an access entry (${accessEntryCommand(g.cluster, arn)}, then associate an access policy or Kubernetes groups); ` +
        'if it should not, stop that client. If nobody should be using it, treat the credentials as stolen: deactivate the user\'s access keys or ' +
        'revoke the role\'s active sessions, and review CloudTrail for what else they were used for.',
    };
  },
};
