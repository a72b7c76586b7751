#!/usr/bin/env node
/**
 * CDK app entry: parse and validate the context once, then one stack per region.
 * `npx cdk synth -c clusters=demo -c alertEmails=ops@example.com` (see README "Deploy").
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lib/config';
import { parseContext, planStacks } from '../lib/context';
import { EksAuthzAuditStack } from '../lib/eks-authz-audit-stack';

const app = new App();
try {
  // All of it, so that a misspelt key is named rather than silently left at its default.
  const settings = parseContext(app.node.getAllContext());
  const plans = planStacks(settings.clusters, {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  });
  for (const plan of plans) {
    new EksAuthzAuditStack(app, plan.id, {
      env: plan.env,
      auditor: { ...settings, clusters: plan.clusters },
    });
  }
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // A configuration mistake is the user's to fix: say which key and value, without a stack trace.
  console.error(`eks-authz-audit: ${err.message}`);
  process.exit(1);
}
// Every synth runs the AWS Solutions checks; an open finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
