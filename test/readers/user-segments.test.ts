import { describe, expect, it } from 'vitest';
import type { LineText } from '../../lambda/readers/json-text';
import { UserSegments } from '../../lambda/readers/user-segments';

/** `,"user":{...},"sourceIPs":[...],"userAgent":"..."` as Go prints it, inside a line, and where the user opens. */
function line(user: object, ip: string, userAgent: string): { line: LineText; open: number; end: number } {
  const head = '{"kind":"Event","verb":"get"';
  const segment = `${JSON.stringify(user)},"sourceIPs":[${JSON.stringify(ip)}],"userAgent":${JSON.stringify(userAgent)}`;
  const text = `${head},"user":${segment},"objectRef":{"resource":"pods"}}`;
  const bytes = Buffer.from(text);
  const open = head.length + ',"user":'.length;
  return { line: { text: bytes.toString('latin1'), bytes, start: 0, end: bytes.length }, open, end: open + Buffer.byteLength(segment) };
}

describe('UserSegments', () => {
  it('parses a caller once and recognises the same bytes again, returning the same segment', () => {
    // Prepare
    const segments = new UserSegments();
    const a = line({ username: 'system:node:a', groups: ['system:nodes'] }, '10.0.0.1', 'kubelet/v1');

    // Act
    const first = segments.read(a.line, a.open);
    const firstEnd = segments.end;
    const again = segments.read(a.line, a.open);

    // Assess
    expect(first?.user).toEqual({ username: 'system:node:a', groups: ['system:nodes'] });
    expect(first?.sourceIPs).toEqual(['10.0.0.1']);
    expect(first?.userAgent).toBe('kubelet/v1');
    expect(firstEnd).toBe(a.end);
    expect(again).toBe(first);
    expect(segments.end).toBe(a.end);
  });

  it('tells apart callers with the same username (pods of one service account, a stolen credential elsewhere)', () => {
    // Prepare
    const segments = new UserSegments();
    const lines = Array.from({ length: 40 }, (_, i) =>
      line({ username: 'system:serviceaccount:kube-system:kube-proxy', extra: { pod: [`kube-proxy-${i}`] } }, `10.0.0.${i}`, 'kube-proxy'),
    );

    // Act: twice over, more pods than one username keeps, in an order that defeats any cache.
    const read = [...lines, ...lines.reverse()].map((l) => segments.read(l.line, l.open));

    // Assess
    read.forEach((segment, n) => {
      const i = n < 40 ? n : 79 - n;
      expect(segment?.sourceIPs).toEqual([`10.0.0.${i}`]);
      expect(segment?.user).toEqual({ username: 'system:serviceaccount:kube-system:kube-proxy', extra: { pod: [`kube-proxy-${i}`] } });
    });
  });

  it('stays right past its bounds on distinct usernames (a hostile log)', () => {
    // Prepare
    const segments = new UserSegments();

    // Act / Assess
    for (let i = 0; i < 3000; i++) {
      const l = line({ username: `user-${i}` }, '192.0.2.1', 'curl');
      expect(segments.read(l.line, l.open)?.user).toEqual({ username: `user-${i}` });
    }
  });

  it('reads non-ASCII and escaped text from the bytes, as JSON.parse does', () => {
    // Prepare
    const segments = new UserSegments();
    const l = line({ username: 'nœud "1"\\', groups: ['é'] }, '10.0.0.1', 'ua\u2028');

    // Act
    const segment = segments.read(l.line, l.open);

    // Assess
    expect(segment?.user).toEqual({ username: 'nœud "1"\\', groups: ['é'] });
    expect(segment?.userAgent).toBe('ua\u2028');
    expect(segments.read(l.line, l.open)).toBe(segment);
  });

  it('gives up on a user object that does not close', () => {
    // Prepare
    const text = '{"kind":"Event","user":{"username":"a","groups":["g"';
    const bytes = Buffer.from(text);

    // Act
    const segment = new UserSegments().read({ text, bytes, start: 0, end: bytes.length }, text.indexOf('{', 1));

    // Assess
    expect(segment).toBeUndefined();
  });
});
