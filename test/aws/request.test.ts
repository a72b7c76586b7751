import { describe, expect, it } from 'vitest';
import { InvalidRequestError, parseInvocation } from '../../lambda/runtime/request';
import type { RuntimeConfig } from '../../lambda/runtime/config';
import { windowIso } from '../../lambda/runtime/window';
import { scheduledEvent } from './helpers';

const config: RuntimeConfig = {
  clusters: [
    { name: 'prod', logGroup: '/aws/eks/prod/cluster' },
    { name: 'staging', region: 'eu-west-1', logGroup: '/aws/eks/staging/cluster' },
  ],
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
  minSeverity: 'medium',
  scheduleMinutes: 60,
  ingestionLagMinutes: 5,
  maxLookbackDays: 30,
  concurrency: 4,
  ruleSettings: {},
};
const NOW = Date.parse('2024-05-19T07:03:21.500Z');

function rejected(event: unknown): InvalidRequestError {
  try {
    parseInvocation(event, config, NOW);
  } catch (err) {
    if (err instanceof InvalidRequestError) return err;
    throw err;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('parseInvocation: scheduled', () => {
  it('audits the configured clusters over the aligned window', () => {
    // Act
    const r = parseInvocation(scheduledEvent('2024-05-19T07:00:00Z'), config, NOW);

    // Assess
    expect(r.trigger).toBe('scheduled');
    expect(windowIso(r.window)).toEqual({ start: '2024-05-19T05:55:00.000Z', end: '2024-05-19T06:55:00.000Z' });
    expect(r.clusters).toBe(config.clusters);
    expect([r.minSeverity, r.dryRun]).toEqual(['medium', false]);
  });

  it('gives a retry of the same event the same window, even when it arrives much later', () => {
    // Act
    const first = parseInvocation(scheduledEvent('2024-05-19T07:00:00Z'), config, NOW);
    const retry = parseInvocation(scheduledEvent('2024-05-19T07:00:00Z'), config, NOW + 3 * 3600_000);

    // Assess
    expect(retry.window).toEqual(first.window);
  });

  it('rejects a scheduled event without a usable time', () => {
    expect(rejected(scheduledEvent('yesterday')).field).toBe('time');
  });
});

describe('parseInvocation: manual', () => {
  it('takes start and end, the cluster subset, minSeverity and dryRun', () => {
    // Act
    const r = parseInvocation(
      { start: '2024-05-18T06:00:00.250Z', end: '2024-05-18T07:00:00Z', clusters: ['staging'], minSeverity: 'high', dryRun: true },
      config,
      NOW,
    );

    // Assess
    expect(r.trigger).toBe('manual');
    expect(windowIso(r.window)).toEqual({ start: '2024-05-18T06:00:00.000Z', end: '2024-05-18T07:00:00.000Z' });
    expect(r.clusters.map((c) => c.name)).toEqual(['staging']);
    expect([r.minSeverity, r.dryRun]).toEqual(['high', true]);
  });

  it('takes a lookback ending at the current minute', () => {
    // Act
    const r = parseInvocation({ lookback: '24h' }, config, NOW);

    // Assess
    expect(windowIso(r.window)).toEqual({ start: '2024-05-18T07:03:00.000Z', end: '2024-05-19T07:03:00.000Z' });
    expect(r.clusters).toBe(config.clusters);
    expect(r.dryRun).toBe(false);
  });

  it.each([
    [{ lookback: '24h', dryrun: true }, 'dryrun', 'is not a known key'],
    [{}, 'start', 'is required'],
    [{ start: '2024-05-18T06:00:00Z' }, 'end', 'is required'],
    [{ start: 'May 18', end: '2024-05-18T07:00:00Z' }, 'start', 'must be an ISO 8601 time'],
    [{ start: '2024-05-18T06:00:00Z', end: '2024-05-18T07:00:00' }, 'end', 'must be an ISO 8601 time'],
    [{ start: '2024-05-18T07:00:00Z', end: '2024-05-18T06:00:00Z' }, 'end', 'must be after start'],
    [{ start: '2024-05-19T06:00:00Z', end: '2024-05-20T06:00:00Z' }, 'end', 'is in the future'],
    [{ start: '2024-04-01T00:00:00Z', end: '2024-04-02T00:00:00Z' }, 'start', 'reaches back more than the 30 days allowed'],
    [{ lookback: '31d' }, 'lookback', 'reaches back more than the 30 days allowed'],
    [{ lookback: 'a while' }, 'lookback', 'must be a duration'],
    [{ lookback: '1h', start: '2024-05-18T06:00:00Z' }, 'lookback', 'not both'],
    [{ lookback: '1h', clusters: ['prod', 'dev'] }, 'clusters[1]', '"dev" is not a configured cluster (configured: prod, staging)'],
    [{ lookback: '1h', clusters: [] }, 'clusters', 'non-empty array'],
    [{ lookback: '1h', minSeverity: 'urgent' }, 'minSeverity', 'is not a severity'],
    [{ lookback: '1h', dryRun: 'yes' }, 'dryRun', 'must be true or false'],
  ])('rejects %j naming the field', (event, field, problem) => {
    // Act
    const err = rejected(event);

    // Assess
    expect(err.field).toBe(field);
    expect(err.message).toContain(`${field}: `);
    expect(err.message).toContain(problem);
  });

  it('rejects what is not an object', () => {
    expect(rejected('24h').field).toBe('(event)');
    expect(rejected(null).field).toBe('(event)');
    expect(rejected([1]).field).toBe('(event)');
  });
});
