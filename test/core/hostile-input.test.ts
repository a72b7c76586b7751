import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { normalizeAuditEvent } from '../../lambda/model/audit-fields';
import type { AuditEvent, AuditUser } from '../../lambda/model/records';
import { RULES } from '../../lambda/rules/registry';
import { auditEvent, record } from '../rules/helpers';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

/** The sample audit events the rules act on: 403s, aws-auth writes, anonymous requests. */
function interestingSampleEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const dir of readdirSync(SAMPLES, { withFileTypes: true })) {
    const file = join(SAMPLES, dir.name, 'kube-apiserver-audit.jsonl');
    if (!dir.isDirectory() || !existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      const status = e['responseStatus'] as { code?: number } | undefined;
      const user = e['user'] as { username?: string } | undefined;
      if (status?.code === 403 || String(e['requestURI']).includes('aws-auth') || user?.username === 'system:anonymous') out.push(e);
    }
  }
  return out;
}

const WRONG_TYPES: unknown[] = [{ toString: 1 }, [{ toString: 1 }], 5, true, 'text', { __proto__: 1, constructor: 2 }];
const PATHS = [
  ['auditID'], ['verb'], ['requestURI'], ['userAgent'], ['stage'], ['requestReceivedTimestamp'], ['user'], ['user', 'username'],
  ['user', 'groups'], ['user', 'extra'], ['user', 'extra', 'canonicalArn'], ['objectRef'], ['objectRef', 'resource'],
  ['objectRef', 'name'], ['objectRef', 'namespace'], ['objectRef', 'subresource'], ['responseStatus'], ['responseStatus', 'code'],
  ['responseStatus', 'message'], ['sourceIPs'], ['annotations'], ['annotations', 'authorization.k8s.io/decision'],
  ['impersonatedUser'], ['requestObject'], ['requestObject', 'data'], ['responseObject'], ['level'],
];

/** `base` with the field at `path` replaced by `value`, or undefined when the path does not exist in it. */
function withField(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> | undefined {
  const copy = structuredClone(base);
  let o: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = o[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return undefined;
    o = next as Record<string, unknown>;
  }
  o[path.at(-1)!] = value;
  return copy;
}

describe('hostile field types', () => {
  it('never make a rule fail: each wrong type is counted as a malformed field and ignored', () => {
    // Prepare
    const bases = interestingSampleEvents().filter((_, i) => i % 7 === 0);
    expect(bases.length).toBeGreaterThan(20);
    const engine = new Engine(RULES, { cluster: 'prod' });
    engine.file('hostile.jsonl');
    let line = 0;

    // Act
    for (const base of bases) {
      for (const path of PATHS) {
        for (const value of WRONG_TYPES) {
          // Each its own request (a copy with the same auditID would be counted as read twice).
          const event = withField({ ...base, auditID: `hostile-${line}` }, path, value);
          if (event) engine.record(record(event as AuditEvent, { line: ++line }));
        }
      }
    }
    const result = engine.finish();

    // Assess
    expect(result.ruleErrors).toEqual([]);
    expect(result.stats.malformedFields).toBeGreaterThan(line / 2);
  });

  it('keeps what is well typed, drops what is not, and reads a status code written as text', () => {
    // Prepare
    const e = {
      auditID: { toString: 1 }, verb: 'get', sourceIPs: ['10.0.0.1', 7], user: { username: 'u', groups: 'system:masters', extra: { canonicalArn: 'x' } },
      objectRef: { resource: 'pods', name: ['x'] }, responseStatus: { code: '403', message: null }, annotations: { a: 'b', c: { d: 1 } }, userAgent: null,
    } as unknown as AuditEvent;

    // Act
    const bad = normalizeAuditEvent(e);

    // Assess
    expect(e).toEqual({
      verb: 'get', sourceIPs: ['10.0.0.1'], user: { username: 'u', extra: {} }, objectRef: { resource: 'pods' },
      responseStatus: { code: 403 }, annotations: { a: 'b' },
    });
    // auditID, a sourceIPs element, groups, extra.canonicalArn, objectRef.name, annotations.c; nulls are absent.
    expect(bad).toBe(6);
  });
});

describe('keys from logs that name Object.prototype members', () => {
  it('count like any other key: forbidden-burst lists all 8 distinct resources', () => {
    // Prepare
    const user: AuditUser = { username: 'system:serviceaccount:shop:checkout', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const names = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'secrets', 'pods'];
    const engine = new Engine(RULES, { cluster: 'prod', settings: { forbiddenBurst: 8, forbiddenBurstResources: 8 } });
    engine.file('audit.jsonl');

    // Act
    names.forEach((resource, i) => {
      const e = auditEvent({ user, verb: 'list', uri: `/api/v1/${resource}`, code: 403, objectRef: { resource, apiVersion: 'v1' } });
      e.sourceIPs = ['203.0.113.45'];
      engine.record(record(e, { line: i + 1 }));
    });
    const burst = engine.finish().findings.find((f) => f.ruleId === 'forbidden-burst');

    // Assess
    expect(burst?.message).toContain('on 8 distinct resources');
    for (const name of names) expect(burst?.message).toContain(`${name} x1`);
  });
});

describe('addresses the client chooses', () => {
  it('cannot split a probe: forbidden-burst keys on the connection address, the last of sourceIPs', () => {
    // Prepare: 60 refusals, each with a new forged X-Forwarded-For address in front of the real one.
    const user: AuditUser = { username: 'system:serviceaccount:shop:checkout', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const resources = ['secrets', 'configmaps', 'pods', 'nodes', 'namespaces', 'deployments'];
    const engine = new Engine(RULES, { cluster: 'prod' });
    engine.file('audit.jsonl');

    // Act
    for (let i = 0; i < 60; i++) {
      const resource = resources[i % resources.length]!;
      const e = auditEvent({ user, verb: 'list', uri: `/api/v1/${resource}`, code: 403, objectRef: { resource, apiVersion: 'v1' } });
      e.sourceIPs = [`198.51.100.${i}`, '203.0.113.45'];
      engine.record(record(e, { line: i + 1 }));
    }
    const bursts = engine.finish().findings.filter((f) => f.ruleId === 'forbidden-burst');

    // Assess
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.subject).toEqual({ sourceIP: '203.0.113.45', username: 'system:serviceaccount:shop:checkout' });
    expect(bursts[0]!.count).toBe(60);
    expect(bursts[0]!.message).toContain('claiming to forward for 198.51.100.0, 198.51.100.1, 198.51.100.2 and 57 more');
  });
});
