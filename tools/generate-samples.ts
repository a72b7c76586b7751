/**
 * Writes samples/: one folder per scenario plus README.md. Deterministic: every byte comes from seeded
 * generators, so a second run rewrites identical files (test/tools/generate-samples.test.ts holds it to that).
 *
 *   npx tsx tools/generate-samples.ts [output-dir]     (default: samples/ next to tools/)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SampleFile, Scenario } from './samples/scenario';
import { healthy } from './samples/healthy';
import { wrongNodeUsername } from './samples/wrong-node-username';
import { mastersNodeUsername } from './samples/masters-node-username';
import { mastersNodeIdentity } from './samples/masters-node-identity';
import { compromisedNode } from './samples/compromised-node';
import { selfManagedApiserver } from './samples/self-managed-apiserver';
import { unmappedNode } from './samples/unmapped-node';
import { anonymousProbing } from './samples/anonymous-probing';
import { readme } from './samples/readme';

export const SCENARIOS: readonly Scenario[] = [
  healthy, wrongNodeUsername, mastersNodeUsername, mastersNodeIdentity, compromisedNode, selfManagedApiserver,
  unmappedNode, anonymousProbing,
];

export const DEFAULT_OUTPUT = resolve(import.meta.dirname, '..', 'samples');

/** Every file of samples/, README.md included, in a stable order. */
export function sampleFiles(): SampleFile[] {
  const files: SampleFile[] = [{ path: 'README.md', content: readme(SCENARIOS) }];
  for (const s of SCENARIOS) files.push(...s.files());
  return files;
}

/** Replaces the scenario folders under `dir` with freshly generated ones; returns what was written. */
export function writeSamples(dir: string): SampleFile[] {
  const files = sampleFiles();
  mkdirSync(dir, { recursive: true });
  // Stale files of a renamed scenario would otherwise stay behind and be scanned by the demo.
  for (const s of SCENARIOS) rmSync(join(dir, s.dir), { recursive: true, force: true });
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  return files;
}

/** Paths of all files under dir, relative, with forward slashes, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const dir = resolve(process.argv[2] ?? DEFAULT_OUTPUT);
  const files = writeSamples(dir);
  let bytes = 0;
  for (const f of files) bytes += Buffer.byteLength(f.content);
  process.stdout.write(`wrote ${files.length} files (${(bytes / 1024).toFixed(0)} KiB) to ${dir}\n`);
}
