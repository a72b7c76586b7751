import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/settings/errors';
import { boolean, integer, json, text } from '../../lambda/settings/kinds';
import { SETTINGS, THRESHOLD_SETTINGS, thresholdSetting } from '../../lambda/settings/table';
import { parseSettingFlags, settingFlagHelp } from '../../lambda/settings/flags';
import { declareThreshold } from '../../lambda/model/rule-settings';

function problem(act: () => unknown): string {
  try {
    act();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('the settings table', () => {
  it('names each setting, variable and flag once', () => {
    const unique = (values: (string | undefined)[]) => {
      const defined = values.filter((v) => v !== undefined);
      expect(new Set(defined).size, defined.join(', ')).toBe(defined.length);
    };
    unique(SETTINGS.map((s) => s.name));
    unique(SETTINGS.map((s) => s.env));
    unique(SETTINGS.map((s) => s.flag));
  });

  it('turns each rule threshold into a context key, a variable and a flag named after it', () => {
    expect(THRESHOLD_SETTINGS.map((s) => [s.name, s.env, s.flag, s.default])).toEqual([
      ['deniedBurst', 'AUDIT_DENIED_BURST', 'denied-burst', 20],
      ['forbiddenBurst', 'AUDIT_FORBIDDEN_BURST', 'forbidden-burst', 50],
      ['forbiddenBurstResources', 'AUDIT_FORBIDDEN_BURST_RESOURCES', 'forbidden-burst-resources', 5],
    ]);
    expect(thresholdSetting(declareThreshold({ name: 'x', default: 3, max: 3, doc: 'd' })).example).toBe(2);
  });

  it('keeps every default and example valid by its own parser', () => {
    for (const s of SETTINGS) {
      expect(s.parse(s.format(s.example), s.name), s.name).toEqual(s.parse(s.example, s.name));
      if (s.default !== undefined) expect(s.parse(s.default, s.name), s.name).toEqual(s.default);
    }
  });
});

describe('setting kinds', () => {
  const common = { name: 'x', doc: 'd' };

  it('integers: digits only from text, within bounds', () => {
    const n = integer({ ...common, min: 0, max: 10, example: 3 });
    expect([n.parse('7', 'x'), n.parse(' 7 ', 'x'), n.parse(0, 'x')]).toEqual([7, 7, 0]);
    for (const bad of ['1e1', '2.5', '0x1', '-1', '11', 11, 2.5, true, 'seven']) {
      expect(problem(() => n.parse(bad, 'x')), String(bad)).toMatch(/^Invalid x: .* is not a whole number from 0 to 10$/);
    }
  });

  it('booleans: true or false, as text or values', () => {
    const b = boolean({ ...common, default: false, example: true });
    expect([b.parse('true', 'x'), b.parse('FALSE', 'x'), b.parse(true, 'x'), b.format(true)]).toEqual([true, false, true, 'true']);
    expect(problem(() => b.parse('yes', 'x'))).toBe('Invalid x: "yes" is not true or false');
  });

  it('strings checked by a pattern (ARNs)', () => {
    const arn = text({ ...common, pattern: /^arn:aws:events:/, what: 'an event bus ARN', example: 'arn:aws:events:eu-west-1:1:event-bus/x' });
    expect(arn.parse(' arn:aws:events:x ', 'x')).toBe('arn:aws:events:x');
    expect(problem(() => arn.parse('bus', 'eventBus'))).toBe('Invalid eventBus: "bus" is not an event bus ARN');
  });

  it('JSON values with a validator of their own, from text or as values', () => {
    const rules = json<string[]>({
      ...common,
      default: [],
      example: ['a'],
      validate: (v, key) => {
        if (!Array.isArray(v) || !v.every((i) => typeof i === 'string')) throw new ConfigError(key, v, 'is not a list of rule ids');
        return v;
      },
    });
    expect(rules.parse('["a","b"]', 'x')).toEqual(['a', 'b']);
    expect(rules.parse(['c'], 'x')).toEqual(['c']);
    expect(rules.format(['a'])).toBe('["a"]');
    expect(problem(() => rules.parse('[1]', 'suppressions'))).toBe('Invalid suppressions: [1] is not a list of rule ids');
    expect(problem(() => rules.parse('[', 'suppressions'))).toMatch(/^Invalid suppressions: "\[" is not valid JSON/);
  });
});

describe('CLI threshold flags', () => {
  it('parse the given flags only, naming every bad one', () => {
    expect(parseSettingFlags({ 'denied-burst': '3' })).toEqual({ deniedBurst: 3 });
    expect(problem(() => parseSettingFlags({ 'denied-burst': '0', 'forbidden-burst': 'x' })).split('\n')).toEqual([
      'Invalid --denied-burst: "0" is not a whole number from 1 to 1000000000',
      'Invalid --forbidden-burst: "x" is not a whole number from 1 to 1000000000',
    ]);
  });

  it('are documented with their defaults, within 100 columns', () => {
    const help = settingFlagHelp(26);
    for (const s of THRESHOLD_SETTINGS) expect(help).toContain(`--${s.flag} N`);
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
