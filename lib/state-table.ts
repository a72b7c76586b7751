import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The life-cycle state table (lambda/runtime/state-store.ts): one partition per cluster, `pk`/`sk` strings,
 * items expire through the `expiresAt` TTL attribute once an incident is resolved. Kept when the stack is
 * deleted (RETAIN): it is the memory of which incidents were alerted, and deleting it is a user's decision
 * (README "Life cycle").
 */
export const STATE_KEYS = { partition: 'pk', sort: 'sk', ttl: 'expiresAt' } as const;

/** The item actions the function uses (begin, load, commit, release, sweep), nothing else. */
export const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

export function buildStateTable(scope: Construct, key: kms.IKey | undefined): dynamodb.Table {
  return new dynamodb.Table(scope, 'StateTable', {
    partitionKey: { name: STATE_KEYS.partition, type: dynamodb.AttributeType.STRING },
    sortKey: { name: STATE_KEYS.sort, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    // The stack's key when there is one; an imported topic without a known key leaves the AWS managed key.
    ...(key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: STATE_KEYS.ttl,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * The function may read and write items of this table only. With the stack's key, it also needs the key for
 * the table's encryption: the actions aws-cdk-lib's own table grants add, named one by one.
 */
export function grantStateTable(role: iam.Role, table: dynamodb.Table, key: kms.IKey | undefined): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: STATE_TABLE_ACTIONS, resources: [table.tableArn] }));
  if (key) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:DescribeKey'], resources: [key.keyArn] }));
  }
}
