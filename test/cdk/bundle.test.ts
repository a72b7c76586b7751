import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { EksAuthzAuditStack } from '../../lib/eks-authz-audit-stack';

/**
 * The one test that bundles for real, with the local esbuild as `cdk synth` does, then loads the
 * bundle the way Lambda would: a plain Node process, outside the project (no node_modules to fall
 * back on), with the environment the stack gives the function.
 */
describe('the audit function bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // A real esbuild bundle and a child Node process: about 25 s when the two cores are shared by many jobs.
  it('is built by the local esbuild and exports a handler function', () => {
    // Prepare
    const app = new App({ outdir });
    new EksAuthzAuditStack(app, 'Bundled', {
      env: { account: '111122223333', region: 'eu-west-1' },
      auditor: { clusters: [{ name: 'demo' }], alertEmails: ['ops@example.com'] },
    });

    // Act
    const assembly = app.synth();

    // Assess
    const resources = Object.values(assembly.getStackByName('Bundled').template.Resources) as { Type: string; Properties: any }[];
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')!;
    const assetDir = join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(statSync(join(assetDir, 'index.mjs')).size).toBeLessThan(5 * 1024 * 1024);

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      // Quiet as in vitest.config.ts: the SDK's Node 20 notice and Powertools' cold-start logs.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
      // The topic ARN and the table name are CloudFormation references until deploy: give real-looking ones.
      env[name] =
        typeof value === 'string' ? value
        : name === 'AUDIT_STATE_TABLE' ? 'EksAuthzAudit-AuditorStateTable-1A2B3C4D5E6F'
        : 'arn:aws:sns:eu-west-1:111122223333:EksAuthzAudit-Topic';
    }
    const loaded = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"],
      { cwd: assetDir, env, encoding: 'utf8' },
    );
    expect(loaded.trim()).toBe('function');
  }, 120_000);
});
