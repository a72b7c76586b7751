import { describe, expect, it } from 'vitest';
import { awsAuthInvalid } from '../../lambda/rules/audit/aws-auth-invalid';
import { ADMIN_ROLE_ARN, AWS_AUTH_RULES, NODE_ROLE_ARN, awsAuthWrite, configMap, scan, yamlList } from './config-helpers';

describe('aws-auth-invalid', () => {
  it('fires on mapRoles YAML that does not parse, saying every role mapping may be lost', () => {
    // Prepare: the groups list lost its closing bracket.
    const mapRoles = `- rolearn: ${NODE_ROLE_ARN}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes\n`;

    // Act
    const { findings, ruleErrors } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapRoles }), time: '2024-03-01T10:00:00Z' })]);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'aws-auth-invalid', severity: 'high', subject: { field: 'mapRoles' }, count: 1 });
    expect(findings[0]!.message).toMatch(/^aws-auth mapRoles YAML error at line 4: Flow sequence in block collection must be sufficiently indented and end with a \], /);
    expect(findings[0]!.message).toContain('written by kubernetes-admin via eksctl at 2024-03-01T10:00:00Z');
    expect(findings[0]!.message).toContain('every principal mapped in mapRoles may get "ARN is not mapped" — node roles included, so nodes cannot join');
  });

  it('names the entry that has no rolearn, and still judges the others', () => {
    // Prepare
    const mapRoles =
      yamlList([{ arn: NODE_ROLE_ARN, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]) +
      '- username: ops\n  groups:\n  - system:masters\n' +
      yamlList([{ arn: ADMIN_ROLE_ARN, username: 'admin', groups: ['system:masters'] }]);

    // Act
    const result = scan(AWS_AUTH_RULES, [awsAuthWrite({ verb: 'patch', requestObject: { data: { mapRoles } } })]);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.subject])).toEqual([
      ['aws-auth-invalid', { field: 'mapRoles[1].rolearn' }],
      ['aws-auth-system-masters', { arn: ADMIN_ROLE_ARN }],
    ]);
    expect(result.findings[0]!.message).toContain('The authenticator skips an entry without an ARN');
  });

  it('names a mapUsers entry without userarn', () => {
    // Prepare
    const mapUsers = '- username: alice\n  groups: [viewers]\n';

    // Act
    const { findings } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapUsers }) })]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ field: 'mapUsers[0].userarn' }]);
  });

  it('explains an unquoted {{SessionName}} template, which YAML reads as a mapping', () => {
    // Prepare
    const mapRoles = `- rolearn: ${NODE_ROLE_ARN}\n  username: {{SessionName}}\n  groups: [system:nodes]\n`;

    // Act
    const { findings } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ field: 'mapRoles[0].username' }]);
    expect(findings[0]!.message).toContain('is a YAML mapping, not a string (an unquoted {{...}} template is read as a YAML mapping: quote it)');
  });

  it('fires when mapRoles is a mapping instead of a list', () => {
    // Prepare
    const mapRoles = `rolearn: ${NODE_ROLE_ARN}\nusername: system:node:{{EC2PrivateDNSName}}\n`;

    // Act
    const { findings } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ field: 'mapRoles' }]);
    expect(findings[0]!.message).toContain('aws-auth mapRoles is a YAML mapping, not a list of mappings, written by kubernetes-admin');
    expect(findings[0]!.message).toContain('when a key fails to parse it loads no mapping from it');
  });

  it('accepts empty values the authenticator treats as "no mappings"', () => {
    // Prepare
    const writes = ['', '[]\n', '""', '\n'].map((v) => awsAuthWrite({ requestObject: configMap({ mapRoles: v, mapUsers: v }) }));

    // Act
    const { findings } = scan(awsAuthInvalid, writes);

    // Assess
    expect(findings).toEqual([]);
  });

  it('says a wrongly typed field may cost the whole list', () => {
    // Prepare
    const mapRoles = `- rolearn: ${ADMIN_ROLE_ARN}\n  username: admin\n  groups: system:masters\n`;

    // Act
    const { findings } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapRoles }) })]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ field: 'mapRoles[0].groups' }]);
    expect(findings[0]!.message).toContain('is a YAML string, not a list of strings');
    expect(findings[0]!.message).toContain('depending on its version it then drops that field or every mapping in mapRoles');
  });

  it('survives an alias bomb without expanding it', () => {
    // Prepare
    const bomb = 'a: &a [x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';

    // Act
    const { findings, ruleErrors } = scan(awsAuthInvalid, [awsAuthWrite({ requestObject: configMap({ mapRoles: bomb }) })]);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings.map((f) => f.subject)).toEqual([{ field: 'mapRoles' }]);
    expect(findings[0]!.message).toContain('YAML could not be expanded');
  });
});
