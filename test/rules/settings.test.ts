import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SETTINGS, MAX_THRESHOLD, ThresholdError, parseThreshold, resolveRuleSettings } from '../../lambda/model/rule-settings';
import { Engine } from '../../lambda/engine/engine';
import type { Rule, ScanContext } from '../../lambda/model/rule';

describe('rule settings', () => {
  it('defaults to 20 denials, 50 refusals and 5 resources', () => {
    expect(DEFAULT_RULE_SETTINGS).toEqual({ deniedBurst: 20, forbiddenBurst: 50, forbiddenBurstResources: 5 });
    expect(Object.isFrozen(DEFAULT_RULE_SETTINGS)).toBe(true);
  });

  it('fills in what the caller left out, and keeps what it gave', () => {
    // Act
    const settings = resolveRuleSettings({ forbiddenBurst: 7, deniedBurst: undefined });

    // Assess
    expect(settings).toEqual({ deniedBurst: 20, forbiddenBurst: 7, forbiddenBurstResources: 5 });
    expect(resolveRuleSettings(undefined)).toEqual(DEFAULT_RULE_SETTINGS);
  });

  it('reaches every rule through the engine', () => {
    // Prepare: a rule that records the context it was created with.
    let seen: ScanContext | undefined;
    const probe: Rule = {
      id: 'probe', severity: 'info', title: 'probe rule', description: 'records its context', remediation: 'none', references: [],
      needs: { stream: 'audit', filter: 'true', keys: [] },
      create: (context) => {
        seen = context;
        return {};
      },
      describe: () => ({ message: '', remediation: '' }),
    };

    // Act
    new Engine([probe], { cluster: 'c', settings: { forbiddenBurstResources: 2 } });
    const withGiven = seen?.settings;
    new Engine([probe], { cluster: 'c' });

    // Assess
    expect(withGiven).toEqual({ deniedBurst: 20, forbiddenBurst: 50, forbiddenBurstResources: 2 });
    expect(seen?.settings).toEqual(DEFAULT_RULE_SETTINGS);
  });
});

describe('parseThreshold', () => {
  it.each([
    ['1', 1],
    ['20', 20],
    ['007', 7],
    [String(MAX_THRESHOLD), MAX_THRESHOLD],
  ])('reads %j as %d', (text, n) => {
    expect(parseThreshold(text, '--denied-burst')).toBe(n);
  });

  it.each(['0', '-5', '2.5', '1e3', ' 20', '20 ', '0x14', '', 'twenty', String(MAX_THRESHOLD + 1)])(
    'refuses %j and names where it came from',
    (text) => {
      // Act
      let error: unknown;
      try {
        parseThreshold(text, 'AUDIT_DENIED_BURST');
      } catch (err) {
        error = err;
      }

      // Assess
      expect(error).toBeInstanceOf(ThresholdError);
      expect((error as ThresholdError).message).toBe(
        `AUDIT_DENIED_BURST: "${text}" is not a positive whole number (expected 1 to ${MAX_THRESHOLD})`,
      );
      expect((error as ThresholdError).source).toBe('AUDIT_DENIED_BURST');
    },
  );
});
