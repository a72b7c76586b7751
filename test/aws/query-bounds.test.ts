import { describe, expect, it } from 'vitest';
import { buildQueries, GATED_KEYS } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';

/**
 * Rows stay bounded only if no group key of the audit query takes a new value per node, per object or per
 * event on the requests that succeed: all audit rules' keys are grouped by together, and in a fleet whose node
 * role is in system:masters every kubelet request matches. responseStatus.message is allowed: it exists only
 * on failures.
 */
const PER_NODE_OR_OBJECT = ['objectRef.name', 'sourceIPs.0', 'requestURI', 'auditID', 'user.uid', 'userAgent', '@message', '@ptr'];

describe('the audit query keys', () => {
  it('hold nothing that is distinct per node or object on successful requests', () => {
    const audit = buildQueries(RULES).find((q) => q.stream === 'audit');
    expect(audit).toBeDefined();
    expect(audit!.keys.filter((k) => PER_NODE_OR_OBJECT.includes(k))).toEqual([]);
    expect(audit!.keys).toContain('responseStatus.message');
  });

  it('group the messages of unauthenticated requests as one (they name whatever object or path the client asked for)', () => {
    const audit = buildQueries(RULES).find((q) => q.stream === 'audit')!;
    expect(audit.queryString).toContain(`| fields ${GATED_KEYS['responseStatus.message']!.expression} as deniedMessage`);
    expect(audit.queryString).toMatch(/\n {4}by .*deniedMessage/);
    expect(audit.queryString).not.toMatch(/\n {4}by .*responseStatus\.message/);
  });
});

/**
 * The API-server query reads text lines, each distinct (klog time, object name). Its keys come from `parse`
 * commands; run here with JavaScript's regular expressions (the same named-group syntax), they must give one row
 * per node and kind of refusal, not one per object or line, while FLAG lines keep one row each.
 */
describe('the apiserver query keys', () => {
  const query = buildQueries(RULES).find((q) => q.stream === 'apiserver')!;
  const parses = [...query.queryString.matchAll(/^\| parse @message \/(.*)\/$/gm)].map((m) => new RegExp(m[1]!));
  const keysOf = (line: string): string => {
    const fields: Record<string, string | undefined> = {};
    for (const p of parses) Object.assign(fields, p.exec(line)?.groups ?? {});
    return JSON.stringify(query.keys.filter((k) => k !== '@logStream').map((k) => fields[k] ?? null));
  };

  it('do not group by @message, and parse what they group by', () => {
    expect(query.keys).not.toContain('@message');
    expect(parses.length).toBeGreaterThanOrEqual(2);
  });

  it('give one row per node and kind of refusal however many objects a node asks for', () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const t = `08:07:${String(i % 60).padStart(2, '0')}.${String(100000 + i)}`;
      lines.push(`I0619 ${t}      10 node_authorizer.go:200] "NODE DENY" err="node 'ip-10-0-0-1.ec2.internal' cannot get unknown pv /pvc-${i}"`);
      lines.push(`I0619 ${t}      10 node_authorizer.go:200] "NODE DENY" err="node 'ip-10-0-0-1.ec2.internal' cannot get secret ns-${i}/s-${i}, no relationship to this object was found in the node authorizer graph"`);
      lines.push(`I0619 ${t}      10 rbac.go:116] RBAC DENY: user "system:node:ip-10-0-0-2.ec2.internal" groups ["system:nodes" "system:authenticated"] cannot "get" resource "nodes" named "n-${i}" cluster-wide`);
    }
    const rows = new Set(lines.map(keysOf));
    expect(rows.size).toBe(3);
    expect([...rows].every((r) => r.includes('ip-10-0-0-'))).toBe(true);
  });

  it('keep FLAG lines one row each, as before', () => {
    const a = 'I0914 09:46:06.295709      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC]"';
    const b = 'I0914 10:46:06.295709      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC]"';
    expect(keysOf(a)).not.toBe(keysOf(b));
    expect(keysOf(a)).toContain('FLAG: --authorization-mode');
  });
});
