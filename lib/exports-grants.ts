import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The permissions of the opt-in exports, and nothing when they are off.
 * - Security Hub: BatchImportFindings only, on the account's default product (the service authorization reference
 *   gives the action the `product` resource type, arn:...:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT), and
 *   only into this account (its condition key securityhub:TargetAccount is the findings' AwsAccountId).
 * - EventBridge: PutEvents on the configured bus only (a name is this stack's account and region).
 */
export function grantExports(role: iam.IRole, settings: { readonly securityHub: boolean; readonly eventBus?: string | undefined }): void {
  const stack = Stack.of(role);
  if (settings.securityHub) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ImportFindingsIntoSecurityHub',
        actions: ['securityhub:BatchImportFindings'],
        resources: [defaultProductArn(stack)],
        conditions: { StringEquals: { 'securityhub:TargetAccount': stack.account } },
      }),
    );
  }
  if (settings.eventBus !== undefined) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'PutIncidentEvents', actions: ['events:PutEvents'], resources: [eventBusArn(stack, settings.eventBus)] }),
    );
  }
}

export function defaultProductArn(stack: Stack): string {
  return stack.formatArn({ service: 'securityhub', resource: 'product', resourceName: `${stack.account}/default`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

export function eventBusArn(stack: Stack, bus: string): string {
  if (bus.startsWith('arn:')) return bus;
  return stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: bus, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
