import { describe, expect, it } from 'vitest';
import { MAX_THRESHOLD, declareThreshold, resolveRuleSettings, thresholdOf } from '../../lambda/model/rule-settings';
import { Engine } from '../../lambda/engine/engine';
import type { Rule, ScanContext } from '../../lambda/model/rule';
import { RULES } from '../../lambda/rules/registry';

const LIMIT = declareThreshold({ name: 'probeLimit', default: 3, doc: 'a threshold of the probe rule' });

/** A rule that declares one threshold and records the context it was created with. */
function probe(): { rule: Rule; seen: () => ScanContext | undefined } {
  let seen: ScanContext | undefined;
  const rule: Rule = {
    id: 'probe', severity: 'info', title: 'probe rule', description: 'records its context', remediation: 'none', references: [],
    needs: { stream: 'audit', filter: 'true', keys: [] },
    thresholds: [LIMIT],
    create: (context) => {
      seen = context;
      return {};
    },
    describe: () => ({ message: '', remediation: '' }),
  };
  return { rule, seen: () => seen };
}

describe('rule thresholds', () => {
  it('are declared by the rules that read them: 20 denials, 50 refusals, 5 resources', () => {
    // Act
    const declared = Object.fromEntries(RULES.flatMap((r) => (r.thresholds ?? []).map((t) => [`${r.id}.${t.name}`, t.default])));

    // Assess
    expect(declared).toEqual({
      'authenticator-denied-burst.deniedBurst': 20,
      'forbidden-burst.forbiddenBurst': 50,
      'forbidden-burst.forbiddenBurstResources': 5,
    });
  });

  it('default to at least 1 and at most MAX_THRESHOLD', () => {
    expect([LIMIT.min, LIMIT.max]).toEqual([1, MAX_THRESHOLD]);
    expect(Object.isFrozen(LIMIT)).toBe(true);
  });

  it('fill in what the caller left out, and keep what it gave', () => {
    // Act
    const settings = resolveRuleSettings(RULES, { forbiddenBurst: 7, deniedBurst: undefined });

    // Assess
    expect(settings).toEqual({ deniedBurst: 20, forbiddenBurst: 7, forbiddenBurstResources: 5 });
    expect(thresholdOf({}, LIMIT)).toBe(3);
    expect(thresholdOf({ probeLimit: 9 }, LIMIT)).toBe(9);
  });

  it('reach every rule through the engine, defaults included', () => {
    // Prepare
    const { rule, seen } = probe();

    // Act
    new Engine([rule], { cluster: 'c', settings: { probeLimit: 2 } });
    const withGiven = seen()?.settings;
    new Engine([rule], { cluster: 'c' });

    // Assess
    expect(withGiven).toEqual({ probeLimit: 2 });
    expect(seen()?.settings).toEqual({ probeLimit: 3 });
  });
});
