import { RULES } from '../rules/registry';
import { buildQueries } from '../runtime/queries';
import { clusterTarget } from '../runtime/config';
import { parseClusters } from '../settings/clusters';
import { ConfigError, show } from '../settings/errors';
import { EXIT, UsageError, parseFlags, type CliIO } from './io';

export const QUERIES_USAGE = `Usage: eks-authz-audit queries --cluster NAME [--log-group NAME_OR_ARN]

Print the CloudWatch Logs Insights queries that 'audit' (and the scheduled Lambda) runs: one per
stream kind, built from every rule's needs. To run one by hand, open CloudWatch > Logs Insights,
select the log group, pick a time range and paste the query.

Options:
  --cluster NAME             EKS cluster name (its log group is /aws/eks/NAME/cluster)
  --log-group NAME_OR_ARN    another log group name, or an ARN for a group in a linked account
  -h, --help                 show this help
`;

export async function queriesCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      cluster: { type: 'string' },
      'log-group': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(QUERIES_USAGE);
    return EXIT.OK;
  }
  if (v.cluster === undefined) throw new UsageError('--cluster NAME is required');
  io.stdout.write(renderQueries(targetLogGroup(v.cluster, v['log-group'])));
  return EXIT.OK;
}

/** The queries of one run over a log group, as printed by `queries` (and shown in the README). */
export function renderQueries(logGroup: string): string {
  const out: string[] = [];
  for (const q of buildQueries(RULES)) {
    out.push(`# Log group: ${logGroup}`, q.queryString, '');
  }
  if (out.length === 0) out.push('# No rule reads CloudWatch: there is nothing to query.', '');
  return out.join('\n');
}

/** Validates --cluster / --log-group the way the Lambda validates AUDIT_CLUSTERS. */
export function targetLogGroup(cluster: string, logGroup: string | undefined): string {
  const entry: Record<string, string> = { name: cluster };
  if (logGroup !== undefined) entry[logGroup.startsWith('arn:') ? 'logGroupArn' : 'logGroupName'] = logGroup;
  try {
    return clusterTarget(parseClusters([entry], 'clusters')[0]!).logGroup;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(flagMessage(err));
    throw err;
  }
}

/** Names the flag the user typed instead of `clusters[0].name` and the like. */
export function flagMessage(err: ConfigError): string {
  const p = err.problems[0]!;
  const flag = p.key
    .replace(/^clusters\[0\]\.name$/, '--cluster')
    .replace(/^clusters\[0\]\.(logGroupName|logGroupArn)$/, '--log-group')
    .replace(/^clusters\[0\]\.region$/, '--region')
    .replace(/^clusters(\[0\])?$/, '--log-group');
  return `${flag}: ${show(p.value)} ${p.problem}`;
}
