import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * bin/app.ts as the CDK CLI runs it (cdk.json "app"): context arrives in CDK_CONTEXT_JSON. Only the
 * error path is run here (a full synth in a child process costs seconds); planStacks is unit-tested
 * in context.test.ts, and CI runs the real `cdk synth`.
 */
function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-app-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fails with the key and the value, and no stack trace, on bad context', () => {
    // Act
    const run = runApp({ clusters: 'prod', alertEmails: 'ops@example.com', minSeverity: 'urgent' });
    outdirs.push(run.outdir);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('eks-authz-audit: Invalid minSeverity: "urgent" is not one of info, low, medium, high, critical');
  });

  it('fails on a misspelt key, says which it meant, and names every problem at once', () => {
    // Act: cdk.json's own context (cli-telemetry) comes along, as the CDK CLI passes it.
    const run = runApp({ 'cli-telemetry': false, clusters: 'prod', alertEmails: 'ops@example.com', scheduleMinute: '5', ingestionLagMinutes: '90' });
    outdirs.push(run.outdir);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'eks-authz-audit: Unknown context key "scheduleMinute": did you mean scheduleMinutes?',
      'Invalid ingestionLagMinutes: "90" is not a whole number of minutes from 0 to 60',
    ]);
  });
});
