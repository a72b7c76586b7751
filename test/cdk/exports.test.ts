import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { EksAuthzAuditorProps } from '../../lib/eks-authz-auditor';
import { EksAuthzAuditStack } from '../../lib/eks-authz-audit-stack';
import { parseContext } from '../../lib/context';

const ENV = { account: '111122223333', region: 'eu-west-1' };

function synth(auditor: Partial<EksAuthzAuditorProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new EksAuthzAuditStack(app, 'Test', { env: ENV, auditor: { clusters: [{ name: 'demo' }], alertEmails: ['ops@example.com'], ...auditor } });
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  const variables = (Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
  return { stack, statements, variables };
}

const about = (statements: Record<string, unknown>[], service: string) => statements.filter((s) => JSON.stringify(s['Action']).includes(`${service}:`));

describe('exports in the construct', () => {
  it('are off by default: no Security Hub or EventBridge permission, no variable', () => {
    const { statements, variables } = synth();
    expect(about(statements, 'securityhub')).toEqual([]);
    expect(about(statements, 'events')).toEqual([]);
    expect(variables['AUDIT_EVENT_BUS']).toBeUndefined();
    expect(variables['AUDIT_SECURITY_HUB']).toBe('false');
  });

  it('securityHub: BatchImportFindings only, on the default product of this account, into this account only', () => {
    const { statements, variables } = synth({ securityHub: true });
    expect(about(statements, 'securityhub')).toEqual([
      {
        Sid: 'ImportFindingsIntoSecurityHub',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:eu-west-1:111122223333:product/111122223333/default']] },
        Condition: { StringEquals: { 'securityhub:TargetAccount': '111122223333' } },
      },
    ]);
    expect(variables['AUDIT_SECURITY_HUB']).toBe('true');
  });

  it('eventBus: PutEvents on that bus only, by name (this account and region) or ARN', () => {
    const byName = synth({ eventBus: 'ops-incidents' });
    expect(about(byName.statements, 'events')).toEqual([
      {
        Sid: 'PutIncidentEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111122223333:event-bus/ops-incidents']] },
      },
    ]);
    expect(byName.variables['AUDIT_EVENT_BUS']).toBe('ops-incidents');
    const arn = 'arn:aws:events:eu-west-1:210987654321:event-bus/central';
    expect(about(synth({ eventBus: arn }).statements, 'events')[0]!['Resource']).toBe(arn);
  });

  it('pass cdk-nag with both on', () => {
    const { stack } = synth({ securityHub: true, eventBus: 'ops-incidents' });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
  });

  it('are read from the context keys securityHub and eventBus, and a bad bus is refused naming the key', () => {
    expect(parseContext({ clusters: 'demo', alertEmails: 'ops@example.com', securityHub: 'true', eventBus: 'ops' })).toMatchObject({ securityHub: true, eventBus: 'ops' });
    expect(() => parseContext({ clusters: 'demo', alertEmails: 'ops@example.com', eventBus: 'not a bus!' })).toThrow(/eventBus.*not an EventBridge event bus name or ARN/);
    expect(() => parseContext({ clusters: 'demo', alertEmails: 'ops@example.com', securityHub: 'yes' })).toThrow(/securityHub.*not true or false/);
  });
});
