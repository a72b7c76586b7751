import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { Rng } from '../../tools/prng';
import { SECOND, micros, type Micros } from '../../tools/time';
import { forbid, iamRoleUser, roleArn, type AuditEventJson, type Caller, type IamRoleSession } from '../../tools/audit-event';
import { kubeletLease, type Kubelet } from '../../tools/kubelet-events';
import { awsAuthUpdate, mapRolesYaml, type RoleMapping } from '../../tools/control-plane-events';
import { resultRow } from '../aws/helpers';

/**
 * A day of one cluster's control-plane logs, as the scheduled runs' Logs Insights queries would return them:
 * an admin maps the node role with the wrong username (misconfiguration 1), its nodes are refused their
 * Lease until the mapping is put back. Events come from the tools/ builders; each query window gets one
 * aggregated row per node (as `stats count() by ...` returns it) and one row per aws-auth write.
 */
export const ACCOUNT = '111122223333';
export const ROLE = 'WorkerNodeRole';
const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];
const GOOD: RoleMapping = { rolearn: roleArn(ACCOUNT, ROLE), username: 'system:node:{{EC2PrivateDNSName}}', groups: NODE_GROUPS };
const BAD: RoleMapping = { rolearn: roleArn(ACCOUNT, ROLE), username: ROLE, groups: NODE_GROUPS };

export interface DayPlan {
  /** ISO: when the admin writes the bad mapping. */
  readonly breakAt: string;
  /** ISO: when the nodes start heart-beating (a node group scaled up from zero); default 41 s after the break. */
  readonly nodesFrom?: string;
  /** ISO: when the mapping is put back; the refusals stop. */
  readonly fixAt: string;
  readonly nodes: number;
}

export class DayScenario {
  private readonly rng = new Rng('lifecycle-day');
  private readonly writes: { t: Micros; e: AuditEventJson }[] = [];
  private readonly kubelets: Kubelet[];
  private readonly nodesFrom: Micros;
  private readonly fixAt: Micros;

  constructor(readonly plan: DayPlan) {
    const breakAt = micros(plan.breakAt);
    this.fixAt = micros(plan.fixAt);
    this.nodesFrom = plan.nodesFrom ? micros(plan.nodesFrom) : breakAt + 41 * SECOND;
    this.writes.push({ t: breakAt - 240 * SECOND, e: this.write(breakAt - 240 * SECOND, GOOD, '1000') });
    this.writes.push({ t: breakAt, e: this.write(breakAt, BAD, '1001') });
    this.writes.push({ t: this.fixAt, e: this.write(this.fixAt, GOOD, '1002') });
    this.kubelets = Array.from({ length: plan.nodes }, (_, i) => this.kubelet(i));
  }

  /** The audit query's rows for [startMs, endMs). */
  auditRows(startMs: number, endMs: number): ResultField[][] {
    const from = startMs * 1000;
    const to = endMs * 1000;
    const rows: ResultField[][] = [];
    for (const w of this.writes) {
      if (w.t >= from && w.t < to) rows.push(resultRow({ n: 1, firstSeen: w.t / 1000, lastSeen: w.t / 1000, sample: JSON.stringify(w.e), keys: { auditID: String(w.e['auditID']) } }));
    }
    // Every node renews its lease every 10 s while the mapping is wrong; each window sees the part it covers.
    const first = Math.max(from, this.nodesFrom);
    const last = Math.min(to, this.fixAt);
    if (first >= last) return rows;
    const beats = Math.max(1, Math.floor((last - first) / (10 * SECOND)));
    for (const k of this.kubelets) {
      const lastBeat = first + (beats - 1) * 10 * SECOND;
      const event = kubeletLease({ rng: this.rng, time: lastBeat, kubelet: k, verb: 'update', outcome: forbid() });
      rows.push(resultRow({
        n: beats, firstSeen: first / 1000, lastSeen: lastBeat / 1000, sample: JSON.stringify(event),
        keys: { 'user.username': ROLE, 'objectRef.name': k.nodeName, verb: 'update' },
      }));
    }
    return rows;
  }

  private write(t: Micros, mapping: RoleMapping, rv: string): AuditEventJson {
    return awsAuthUpdate({
      rng: this.rng, time: t, caller: admin(), mapRoles: mapRolesYaml([mapping]), manager: 'kubectl', reason: '',
      state: { uid: 'aws-auth-uid', resourceVersion: rv, nextResourceVersion: String(Number(rv) + 1), created: micros('2026-01-01T00:00:00Z') },
    });
  }

  private kubelet(i: number): Kubelet {
    const nodeName = `ip-10-0-1-${20 + i}.eu-west-1.compute.internal`;
    const session: IamRoleSession = { account: ACCOUNT, roleName: ROLE, roleId: 'AROAWORKERNODEROLE001', sessionName: `i-0${String(i + 1).padStart(16, '0')}`, accessKeyId: `ASIA${String(i).padStart(16, '0')}` };
    return { nodeName, sourceIP: `10.0.1.${20 + i}`, userAgent: 'kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/de3a9a1', user: iamRoleUser(ROLE, NODE_GROUPS, session) };
  }
}

/** The admin who edits aws-auth (kubectl, through an IAM role session). */
export function admin(): Caller {
  const session: IamRoleSession = { account: ACCOUNT, roleName: 'Admin', roleId: 'AROAADMINROLEID00001', sessionName: 'alice', accessKeyId: 'ASIAADMINKEY00000001' };
  return { user: iamRoleUser('kubernetes-admin', ['system:masters'], session), sourceIP: '192.0.2.10', userAgent: 'kubectl/v1.31.2 (darwin/arm64) kubernetes/9f1c2e4' };
}
