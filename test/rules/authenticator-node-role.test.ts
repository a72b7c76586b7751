import { describe, expect, it } from 'vitest';
import { InstanceSessions, isInstanceSession, judgeNodeRole, lowerSet, readsLikeNodeRole, roleName } from '../../lambda/rules/support/authenticator-node-role';
import { sessionOf } from '../../lambda/rules/support/authenticator-fields';
import type { AuthenticatorRecord } from '../../lambda/model/records';
import { ROLE } from './authenticator-helpers';

function line(fields: Record<string, string>): AuthenticatorRecord {
  return { kind: 'authenticator', fields, origin: { file: 'a.log', line: 1 } };
}

describe('node role names', () => {
  it.each([
    'eksctl-prod-nodegroup-ng-1-NodeInstanceRole-1A2B3C4D5E6F',
    'AmazonEKSNodeRole',
    'AmazonEKSAutoNodeRole',
    'main-eks-node-group-20240102030405060700000001',
    'KarpenterNodeRole-prod',
    'eks-worker-role',
    'prod-worker-nodes',
  ])('reads %s as a node role', (name) => {
    expect(readsLikeNodeRole(ROLE(name))).toBe(true);
  });

  it.each([
    'AWSWesleyClusterManagerLambda-NodeManagerRole-1Q2W3E4R5T6Y',
    'KarpenterControllerRole-prod',
    'AWSServiceRoleForAmazonEKSNodegroup',
    'developer',
    'eks-admin',
  ])('does not read %s as a node role', (name) => {
    expect(readsLikeNodeRole(ROLE(name))).toBe(false);
  });

  it('takes the name after the path, and never reads a user as a node', () => {
    expect(roleName('arn:aws:iam::111122223333:role/platform/nodes/NodeInstanceRole')).toBe('NodeInstanceRole');
    expect(readsLikeNodeRole('arn:aws:iam::111122223333:user/NodeInstanceRole')).toBe(false);
  });
});

describe('instance sessions', () => {
  it.each([
    ['i-0a1b2c3d4e5f60718', true],
    ['i-1a2b3c4d', true],
    ['i-0A1B2C3D4E5F60718', false],
    ['i-0a1b2c3d4e5f6071', false],
    ['1669660343296132000', false],
    ['alice@example.com', false],
  ])('%s is an instance id: %s', (session, expected) => {
    expect(isInstanceSession(session)).toBe(expected);
  });

  it('prefers the logged session field, and keeps the first instance session of each role', () => {
    // Prepare
    const sessions = new InstanceSessions();
    const sts = (session: string) => line({ msg: 'STS response', arn: `arn:aws:sts::111122223333:assumed-role/Nodes/${session}`, session });

    // Act
    sessions.observe(sts('alice'));
    sessions.observe(sts('i-0000000000000000a'));
    sessions.observe(sts('i-0000000000000000b'));

    // Assess
    expect(sessionOf(sts('i-0000000000000000a'))).toEqual({ role: ROLE('Nodes'), session: 'i-0000000000000000a' });
    expect(sessions.of(ROLE('NODES'))).toBe('i-0000000000000000a');
  });
});

describe('judgeNodeRole', () => {
  it('rests on the strongest evidence there is: kubelet traffic, then an instance session, then the name', () => {
    // Prepare
    const sessions = new InstanceSessions();
    sessions.observe(line({ msg: 'STS response', arn: 'arn:aws:sts::111122223333:assumed-role/NodeInstanceRole/i-0000000000000000a' }));
    const kubelet = lowerSet(new Set([ROLE('NodeInstanceRole')]));

    // Act & Assess
    expect(judgeNodeRole(ROLE('nodeinstancerole'), kubelet, sessions)).toEqual({ evidence: 'kubelet', detail: ROLE('nodeinstancerole') });
    expect(judgeNodeRole(ROLE('NodeInstanceRole'), new Set(), sessions)).toEqual({ evidence: 'session', detail: 'i-0000000000000000a' });
    expect(judgeNodeRole(ROLE('eks-node-role'), new Set(), sessions)).toEqual({ evidence: 'name', detail: 'eks-node-role' });
    expect(judgeNodeRole(ROLE('developer'), new Set(), sessions)).toBeUndefined();
  });
});
