import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');

/** Runs the project's layer check on a tree of files; returns the violated rule names. */
function violations(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  dirs.push(dir);
  cpSync(join(REPO, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const top of ['lambda', 'lib', 'bin']) mkdirSync(join(dir, top), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = execFileSync(process.execPath, [DEPCRUISE, 'lambda', 'lib', 'bin', '--config', CONFIG, '--output-type', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    // depcruise exits non-zero on a violation; the JSON on stdout is what we read either way.
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return parse(out);
}

function parse(json: string): string[] {
  const result = JSON.parse(json) as { summary: { violations: { rule: { name: string } }[] } };
  return result.summary.violations.map((v) => v.rule.name).sort();
}

function run(files: Record<string, string>): string[] {
  try {
    return violations(files);
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout;
    if (stdout) return parse(stdout);
    throw err;
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('layer check (.dependency-cruiser.cjs, run by npm test)', () => {
  it('passes imports that point down', () => {
    expect(
      run({
        'lambda/model/records.ts': 'export type R = 1;\n',
        'lambda/readers/a.ts': "import type { R } from '../model/records';\nexport const a: R = 1;\n",
        'lambda/engine/e.ts': "import type { R } from '../model/records';\nexport const e: R = 1;\n",
        'lambda/scan/s.ts': "import { a } from '../readers/a';\nimport { e } from '../engine/e';\nexport const s = a + e;\n",
        'lambda/cli/c.ts': "import { s } from '../scan/s';\nexport const c = s;\n",
        'lib/stack.ts': "import type { R } from '../lambda/model/records';\nexport const s: R = 1;\n",
      }),
    ).toEqual([]);
  });

  it('fails on each import that points the wrong way, naming the rule', () => {
    // One tree with one wrong import per rule: one run of the checker instead of one per case.
    const wrong: [string, string, string][] = [
      ['lambda/model/m.ts', "import { e } from '../engine/e';\nexport const m = e;\n", 'model-imports-nothing'],
      ['lambda/readers/r.ts', "import { e } from '../engine/e';\nexport const r = e;\n", 'readers-imports-model'],
      ['lambda/engine/x.ts', "import { r } from '../readers/r0';\nexport const x = r;\n", 'engine-imports-model-rules'],
      ['lambda/report/p.ts', "import { t } from '../runtime/t';\nexport const p = t;\n", 'report-imports-model'],
      ['lambda/runtime/q.ts', "import { c } from '../cli/c';\nexport const q = c;\n", 'runtime-imports-model-readers-rules-engine-scan-settings-report'],
      ['lib/l.ts', "import { t } from '../lambda/runtime/t';\nexport const l = t;\n", 'lib-reads-settings-and-model'],
      ['lambda/runtime/w.ts', "import { h } from '../../test/h';\nexport const w = h;\n", 'lambda-stays-runtime'],
    ];
    const files: Record<string, string> = {
      'lambda/engine/e.ts': 'export const e = 1;\n',
      'lambda/readers/r0.ts': 'export const r = 1;\n',
      'lambda/runtime/t.ts': 'export const t = 1;\n',
      'lambda/cli/c.ts': 'export const c = 1;\n',
      'test/h.ts': 'export const h = 1;\n',
    };
    for (const [path, text] of wrong) files[path] = text;
    expect(run(files)).toEqual(wrong.map(([, , rule]) => rule).sort());
  });

  it('keeps the CDK out of lambda/: a CLI install has no aws-cdk-lib (an optional peer dependency)', () => {
    // Prepare: a stand-in package, so the import resolves as in the repository.
    const files = {
      'node_modules/aws-cdk-lib/package.json': '{"name":"aws-cdk-lib","version":"2.276.0","main":"index.js"}\n',
      'node_modules/aws-cdk-lib/index.js': 'exports.Duration = {};\n',
      'lambda/cli/c.ts': "import { Duration } from 'aws-cdk-lib';\nexport const c = Duration;\n",
      'lib/stack.ts': "import { Duration } from 'aws-cdk-lib';\nexport const s = Duration;\n",
    };

    // Act
    const found = run(files);

    // Assess: lib/ may import it, lambda/ may not.
    expect(found).toEqual(['runtime-without-cdk']);
  });
});
