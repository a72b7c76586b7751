import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AWS_AUTH_NEEDS, readAwsAuthWrite } from '../../lambda/rules/support/aws-auth-writes';
import { AWS_AUTH_RULES, NODE_ROLE_ARN, REAL_DIR, auditRecord, awsAuthWrite, configMap, hasReal, insightsAuditRecords, scan, yamlList } from './config-helpers';

const BAD = yamlList([{ arn: NODE_ROLE_ARN, username: 'WorkerNodeRole', groups: ['system:bootstrappers', 'system:nodes'] }]);

describe('aws-auth writes', () => {
  it('asks CloudWatch for every aws-auth write, one row per auditID', () => {
    // Prepare / Act
    const needs = AWS_AUTH_NEEDS;

    // Assess
    expect(needs).toEqual({
      stream: 'audit',
      filter:
        "objectRef.resource = 'configmaps' and objectRef.namespace = 'kube-system' and objectRef.name = 'aws-auth' and (verb = 'update' or verb = 'patch' or verb = 'create')",
      keys: ['auditID'],
    });
  });

  it('reads a create like an update', () => {
    // Prepare
    const record = awsAuthWrite({ verb: 'create', requestObject: configMap({ mapRoles: BAD, mapUsers: '[]' }) });

    // Act
    const write = readAwsAuthWrite(record);

    // Assess
    expect(write?.data).toEqual({ mapRoles: BAD, mapUsers: '[]' });
    expect(write).toMatchObject({ writer: 'kubernetes-admin', agent: 'eksctl', writerArn: 'arn:aws:iam::111122223333:user/cli' });
  });

  it('applies JSON patch operations in order, as the server does', () => {
    // Prepare
    const record = awsAuthWrite({
      verb: 'patch',
      requestObject: [
        { op: 'test', path: '/data/mapRoles', value: 'old' },
        { op: 'replace', path: '/data/mapRoles', value: 'first' },
        { op: 'add', path: '/data/mapRoles', value: BAD },
        { op: 'remove', path: '/data/mapUsers' },
      ],
    });

    // Act
    const write = readAwsAuthWrite(record);

    // Assess
    expect(write?.data).toEqual({ mapRoles: BAD });
  });

  it.each([
    ['a truncated write without requestObject', awsAuthWrite({ truncated: true })],
    ['a Metadata-level write without requestObject', awsAuthWrite({ level: 'Metadata' })],
    ['a truncated write whose salvaged mapRoles may be cut', awsAuthWrite({ truncated: true, requestObject: configMap({ mapRoles: BAD }) })],
    ['a write the API server refused', awsAuthWrite({ code: 422, requestObject: configMap({ mapRoles: BAD }) })],
    ['a server-side dry run', awsAuthWrite({ requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth?dryRun=All', requestObject: configMap({ mapRoles: BAD }) })],
    ['a delete', awsAuthWrite({ verb: 'delete' })],
    ['a patch that does not touch mapRoles/mapUsers', awsAuthWrite({ verb: 'patch', requestObject: { metadata: { labels: { team: 'platform' } } } })],
    ['a JSON patch that removes mapRoles', awsAuthWrite({ verb: 'patch', requestObject: [{ op: 'remove', path: '/data/mapRoles' }] })],
    ['a merge patch that deletes mapRoles', awsAuthWrite({ verb: 'patch', requestObject: { data: { mapRoles: null } } })],
    ['a patch body that is not an object', awsAuthWrite({ verb: 'patch', requestObject: 'not json' })],
  ])('gives no finding and no rule error for %s', (_name, record) => {
    // Prepare
    const records = [record];

    // Act
    const result = scan(AWS_AUTH_RULES, records);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
    expect(result.stats.auditEvents).toBe(1);
  });

  it('ignores other ConfigMaps and counts a request logged at two stages once', () => {
    // Prepare
    const other = awsAuthWrite({ requestObject: configMap({ mapRoles: BAD }) });
    other.event.objectRef = { resource: 'configmaps', namespace: 'kube-system', name: 'coredns' };
    const received = awsAuthWrite({ stage: 'RequestReceived', requestObject: configMap({ mapRoles: BAD }) });
    const complete = awsAuthWrite({ requestObject: configMap({ mapRoles: BAD }) });

    // Act
    const result = scan(AWS_AUTH_RULES, [other, received, complete]);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.count])).toEqual([['aws-auth-node-username', 1]]);
  });

  it('does not crash on an event with hostile shapes', () => {
    // Prepare
    const hostile = auditRecord({ verb: 'update', objectRef: 'aws-auth' as never, requestObject: { data: { mapRoles: BAD } } });
    const arrayData = awsAuthWrite({ requestObject: { data: [BAD] } });

    // Act
    const result = scan(AWS_AUTH_RULES, [hostile, arrayData]);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
  });
});

describe.skipIf(!hasReal)('aws-auth writes in real EKS logs', () => {
  it('finds nothing wrong in the eks:node-manager patch and the eksctl update of aws-auth', () => {
    // Prepare: node roles (EC2 template) and a Fargate role (SessionName template, system:node-proxier), mapUsers "[]".
    // The only system:masters in it is the writer kubernetes-admin, not a mapping.
    const records = insightsAuditRecords(join(REAL_DIR, 'eks-insights-export-aws-auth-update.json'));

    // Act
    const result = scan(AWS_AUTH_RULES, records);
    const writes = records.map(readAwsAuthWrite);

    // Assess
    expect(writes.map((w) => [w?.writer, w?.agent, Object.keys(w?.data ?? {})])).toEqual([
      ['eks:node-manager', 'vpcLambda', ['mapRoles']],
      ['kubernetes-admin', 'eksctl', ['mapRoles', 'mapUsers']],
    ]);
    expect(result.findings).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
  });
});
