import { describe, expect, it } from 'vitest';
import { isPublicInfoPath, requestTarget, sourceIP } from '../../lambda/rules/support/request-target';
import type { AuditEvent } from '../../lambda/model/records';

describe('requestTarget', () => {
  it('names a resource with its subresource', () => {
    expect(requestTarget({ objectRef: { resource: 'pods', subresource: 'exec', name: 'p' }, requestURI: '/api/v1/namespaces/a/pods/p/exec' })).toEqual({
      kind: 'resource', value: 'pods/exec',
    });
  });

  it('names a non-resource request by its path without the query, also when objectRef is null', () => {
    const e = { objectRef: null, requestURI: '/readyz?verbose' } as unknown as AuditEvent;
    expect(requestTarget(e)).toEqual({ kind: 'path', value: '/readyz' });
    expect(requestTarget({ requestURI: '/version' })).toEqual({ kind: 'path', value: '/version' });
    expect(requestTarget({})).toBeUndefined();
  });

  it('takes the last source address (the connection\'s: the others are client-set headers), ignoring what is not a string', () => {
    expect(sourceIP({ sourceIPs: ['203.0.113.45', '10.0.0.1'] })).toBe('10.0.0.1');
    expect(sourceIP({ sourceIPs: ['203.0.113.45'] })).toBe('203.0.113.45');
    expect(sourceIP({ sourceIPs: [7 as unknown as string] })).toBeUndefined();
  });
});

describe('isPublicInfoPath', () => {
  it.each(['/healthz', '/livez', '/readyz', '/version', '/version/', '/readyz/etcd', '/livez/ping', '/healthz/poststarthook/start-informers'])('%s is public', (p) => {
    expect(isPublicInfoPath(p)).toBe(true);
  });

  it.each(['/', '/healthzz', '/metrics', '/api', '/healthz/../api/v1/secrets', '/version/../../x', '/readyz/.hidden', '/HEALTHZ', 'healthz'])('%s is not', (p) => {
    expect(isPublicInfoPath(p)).toBe(false);
  });
});
