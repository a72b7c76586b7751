import type { AuditFilter, AuditHead } from '../model/records';
import type { RuleRun } from '../model/rule';
import { canonicalArn, isNodeCredential } from '../model/identity';

/**
 * The engine's side of the fast path (RuleRun.wantsAudit): an event needs a full parse when any rule run
 * wants it. Undefined, so every event is parsed, as soon as one run reads audit events without saying
 * which: a rule that declares nothing is never starved by an optimisation it has not heard of.
 */
export function runsFilter(runs: readonly RuleRun[], skipped: AuditFilter['skipped']): AuditFilter | undefined {
  // Rules that share a predicate (the aws-auth rules, the 403 rules) ask it once.
  const distinct = new Set<(head: AuditHead) => boolean>();
  for (const run of runs) {
    if (!run.onAudit) continue;
    if (!run.wantsAudit) return undefined;
    distinct.add(run.wantsAudit);
  }
  // The engine itself keeps the node role of every event (ScanContext.nodeRoleArns).
  return { wants: [...distinct], keep: nodeRoleArnOf, skipped };
}

/** The IAM role behind a node credential's request (what ScanContext.nodeRoleArns collects), else undefined. */
export function nodeRoleArnOf(e: AuditHead): string | undefined {
  return isNodeCredential(e) ? canonicalArn(e) : undefined;
}
