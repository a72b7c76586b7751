import { describe, expect, it } from 'vitest';
import { nodeMappingFix, tallyText, timeSpan } from '../../lambda/rules/support/node-mapping';

describe('nodeMappingFix', () => {
  it('names the role, the exact aws-auth entry and the access entry types', () => {
    // Act
    const text = nodeMappingFix('arn:aws:iam::111122223333:role/nodes');

    // Assess
    expect(text).toBe(
      'Map the node role as a node: in aws-auth (kube-system) mapRoles use rolearn: arn:aws:iam::111122223333:role/nodes, ' +
        'username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]; or delete that mapping and create an access entry of type EC2_LINUX ' +
        '(EC2_WINDOWS for Windows nodes), which sets the same username and group. Fargate and hybrid nodes use FARGATE_LINUX / HYBRID_LINUX (username system:node:{{SessionName}}).',
    );
  });

  it('uses a placeholder when the role is not known', () => {
    // Act / Assess
    expect(nodeMappingFix(undefined)).toContain('rolearn: <node role ARN>,');
    expect(nodeMappingFix('')).toContain('rolearn: <node role ARN>,');
  });
});

describe('timeSpan', () => {
  it('says "at" for one time, "between" for two, nothing for none', () => {
    // Act / Assess
    expect(timeSpan('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).toBe(' at 2024-01-01T00:00:00Z');
    expect(timeSpan('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')).toBe(' between 2024-01-01T00:00:00Z and 2024-01-02T00:00:00Z');
    expect(timeSpan(null, null)).toBe('');
  });
});

describe('tallyText', () => {
  it('lists non-zero counters, largest first, leaving out the skipped ones', () => {
    // Act / Assess
    expect(tallyText({ get: 1, list: 3, watch: 0, objects: 9 }, ['objects'])).toBe('list x3, get x1');
    expect(tallyText({})).toBe('');
  });
});
