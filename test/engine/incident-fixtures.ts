/**
 * Control-plane logs for the incident tests, built with the tools/ event builders: node groups whose role is
 * mapped one way or another, their kubelets' traffic, aws-auth writes of every shape, and authenticator lines.
 * Scanned through the real readers and engine from a temporary folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../tools/prng';
import type { Micros } from '../../tools/time';
import { SECOND, micros } from '../../tools/time';
import type { AuditEventJson, Caller, IamRoleSession } from '../../tools/audit-event';
import { allow, forbid, iamRoleUser, roleArn } from '../../tools/audit-event';
import type { Kubelet } from '../../tools/kubelet-events';
import { kubeletLease, kubeletServingCsrCreate, servingCsr } from '../../tools/kubelet-events';
import type { AwsAuthWrite, RoleMapping } from '../../tools/control-plane-events';
import { awsAuthApply, awsAuthJsonPatch, awsAuthPatch, awsAuthUpdate, mapRolesYaml } from '../../tools/control-plane-events';
import { accessGranted, flagLine, klogLine } from '../../tools/text-logs';
import { Engine, type EngineOptions } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { readInputs } from '../../lambda/scan/index';
import type { ScanResult } from '../../lambda/model/findings';

export const ACCOUNT = '111122223333';
export const T0 = micros('2026-11-27T10:00:00Z');
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];
const KUBELET_UA = 'kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/de3a9a1';

export function arnOf(role: string): string {
  return roleArn(ACCOUNT, role);
}

export function mapping(role: string, username = NODE_USERNAME, groups: readonly string[] = NODE_GROUPS): RoleMapping {
  return { rolearn: arnOf(role), username, groups };
}

/** Events and lines in time order, written out as one audit file and one authenticator log. */
export class Logs {
  readonly rng: Rng;
  private readonly audit: { t: Micros; e: AuditEventJson }[] = [];
  private readonly authenticator: { t: Micros; line: string }[] = [];
  private readonly apiserver: string[] = [];
  private rv = 1000;

  constructor(seed: string) {
    this.rng = new Rng(seed);
  }

  event(e: AuditEventJson, t: Micros): AuditEventJson {
    this.audit.push({ t, e });
    return e;
  }

  line(line: string, t: Micros): void {
    this.authenticator.push({ t, line });
  }

  /** One kube-apiserver start's FLAG dump. */
  apiserverStart(t: Micros, modes: string, plugins: string): void {
    this.apiserver.push(klogLine('I', t, 10, 'server.go:150', 'Version: v1.31.2-eks-7f9249a'));
    this.apiserver.push(flagLine(t + 10, 10, 'authorization-mode', `[${modes}]`));
    this.apiserver.push(flagLine(t + 20, 10, 'enable-admission-plugins', `[${plugins}]`));
  }

  /** A write of aws-auth by an admin; `shape` chooses how it was written. */
  awsAuth(t: Micros, roles: readonly RoleMapping[], shape: 'update' | 'merge' | 'json' | 'apply' = 'update', opts: { before?: readonly RoleMapping[]; caller?: Caller } = {}): AuditEventJson {
    const w: AwsAuthWrite = {
      rng: this.rng, time: t, caller: opts.caller ?? admin(), mapRoles: mapRolesYaml(roles), manager: 'kubectl', reason: '',
      state: { uid: 'aws-auth-uid', resourceVersion: String(this.rv), nextResourceVersion: String(++this.rv), created: T0 - 86_400 * SECOND },
    };
    const e =
      shape === 'update' ? awsAuthUpdate(w)
      : shape === 'merge' ? awsAuthPatch(w)
      : shape === 'apply' ? awsAuthApply(w)
      : awsAuthJsonPatch(opts.before ? { ...w, before: mapRolesYaml(opts.before) } : w);
    return this.event(e, t);
  }

  /** Writes the logs into a new temporary folder and returns it. */
  write(): string {
    const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
    writeFileSync(join(dir, 'audit.jsonl'), this.audit.sort((a, b) => a.t - b.t).map((x) => JSON.stringify(x.e)).join('\n') + '\n');
    if (this.authenticator.length) writeFileSync(join(dir, 'authenticator.log'), this.authenticator.sort((a, b) => a.t - b.t).map((x) => x.line).join('\n') + '\n');
    if (this.apiserver.length) writeFileSync(join(dir, 'kube-apiserver.log'), this.apiserver.join('\n') + '\n');
    return dir;
  }

  async scan(options: Partial<EngineOptions> = {}): Promise<ScanResult> {
    const dir = this.write();
    try {
      const engine = new Engine(RULES, { cluster: 'prod', ...options });
      await readInputs([dir], engine);
      return engine.finish();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export function admin(sourceIP = '192.0.2.10'): Caller {
  const session: IamRoleSession = { account: ACCOUNT, roleName: 'Admin', roleId: 'AROAADMINROLEID00001', sessionName: 'alice', accessKeyId: 'ASIAADMINKEY00000001' };
  return { user: iamRoleUser('kubernetes-admin', ['system:masters'], session), sourceIP, userAgent: 'kubectl/v1.31.2 (darwin/arm64) kubernetes/9f1c2e4' };
}

/** A node of a group: its kubelet calls with the identity the group's mapping gives it. */
export function nodeKubelet(role: string, index: number, map: RoleMapping): Kubelet {
  const nodeName = `ip-10-0-${Math.floor(index / 250)}-${index % 250}.us-west-2.compute.internal`;
  const instance = `i-0${(index + 1).toString(16).padStart(16, '0')}`;
  const session: IamRoleSession = { account: ACCOUNT, roleName: role, roleId: `AROA${role.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12).padEnd(12, 'X')}0001`, sessionName: instance, accessKeyId: `ASIA${String(index).padStart(16, '0')}` };
  const username = map.username.replace('{{EC2PrivateDNSName}}', nodeName);
  return { nodeName, sourceIP: `10.0.${index % 250}.${10 + (index % 200)}`, userAgent: KUBELET_UA, user: iamRoleUser(username, map.groups, session) };
}

/** The nodes of one group, heart-beating from `from` as their mapping allows (403 when it is not a node identity). */
export function nodeGroup(logs: Logs, role: string, map: RoleMapping, o: { nodes: number; from: Micros; beats?: number; csr?: boolean; first?: number }): Kubelet[] {
  const kubelets: Kubelet[] = [];
  const recognized = map.username.startsWith('system:node:') && map.groups.includes('system:nodes');
  const allowed = recognized || map.groups.includes('system:masters');
  for (let i = 0; i < o.nodes; i++) {
    const k = nodeKubelet(role, (o.first ?? 0) + i, map);
    kubelets.push(k);
    const start = o.from + i * 1000;
    for (let b = 0; b < (o.beats ?? 2); b++) {
      const t = start + b * 10 * SECOND;
      logs.event(kubeletLease({ rng: logs.rng, time: t, kubelet: k, verb: 'update', outcome: allowed ? allow(200) : forbid() }), t);
    }
    if (o.csr) {
      const t = start + 2 * SECOND;
      logs.event(kubeletServingCsrCreate({ rng: logs.rng, time: t, kubelet: k, csr: servingCsr(logs.rng, t, String(5000 + i)) }), t);
    }
  }
  return kubelets;
}

/** The authenticator's grant line for a role's mapping. */
export function grant(logs: Logs, role: string, map: RoleMapping, t: Micros, node = 'ip-10-0-0-1.us-west-2.compute.internal'): void {
  logs.line(
    accessGranted({
      time: t, arn: arnOf(role), client: '127.0.0.1:40000', groups: map.groups, uid: `aws-iam-authenticator:${ACCOUNT}:AROA0001`,
      username: map.username.replace('{{EC2PrivateDNSName}}', node), stsEndpoint: 'sts.us-west-2.amazonaws.com',
    }),
    t,
  );
}
