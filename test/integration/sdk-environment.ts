import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, vi } from 'vitest';
import type { FakeAws } from './fake-aws';

/** The SDK documentation's example keys: they sign requests to the local servers and open nothing real. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The services the handler makes clients for, as they are spelled in AWS_ENDPOINT_URL_<SERVICE>. */
export type SdkService = 'CLOUDWATCH_LOGS' | 'SNS' | 'EKS' | 'SECURITYHUB' | 'EVENTBRIDGE';

/**
 * Points the SDK's default chain (the clients the code makes itself) at a local server through the standard
 * variables: AWS_ENDPOINT_URL_<SERVICE> for each service named, AWS_ENDPOINT_URL (every service) when none is.
 * Region and keys are the test's, and nothing comes from this machine's AWS setup: no config or credentials
 * file, profile, session token or instance metadata. vi.unstubAllEnvs() undoes it.
 */
export function stubSdkEnvironment(endpoint: string, services?: readonly SdkService[]): void {
  if (services) for (const service of services) vi.stubEnv(`AWS_ENDPOINT_URL_${service}`, endpoint);
  else vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  // Files in a folder nobody made: the SDK finds no shared config to read.
  const nowhere = join(tmpdir(), `eks-authz-audit-no-aws-${randomUUID()}`);
  vi.stubEnv('AWS_CONFIG_FILE', join(nowhere, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(nowhere, 'credentials'));
  vi.stubEnv('AWS_PROFILE', '');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

/**
 * Runs `fake` for the calling file's tests, the SDK pointed at it as stubSdkEnvironment does; afterwards it
 * stops and every stubbed variable (the file's own too) is undone. Returns the endpoint, once started.
 */
export function serveFakeAws(fake: FakeAws, services?: readonly SdkService[]): () => string {
  let endpoint: string | undefined;
  beforeAll(async () => {
    endpoint = await fake.start();
    stubSdkEnvironment(endpoint, services);
  });
  afterAll(async () => {
    await fake.stop();
    vi.unstubAllEnvs();
  });
  return () => {
    if (endpoint === undefined) throw new Error('serveFakeAws: the endpoint is known once beforeAll has run');
    return endpoint;
  };
}
