import { describe, expect, it } from 'vitest';
import { apiserverAdmissionMissingNoderestriction } from '../../lambda/rules/apiserver/apiserver-admission-missing-noderestriction';
import { eksStart, flag, scan } from './config-helpers';

describe('apiserver-admission-missing-noderestriction', () => {
  it('fires when NodeRestriction is disabled explicitly', () => {
    // Prepare
    const records = [...eksStart().filter((r) => r.flag !== 'disable-admission-plugins'), flag('disable-admission-plugins', '[NodeRestriction]')];

    // Act
    const { findings } = scan(apiserverAdmissionMissingNoderestriction, records);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.subject, f.count])).toEqual([
      ['apiserver-admission-missing-noderestriction', 'high', { flag: 'disable-admission-plugins', value: '[NodeRestriction]' }, 1],
    ]);
    expect(findings[0]!.message).toContain('it was disabled explicitly');
    expect(findings[0]!.remediation).toContain('and remove it from --disable-admission-plugins');
  });

  it('fires when the enable list lacks NodeRestriction', () => {
    // Prepare
    const records = eksStart({ enable: '[ExtendedResourceToleration]' });

    // Act
    const { findings } = scan(apiserverAdmissionMissingNoderestriction, records);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ flag: 'enable-admission-plugins', value: '[ExtendedResourceToleration]' }]);
  });

  it('fires on an empty enable list: NodeRestriction is not one of the default-on plugins', () => {
    // Prepare
    const records = eksStart({ enable: '[]' });

    // Act
    const { findings } = scan(apiserverAdmissionMissingNoderestriction, records);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ flag: 'enable-admission-plugins', value: '[]' }]);
    expect(findings[0]!.message).toContain('an empty list means only the default-on plugins, which do not include NodeRestriction');
  });

  it('judges the deprecated --admission-control when it is set', () => {
    // Prepare
    const without = [flag('admission-control', '[NamespaceLifecycle,ServiceAccount]'), flag('enable-admission-plugins', '[]')];
    const withIt = [flag('admission-control', '[NodeRestriction]', { file: 'b.log' }), flag('enable-admission-plugins', '[]', { file: 'b.log' })];

    // Act
    const { findings } = scan(apiserverAdmissionMissingNoderestriction, [...without, ...withIt]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ flag: 'admission-control', value: '[NamespaceLifecycle,ServiceAccount]' }]);
  });

  it.each([
    ['the EKS configuration (disable list [] is the default)', eksStart()],
    ['a start whose admission lines are not in the input', [flag('authorization-mode', '[Node,RBAC]')]],
  ])('stays quiet on %s', (_name, records) => {
    // Prepare / Act
    const { findings } = scan(apiserverAdmissionMissingNoderestriction, records);

    // Assess
    expect(findings).toEqual([]);
  });
});
