import type { FlagRecord } from '../../model/records';
import type { ServerNeeds } from '../../model/rule';
import type { FlagStart } from './apiserver-flag-starts';
import { flagList } from './apiserver-flag-starts';

/**
 * The kubelet's start-up flag dump, as the kubelet rules read it. The dump prints every flag with its value,
 * set or defaulted; `--authorization-mode` defaults to AlwaysAllow. Command-line flags override the config file
 * (Kubernetes docs, "Set Kubelet Parameters Via A Configuration File"), but a flag left unset does not: with
 * `--config`, the file (and the KubeletConfiguration defaults) decide, and the dump cannot tell a flag set on
 * the command line from its default. So a printed AlwaysAllow proves the mode only when no config file is given.
 */

/** Kubelet logs never reach the EKS control-plane log group: the rules that read them judge local files only. */
export const KUBELET_FLAG_NEEDS: ServerNeeds = {
  stream: 'kubelet',
  filter: '@message like /FLAG: --(authorization-mode|anonymous-auth|config)=/',
  keys: ['@message'],
};

/** What the dump says about AlwaysAllow: undefined when the mode is not AlwaysAllow (or not printed). */
export interface KubeletAlwaysAllow {
  readonly mode: FlagRecord;
  readonly config?: FlagRecord;
  /** true: no config file (`--config=""`), the flag applied; false: a config file decides; undefined: --config not printed. */
  readonly applied: boolean | undefined;
  readonly configFile?: string;
}

export function kubeletAlwaysAllow(start: FlagStart): KubeletAlwaysAllow | undefined {
  const mode = start.flags.get('authorization-mode');
  if (!mode || !flagList(mode.value).includes('AlwaysAllow')) return undefined;
  const config = start.flags.get('config');
  if (!config) return { mode, applied: undefined };
  const file = config.value.replace(/^"(.*)"$/, '$1').trim();
  return file === '' ? { mode, config, applied: true } : { mode, config, applied: false, configFile: file };
}

/** The node a kubelet dump came from: the journald host, else the pod, else the file. */
export function kubeletNode(start: FlagStart): string {
  const first = start.flags.values().next().value as FlagRecord | undefined;
  const o = first?.origin;
  return o?.host ?? o?.pod ?? o?.file ?? 'unknown';
}
