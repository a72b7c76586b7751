import { describe, expect, it } from 'vitest';
import { parseNodeDenial } from '../../lambda/readers/node-denial-lines';
import { parseKubeletCertificate } from '../../lambda/readers/kubelet-certificate-lines';
import { readMessage } from '../../lambda/readers/message';
import type { NodeDenialRecord } from '../../lambda/model/records';
import { CollectingSink } from './collect';

/**
 * Lines written for these tests from the formats in Kubernetes' source (node_authorizer.go, rbac.go,
 * apierrors.NewForbidden, noderestriction admission); names and hashes are made up.
 */
const N = 'ip-10-4-5-6.eu-central-1.compute.internal';
const OTHER = 'i-0fedcba9876543210';

describe('parseNodeDenial: kube-apiserver lines', () => {
  it('reads the structured NODE DENY line of an object the graph does not know', () => {
    const d = parseNodeDenial(`"NODE DENY" err="node '${N}' cannot get unknown pv /pvc-0a1b2c"`);
    expect(d).toMatchObject({
      source: 'apiserver', by: 'node-authorizer', node: N, user: `system:node:${N}`, verb: 'get',
      resource: 'persistentvolumes', name: 'pvc-0a1b2c',
    });
    expect(d?.namespace).toBeUndefined();
    expect(d?.reason).toContain("not in the Node authorizer's graph");
  });

  it('reads the no-relationship form with a namespace, and the older double-quoted node name', () => {
    expect(
      parseNodeDenial(`"NODE DENY" err="node '${N}' cannot get secret shop/db-pass, no relationship to this object was found in the node authorizer graph"`),
    ).toMatchObject({ node: N, resource: 'secrets', namespace: 'shop', name: 'db-pass' });
    expect(parseNodeDenial(`NODE DENY: node "${N}" cannot get configmap shop/settings, no relationship to this object was found in the node authorizer graph`))
      .toMatchObject({ node: N, resource: 'configmaps', namespace: 'shop', name: 'settings' });
  });

  it('reads an unknown node (not in the graph yet) and an identity without a node name', () => {
    expect(parseNodeDenial(`"NODE DENY" err="unknown node '${N}' cannot get secret shop/db-pass"`)?.reason).toContain(
      "the node is not in the Node authorizer's graph yet",
    );
    expect(parseNodeDenial('NODE DENY: unknown node for user "NodeRole"')).toMatchObject({ user: 'NodeRole', by: 'node-authorizer' });
  });

  it('reads the attribute dump of the other NODE DENY lines', () => {
    const d = parseNodeDenial(
      `NODE DENY: '${N}' &authorizer.AttributesRecord{User:(*user.DefaultInfo)(0xc00a1b2c30), Verb:"list", Namespace:"shop", APIGroup:"", APIVersion:"v1", Resource:"secrets", Subresource:"", Name:"", ResourceRequest:true, Path:"/api/v1/namespaces/shop/secrets"}`,
    );
    expect(d).toMatchObject({ node: N, verb: 'list', resource: 'secrets', namespace: 'shop' });
    expect(d?.name).toBeUndefined();
  });

  it('reads RBAC DENY lines of a node, in both wordings, and ignores those of other users', () => {
    expect(
      parseNodeDenial(`RBAC DENY: user "system:node:${N}" groups ["system:nodes" "system:authenticated"] cannot "patch" resource "nodes/status" named "${N}" cluster-wide`),
    ).toMatchObject({ by: 'rbac', node: N, verb: 'patch', resource: 'nodes/status', name: N, groups: ['system:nodes', 'system:authenticated'] });
    expect(
      parseNodeDenial(`RBAC: no rules authorize user "system:node:${N}" with groups ["system:nodes"] to "get" resource "leases.coordination.k8s.io" named "${N}" in namespace "kube-node-lease"`),
    ).toMatchObject({ resource: 'leases', namespace: 'kube-node-lease', name: N, verb: 'get' });
    expect(parseNodeDenial('RBAC DENY: user "alice" groups ["dev"] cannot "get" resource "secrets" cluster-wide')).toBeUndefined();
  });
});

describe('parseNodeDenial: kubelet lines', () => {
  it('reads a structured lease error of a credential that is no node', () => {
    const d = parseNodeDenial(
      `"Failed to update lease" err="leases.coordination.k8s.io \\"${N}\\" is forbidden: User \\"NodeInstanceRole\\" cannot update resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"kube-node-lease\\""`,
    );
    expect(d).toMatchObject({ source: 'kubelet', user: 'NodeInstanceRole', verb: 'update', resource: 'leases', namespace: 'kube-node-lease', name: N, node: N });
  });

  it('reads a name mismatch, the older reason wording and a NodeRestriction refusal', () => {
    expect(
      parseNodeDenial(
        `"Failed to ensure lease exists, will retry" err="leases.coordination.k8s.io \\"${OTHER}\\" is forbidden: User \\"system:node:${N}\\" cannot get resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"kube-node-lease\\": can only access node lease with the same name as the requesting node" interval="7s"`,
      ),
    ).toMatchObject({ node: N, name: OTHER, reason: 'can only access node lease with the same name as the requesting node' });
    expect(
      parseNodeDenial(`Unable to read volume source: secrets "tls" is forbidden: User "system:node:${N}" cannot get secrets in the namespace "web": no path found to object`),
    ).toMatchObject({ node: N, resource: 'secrets', namespace: 'web', reason: 'no path found to object' });
    expect(
      parseNodeDenial(`"Unable to register node with API server" err="nodes \\"${OTHER}\\" is forbidden: node \\"${N}\\" is not allowed to modify node \\"${OTHER}\\"" node="${OTHER}"`),
    ).toMatchObject({ by: 'node-restriction', node: N, resource: 'nodes', name: OTHER });
  });

  it('reads an anonymous kubelet and takes its node name from the line', () => {
    expect(
      parseNodeDenial(
        `"Unable to register node with API server" err="nodes is forbidden: User \\"system:anonymous\\" cannot create resource \\"nodes\\" in API group \\"\\" at the cluster scope" node="${N}"`,
      ),
    ).toMatchObject({ source: 'kubelet', user: 'system:anonymous', verb: 'create', resource: 'nodes', node: N });
  });

  it("leaves a controller's own refusal alone unless the framing says a kubelet printed it", () => {
    const line = 'failed to list *v1.Secret: secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" at the cluster scope';
    expect(parseNodeDenial(line)).toBeUndefined();
    expect(parseNodeDenial(line, { program: 'kube-scheduler' })).toBeUndefined();
    expect(parseNodeDenial(line, { program: 'kubelet' })).toMatchObject({ source: 'kubelet', user: 'system:kube-scheduler' });
  });

  it('reads nothing from healthy kubelet lines', () => {
    for (const line of [
      '"Successfully registered node" node="ip-10-4-5-6.eu-central-1.compute.internal"',
      'Updating lease in kube-node-lease',
      '"Certificate rotation is enabled"',
      '"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"web\\" with CrashLoopBackOff"',
    ]) {
      expect(parseNodeDenial(line), line).toBeUndefined();
    }
  });
});

describe('readMessage with node refusals', () => {
  it('turns a journald kubelet line into a node-denial record and a plain kubelet line into an apiserver-line', () => {
    const sink = new CollectingSink();
    const prefix = `Mar  3 09:14:07 ${N} kubelet[1711]: `;
    readMessage(
      `${prefix}E0303 09:14:07.120044    1711 controller.go:146] "Failed to ensure lease exists, will retry" err="leases.coordination.k8s.io \\"${N}\\" is forbidden: User \\"NodeInstanceRole\\" cannot get resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"kube-node-lease\\"" interval="7s"`,
      { file: 'journal.txt', line: 1 },
      sink,
    );
    readMessage(`${prefix}I0303 09:14:08.000001    1711 kubelet_node_status.go:73] "Attempting to register node" node="${N}"`, { file: 'journal.txt', line: 2 }, sink);
    expect(sink.outline).toEqual(['node-denial@1', 'apiserver-line@2']);
    const r = sink.records[0] as NodeDenialRecord;
    expect(r).toMatchObject({ source: 'kubelet', user: 'NodeInstanceRole', node: N });
    expect(r.text.startsWith('"Failed to ensure lease exists')).toBe(true);
  });

  it('places a klog time in the year of the wrapper timestamp', () => {
    const sink = new CollectingSink();
    readMessage(
      `I0619 08:07:21.501207      10 node_authorizer.go:200] "NODE DENY" err="node '${N}' cannot get unknown pv /pvc-1"`,
      { file: 'x', line: 1, timestamp: '2024-06-19T08:07:22.000Z' },
      sink,
    );
    expect((sink.records[0] as NodeDenialRecord).time).toBe('2024-06-19T08:07:21.501Z');
  });
});

describe('parseKubeletCertificate: kubelet certificate lines that are no API refusal', () => {
  const kubelet = { program: 'kubelet', host: N };

  it('reads the klog form of a serving and of a client certificate not signed, naming the signer and the node', () => {
    expect(
      parseKubeletCertificate('kubernetes.io/kubelet-serving: certificate request was not signed: timed out waiting for the condition', kubelet),
    ).toMatchObject({ source: 'kubelet', failure: 'not-signed', signer: 'kubernetes.io/kubelet-serving', node: N, reason: 'timed out waiting for the condition' });
    expect(
      parseKubeletCertificate('kubernetes.io/kube-apiserver-client-kubelet: certificate request was not signed: timed out waiting for the condition', kubelet),
    ).toMatchObject({ failure: 'not-signed', signer: 'kubernetes.io/kube-apiserver-client-kubelet', node: N });
  });

  it('reads the structured form with and without its logger key', () => {
    expect(
      parseKubeletCertificate(
        '"Certificate request was not signed" err="timed out waiting for the condition" logger="kubernetes.io/kubelet-serving"',
        kubelet,
      ),
    ).toMatchObject({ failure: 'not-signed', signer: 'kubernetes.io/kubelet-serving', reason: 'timed out waiting for the condition', node: N });
    const unnamed = parseKubeletCertificate('"Certificate request was not signed" err="context deadline exceeded"', kubelet);
    expect(unnamed).toMatchObject({ failure: 'not-signed', reason: 'context deadline exceeded' });
    expect(unnamed?.signer).toBeUndefined();
  });

  it('reads the TLS handshake refused for want of a serving certificate', () => {
    expect(
      parseKubeletCertificate('http: TLS handshake error from 10.244.0.44:45274: no serving certificate available for the kubelet', kubelet),
    ).toMatchObject({ failure: 'no-serving-certificate', signer: 'kubernetes.io/kubelet-serving', node: N, reason: expect.stringContaining('10.244.0.44:45274') });
  });

  it('reads nothing from other programs, other certificate lines or a made-up signer', () => {
    const line = 'kubernetes.io/kubelet-serving: certificate request was not signed: timed out waiting for the condition';
    expect(parseKubeletCertificate(line, { program: 'kube-controller-manager', host: N })).toBeUndefined();
    expect(parseKubeletCertificate(line, { program: 'hyperkube', host: N })).toMatchObject({ node: N });
    // A bare line (no prefix names the program) counts only when it names a kubelet's signer: webhooks print the
    // unnamed form about their own certificates.
    expect(parseKubeletCertificate(line)).toMatchObject({ signer: 'kubernetes.io/kubelet-serving' });
    expect(parseKubeletCertificate('"Certificate request was not signed" err="timed out waiting for the condition"')).toBeUndefined();
    expect(parseKubeletCertificate('example.com/webhook-serving: certificate request was not signed: timed out waiting for the condition')).toBeUndefined();
    for (const other of [
      '"Certificate rotation is enabled"',
      'Rotating certificates',
      '"Failed to sign certificate" err="x509: certificate has expired"',
      'certificate_controller.go:151] Sync csr-8fj2k failed with : recognized signer was not found',
      'http: TLS handshake error from 10.0.0.9:5555: EOF',
      'evil $(sh): certificate request was not signed: x',
    ]) {
      expect(parseKubeletCertificate(other, kubelet), other).toBeUndefined();
    }
  });

  it('turns journald kubelet lines into kubelet-certificate records with their time', () => {
    const sink = new CollectingSink();
    const prefix = `Mar 23 11:51:57 ${N} kubelet[6055]: `;
    readMessage(
      `${prefix}E0323 11:51:57.493069    6055 certificate_manager.go:488] kubernetes.io/kubelet-serving: certificate request was not signed: timed out waiting for the condition`,
      { file: 'journal.txt', line: 1, timestamp: '2025-03-23T11:51:58.000Z' },
      sink,
    );
    readMessage(
      `${prefix}I0323 11:46:36.036164    6055 log.go:245] http: TLS handshake error from 10.244.0.44:45274: no serving certificate available for the kubelet`,
      { file: 'journal.txt', line: 2 },
      sink,
    );
    expect(sink.outline).toEqual(['kubelet-certificate@1', 'kubelet-certificate@2']);
    expect(sink.records[0]).toMatchObject({ kind: 'kubelet-certificate', node: N, failure: 'not-signed', time: '2025-03-23T11:51:57.493Z' });
    expect(sink.records[1]).toMatchObject({ kind: 'kubelet-certificate', node: N, failure: 'no-serving-certificate' });
  });
});
