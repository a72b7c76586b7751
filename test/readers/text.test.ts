import { describe, expect, it } from 'vitest';
import { goUnquote, journaldPrefixLength, parseFlag, parseKlogHeader, parseLogrus } from '../../lambda/readers/text';

describe('parseLogrus', () => {
  it('reads bare and quoted values, unescaping the quoted ones', () => {
    // Act
    const fields = parseLogrus('time="2021-09-13T16:29:14Z" level=info msg="access granted" groups="[]" username="a:\\"b\\"" path=/authenticate');

    // Assess
    expect(fields).toEqual({
      time: '2021-09-13T16:29:14Z', level: 'info', msg: 'access granted', groups: '[]', username: 'a:"b"', path: '/authenticate',
    });
  });

  it('keeps an empty value and a __proto__ key as data', () => {
    // Act
    const fields = parseLogrus('level=info msg= __proto__=x');

    // Assess
    expect(fields).toBeDefined();
    expect(Object.entries(fields!)).toEqual([['level', 'info'], ['msg', ''], ['__proto__', 'x']]);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });

  it.each([
    ['a word that is not a pair', 'level=info msg="x" trailing'],
    ['an unterminated quote', 'level=info msg="x'],
    ['text glued to a quoted value', 'level=info msg="x"y'],
    ['no level and no msg', 'a=1 b=2'],
    ['an empty key', 'level=info =x'],
    ['prose', 'Test BENCHMARK 3'],
  ])('refuses %s', (_name, line) => {
    // Assess
    expect(parseLogrus(line)).toBeUndefined();
  });
});

describe('goUnquote', () => {
  it.each([
    ['"plain"', 'plain'],
    ['""', ''],
    ['"tab\\there"', 'tab\there'],
    ['"\\a\\b\\f\\n\\r\\v\\\\\\\'"', '\u0007\b\f\n\r\v\\\''],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
  ])('%s', (quoted, expected) => {
    // Assess
    expect(goUnquote(quoted)).toBe(expected);
  });

  it.each([['plain'], ['"open'], ['"a"b"'], ['"\\q"'], ['"\\x4"'], ['"\\uD800"'], ['"\\U00110000"'], ['"\\8"']])('rejects %s', (quoted) => {
    // Assess
    expect(goUnquote(quoted)).toBeUndefined();
  });
});

describe('klog and journald', () => {
  it('reads a klog header', () => {
    // Prepare
    const line = 'E0927 08:07:05.536991    2950 controller.go:146] "Failed"';

    // Act
    const header = parseKlogHeader(line);

    // Assess
    expect(header).toEqual({ severity: 'E', month: 9, day: 27, hour: 8, minute: 7, second: 5, fraction: '536991', messageStart: line.indexOf('"Failed"') });
  });

  it.each([
    ['X0927 08:07:05.536991 1 a.go:1] m'], ['I0927 08:07:05 1 a.go:1] m'], ['I0927 08:07:05.1 1 a.go] m'], ['I0927'], [''],
  ])('is not fooled by %j', (line) => {
    // Assess
    expect(parseKlogHeader(line)).toBeUndefined();
  });

  it('measures a journald prefix', () => {
    // Prepare
    const prefix = 'Apr 12 02:23:51 server kube-apiserver[2401]: ';
    const padded = 'Sep  7 08:07:05 ip-10-0-0-1.ec2.internal kubelet[2950]: ';

    // Assess
    expect(journaldPrefixLength(`${prefix}I0412 x`)).toBe(prefix.length);
    expect(journaldPrefixLength(`${padded}E0907 x`)).toBe(padded.length);
    expect(journaldPrefixLength('user: warning: [2024-06-10T20:25:49Z]: [talos]')).toBe(0);
    expect(journaldPrefixLength('I0412 02:23:51.506839 1 flags.go:64] x')).toBe(0);
  });

  it('reads a FLAG message', () => {
    // Assess
    expect(parseFlag('xx FLAG: --authorization-mode="[Node,RBAC]"', 3)).toEqual({ name: 'authorization-mode', value: '[Node,RBAC]' });
    expect(parseFlag('FLAG: --service-account-jwks-uri=""', 0)).toEqual({ name: 'service-account-jwks-uri', value: '' });
    expect(parseFlag('FLAG: --=x', 0)).toBeUndefined();
    expect(parseFlag('FLAG: --no equals', 0)).toBeUndefined();
    expect(parseFlag('FLAGS: --a="b"', 0)).toBeUndefined();
  });
});
