import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const LAUNCHER = join(REPO, 'bin', 'eks-authz-audit.mjs');

/** Runs the CLI with its stdout a pipe nobody reads: closed before the program writes (`... | head -c 0`). */
function intoClosedPipe(args: readonly string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('output into a closed pipe (eks-authz-audit rules | head -1)', () => {
  it('rules ends quietly with its own exit code', async () => {
    const run = await intoClosedPipe(['rules']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('scan --format json ends quietly; the exit code is still the verdict of --fail-on', async () => {
    const quiet = await intoClosedPipe(['scan', '--format', 'json', 'samples']);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    const gate = await intoClosedPipe(['scan', '--format', 'json', '--fail-on', 'high', 'samples']);
    expect(gate.stderr).toBe('');
    expect(gate.code).toBe(1);
  });
});
