/**
 * The samples do what samples/README.md says: each scenario folder, read by the real readers and judged by
 * the registered rules, gives exactly its expected findings above info and nothing else, grouped into exactly
 * its expected incidents. Rules that are not registered yet are skipped (their ids are listed in the test
 * name), so the findings check grows with the registry instead of failing before a rule lands.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { readInputs } from '../../lambda/scan/index';
import { RULES } from '../../lambda/rules/registry';
import type { ScanResult } from '../../lambda/model/findings';
import { incidentId } from '../../lambda/engine/incidents';
import { roleKey } from '../../lambda/engine/role-key';
import type { ExpectedIncident } from '../../tools/samples/scenario';
import { SCENARIOS } from '../../tools/generate-samples';
import { GROUPS } from '../../tools/samples/cluster';
import { KARPENTER_ROLE_ARN } from '../../tools/samples/unmapped-node';
import { CI_DEPLOYER_ARN, PROBED_RESOURCES, PROBE_REFUSALS, TOKEN_THIEF_IP } from '../../tools/samples/anonymous-probing';

const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');
const registered = new Set(RULES.map((r) => r.id));

async function scan(dir: string): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'demo' });
  await readInputs([join(SAMPLES, dir)], engine);
  return engine.finish();
}

interface IncidentShape {
  kind: string;
  key: string;
  findings: string[];
}

/** The cause key as the engine groups by it, from which it derives the incident id. */
function groupingKey(i: ExpectedIncident): string {
  if (i.kind !== 'node-role') return i.key;
  return i.key.startsWith('arn:') ? roleKey(i.key) : `user:${i.key}`;
}

/**
 * What the scan reported, in the declarations' terms. A `finding` incident's key is its finding's subject
 * values (its id hashes the fingerprint); any other incident's key is the declared key whose cause id it
 * carries, so a regrouping, a split or a merge shows up as an unknown or missing key.
 */
function reported(result: ScanResult, declared: readonly ExpectedIncident[]): IncidentShape[] {
  const byFingerprint = new Map(result.findings.map((f) => [f.fingerprint, f]));
  return result.incidents.map((incident) => {
    const findings = incident.findings.map((fp) => byFingerprint.get(fp));
    const { kind } = incident.cause;
    const key =
      kind === 'finding'
        ? Object.values(findings[0]?.subject ?? {}).join(' ')
        : (declared.find((d) => d.kind === kind && incidentId('demo', `${kind}:${groupingKey(d)}`) === incident.id)?.key ??
          `<no declared ${kind} cause: ${incident.title}>`);
    return { kind, key, findings: findings.map((f) => f?.ruleId ?? '<unknown fingerprint>').sort() };
  });
}

function shapes(declared: readonly ExpectedIncident[]): IncidentShape[] {
  return declared.map((d) => ({ kind: d.kind, key: d.key, findings: [...d.findings].sort() }));
}

function byKindAndKey(list: IncidentShape[]): IncidentShape[] {
  return [...list].sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
}

describe.each(SCENARIOS.map((s) => [s.dir, s] as const))('samples/%s', (dir, scenario) => {
  const expected = scenario.expected.map((f) => f.ruleId);
  const pending = expected.filter((id) => !registered.has(id));

  it(`gives its expected findings above info${pending.length ? ` (not registered yet: ${pending.join(', ')})` : ''}`, async () => {
    // Act
    const result = await scan(dir);

    // Assess
    expect(result.ruleErrors).toEqual([]);
    expect(result.stats.malformed).toBe(0);
    const above = [...new Set(result.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId))].sort();
    expect(above).toEqual(expected.filter((id) => registered.has(id)).sort());
    const infos = new Set(result.findings.filter((f) => f.severity === 'info').map((f) => f.ruleId));
    for (const id of infos) expect(scenario.info.map((f) => f.ruleId)).toContain(id);
  });

  it.skipIf(pending.length > 0)(`groups its findings into exactly its declared incidents${pending.length ? ' (skipped until its rules are registered)' : ''}`, async () => {
    // Act
    const result = await scan(dir);

    // Assess
    expect(result.incidents).toHaveLength(scenario.incidents.length);
    expect(byKindAndKey(reported(result, scenario.incidents))).toEqual(byKindAndKey(shapes(scenario.incidents)));
    for (const incident of result.incidents.filter((i) => i.cause.kind === 'node-role')) {
      expect(scenario.incidents.map((d) => d.key)).toContain(incident.cause.roleArn);
    }
  });
});

describe('scenario details', () => {
  it('healthy: salvages the one truncated event and reads all three formats', async () => {
    // Act
    const { stats } = await scan('healthy');

    // Assess
    expect(stats.files).toBe(3);
    expect(stats.truncated).toBe(1);
    expect(stats.auditEvents).toBeGreaterThan(400);
    expect(stats.apiserverLines).toBeGreaterThan(20);
    expect(stats.authenticatorLines).toBeGreaterThan(5);
  });

  it.skipIf(!registered.has('node-lease-forbidden'))('wrong-node-username: one lease finding per batch node, as WorkerNodeRole', async () => {
    // Act
    const { findings } = await scan('wrong-node-username');

    // Assess
    const lease = findings.filter((f) => f.ruleId === 'node-lease-forbidden');
    expect(lease.map((f) => f.subject.node).sort()).toEqual(GROUPS.batch.nodes.map((n) => n.name).sort());
    for (const f of lease) expect(f.subject.username).toBe('WorkerNodeRole');
  });

  it.skipIf(!registered.has('node-unrelated-object-access'))('compromised-node: the probes come from the node credential ip-10-0-3-51', async () => {
    // Act
    const { findings } = await scan('compromised-node');

    // Assess
    const probes = findings.filter((f) => f.ruleId === 'node-unrelated-object-access');
    expect(probes.length).toBeGreaterThan(0);
    for (const f of probes) expect(f.subject.node).toBe('ip-10-0-3-51.us-west-2.compute.internal');
    expect(probes.reduce((n, f) => n + f.count, 0)).toBe(5);
  });

  it.skipIf(!registered.has('authenticator-node-unmapped'))('unmapped-node: both roles, each with the evidence it rests on', async () => {
    // Act
    const { findings } = await scan('unmapped-node');

    // Assess
    const unmapped = new Map(findings.filter((f) => f.ruleId === 'authenticator-node-unmapped').map((f) => [f.subject.arn, f]));
    expect([...unmapped.keys()].sort()).toEqual([GROUPS.apps.roleArn, KARPENTER_ROLE_ARN].sort());
    expect(unmapped.get(KARPENTER_ROLE_ARN)!.message).toMatch(/Very likely a node role: its sessions are named like an EC2 instance \(i-0[0-9a-f]{16}\)/);
    expect(unmapped.get(GROUPS.apps.roleArn)!.message).toContain('Certain it is a node role: kubelet requests in this same input were signed by it');
    expect(unmapped.get(KARPENTER_ROLE_ARN)!.remediation).toContain(`aws eks create-access-entry --cluster-name demo --principal-arn ${KARPENTER_ROLE_ARN} --type EC2_LINUX`);
  });

  it.skipIf(!registered.has('forbidden-burst'))('anonymous-probing: who probed, what anonymous callers got, and which look-alikes stayed quiet', async () => {
    // Act
    const { findings } = await scan('anonymous-probing');

    // Assess
    const of = (id: string) => findings.filter((f) => f.ruleId === id);
    expect(of('anonymous-request-allowed').map((f) => f.subject.resource).sort()).toEqual(['configmaps', 'pods']);
    expect(of('anonymous-request-allowed')[0]!.remediation).toMatch(/^kubectl delete clusterrolebinding anonymous-view/);
    expect(of('forbidden-burst').map((f) => [f.subject, f.count])).toEqual([
      [{ sourceIP: TOKEN_THIEF_IP, username: 'system:serviceaccount:shop:checkout' }, PROBE_REFUSALS],
    ]);
    expect(of('forbidden-burst')[0]!.message).toContain(`on ${PROBED_RESOURCES} distinct resources`);
    expect(of('authenticator-denied-burst').map((f) => f.subject.arn)).toEqual([CI_DEPLOYER_ARN]);
  });

  it('npm run demo: all samples scanned as one cluster give every scenario\'s findings and nothing else above info', async () => {
    // Prepare
    const engine = new Engine(RULES, { cluster: 'demo' });

    // Act
    await readInputs([SAMPLES], engine);
    const result = engine.finish();

    // Assess
    expect(result.ruleErrors).toEqual([]);
    const above = [...new Set(result.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId))].sort();
    const expected = [...new Set(SCENARIOS.flatMap((s) => s.expected.map((f) => f.ruleId)))].filter((id) => registered.has(id)).sort();
    expect(above).toEqual(expected);
  });

  const unregistered = SCENARIOS.some((s) => s.expected.some((f) => !registered.has(f.ruleId)));
  it.skipIf(unregistered)(
    `npm run demo: all samples scanned as one cluster give every scenario's incidents, none merged, none added${unregistered ? ' (skipped until every rule is registered)' : ''}`,
    async () => {
      // Prepare
      const engine = new Engine(RULES, { cluster: 'demo' });
      const declared = SCENARIOS.flatMap((s) => s.incidents);

      // Act
      await readInputs([SAMPLES], engine);
      const result = engine.finish();

      // Assess
      expect(result.incidents).toHaveLength(declared.length);
      expect(byKindAndKey(reported(result, declared))).toEqual(byKindAndKey(shapes(declared)));
    },
  );
});
