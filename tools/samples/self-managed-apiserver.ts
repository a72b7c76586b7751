/**
 * Not EKS: a kubeadm-style API server somebody runs themselves, started with `--authorization-mode=AlwaysAllow`
 * and an admission plugin list without NodeRestriction, as `journalctl -u kube-apiserver` shows it. On EKS
 * these flags are fixed; this is what the flag rules exist for elsewhere.
 */
import { Rng } from '../prng';
import type { Scenario } from './scenario';
import { textLines } from './scenario';
import { at } from './cluster';
import { selfManagedApiserverStart } from './apiserver-log';

/** Its authorization flags, as the configuration incident quotes them. */
export const SELF_MANAGED_APISERVER_CONFIG =
  '--anonymous-auth=true --authorization-mode=[AlwaysAllow] ' +
  '--enable-admission-plugins=[NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota]';

export const selfManagedApiserver: Scenario = {
  dir: 'self-managed-apiserver',
  title: 'A self-managed API server with AlwaysAllow and no NodeRestriction',
  story:
    'The start-up flag dump of a kubeadm-style API server (host `cp-1`, journald prefix) that authorizes every request ' +
    '(`--authorization-mode="[AlwaysAllow]"`) and does not enable NodeRestriction ' +
    '(`--enable-admission-plugins="[NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota]"`). ' +
    'Any authenticated (and, with `--anonymous-auth=true`, anonymous) caller can do anything, and kubelets can modify any ' +
    'node or pod.',
  expected: [
    { ruleId: 'apiserver-authz-always-allow', because: '`--authorization-mode` contains AlwaysAllow' },
    { ruleId: 'apiserver-authz-missing-node', because: 'the mode list has no Node' },
    { ruleId: 'apiserver-authz-missing-rbac', because: 'the mode list has no RBAC' },
    { ruleId: 'apiserver-admission-missing-noderestriction', because: '`--enable-admission-plugins` lacks NodeRestriction' },
  ],
  info: [{ ruleId: 'apiserver-authz-config', because: 'one finding describing this configuration' }],
  incidents: [
    {
      kind: 'apiserver-config', key: SELF_MANAGED_APISERVER_CONFIG, cause: 'the configuration of the API server on `cp-1`',
      findings: ['apiserver-authz-always-allow', 'apiserver-authz-missing-node', 'apiserver-authz-missing-rbac', 'apiserver-admission-missing-noderestriction', 'apiserver-authz-config'],
    },
  ],
  formats: '`kube-apiserver.journal.log`: klog lines behind a journald prefix (`Nov 27 10:50:00 cp-1 kube-apiserver[2211]: I1127 …`)',
  files() {
    const lines = selfManagedApiserverStart(new Rng('scenario:self-managed-apiserver'), at('10:50:00.512001'));
    return [{ path: 'self-managed-apiserver/kube-apiserver.journal.log', content: textLines(lines) }];
  },
};
