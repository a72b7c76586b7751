import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../lib/context';
import { EksAuthzAuditStack } from '../../lib/eks-authz-audit-stack';
import { loadConfig } from '../../lambda/runtime/config';
import type { Setting } from '../../lambda/settings/kinds';
import { SETTINGS, STATE_TABLE_SETTING, TOPIC_ARN_SETTING } from '../../lambda/settings/table';

/**
 * Every setting of the table goes context -> construct -> function environment -> runtime config
 * unchanged. Iterates over the table: a setting added to it is covered with no change here, as long as
 * it has an example that differs from its default.
 */
const CONTEXT = SETTINGS.filter((s) => s.context);

/** Settings the function does not read, and where the construct puts them instead. */
const CONSUMED_BY_THE_CONSTRUCT: Record<string, (template: Template, value: unknown) => void> = {
  alertEmails: (template, value) => {
    const endpoints = Object.values(template.findResources('AWS::SNS::Subscription')).map((r) => r.Properties.Endpoint);
    expect(endpoints).toEqual(value);
  },
};

function valueIn(settings: Readonly<Record<string, unknown>>, s: Setting): unknown {
  return s.group ? (settings[s.group] as Record<string, unknown>)[s.name] : settings[s.name];
}

describe('settings round trip', () => {
  // Prepare: every context setting at its example, written as `-c name=value` writes it (a string).
  const context = Object.fromEntries(CONTEXT.map((s) => [s.name, s.format(s.example)]));

  // Act
  const props = parseContext(context);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new EksAuthzAuditStack(app, 'RoundTrip', { env: { account: '111122223333', region: 'eu-west-1' }, auditor: props });
  const template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
  const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
  // The topic ARN and the table name are references until deployment; the runtime gets the real ones.
  const env = Object.fromEntries(
    Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : k === STATE_TABLE_SETTING.env ? STATE_TABLE_SETTING.example : TOPIC_ARN_SETTING.example]),
  );
  const config = loadConfig(env);

  it('has an example other than the default for every setting', () => {
    for (const s of SETTINGS) expect(s.example, s.name).not.toEqual(s.default);
  });

  it.each(CONTEXT.map((s) => [s.name, s] as const))('%s arrives unchanged', (_name, s) => {
    const expected = s.parse(s.example, s.name);
    expect(valueIn(props as Record<string, unknown>, s)).toEqual(expected);
    if (s.env === undefined) {
      const check = CONSUMED_BY_THE_CONSTRUCT[s.name];
      expect(check, `${s.name} has no variable: say where the construct uses it`).toBeDefined();
      check!(template, expected);
      return;
    }
    expect(variables[s.env]).toBe(s.format(expected));
    expect(valueIn(config.settings!, s)).toEqual(expected);
  });

  it('gives the runtime the topic the construct made', () => {
    expect(variables[TOPIC_ARN_SETTING.env!]).toEqual({ Ref: expect.stringMatching(/^AuditorTopic/) });
    expect(config.topicArn).toBe(TOPIC_ARN_SETTING.example);
  });
});
