import type { Rule } from '../../model/rule';
import { WATCHED_LOG_TYPES, type WatchedLogType } from '../../model/eks';
import { awsCommand } from '../support/shell-quote';

/** What an auditor of node authorization cannot see without each log type. */
const UNSEEN: Record<WatchedLogType, string> = {
  audit:
    'audit: every request and its authorization decision (kubelets refused on their Lease, nodes acting as admins, aws-auth edits, anonymous access); ' +
    'without it every audit rule is silent and the cluster looks healthy',
  api: 'api: the kube-apiserver flags (--authorization-mode, --enable-admission-plugins), so a missing Node authorizer or NodeRestriction goes unseen',
  authenticator: 'authenticator: which IAM role each kubelet authenticated as and which were refused ("ARN is not mapped")',
};

/**
 * Control-plane logging is per cluster and anyone with eks:UpdateClusterConfig can switch a type off:
 * the queries then complete with no rows, which looks exactly like a healthy cluster.
 */
export const clusterLoggingDisabled: Rule = {
  id: 'cluster-logging-disabled',
  severity: 'high',
  title: 'Control-plane logging needed by this audit is off',
  description:
    'DescribeCluster says that the audit, api or authenticator control-plane log type is not enabled. Without them this auditor (and anyone else) cannot see node authorization failures, ' +
    'aws-auth changes or the API server flags: an empty result means "not logged", not "healthy".',
  remediation:
    'Enable the audit, api and authenticator log types: aws eks update-cluster-config --name <cluster> --logging \'{"clusterLogging":[{"types":["audit","api","authenticator"],"enabled":true}]}\'.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html',
  ],
  needs: { stream: 'eks-api', filter: 'DescribeCluster: logging.clusterLogging', keys: [] },
  create() {
    return {
      onEksCluster(record, emit) {
        const enabled = record.cluster.enabledLogTypes;
        if (enabled === undefined) return;
        const missing = WATCHED_LOG_TYPES.filter((t) => !enabled.includes(t));
        if (missing.length === 0) return;
        const facts: Record<string, string> = { missing: missing.join(',') };
        if (record.cluster.region) facts['region'] = record.cluster.region;
        emit({ subject: { cluster: record.cluster.name }, facts });
      },
    };
  },
  describe(g) {
    const missing = (g.facts['missing'] ?? '').split(',').filter((t): t is WatchedLogType => (WATCHED_LOG_TYPES as readonly string[]).includes(t));
    const cluster = g.subject['cluster'] ?? g.cluster;
    const logging = JSON.stringify({ clusterLogging: [{ types: missing, enabled: true }] });
    const region = g.facts['region'];
    const command = awsCommand(['eks', 'update-cluster-config', ...(region ? ['--region', region] : []), '--name', cluster, '--logging', logging]);
    return {
      message:
        `Cluster ${cluster} does not send the ${missing.join(', ')} control-plane log type${missing.length === 1 ? '' : 's'} to CloudWatch Logs. ` +
        `Unseen without it: ${missing.map((t) => UNSEEN[t]).join('; ')}. ` +
        'Certain: DescribeCluster reported it.',
      remediation:
        `${command} (then check the logging update with aws eks describe-update). CloudWatch Logs charges for ingestion and storage of the enabled types; ` +
        'set a retention on the log group to bound the cost.',
    };
  },
};
