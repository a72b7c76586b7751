/**
 * Lambda entry point (bundled by the CDK stack with esbuild). First form: answers so the stack can
 * synthesize and deploy; the runner is wired in by the following commits.
 */
export async function handler(event: unknown): Promise<{ ok: boolean; received: unknown }> {
  return { ok: true, received: event === null ? null : typeof event };
}
