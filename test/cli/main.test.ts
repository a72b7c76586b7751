import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { useColor } from '../../lambda/cli/color';
import { SCAN_USAGE } from '../../lambda/cli/scan';
import { RULES_USAGE } from '../../lambda/cli/rules';
import { memoryIO, type MemoryIO } from './memory-io';

const io = (): MemoryIO => memoryIO();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cli = io();
  const code = await main(argv, cli);
  return { code, out: cli.out(), err: cli.err() };
}

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('eks-authz-audit: what a CLI user expects', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version from package.json', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, out: `eks-authz-audit ${VERSION}\n`, err: '' });
  });

  it.each([
    [['help', 'scan'], SCAN_USAGE],
    [['scan', '--help'], SCAN_USAGE],
    [['scan', '--bogus', 'x', '-h'], SCAN_USAGE],
    [['help', 'rules'], RULES_USAGE],
  ])('%j shows the command\'s own help', async (argv, usage) => {
    expect(await run(argv)).toEqual({ code: 0, out: usage, err: '' });
  });

  it.each([
    [['scan', '--forma', 'json', 'x'], 'unknown option "--forma" (did you mean --format?); an argument that starts with "-" goes after "--"'],
    [['scan', 'x', '--cluster'], '--cluster needs a value'],
    [['scan', '--cluster', '--format', 'json', 'x'], '--cluster needs a value, and "--format" looks like an option; for a value that starts with "-", write --cluster=VALUE'],
    [['scan', '--allow-empty=yes', 'x'], '--allow-empty takes no value (got "yes")'],
    [['rules', 'extra'], 'unexpected argument "extra": this command takes options only'],
    [['rules', '--formt', 'json'], 'unknown option "--formt" (did you mean --format?)'],
  ])('%j: a parse error in the tool\'s own words', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toBe(`eks-authz-audit ${argv[0]}: ${message}\nRun 'eks-authz-audit ${argv[0]} --help' for usage.\n`);
    // Node's own wording, and its unbalanced quote, do not leak through.
    expect(err).not.toMatch(/To specify a positional argument|Option '|'-- "/);
  });

  it('names an unknown command safely quoted', async () => {
    const { code, err } = await run(['sc\u001b[2Jan']);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('eks-authz-audit: unknown command "sc [2Jan"');
  });
});

describe('colour', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };
  it('is on for a terminal, off for a pipe; NO_COLOR turns it off, FORCE_COLOR on (and 0 or false off)', () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
  });
});
