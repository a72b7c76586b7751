import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTPUT, SCENARIOS, listFiles, sampleFiles, writeSamples } from '../../tools/generate-samples';
import { TRUNCATED_MARKER } from '../../tools/text-logs';
import { CLOUDWATCH_EVENT_LIMIT } from '../../tools/samples/healthy';

const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');

function text(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

describe('samples/ is what the generator writes', () => {
  let fresh: string;

  beforeAll(() => {
    // Prepare: regenerate into an empty temporary folder.
    fresh = mkdtempSync(join(tmpdir(), 'samples-'));
    writeSamples(fresh);
  });
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it('writes to samples/ beside tools/ by default', () => {
    expect(DEFAULT_OUTPUT).toBe(SAMPLES);
  });

  it('has exactly the generated files, no stale or missing ones', () => {
    // Act
    const committed = listFiles(SAMPLES);
    const generated = listFiles(fresh);

    // Assess
    expect(committed).toEqual(generated);
    expect(generated).toEqual(sampleFiles().map((f) => f.path).sort());
  });

  it('matches byte for byte (regenerate with `npx tsx tools/generate-samples.ts` after changing tools/)', () => {
    for (const path of listFiles(fresh)) {
      // Act
      const committed = readFileSync(join(SAMPLES, path));
      const generated = readFileSync(join(fresh, path));

      // Assess: a gzip stream may differ between zlib builds for the same content, so .gz files are held
      // to their content and to a deterministic header (no mtime, no file name) rather than to deflate's bytes.
      if (path.endsWith('.gz')) {
        expect(gunzipSync(committed).equals(gunzipSync(generated)), path).toBe(true);
        expect([...committed.subarray(0, 8)], path).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
      } else {
        expect(committed.equals(generated), `${path} differs from the generator's output`).toBe(true);
      }
    }
  });

  it('stays small enough for an instant demo (under 2 MB)', () => {
    // Act
    const total = listFiles(SAMPLES).reduce((sum, p) => sum + statSync(join(SAMPLES, p)).size, 0);

    // Assess
    expect(total).toBeLessThan(2_000_000);
  });
});

describe('sample contents', () => {
  const auditFiles = listFiles(SAMPLES).filter((p) => /\.jsonl(\.gz)?$/.test(p));

  it('has an audit log in every audit scenario, one gzipped', () => {
    expect(auditFiles).toEqual([
      'anonymous-probing/kube-apiserver-audit.jsonl',
      'healthy/kube-apiserver-audit.jsonl',
      'masters-node-identity/kube-apiserver-audit.jsonl.gz',
      'masters-node-username/kube-apiserver-audit.jsonl',
      'unmapped-node/kube-apiserver-audit.jsonl',
      'wrong-node-username/kube-apiserver-audit.jsonl',
    ]);
  });

  it('parses every JSON line as an audit event, except the one CloudWatch cut', () => {
    const unparsable: string[] = [];
    let events = 0;
    for (const path of auditFiles) {
      const lines = text(join(SAMPLES, path)).split('\n');
      // Act
      lines.forEach((line, i) => {
        if (line === '') return;
        try {
          const e = JSON.parse(line) as { kind?: string; apiVersion?: string };
          expect(e.kind).toBe('Event');
          expect(e.apiVersion).toBe('audit.k8s.io/v1');
          events++;
        } catch (err) {
          if (err instanceof SyntaxError) unparsable.push(`${path}:${i + 1}`);
          else throw err;
        }
      });
    }

    // Assess
    expect(events).toBeGreaterThan(900);
    expect(unparsable).toHaveLength(1);
    expect(unparsable[0]).toMatch(/^healthy\/kube-apiserver-audit\.jsonl:\d+$/);
  });

  it('cuts the truncated event like CloudWatch: at the size limit, marker appended, head intact', () => {
    // Prepare
    const lines = text(join(SAMPLES, 'healthy', 'kube-apiserver-audit.jsonl')).split('\n');

    // Act
    const cut = lines.filter((l) => l.endsWith(TRUNCATED_MARKER));

    // Assess
    expect(cut).toHaveLength(1);
    const line = cut[0] ?? '';
    expect(Buffer.byteLength(line)).toBe(CLOUDWATCH_EVENT_LIMIT);
    expect(line.startsWith('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse"')).toBe(true);
    expect(line).toContain('"verb":"patch"');
    expect(line).toContain('"username":"kubernetes-admin"');
    // Cut inside the response body: the timestamps and annotations after it are gone.
    expect(line).toContain('"responseObject":');
    expect(line).not.toContain('"stageTimestamp"');
  });

  it('exports the compromised node as a Logs Insights console JSON array, newest first', () => {
    // Act
    const rows = JSON.parse(text(join(SAMPLES, 'compromised-node', 'logs-insights-export.json'))) as {
      '@timestamp': string;
      '@logStream': string;
      '@message': { kind: string; sourceIPs: string[]; user: { username: string } };
    }[];

    // Assess
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['@timestamp', '@logStream', '@message']);
      expect(row['@timestamp']).toMatch(/^2026-11-27 10:4\d:\d\d\.\d{3}$/);
      expect(row['@logStream']).toMatch(/^kube-apiserver-audit-[0-9a-f]{32}$/);
      expect(row['@message'].kind).toBe('Event');
      expect(row['@message'].user.username).toBe('system:node:ip-10-0-3-51.us-west-2.compute.internal');
    }
    const times = rows.map((r) => r['@timestamp']);
    expect(times).toEqual([...times].sort().reverse());
    const sources = new Set(rows.map((r) => r['@message'].sourceIPs[0]));
    expect([...sources].sort()).toEqual(['10.0.3.51', '203.0.113.45']);
  });

  it('keeps every timestamp of every file inside 10:00-11:00 UTC on 2026-11-27', () => {
    for (const path of listFiles(SAMPLES).filter((p) => p !== 'README.md')) {
      // Act
      const stamps = text(join(SAMPLES, path)).match(/2026-11-27[T ]\d\d:\d\d:\d\d|I1127 \d\d:\d\d:\d\d|Nov 27 \d\d:\d\d:\d\d/g) ?? [];

      // Assess
      expect(stamps.length, path).toBeGreaterThan(0);
      for (const s of stamps) expect(s.slice(-8, -6), `${path}: ${s}`).toBe('10');
    }
  });

  it('describes every scenario folder in samples/README.md with its expected incidents and rule ids', () => {
    // Prepare
    const readme = readFileSync(join(SAMPLES, 'README.md'), 'utf8');

    for (const s of SCENARIOS) {
      // Assess
      expect(readme).toContain(`## \`${s.dir}/\``);
      for (const f of s.expected) expect(readme).toContain(`\`${f.ruleId}\``);
      for (const i of s.incidents) expect(readme).toContain(`${i.cause} (`);
      expect(listFiles(join(SAMPLES, s.dir)).length).toBeGreaterThan(0);
    }
    expect(readme).toContain('Expected findings: **none above info**.');
  });
});

describe('the generator is deterministic', () => {
  it('produces identical files on a second run', () => {
    // Act
    const first = sampleFiles();
    const second = sampleFiles();

    // Assess
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    first.forEach((f, i) => {
      const a = Buffer.from(f.content);
      const b = Buffer.from(second[i]?.content ?? '');
      expect(a.equals(b), f.path).toBe(true);
    });
  });
});
