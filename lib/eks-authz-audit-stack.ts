import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EksAuthzAuditorProps } from './eks-authz-auditor';
import { EksAuthzAuditor } from './eks-authz-auditor';

export interface EksAuthzAuditStackProps extends StackProps {
  /** Everything the auditor is configured with. */
  readonly auditor: EksAuthzAuditorProps;
}

/** The deployable unit: one auditor, and the outputs the README's commands use. */
export class EksAuthzAuditStack extends Stack {
  readonly auditor: EksAuthzAuditor;

  constructor(scope: Construct, id: string, props: EksAuthzAuditStackProps) {
    super(scope, id, {
      description: 'EKS node authorization audit: scheduled Logs Insights queries, findings by email (eks-authz-audit)',
      ...props,
    });
    this.auditor = new EksAuthzAuditor(this, 'Auditor', props.auditor);
    new CfnOutput(this, 'FunctionName', {
      value: this.auditor.function.functionName,
      description: 'aws lambda invoke --function-name <this> for an ad-hoc audit',
    });
    new CfnOutput(this, 'TopicArn', { value: this.auditor.topic.topicArn, description: 'Findings and alarms' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.auditor.deadLetterQueue.queueUrl,
      description: 'Scheduled runs that failed after their retries',
    });
  }
}
