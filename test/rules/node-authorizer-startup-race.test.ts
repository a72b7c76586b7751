import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { readMessage } from '../../lambda/readers/message';
import type { AuditEvent } from '../../lambda/model/records';
import { RULES } from '../../lambda/rules/registry';
import type { LogRecord } from '../../lambda/model/records';
import { MAX_OBJECTS_TOTAL, StartupRaces } from '../../lambda/rules/support/startup-race';
import { auditEvent, kubeletUser, NODE, record } from './helpers';

/**
 * A node refused by the Node authorizer right after an API server started, then allowed: a start-up race, reported
 * low by node-authorizer-startup-race instead of high by node-unrelated-object-access. Lines and events written here
 * from the formats (kube-apiserver FLAG dump and NODE DENY klog lines, EKS audit events); names are made up.
 */
const DAY = '2024-06-19';
const flags = (t: string): string[] => [
  `I0619 ${t}.100000      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC,Webhook]"`,
  `I0619 ${t}.100100      10 flags.go:64] FLAG: --enable-admission-plugins="[NodeRestriction,ExtendedResourceToleration]"`,
];
const deny = (t: string, secret: string): string =>
  `I0619 ${t}.200000      10 node_authorizer.go:200] "NODE DENY" err="node '${NODE}' cannot get secret web/${secret}, no relationship to this object was found in the node authorizer graph"`;

function secretGet(t: string, secret: string, code: number): AuditEvent {
  return auditEvent({
    user: kubeletUser(),
    verb: 'get',
    uri: `/api/v1/namespaces/web/secrets/${secret}`,
    objectRef: { resource: 'secrets', namespace: 'web', name: secret, apiVersion: 'v1' },
    code,
    time: `${DAY}T${t}.123456Z`,
    ...(code === 403 ? { reason: `no relationship found between node '${NODE}' and this object` } : {}),
  });
}

function scan(lines: string[], events: AuditEvent[] = []) {
  const engine = new Engine(RULES, { cluster: 'c' });
  engine.file('input');
  lines.forEach((l, i) => readMessage(l, { file: 'api.log', line: i + 1, timestamp: `${DAY}T08:00:00Z`, logStream: 'kube-apiserver-0a1b' }, engine));
  events.forEach((e, i) => engine.record(record(e, { line: i + 1 })));
  return engine.finish();
}

const ruleIds = (r: ReturnType<typeof scan>): string[] => r.findings.map((f) => f.ruleId).filter((id) => id.startsWith('node-'));

describe('node-authorizer-startup-race', () => {
  it('reports a node denied once just after a start, then allowed, as a low start-up race', () => {
    // Act
    const result = scan([...flags('08:07:20'), deny('08:07:21', 'tls')], [secretGet('08:07:25', 'tls', 200)]);

    // Assess
    expect(ruleIds(result)).toEqual(['node-authorizer-startup-race']);
    const f = result.findings[0]!;
    expect(f).toMatchObject({ severity: 'low', subject: { node: NODE }, count: 1 });
    expect(f.message).toContain('after an API server started at 2024-06-19T08:07:20.100Z');
    expect(f.message).toContain('not a stolen credential');
  });

  it('uses the audit log when it carries the refusal too', () => {
    const result = scan([...flags('08:07:20')], [secretGet('08:07:21', 'tls', 403), secretGet('08:07:26', 'tls', 200)]);
    expect(ruleIds(result)).toEqual(['node-authorizer-startup-race']);
  });

  it('stays high when the same request never succeeds afterwards', () => {
    const result = scan([...flags('08:07:20'), deny('08:07:21', 'tls')], [secretGet('08:07:25', 'other', 200)]);
    expect(ruleIds(result)).toEqual(['node-unrelated-object-access']);
  });

  it('stays high when a refusal comes long after the start', () => {
    const result = scan([...flags('08:07:20'), deny('08:07:21', 'tls'), deny('08:30:00', 'db')], [secretGet('08:07:25', 'tls', 200), secretGet('08:31:00', 'db', 200)]);
    expect(ruleIds(result)).toEqual(['node-unrelated-object-access']);
  });

  it('stays high when no API-server start is in the input, or the FLAG lines are a kubelet\'s', () => {
    expect(ruleIds(scan([deny('08:07:21', 'tls')], [secretGet('08:07:25', 'tls', 200)]))).toEqual(['node-unrelated-object-access']);
    const engine = new Engine(RULES, { cluster: 'c' });
    engine.file('journal');
    [...flags('08:07:20')].forEach((l, i) => readMessage(`Jun 19 08:07:20 ${NODE} kubelet[900]: ${l}`, { file: 'j', line: i + 1, timestamp: `${DAY}T08:00:00Z` }, engine));
    readMessage(deny('08:07:21', 'tls'), { file: 'api.log', line: 9, timestamp: `${DAY}T08:00:00Z` }, engine);
    engine.record(record(secretGet('08:07:25', 'tls', 200)));
    expect(engine.finish().findings.map((f) => f.ruleId)).toContain('node-unrelated-object-access');
  });
});

describe('incident grouping of the new node rules', () => {
  it('join the incident of the node they name', async () => {
    const { nodeKubeletAnonymous } = await import('../../lambda/rules/audit/node-kubelet-anonymous');
    const { nodeAuthorizerStartupRace } = await import('../../lambda/rules/audit/node-authorizer-startup-race');
    for (const rule of [nodeKubeletAnonymous, nodeAuthorizerStartupRace]) expect(rule.incident).toEqual({ cause: 'node-credential', by: 'node' });
  });

  it('remembers at most MAX_OBJECTS_TOTAL objects over all nodes; a node past that is never called a race', () => {
    // Prepare: an API-server start, then a race that resolves, then forged refusals filling the bound.
    const records: LogRecord[] = [];
    const sink = { file: () => undefined, malformed: () => undefined, record: (r: LogRecord) => void records.push(r) };
    readMessage(flags('08:07:20')[0]!, { file: 'api.log', line: 1, timestamp: `${DAY}T08:00:00Z`, logStream: 'kube-apiserver-0a1b' }, sink);
    const races = new StartupRaces();
    races.addFlag(records[0] as Parameters<StartupRaces['addFlag']>[0]);
    const denied = (node: string, secret: string) => record({ ...secretGet('08:07:21', secret, 403), user: kubeletUser(node) });
    const allowed = (node: string, secret: string) => record({ ...secretGet('08:07:25', secret, 200), user: kubeletUser(node) });
    const evidence = { truncated: false };

    // Act
    races.addDenial('early', 'secrets web/tls', denied('early', 'tls'), evidence, true);
    races.addSuccess(allowed('early', 'tls'));
    const filler = denied('filler', 'x');
    for (let i = 1; i < MAX_OBJECTS_TOTAL; i++) races.addDenial(`forged-${i >> 9}`, `secrets web/s${i}`, filler, evidence, true);
    races.addDenial('late', 'secrets web/tls', denied('late', 'tls'), evidence, true);
    races.addSuccess(allowed('late', 'tls'));

    // Assess
    expect(races.race('early')?.node).toBe('early');
    expect(races.race('late')).toBeUndefined();
  });
});
