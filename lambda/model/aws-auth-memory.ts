/**
 * What the root cause of a node-role incident needs to know about ConfigMap kube-system/aws-auth: its writes
 * and the last mapRoles known. The engine reads them from its input and returns them (ScanResult.awsAuth); the
 * Lambda's state store keeps them between runs and gives them back (EngineOptions.knownAwsAuth), so that a
 * failure that starts hours after the change is still tied to it. Plain JSON, so it can be stored as is.
 */

/** One accepted write of aws-auth that set (or removed) mapRoles. Text is as logged: clean it before showing it. */
export interface AwsAuthWriteRecord {
  /** ISO 8601: when the API server received the request. */
  time?: string;
  /** update, patch (incl. server-side apply) or create. */
  verb: string;
  /** `apply` for a server-side apply, `json` for a JSON patch, `merge` for a strategic or JSON merge patch. */
  patchType?: 'apply' | 'json' | 'merge';
  username?: string;
  /** The IAM identity behind the username (user.extra canonicalArn, else arn), when the authenticator set it. */
  arn?: string;
  /** The connection's address: the last sourceIPs entry (the earlier ones come from X-Forwarded-For, client-chosen). */
  sourceIP?: string;
  userAgent?: string;
  auditID?: string;
  /** mapRoles after the write; null when the write removed it. */
  mapRoles: string | null;
  /** mapRoles before the write, when the write itself proves it (a JSON patch `test` operation). */
  mapRolesBefore?: string | null;
}

/** The last known content and the writes seen: what one scan saw, or what earlier runs remembered. */
export interface AwsAuthMemory {
  /** mapRoles as last known (null: aws-auth had none), and since when; absent when never seen. */
  content?: { mapRoles: string | null; time?: string };
  /** Oldest first. */
  writes: AwsAuthWriteRecord[];
}

/** Writes kept in an AwsAuthMemory: the most recent ones, enough to cover a day of changes. */
export const MAX_REMEMBERED_AWS_AUTH_WRITES = 20;
