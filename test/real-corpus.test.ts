import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Engine } from '../lambda/engine/engine';
import type { ScanResult } from '../lambda/model/findings';
import { atLeast } from '../lambda/model/severity';
import { readInputs } from '../lambda/scan/index';
import { RULES } from '../lambda/rules/registry';

/** Real published EKS logs (../shared/fixtures/real, see its PROVENANCE.md); absent on some machines. */
const dir = fileURLToPath(new URL('../../shared/fixtures/real', import.meta.url));

async function scan(...files: string[]): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'real' });
  await readInputs(files.map((f) => join(dir, f)), engine);
  return engine.finish();
}

describe.skipIf(!existsSync(dir))('every rule on real published EKS logs', () => {
  it('reads the whole folder without a rule failing', async () => {
    const result = await scan('.');
    expect(result.ruleErrors).toEqual([]);
    // Some real exports hold the same events (one investigation exported twice): each is counted once.
    expect(result.stats.auditEvents).toBeGreaterThan(30);
    expect(result.stats.duplicates).toBeGreaterThan(0);
  });

  it('finds node-unrelated-object-access, and nothing else above info, in the real node PV 403', async () => {
    const result = await scan('eks-audit-node-forbidden-pv-403.jsonl');
    expect(result.findings.map((f) => [f.ruleId, f.subject])).toEqual([
      ['node-unrelated-object-access', { node: 'ip-10-0-0-137.eu-west-1.compute.internal', resource: 'persistentvolumes' }],
    ]);
  });

  it('finds nothing above info in the healthy EKS audit corpus (kubelets, CSRs, eks:node-manager, aws-auth writes, upgrades)', async () => {
    const result = await scan(
      'eks-audit-focaaby-events.jsonl',
      'eks-insights-export-aws-auth-update.json',
      'eks-insights-export-csr-node-bootstrap.json',
      'eks-audit-kubelet-pod-status-oomkilled.jsonl',
      'unattributed/eks-audit-node-lease-lifecycle.jsonl',
    );
    expect(result.stats.auditEvents).toBeGreaterThan(30);
    expect(result.findings.filter((f) => atLeast(f.severity, 'low'))).toEqual([]);
  });

  it('finds no configuration problem in the real EKS FLAG lines, only the info record of what they show', async () => {
    const result = await scan('eks-apiserver-flags-klog-authz-admission.log', 'eks-apiserver-flags-klog-partial.log');
    expect(result.findings.map((f) => f.ruleId)).toEqual(['apiserver-authz-config', 'apiserver-authz-config']);
    expect(result.findings.map((f) => f.subject['authorizationMode']).sort()).toEqual(['[Node,RBAC,Webhook]', '[Node,RBAC]']);
  });
});
