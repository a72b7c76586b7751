import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, AuthenticatorRecord, FlagRecord } from '../../lambda/model/records';
import { isDocumentation } from '../../lambda/scan/inputs';
import { readInputs } from '../../lambda/scan/index';
import { CollectingSink } from './collect';

/**
 * Real published logs, kept beside the repository (shared/fixtures/real, see its PROVENANCE.md) and never
 * copied into it. CI clones the repository with shared/ next to it; elsewhere these tests skip.
 */
const dir = fileURLToPath(new URL('../../../shared/fixtures/real', import.meta.url));
const real = (name: string): string => join(dir, name);

async function read(...names: string[]): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await readInputs(names.map(real), sink);
  return sink;
}

describe.skipIf(!existsSync(dir))('readers on real published logs', () => {
  it('reads every file without throwing, one sink.file per file (PROVENANCE.md is documentation, skipped)', async () => {
    // Prepare
    const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !isDocumentation(e.name));
    expect(files.length).toBeGreaterThan(20);

    // Act
    const sink = new CollectingSink();
    await readInputs([dir], sink);

    // Assess
    expect(sink.files).toHaveLength(files.length);
    expect(sink.records.length).toBeGreaterThan(0);
  });

  it('reads the node 403 event (JSON line and pretty-printed) as one audit record each', async () => {
    // Act
    const sink = await read('eks-audit-node-forbidden-pv-403.jsonl', 'eks-audit-node-forbidden-pv-403.pretty.json');

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'audit@1']);
    const [line, pretty] = sink.records as AuditRecord[];
    expect(line!.truncated).toBe(false);
    expect(line!.event.responseStatus?.code).toBe(403);
    expect(pretty!.event).toEqual(line!.event);
  });

  it('reads the Insights export of the CSR bootstrap as six audit events (no @timestamp in it, so none in the origin)', async () => {
    // Act
    const sink = await read('eks-insights-export-csr-node-bootstrap.json');

    // Assess
    expect(sink.malformedLines).toEqual([]);
    const records = sink.records as AuditRecord[];
    expect(records.map((r) => r.kind)).toEqual(['audit', 'audit', 'audit', 'audit', 'audit', 'audit']);
    expect(records.map((r) => r.origin.line)).toEqual([2, 133, 335, 576, 707, 909]);
    expect(records.every((r) => r.origin.timestamp === undefined && r.origin.logStream === undefined)).toBe(true);
    expect(records.map((r) => r.event.verb)).toEqual(['create', 'update', 'update', 'create', 'update', 'update']);
  });

  it('reads the same 29 events from the seven Insights exports as from their JSON-lines form', async () => {
    // Act
    const exports = await read(
      'eks-insights-export-csr-node-bootstrap.json', 'eks-insights-export-aws-auth-update.json',
      'eks-insights-export-node-manager-node-patch.json', 'eks-insights-export-node-manager-evictions.json',
      'eks-insights-export-fargate-kubelet-pod-status.json', 'eks-insights-export-addon-manager-ssa-409.json',
      'eks-insights-export-apiserver-endpoints-system-masters.json',
    );
    const lines = await read('eks-audit-focaaby-events.jsonl');

    // Assess
    const events = (s: CollectingSink): unknown[] => (s.records as AuditRecord[]).map((r) => r.event);
    expect(lines.records).toHaveLength(29);
    expect(events(exports)).toEqual(events(lines));
  });

  it('reads the get-query-results placeholders ("Test BENCHMARK n") as three malformed rows', async () => {
    // Act
    const sink = await read('cwlogs-cli-get-query-results-output.json');

    // Assess: they are neither JSON, klog nor logrus, so they are counted as malformed, not guessed at.
    const file = real('cwlogs-cli-get-query-results-output.json');
    expect(sink.records).toEqual([]);
    expect(sink.malformedLines).toEqual([3, 21, 39].map((line) => ({ file, line, reason: 'not JSON, klog or logrus' })));
  });

  it('reads the filter-log-events, get-log-events and subscription examples element by element', async () => {
    // Act
    const sink = await read('cwlogs-cli-filter-log-events-output.json', 'cwlogs-cli-get-log-events-output.json', 'cwlogs-subscription-data-message-decoded.json');

    // Assess: placeholders and cut CloudTrail JSON, one malformed line per event, on the event's line.
    expect(sink.records).toEqual([]);
    expect(sink.malformedLines.map((m) => [m.line, m.reason])).toEqual([
      [3, 'not JSON, klog or logrus'], [10, 'not JSON, klog or logrus'],
      [4, 'not JSON, klog or logrus'], [9, 'not JSON, klog or logrus'], [14, 'not JSON, klog or logrus'],
      [10, 'invalid JSON'], [15, 'invalid JSON'], [20, 'invalid JSON'],
    ]);
  });

  it('reads the two EKS authorization FLAG lines', async () => {
    // Act
    const sink = await read('eks-apiserver-flags-klog-authz-admission.log');

    // Assess
    expect(sink.records).toEqual([
      { kind: 'apiserver-flag', flag: 'authorization-mode', value: '[Node,RBAC,Webhook]', origin: { file: real('eks-apiserver-flags-klog-authz-admission.log'), line: 1 } },
      { kind: 'apiserver-flag', flag: 'enable-admission-plugins', value: '[NodeRestriction,ExtendedResourceToleration]', origin: { file: real('eks-apiserver-flags-klog-authz-admission.log'), line: 2 } },
    ]);
  });

  it('reads the journald FLAG dump: every FLAG line, and the systemd line as malformed', async () => {
    // Act
    const sink = await read('unattributed/k8s-apiserver-flags-full-dump-journald-v1.32.log');

    // Assess
    const flags = sink.records.filter((r): r is FlagRecord => r.kind === 'apiserver-flag');
    expect(flags).toHaveLength(145);
    expect(flags.find((f) => f.flag === 'authorization-mode')?.value).toBe('[Node,RBAC]');
    expect(sink.outline.filter((o) => o.startsWith('malformed'))).toEqual(['malformed@1']);
  });

  it('reads the authenticator logs with msg, arn, username, groups and error fields', async () => {
    // Act
    const sink = await read(
      'eks-authenticator-access-granted.log', 'eks-authenticator-access-granted-2020.log',
      'eks-authenticator-access-granted-addon-manager-2025.log', 'eks-authenticator-access-granted-denied-aws-kc.log',
    );

    // Assess
    expect(sink.malformedLines).toEqual([]);
    const records = sink.records as AuthenticatorRecord[];
    expect(records).toHaveLength(10);
    const granted = records.filter((r) => r.fields['msg'] === 'access granted');
    const denied = records.filter((r) => r.fields['msg'] === 'access denied');
    expect(granted).toHaveLength(8);
    for (const r of granted) {
      expect(r.fields['arn']).toMatch(/^arn:aws:iam::/);
      expect(r.fields['username']).toMatch(/\S/);
      expect(r.fields['groups']).toMatch(/^\[.*\]$/);
      expect(r.time).toMatch(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    }
    expect(denied.map((r) => r.fields['level'])).toEqual(['warning', 'warning']);
    expect(denied[1]!.fields['error']).toBe('ARN is not mapped');
    expect(denied[0]!.fields['error']).toContain('"InvalidClientTokenId"');
  });
});
