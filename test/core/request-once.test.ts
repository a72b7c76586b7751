import { describe, expect, it } from 'vitest';
import { RequestOnce } from '../../lambda/model/request-once';
import { Engine } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { forbiddenBurst } from '../../lambda/rules/audit/forbidden-burst';
import { nodeSystemMasters } from '../../lambda/rules/audit/node-system-masters';
import type { AuditEvent } from '../../lambda/model/records';
import { auditEvent, iamUser, NODE, record } from '../rules/helpers';
import { buildQueries } from '../../lambda/runtime/queries';

function scanEvents(rules: typeof RULES, events: AuditEvent[], files = ['a.jsonl']) {
  const engine = new Engine(rules, { cluster: 'c' });
  for (const file of files) {
    engine.file(file);
    events.forEach((e, i) => engine.record(record(e, { file, line: i + 1 })));
  }
  return engine.finish();
}

/** A kubelet watch in system:masters, logged at ResponseStarted and again at ResponseComplete. */
function watchStages(auditID: string): AuditEvent[] {
  const user = iamUser(`system:node:${NODE}`, ['system:masters', 'system:authenticated']);
  const started = { ...auditEvent({ user, verb: 'watch', uri: '/api/v1/pods?watch=true', objectRef: { resource: 'pods', apiVersion: 'v1' }, code: 200, auditID }), stage: 'ResponseStarted' };
  const complete = { ...auditEvent({ user, verb: 'watch', uri: '/api/v1/pods?watch=true', objectRef: { resource: 'pods', apiVersion: 'v1' }, code: 200, auditID }), stage: 'ResponseComplete' };
  return [started, complete];
}

describe('RequestOnce', () => {
  it('says first once per key and forgets the oldest keys beyond its capacity', () => {
    const once = new RequestOnce(2);
    expect([once.first('a'), once.first('a'), once.first('b'), once.first('c')]).toEqual([true, false, true, true]);
    expect(once.size).toBe(2);
    expect(once.first('a')).toBe(true);
  });
});

describe('counting requests, not stages', () => {
  it('counts a watch logged at two stages once, keeping both stages as evidence', () => {
    // Act
    const result = scanEvents([nodeSystemMasters], [...watchStages('w-1'), ...watchStages('w-2')]);

    // Assess
    const [f] = result.findings;
    expect(f!.count).toBe(2);
    expect(f!.evidence).toHaveLength(4);
  });

  it('counts the same event read from two files once', () => {
    const result = scanEvents([nodeSystemMasters], watchStages('w-1').slice(1), ['a.jsonl', 'b.jsonl']);
    expect(result.findings[0]!.count).toBe(1);
  });

  it('judges the burst threshold on requests: 30 refusals read twice are 30, not 60', () => {
    // Prepare
    const user = { username: 'ci-bot', groups: ['system:authenticated'] };
    const events = Array.from({ length: 30 }, (_, i) =>
      auditEvent({ user, userAgent: 'curl/8', verb: 'get', uri: `/api/v1/r${i % 6}`, objectRef: { resource: `r${i % 6}`, apiVersion: 'v1' }, code: 403, auditID: `b-${i}` }),
    );

    // Act
    const once = scanEvents([forbiddenBurst], events, ['a.jsonl']);
    const twice = scanEvents([forbiddenBurst], events, ['a.jsonl', 'b.jsonl']);

    // Assess: the default threshold is 50.
    expect(once.findings).toEqual([]);
    expect(twice.findings).toEqual([]);
  });

  it('asks Logs Insights for final stages only, so a row counts requests', () => {
    const audit = buildQueries(RULES).find((q) => q.stream === 'audit')!;
    expect(audit.queryString).toContain('@message not like /"stage":"(RequestReceived|ResponseStarted)"/');
  });
});
