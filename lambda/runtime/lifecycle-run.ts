import type { AwsAuthMemory } from '../model/aws-auth-memory';
import type { ScanResult } from '../model/findings';
import type { ClusterLifecycle } from '../model/lifecycle';
import type { ClusterReport } from '../model/report';
import { describeError } from './backoff';
import { advance } from './lifecycle';
import type { ClusterState, LifecycleSettings } from './state';
import { isAlreadyHandled, type StateSession, type StateStore } from './state-store';

/**
 * The life cycle inside a run, per cluster: take the cluster's state before the audit (its aws-auth memory
 * feeds the root cause), decide after it, publish, then commit, or release when the alert could not be sent
 * so that the retry decides again. Manual runs never come here: they report one-off and change nothing.
 */
export interface LifecycleDeps {
  readonly store: StateStore;
  readonly settings: LifecycleSettings;
  /** How long a lease must last: longer than what is left of the run, so only a dead run's lease expires. */
  readonly leaseMs: () => number;
}

/** The cluster's state for this window: a session, or why there is none (a retry, or the store failed). */
export type OpenedState =
  | { readonly session: StateSession }
  | { readonly handled: string }
  | { readonly failed: string };

/** What the root cause may know from earlier runs: the session's state, or for a manual run a read without a lease. */
export async function knownAwsAuth(deps: LifecycleDeps | undefined, opened: OpenedState | undefined, cluster: string): Promise<AwsAuthMemory | undefined> {
  if (opened) return 'session' in opened ? opened.session.state.awsAuth : undefined;
  if (!deps) return undefined;
  // A manual run changes nothing and must not fail for want of the state: without it the root cause says less.
  return deps.store.peekAwsAuth(cluster).catch(() => undefined);
}

export async function openState(deps: LifecycleDeps, cluster: string, window: { start: string; end: string }): Promise<OpenedState> {
  try {
    const opened = await deps.store.begin(cluster, window, deps.leaseMs());
    return isAlreadyHandled(opened) ? { handled: opened.handled } : { session: opened };
  } catch (err) {
    return { failed: `the state store could not be read: ${describeError(err)}` };
  }
}

export interface Decision {
  readonly lifecycle: ClusterLifecycle;
  /** The state to commit once the alert is out; absent when nothing is to be remembered. */
  readonly next?: ClusterState;
}

/** Report every incident, remember nothing: manual runs, the CLI, and a run without a state store. */
export function oneOff(report: ClusterReport): ClusterLifecycle {
  return { cluster: report.cluster, mode: 'one-off', incidents: report.incidents ?? [], transitions: [] };
}

export function decide(opened: OpenedState, report: ClusterReport, scan: ScanResult, settings: LifecycleSettings): Decision {
  const skip = (reason: string): Decision => ({
    lifecycle: { cluster: report.cluster, mode: 'skipped', skippedReason: reason, incidents: [], transitions: [] },
  });
  if ('failed' in opened) return skip(`${opened.failed}: nothing is alerted, the run fails and its retry tries again`);
  if ('handled' in opened) return skip(`${opened.handled}: nothing is alerted again`);
  // Findings that were never grouped have no incident to follow: report them one-off, remember nothing.
  if (report.incidents === undefined) return { lifecycle: oneOff(report) };
  const { state, lifecycle } = advance(
    opened.session.state,
    { window: report.window, complete: report.complete, incidents: report.incidents ?? [], findings: report.findings },
    settings,
  );
  const awsAuth = scan.awsAuth ?? state.awsAuth;
  return { lifecycle, next: awsAuth === undefined ? state : { ...state, awsAuth } };
}

/** After the publish: commit when it went out (or nothing had to), release when it failed. Returns an error text. */
export async function closeState(opened: OpenedState, decision: Decision, delivered: boolean): Promise<string | undefined> {
  if (!('session' in opened)) return 'failed' in opened ? opened.failed : undefined;
  try {
    if (delivered && decision.next) await opened.session.commit(decision.next);
    else await opened.session.release();
    return undefined;
  } catch (err) {
    return `the state could not be saved: ${describeError(err)}`;
  }
}
