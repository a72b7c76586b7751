/** Time and chance, injected so tests of retries, polling and deadlines run instantly and repeatably. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * "Full jitter" (a random delay between 0 and the capped exponential): concurrent Lambdas and
 * clusters that were refused together do not come back together.
 */
export function jitteredDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Polling delay: grows by half each poll up to the cap, with a little jitter so polls spread out. */
export function pollDelay(poll: number, policy: BackoffPolicy, random: () => number): number {
  const d = Math.min(policy.capMs, policy.baseMs * 1.5 ** Math.min(poll, 30));
  return Math.floor(d * (0.8 + 0.4 * random()));
}

const RETRYABLE_NAMES = new Set([
  'LimitExceededException', // too many concurrent Logs Insights queries in the account
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'InternalServerException',
  'InternalFailure',
  'ServiceUnavailable',
  'Throttling',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** Errors worth another try: throttling, the concurrent-query limit, 5xx and dropped connections. */
export function isRetryable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  if (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/**
 * The one retry layer of every AWS read the audit makes (Logs Insights, DescribeLogStreams, the EKS API).
 * SDK clients are built with SDK_SINGLE_ATTEMPT so they do not retry underneath it: the SDK's standard
 * mode would try 3 times per call, and 3 inside 8 is 24 requests for one throttled call. This layer knows
 * the Lambda's deadline: it never sleeps into the time kept for publishing.
 */
export const SDK_SINGLE_ATTEMPT = { maxAttempts: 1 } as const;

export interface RetryPolicy extends BackoffPolicy {
  /** Requests per call, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 400, capMs: 10_000, maxAttempts: 8 };

export interface RetryDeps {
  readonly clock: Clock;
  /** Milliseconds the run may still spend (Infinity without a deadline). */
  readonly timeLeft: () => number;
}

/** Keeps this much time after a retry's wait, for what follows the call (StopQuery, publishing). */
export const RETRY_MARGIN_MS = 1_500;

/**
 * Calls `call` until it succeeds, fails with an error not worth retrying, has made `maxAttempts`
 * requests, or the next wait would run into the deadline; then throws the last error.
 */
export async function retrying<T>(policy: RetryPolicy, deps: RetryDeps, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err) || attempt + 1 >= policy.maxAttempts) throw err;
      const delay = jitteredDelay(attempt, policy, deps.clock.random);
      if (deps.timeLeft() < delay + RETRY_MARGIN_MS) throw err;
      await deps.clock.sleep(delay);
    }
  }
}

/** Short, single-line description of an SDK error for reports and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
    return `${name}${err.message}`.replace(/\s+/g, ' ').trim();
  }
  return String(err);
}
