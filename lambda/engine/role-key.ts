/**
 * One key per IAM role however it is written: aws-auth `rolearn` (no path allowed there), the canonical ARN the
 * authenticator puts in user.extra (no path either), an access entry's principal ARN (with its path), or an STS
 * assumed-role ARN. IAM role names are unique in an account regardless of case and path, so the key is the
 * lower-cased `arn:<partition>:iam::<account>:role/<name>`. Anything else (an IAM user, a malformed value) is
 * only lower-cased.
 */
export function roleKey(arn: string): string {
  const lower = arn.trim().toLowerCase();
  const role = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(lower);
  if (role) return `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`;
  const assumed = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]*$/.exec(lower);
  if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  return lower;
}

/** The role's name for titles (`eks-ng-batch-NodeInstanceRole`), else the ARN as given. */
export function roleDisplayName(arn: string): string {
  const m = /^arn:[a-z-]+:(?:iam::\d{12}:role\/(?:.*\/)?([^/]+)|sts::\d{12}:assumed-role\/([^/]+)\/[^/]*)$/i.exec(arn.trim());
  return m?.[1] ?? m?.[2] ?? arn;
}
