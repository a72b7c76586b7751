import { GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { auditCluster } from '../../lambda/runtime/audit-cluster';
import { buildQueries } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';
import { fakeClock, resultRow } from './helpers';

/** An authenticator query that returns one aggregated row: one ARN denied `n` times. */
function logsClient(n: number) {
  const t = Date.parse('2026-11-27T10:00:00Z');
  const line = 'time="2026-11-27T10:00:00Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:user/ci-bot" client="127.0.0.1:43440" error="sts getCallerIdentity failed" method=POST path=/authenticate';
  return () => ({
    send: async (command: unknown) => {
      if (command instanceof StartQueryCommand) return { queryId: `q-${command.input.queryString?.includes('authenticator-') ? 'auth' : 'other'}` };
      if (command instanceof GetQueryResultsCommand) {
        const rows = command.input.queryId === 'q-auth'
          ? [resultRow({ n, firstSeen: t, lastSeen: t + 60_000, sample: line, logStream: 'authenticator-0123456789abcdef' })]
          : [];
        return { status: 'Complete', results: rows, statistics: { recordsMatched: rows.length, recordsScanned: 1, bytesScanned: 1 } };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  });
}

describe('auditCluster', () => {
  const window = { startMs: Date.parse('2026-11-27T10:00:00Z'), endMs: Date.parse('2026-11-27T10:15:00Z') };
  const target = { name: 'prod', logGroup: '/aws/eks/prod/cluster' };
  const base = { rules: RULES, queries: buildQueries(RULES), clock: fakeClock(), timeLeft: () => Infinity };

  it('passes the burst thresholds to the rules: 10 denials are a burst at threshold 10, not at the default 20', async () => {
    // Act
    const atDefault = await auditCluster(target, window, 'info', { ...base, logsClient: logsClient(10) });
    const lowered = await auditCluster(target, window, 'info', {
      ...base, logsClient: logsClient(10), settings: { deniedBurst: 10, forbiddenBurst: 50, forbiddenBurstResources: 5 },
    });

    // Assess
    expect(atDefault.report.findings.map((f) => f.ruleId)).not.toContain('authenticator-denied-burst');
    expect(lowered.report.findings.filter((f) => f.ruleId === 'authenticator-denied-burst')).toMatchObject([
      { count: 10, subject: { arn: 'arn:aws:iam::111122223333:user/ci-bot' } },
    ]);
  });
});
