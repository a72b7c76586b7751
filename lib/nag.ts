import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's IAM5 reports one finding per wildcard resource, named after the resource flattened
 * (`Fn::Join` joined, `Ref` as `<Name>`, `Fn::GetAtt` as `<Res.Attr>`), and each finding needs its own
 * acknowledgment. This rebuilds that name so the construct can acknowledge exactly the ARNs it
 * grants, without importing cdk-nag (a dev dependency) into code that users embed.
 * test/cdk/nag.test.ts fails if the naming drifts.
 */
export function iam5ResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::GetAtt'] !== undefined) {
      const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(res)}.${flatten(attr)}>`;
    }
    if (o.Ref !== undefined) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}
