/**
 * What the authenticator rules ask of CloudWatch, and the fix they share.
 *
 * aws-iam-authenticator writes logrus text (`time="..." level=warning msg="access denied" arn="..."`), not
 * JSON, so Logs Insights discovers no fields in it: only its system fields (@message, @logStream,
 * @timestamp ...) exist. Filters therefore match the raw line with `@message like /.../`. The `parse`
 * command could turn `arn="..."` into a field to group by (`parse @message /arn="(?<arn>[^"]*)"/`), but a
 * rule declares only a filter and keys, and the runtime builds one query per stream kind from them with no
 * parse step. So the rows are grouped by the whole line: a field the runtime can group by today, and exact
 * (identical lines share a row and its count, so every refusal is counted and every ARN read). Lines carry
 * their own time to the second and the client port, so this is about one row per line; with a parse step
 * the rows would shrink to one per ARN and verdict.
 */
export const AUTHENTICATOR_KEYS: readonly string[] = ['@message'];

/** The CLI's default cluster name is not a real one: print a placeholder in commands instead. */
const PLACEHOLDER_CLUSTERS = new Set(['', 'local']);
/** What EKS accepts as a cluster name. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** An IAM role or user ARN, in the characters IAM allows in names and paths. */
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(?:role|user)\/[\w+=,.@/-]+$/;

/**
 * `aws eks create-access-entry` for a principal, with the scanned cluster's name when it is a real one.
 * The values come from logs, which a crafted input file controls: anything that is not a plain cluster name
 * or IAM ARN becomes a placeholder, so the printed command is never more than the one it claims to be.
 */
export function accessEntryCommand(cluster: string, principalArn: string, type?: 'EC2_LINUX' | 'STANDARD'): string {
  const name = PLACEHOLDER_CLUSTERS.has(cluster) || !CLUSTER_NAME.test(cluster) ? '<cluster-name>' : cluster;
  const arn = IAM_PRINCIPAL.test(principalArn) ? principalArn : '<principal ARN>';
  const base = `aws eks create-access-entry --cluster-name ${name} --principal-arn ${arn}`;
  return type ? `${base} --type ${type}` : base;
}
