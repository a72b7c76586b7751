import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY, SORT_KEY } from '../../lambda/runtime/state-store';
import { TEST_CREDENTIALS } from '../integration/sdk-environment';

export { TEST_CREDENTIALS };

/**
 * dynalite (a DynamoDB server written in Node, in memory) on 127.0.0.1, on a port the system picks, and a
 * table with the key schema the construct creates. The SDK reaches it through its endpoint, as in the
 * handler through AWS_ENDPOINT_URL_DYNAMODB. dynalite has no UpdateTimeToLive: TTL is the construct's job.
 */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBDocumentClient;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw);
  return {
    endpoint,
    client,
    async createTable(name) {
      await raw.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: SORT_KEY, KeyType: 'RANGE' }],
          AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }, { AttributeName: SORT_KEY, AttributeType: 'S' }],
        }),
      );
    },
    async stop() {
      raw.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
