import { describe, expect, it } from 'vitest';
import { buildQueries, fieldRef, PER_EVENT_KEYS, ROW_LIMIT, STREAM_FILTERS } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';
import type { Rule, ServerNeeds } from '../../lambda/model/rule';

function rule(id: string, needs: ServerNeeds): Rule {
  return {
    id, severity: 'high', title: id, description: id, remediation: id, references: [], needs,
    create: () => ({}),
    describe: () => ({ message: id, remediation: id }),
  };
}

const lease = rule('lease', { stream: 'audit', filter: "objectRef.resource = 'leases' and responseStatus.code = 403", keys: ['user.username', 'objectRef.name', 'verb'] });
const reason = rule('reason', { stream: 'audit', filter: 'responseStatus.code = 403', keys: ['user.username', '`annotations.authorization.k8s.io/reason`'] });
const awsAuth = rule('aws-auth', { stream: 'audit', filter: "objectRef.name = 'aws-auth'", keys: ['auditID'] });
const flags = rule('flags', { stream: 'apiserver', filter: "@message like /FLAG: --authorization-mode/", keys: [] });

describe('buildQueries', () => {
  it('builds one query per stream kind that some rule reads, none for the others', () => {
    // Act
    const queries = buildQueries([lease, flags, reason]);

    // Assess
    expect(queries.map((q) => q.stream)).toEqual(['audit', 'apiserver']);
    expect(queries[0]!.ruleIds).toEqual(['lease', 'reason']);
    expect(queries[1]!.ruleIds).toEqual(['flags']);
  });

  it('ORs the filters and unites the keys, backticking names Logs Insights cannot read bare', () => {
    // Act
    const [audit] = buildQueries([lease, reason]);

    // Assess
    expect(audit!.keys).toEqual(['user.username', 'objectRef.name', 'verb', 'annotations.authorization.k8s.io/reason']);
    expect(audit!.queryString).toBe(
      [
        '# eks-authz-audit: audit streams; rules: lease, reason',
        'filter @logStream like /^kube-apiserver-audit-/ and @message not like /"stage":"(RequestReceived|ResponseStarted)"/',
        "| filter (objectRef.resource = 'leases' and responseStatus.code = 403)",
        '    or (responseStatus.code = 403)',
        '| stats count(*) as n, min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, latest(@message) as sample, earliest(@message) as firstSample, latest(@logStream) as logStream, count_distinct(requestURI) as paths',
        '    by user.username, objectRef.name, verb, `annotations.authorization.k8s.io/reason`',
        `| limit ${ROW_LIMIT}`,
      ].join('\n'),
    );
  });

  it('leaves per-event keys out of "by" so a flood of other events keeps few rows, and says so in the query', () => {
    // Act
    const [audit] = buildQueries([lease, awsAuth]);

    // Assess
    expect(audit!.keys).toEqual(['user.username', 'objectRef.name', 'verb']);
    expect(audit!.droppedKeys).toEqual(['auditID']);
    expect(audit!.queryString).toContain('# per-event keys not grouped by (a row keeps its earliest and latest event): auditID');
    expect(audit!.queryString).not.toMatch(/\n {4}by .*auditID/);
    expect(PER_EVENT_KEYS.has('auditID')).toBe(true);
  });

  it('keeps @message as a key: identical lines (FLAG lines) group, and rules that read few lines need each one', () => {
    // Prepare
    const flagLines = rule('flag-lines', { stream: 'apiserver', filter: '@message like /FLAG: /', keys: ['@logStream', '@message'] });

    // Act
    const [apiserver] = buildQueries([flagLines]);

    // Assess
    expect(apiserver!.keys).toEqual(['@logStream', '@message']);
    expect(apiserver!.droppedKeys).toEqual([]);
  });

  it('groups by nothing when no rule declares a key', () => {
    // Act
    const [apiserver] = buildQueries([flags]);

    // Assess
    expect(apiserver!.queryString).toContain(`filter ${STREAM_FILTERS.apiserver}`);
    expect(apiserver!.queryString).toContain('latest(@logStream) as logStream\n| limit');
    expect(apiserver!.queryString).not.toContain(' by ');
  });

  it('selects the API-server streams without the audit streams that share their prefix', () => {
    // Assess
    expect(STREAM_FILTERS.apiserver).toBe('@logStream like /^kube-apiserver-/ and @logStream not like /^kube-apiserver-audit-/');
    expect(STREAM_FILTERS.authenticator).toBe('@logStream like /^authenticator-/');
  });

  it('never needs more than one query per stream kind for the whole registry', () => {
    // Act
    const queries = buildQueries(RULES);

    // Assess
    const streams = queries.map((q) => q.stream);
    expect(new Set(streams).size).toBe(streams.length);
    // A rule that also reads another stream (alsoNeeds) is served by that stream's query too.
    // Rules that read a node's own log (kubelet) get no query: the control-plane log group never holds it;
    // nor do the rules that read the EKS API.
    const queried = RULES.filter((r) => r.needs.stream !== 'kubelet' && r.needs.stream !== 'eks-api');
    expect([...new Set(queries.flatMap((q) => q.ruleIds))].sort()).toEqual(queried.map((r) => r.id).sort());
    expect(queried.length).toBeLessThan(RULES.length);
  });

  it("adds a rule's other streams (alsoNeeds) to their queries, with their parse commands before stats", () => {
    // Prepare
    const lines = rule('lines', { stream: 'audit', filter: 'responseStatus.code = 403', keys: ['user.username'] });
    const withText: Rule = {
      ...lines,
      alsoNeeds: [{ stream: 'apiserver', filter: '@message like /NODE DENY/', parse: ["@message /node '(?<who>[^']*)'/"], keys: ['who'] }],
    };

    // Act
    const [audit, apiserver] = buildQueries([withText, flags]);

    // Assess
    expect(audit!.ruleIds).toEqual(['lines']);
    expect(apiserver!.ruleIds).toEqual(['lines', 'flags']);
    expect(apiserver!.keys).toEqual(['who']);
    expect(apiserver!.queryString).toContain("| parse @message /node '(?<who>[^']*)'/\n| stats ");
    expect(apiserver!.queryString).toContain('(@message like /NODE DENY/)\n    or (@message like /FLAG: --authorization-mode/)');
  });
});

describe('fieldRef', () => {
  it('keeps letters, digits, @ and dots bare and backticks the rest', () => {
    // Assess
    expect(fieldRef('user.extra.canonicalArn.0')).toBe('user.extra.canonicalArn.0');
    expect(fieldRef('@logStream')).toBe('@logStream');
    expect(fieldRef('annotations.authorization.k8s.io/decision')).toBe('`annotations.authorization.k8s.io/decision`');
    expect(fieldRef('a_b')).toBe('`a_b`');
    expect(fieldRef('we`ird')).toBe('`weird`');
  });
});
