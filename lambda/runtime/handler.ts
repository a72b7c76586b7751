import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../settings/names';
import { loadConfig } from './config';
import { createHandler, defaultClients } from './lambda-runtime';

/**
 * Lambda entry point (the CDK stack bundles this file). Configuration is read and validated once, at
 * cold start: a bad variable fails the init with an error naming it, before any event is taken.
 */
const logger = new Logger({ serviceName: METRICS.SERVICE });
const metrics = new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE });
const config = loadConfig(process.env);

export const handler = createHandler(config, { logger, metrics, ...defaultClients(config.topicArn) });
