/**
 * The start-up race (node-authorizer-startup-race) needs a node's successful reads after its refusals. Kubelets
 * read their pods' secrets all day, so the fast path parses such a read only for a node refused before (in input
 * order); worker threads, which never see the refusals, parse every one. Either way the race is found, and on one
 * thread a read by a node never refused is not parsed at all.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import type { LogRecord } from '../../lambda/model/records';
import { RULES } from '../../lambda/rules/registry';
import type { ReadOptions } from '../../lambda/scan/index';
import { readInputs } from '../../lambda/scan/index';
import { Rng, SECOND, allow, forbid, iamRoleUser, kubeletRead, micros } from '../../tools/eks-events';

const REFUSED = 'ip-10-0-1-10.us-west-2.compute.internal';
const HEALTHY = 'ip-10-0-1-20.us-west-2.compute.internal';
const START = micros('2024-06-19T08:07:20.100000Z');

function kubelet(nodeName: string, ip: string) {
  return {
    nodeName, sourceIP: ip, userAgent: 'kubelet/v1.31.4 (linux/amd64) kubernetes/5d3e1f0',
    user: iamRoleUser(`system:node:${nodeName}`, ['system:bootstrappers', 'system:nodes'], {
      account: '111122223333', roleName: 'NodeRole', roleId: 'AROAEXAMPLE', sessionName: 'i-0abc', accessKeyId: 'ASIAEXAMPLE',
    }),
  };
}

let dir = '';
let paths: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fast-path-race-'));
  const rng = new Rng('fast-path-race');
  const refused = kubelet(REFUSED, '10.0.1.10');
  const healthy = kubelet(HEALTHY, '10.0.1.20');
  const read = (k: typeof refused, t: number, ok: boolean) =>
    kubeletRead({
      rng, time: START + t * SECOND, kubelet: k, resource: 'secrets', namespace: 'web', name: 'tls', verb: 'get',
      outcome: ok ? allow() : forbid(`no relationship found between node '${k.nodeName}' and this object`),
    });
  // The API server's start (its FLAG dump, short-iso journald lines carry the year), then the audit log.
  const flags = [
    `2024-06-19T08:07:20+0000 ip-172-16-0-5 kube-apiserver[10]: I0619 08:07:20.100000      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC,Webhook]"`,
    `2024-06-19T08:07:20+0000 ip-172-16-0-5 kube-apiserver[10]: I0619 08:07:20.100100      10 flags.go:64] FLAG: --enable-admission-plugins="[NodeRestriction]"`,
  ];
  const events = [read(healthy, 0.5, true), read(refused, 1, false), read(refused, 5, true), read(healthy, 6, true)];
  paths = [join(dir, 'kube-apiserver.log'), join(dir, 'kube-apiserver-audit.jsonl')];
  await writeFile(paths[0]!, `${flags.join('\n')}\n`);
  await writeFile(paths[1]!, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function scan(options: ReadOptions) {
  const engine = new Engine(RULES, { cluster: 'race' });
  const parsed: LogRecord[] = [];
  const record = engine.record.bind(engine);
  vi.spyOn(engine, 'record').mockImplementation((r) => {
    parsed.push(r);
    record(r);
  });
  await readInputs(paths, engine, options);
  const result = engine.finish();
  return { result, parsedAudit: parsed.filter((r) => r.kind === 'audit').length };
}

describe('the start-up race through the fast path', () => {
  it.each([
    ['one thread, fast path', { fastPath: true }],
    ['full parse', { fastPath: false }],
    ['worker threads', { fastPath: true, parallel: { recipe: { cluster: 'race' }, minBytes: 0, minFileBytes: 0, segmentBytes: 256, workers: 2 } }],
  ] as const)('is found (%s)', async (_name, options) => {
    // Act
    const { result } = await scan(options as ReadOptions);

    // Assess
    const node = result.findings.filter((f) => f.ruleId.startsWith('node-'));
    expect(node.map((f) => [f.ruleId, f.subject['node']])).toEqual([['node-authorizer-startup-race', REFUSED]]);
    expect(result.stats.auditEvents).toBe(4);
  });

  it('parses on one thread only the refusal and the read that may end it, not the reads of a node never refused', async () => {
    // Act
    const fast = await scan({ fastPath: true });
    const full = await scan({ fastPath: false });

    // Assess
    expect(full.parsedAudit).toBe(4);
    expect(fast.parsedAudit).toBe(2);
    expect(fast.result.findings).toEqual(full.result.findings);
  });
});
