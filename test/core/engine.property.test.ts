import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { readMessage } from '../../lambda/readers/message';

/**
 * Rules read attacker-controlled events whose fields can hold any JSON type. Whatever the input, the whole
 * pipeline (reader -> engine -> every rule -> describe) must neither throw nor make a rule fail.
 */
const anyValue = fc.oneof(
  fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);
const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** Usually a plausible value, sometimes anything: reaches the rules' logic and their type guards alike. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyValue as fc.Arbitrary<unknown>, weight: 1 });

const eventLike = fc.record(
  {
    kind: mostly(fc.constant('Event')),
    auditID: fc.oneof(fc.uuid(), anyValue),
    verb: mostly(pick(['get', 'create', 'update', 'patch', 'list', 'delete'])),
    requestURI: fc.oneof(fc.string(), anyValue),
    user: fc.oneof(
      fc.record({
        username: mostly(pick(['system:node:ip-1', 'WorkerNodeRole', 'system:bootstrap:abc', 'system:anonymous', 'x'])),
        groups: mostly(fc.array(pick(['system:nodes', 'system:masters', 'system:bootstrappers', 'system:authenticated']))),
        extra: fc.oneof(fc.record({ canonicalArn: fc.oneof(fc.array(fc.string()), anyValue) }), anyValue),
      }, { requiredKeys: [] }),
      anyValue,
    ),
    userAgent: mostly(pick(['kubelet/v1.31.0 (linux/amd64)', 'kubectl/v1.31.0'])),
    objectRef: fc.oneof(
      fc.record({
        resource: mostly(pick(['leases', 'configmaps', 'certificatesigningrequests', 'nodes', 'secrets'])),
        namespace: mostly(pick(['kube-node-lease', 'kube-system'])),
        name: mostly(pick(['aws-auth', 'ip-1'])),
      }, { requiredKeys: [] }),
      anyValue,
    ),
    responseStatus: fc.oneof(fc.record({ code: mostly(pick([200, 201, 403, 404])), message: anyValue }, { requiredKeys: [] }), anyValue),
    annotations: fc.oneof(
      fc.record({
        'authorization.k8s.io/decision': mostly(pick(['allow', 'forbid'])),
        'authorization.k8s.io/reason': mostly(pick(['', "no relationship found between node 'ip-1' and this object"])),
      }, { requiredKeys: [] }),
      anyValue,
    ),
    requestObject: fc.oneof(
      fc.record({ data: fc.oneof(fc.record({ mapRoles: mostly(pick(['- rolearn: arn:aws:iam::1:role/n\n  username: WorkerNodeRole\n  groups: [system:nodes, system:masters]\n', '- {bad', ''])), mapUsers: fc.oneof(fc.string(), anyValue) }, { requiredKeys: [] }), anyValue) }, { requiredKeys: [] }),
      fc.array(fc.record({ op: anyValue, path: anyValue, value: anyValue }, { requiredKeys: [] }), { maxLength: 2 }),
      anyValue,
    ),
    requestReceivedTimestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyValue),
  },
  { requiredKeys: [] },
);

describe('engine with every rule, on arbitrary input', () => {
  it('never throws and no rule fails, whatever the audit events hold', () => {
    const fired = new Set<string>();
    fc.assert(
      fc.property(fc.array(eventLike, { maxLength: 20 }), (events) => {
        const engine = new Engine(RULES, { cluster: 'prop' });
        events.forEach((e, i) => readMessage(JSON.stringify(e), { file: 'p.jsonl', line: i + 1 }, engine));
        const result = engine.finish();
        expect(result.ruleErrors).toEqual([]);
        for (const f of result.findings) {
          expect(typeof f.message).toBe('string');
          fired.add(f.ruleId);
        }
      }),
      { numRuns: 300 },
    );
    // The generator reaches the rules (not only their early exits): several kinds of finding were produced.
    expect(fired.size).toBeGreaterThanOrEqual(4);
  });

  it('never throws on arbitrary text lines (klog, logrus, FLAG look-alikes)', () => {
    const line = fc.oneof(
      fc.string(),
      fc.tuple(pick(['authorization-mode', 'enable-admission-plugins', 'disable-admission-plugins', 'authorization-config']), fc.string())
        .map(([f, v]) => `I0101 00:00:00.000000      10 flags.go:64] FLAG: --${f}=${JSON.stringify(v)}`),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `time="2026-01-01T00:00:00Z" level=warning msg="access denied" arn="${a}" error="${b}"`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const engine = new Engine(RULES, { cluster: 'prop' });
        lines.forEach((l, i) => readMessage(l, { file: 'p.log', line: i + 1 }, engine));
        expect(engine.finish().ruleErrors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
