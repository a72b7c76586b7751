import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Rule } from '../model/rule';
import { SDK_SINGLE_ATTEMPT, type Clock } from './backoff';
import type { ClusterTarget, RuntimeConfig } from './config';
import { exportCluster, parseFunctionArn, type ClusterExports, type LifecycleView } from './exports';
import type { Telemetry } from './run';

/** The exports step of a run: what runAudit calls per cluster after the life cycle decided. */
export type ExportStep = (target: ClusterTarget, run: { findings: Parameters<typeof exportCluster>[1]['findings']; window: { end: string } }, lifecycle: LifecycleView) => Promise<ClusterExports>;

export interface ExportClients {
  readonly securityHub?: Pick<SecurityHubClient, 'send'>;
  readonly eventBridge?: { readonly client: Pick<EventBridgeClient, 'send'>; readonly eventBus: string };
}

/**
 * The clients of the exports the configuration turns on (none: undefined), made once at cold start from the SDK's
 * default chain, so AWS_ENDPOINT_URL_SECURITYHUB and AWS_ENDPOINT_URL_EVENTBRIDGE reach them. One attempt per call:
 * the retry layer in backoff.ts is the only one. A bus given by ARN is called in its own region.
 */
export function exportClients(config: Pick<RuntimeConfig, 'securityHub' | 'eventBus'>): ExportClients | undefined {
  if (!config.securityHub && config.eventBus === undefined) return undefined;
  const busRegion = config.eventBus?.startsWith('arn:') ? config.eventBus.split(':')[3] : undefined;
  return {
    ...(config.securityHub ? { securityHub: new SecurityHubClient({ ...SDK_SINGLE_ATTEMPT }) } : {}),
    ...(config.eventBus !== undefined
      ? { eventBridge: { client: new EventBridgeClient({ ...SDK_SINGLE_ATTEMPT, ...(busRegion ? { region: busRegion } : {}) }), eventBus: config.eventBus } }
      : {}),
  };
}

/**
 * The exports step of one invocation. The account and region come from the invocation's function ARN (the Lambda
 * context's invokedFunctionArn: no STS call, no extra permission); without one (a local call) there is nothing to
 * import under, and the step says so in the run's result instead of guessing.
 */
export function exportStep(
  clients: ExportClients,
  invokedFunctionArn: string | undefined,
  deps: { readonly rules: readonly Rule[]; readonly clock: Clock; readonly timeLeft: () => number; readonly telemetry: Telemetry },
): ExportStep {
  const fn = parseFunctionArn(invokedFunctionArn);
  const references = new Map(deps.rules.map((r) => [r.id, r.references[0]]));
  return async (target, run, lifecycle) => {
    if (!fn) {
      const why = `no function ARN in the invocation's context (${invokedFunctionArn ?? 'none'}): nothing exported`;
      deps.telemetry.error('exports skipped', { cluster: target.name, reason: why });
      return { skipped: why };
    }
    return exportCluster(target, run, lifecycle, new Date(deps.clock.now()).toISOString(), {
      function: fn,
      ...(clients.securityHub ? { securityHub: clients.securityHub } : {}),
      ...(clients.eventBridge ? { eventBridge: clients.eventBridge } : {}),
      reference: (id) => references.get(id),
      telemetry: deps.telemetry,
      clock: deps.clock,
      timeLeft: deps.timeLeft,
    });
  };
}
