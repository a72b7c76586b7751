import { describe, expect, it } from 'vitest';
import { nodeVersionNote, noteNodeVersion } from '../../lambda/cli/node-version';

describe('audit on an old Node.js', () => {
  it('says once, in one line, what the SDK says in eight, and keeps the SDK from saying it again', () => {
    // Prepare
    const env: Record<string, string | undefined> = {};
    const said: string[] = [];

    // Act
    noteNodeVersion((s) => said.push(s), 'v20.20.2', env);

    // Assess
    expect(said).toHaveLength(1);
    expect(said[0]!.trimEnd().split('\n')).toHaveLength(1);
    expect(said[0]).toContain('Node.js 20 is past its end of life');
    expect(said[0]).toContain('after the first week of January 2027 need Node.js 22 or later');
    expect(env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']).toBe('true');
  });

  it('says nothing on Node.js 22 or later, or when the user turned the SDK warning off', () => {
    expect(nodeVersionNote('v22.12.0', {})).toBeUndefined();
    expect(nodeVersionNote('v24.1.0', {})).toBeUndefined();
    expect(nodeVersionNote('v20.20.2', { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })).toBeUndefined();
  });
});
