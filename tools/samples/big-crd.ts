/**
 * A CustomResourceDefinition big enough that its RequestResponse audit event passes CloudWatch's per-event
 * limit: the usual way real audit events get cut. The schema text is generated, not taken from any project.
 */
import type { Rng } from '../prng';

const WORDS = [
  'pipeline', 'stage', 'source', 'sink', 'batch', 'window', 'retry', 'backoff', 'schema', 'record', 'partition',
  'offset', 'checkpoint', 'buffer', 'timeout', 'replica', 'shard', 'filter', 'transform', 'codec', 'compression',
  'credential', 'endpoint', 'bucket', 'prefix', 'region', 'interval', 'threshold', 'limit', 'priority', 'label',
];

function sentence(rng: Rng, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(rng.pick(WORDS));
  const s = parts.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

function properties(rng: Rng, depth: number, count: number): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const name = `${rng.pick(WORDS)}${rng.pick(WORDS).replace(/^./, (c) => c.toUpperCase())}${i}`;
    props[name] =
      depth > 0 && i % 3 === 0
        ? { description: sentence(rng, 18), type: 'object', properties: properties(rng, depth - 1, count) }
        : { description: sentence(rng, 24), type: rng.pick(['string', 'integer', 'boolean']) };
  }
  return props;
}

/** The CRD as `kubectl apply --server-side` sends it; about 150 KB of JSON. */
export function bigCrd(rng: Rng): Record<string, unknown> {
  const versions = ['v1alpha1', 'v1beta1', 'v1'].map((name) => ({
    name,
    served: true,
    storage: name === 'v1',
    schema: {
      openAPIV3Schema: {
        description: 'IngestPipeline moves records from a source to a sink.',
        type: 'object',
        properties: { spec: { type: 'object', properties: properties(rng, 2, 12) }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    },
    subresources: { status: {} },
  }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'ingestpipelines.platform.example.com' },
    spec: {
      group: 'platform.example.com',
      names: { kind: 'IngestPipeline', listKind: 'IngestPipelineList', plural: 'ingestpipelines', singular: 'ingestpipeline' },
      scope: 'Namespaced',
      versions,
    },
  };
}
