/**
 * When things happened, for the HTML report's timelines: per finding, its events counted in time buckets, and
 * the writes of ConfigMap kube-system/aws-auth seen in the input. Collected by the engine only when asked
 * (EngineOptions.timelines), bounded in size whatever the input: a finding keeps at most
 * MAX_TIMELINE_BUCKETS counters, the scan at most MAX_AWS_AUTH_WRITE_MARKS writes.
 */

/** Counters per finding; the bucket width doubles as the time span grows, so the array never outgrows this. */
export const MAX_TIMELINE_BUCKETS = 256;
/** aws-auth writes kept for the markers (the rest are counted). */
export const MAX_AWS_AUTH_WRITE_MARKS = 200;

/** One finding's events over time. */
export interface FindingTimeline {
  /** Width of a bucket in seconds: a power of two (1, 2, 4, ...), buckets aligned on multiples of it since the epoch. */
  bucketSeconds: number;
  /** Start of the first bucket, in seconds since the epoch. */
  start: number;
  /** Events per bucket, from `start` on, at most MAX_TIMELINE_BUCKETS. */
  counts: number[];
  /**
   * Some counts stand for aggregated records (Logs Insights rows: a count with only a first and a last time) and
   * were spread evenly over the buckets between those two times: the total is exact, the shape is an estimate.
   */
  estimated?: boolean;
}

/** One write of ConfigMap kube-system/aws-auth that the API server accepted, as a marker on a timeline. */
export interface AwsAuthWriteMark {
  /** ISO 8601, as logged. */
  time: string;
  verb: string;
  username?: string;
  userAgent?: string;
  auditID?: string;
}

/** What the engine collected for the timelines of one scan. */
export interface ScanTimelines {
  /** By finding fingerprint (only the findings in the result). */
  findings: Record<string, FindingTimeline>;
  /** In time order. */
  awsAuthWrites: AwsAuthWriteMark[];
  /** Writes seen beyond MAX_AWS_AUTH_WRITE_MARKS (the earliest are kept). */
  awsAuthWritesNotKept: number;
}
