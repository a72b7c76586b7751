import { BatchImportFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Incident } from '../model/incident';
import { clean } from '../model/sanitize';
import { DEFAULT_RETRY, describeError, retrying, type RetryDeps, type RetryPolicy } from './backoff';
import { toAsff, type AsffContext, type AsffSource } from './securityhub-asff';

/** BatchImportFindings takes at most 100 findings per request. */
export const MAX_FINDINGS_PER_IMPORT = 100;

/** What to import for one cluster in one run. */
export interface SecurityHubBatch {
  /** This run's findings, each with its incident: imported ACTIVE (created, or updated in place). */
  readonly active: readonly { readonly finding: AsffSource; readonly incident?: Incident }[];
  /** The findings of incidents this run resolved, as the state remembers them: imported ARCHIVED. */
  readonly archived: readonly { readonly finding: AsffSource; readonly incident: Incident }[];
}

/** One finding Security Hub did not take, as it said (FailedFindings) or because the request failed. */
export interface SecurityHubFailure {
  id: string;
  code: string;
  message: string;
}

/** What the import did, for the run's response and logs. */
export interface SecurityHubOutcome {
  /** Findings sent, and how many Security Hub took. */
  sent: number;
  imported: number;
  archived: number;
  requests: number;
  /** Rejected findings (at most the first 20 listed; `failedCount` counts all). */
  failed: SecurityHubFailure[];
  failedCount: number;
  /** Set when a request itself failed (after retries): its findings are in `failed` with this error. */
  error?: string;
}

const LISTED_FAILURES = 20;

export interface SecurityHubDeps extends RetryDeps {
  readonly client: Pick<SecurityHubClient, 'send'>;
  readonly retry?: RetryPolicy;
}

/**
 * Imports one cluster's findings with BatchImportFindings, 100 per request, each request retried on throttling
 * by the one retry layer. Nothing is lost without a trace: every finding Security Hub rejects (FailedFindings) and
 * every finding of a request that failed outright is in the outcome, with its Id and why.
 */
export async function importToSecurityHub(batch: SecurityHubBatch, ctx: AsffContext, deps: SecurityHubDeps): Promise<SecurityHubOutcome> {
  const findings: AwsSecurityFinding[] = [
    ...batch.active.map(({ finding, incident }) => toAsff(finding, incident, ctx, false)),
    ...batch.archived.map(({ finding, incident }) => toAsff(finding, incident, ctx, true)),
  ];
  // One finding once: a fingerprint both active and archived (an incident resolved while a finding of it shows
  // again in another one) is imported as active.
  const unique = [...new Map(findings.reverse().map((f) => [f.Id!, f])).values()].reverse();
  const outcome: SecurityHubOutcome = { sent: unique.length, imported: 0, archived: 0, requests: 0, failed: [], failedCount: 0 };
  const fail = (f: SecurityHubFailure): void => {
    outcome.failedCount++;
    if (outcome.failed.length < LISTED_FAILURES) outcome.failed.push(f);
  };
  for (let i = 0; i < unique.length; i += MAX_FINDINGS_PER_IMPORT) {
    const chunk = unique.slice(i, i + MAX_FINDINGS_PER_IMPORT);
    outcome.requests++;
    try {
      const answer = await retrying(deps.retry ?? DEFAULT_RETRY, deps, () => deps.client.send(new BatchImportFindingsCommand({ Findings: chunk })));
      const rejected = new Set<string>();
      for (const f of answer.FailedFindings ?? []) {
        const id = clean(f.Id ?? '(no id)', 512);
        rejected.add(id);
        fail({ id, code: clean(f.ErrorCode ?? 'Unknown', 100), message: clean(f.ErrorMessage ?? '', 500) });
      }
      // FailedCount may exceed the list Security Hub returned: count what it says, never fewer.
      const unlisted = (answer.FailedCount ?? rejected.size) - rejected.size;
      for (let n = 0; n < unlisted; n++) fail({ id: '(not listed)', code: 'Unknown', message: 'counted in FailedCount, not listed in FailedFindings' });
      const taken = chunk.filter((f) => !rejected.has(f.Id!));
      outcome.imported += answer.SuccessCount ?? taken.length;
      outcome.archived += taken.filter((f) => f.RecordState === 'ARCHIVED').length;
    } catch (err) {
      const why = describeError(err);
      outcome.error = outcome.error ?? why;
      for (const f of chunk) fail({ id: f.Id!, code: errorName(err), message: clean(why, 500) });
    }
  }
  return outcome;
}

function errorName(err: unknown): string {
  return err instanceof Error && err.name ? err.name : 'Error';
}
